"""Tables of ablework.portal (see README.md)."""
