"""`itokr due` (being built)."""
