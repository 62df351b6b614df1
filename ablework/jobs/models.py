"""Tables of ablework.jobs (see README.md)."""
