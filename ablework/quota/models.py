"""Tables of ablework.quota (see README.md)."""
