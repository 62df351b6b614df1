"""Pure policy math for ablework.quota: plain dataclasses in, result + explanation out.  No Django imports."""
