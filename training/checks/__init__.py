"""Reads for the checklist: the world's truth and what each system holds (its selectors)."""
