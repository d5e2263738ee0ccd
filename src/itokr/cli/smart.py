"""`itokr smart` (being built)."""
