"""`itokr status` (being built)."""
