"""`itokr report` (being built)."""
