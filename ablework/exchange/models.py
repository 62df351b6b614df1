"""Tables of ablework.exchange (see README.md)."""
