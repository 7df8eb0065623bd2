"""The real file formats of the chain: pure Python, no Django (one module per format)."""
