"""`itokr history` (being built)."""
