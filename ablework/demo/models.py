"""Tables of ablework.demo (see README.md)."""
