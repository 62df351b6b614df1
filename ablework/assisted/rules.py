"""Pure policy math for ablework.assisted: plain dataclasses in, result + explanation out.  No Django imports."""
