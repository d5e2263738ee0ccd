"""`itokr diff` (being built)."""
