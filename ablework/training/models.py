"""Tables of ablework.training (see README.md)."""
