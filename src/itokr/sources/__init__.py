"""The only code of itokr that reaches the network."""
