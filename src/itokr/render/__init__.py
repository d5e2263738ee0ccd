"""Renderers: the only code that decides what output looks like."""
