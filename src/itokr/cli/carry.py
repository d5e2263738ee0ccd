"""`itokr carry` (being built)."""
