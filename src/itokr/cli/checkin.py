"""`itokr checkin` (being built)."""
