"""`itokr score` (being built)."""
