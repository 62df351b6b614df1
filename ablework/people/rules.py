"""Pure policy math for ablework.people: plain dataclasses in, result + explanation out.  No Django imports."""
