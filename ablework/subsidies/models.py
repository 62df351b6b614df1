"""Tables of ablework.subsidies (see README.md)."""
