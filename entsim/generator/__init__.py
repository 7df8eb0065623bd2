"""Synthetic académie generator (being written)."""
