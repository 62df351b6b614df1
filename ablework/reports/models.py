"""Tables of ablework.reports (see README.md)."""
