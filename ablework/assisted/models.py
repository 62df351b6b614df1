"""Tables of ablework.assisted (see README.md)."""
