"""`itokr tree` (being built)."""
