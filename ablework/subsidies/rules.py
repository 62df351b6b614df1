"""Pure policy math for ablework.subsidies: plain dataclasses in, result + explanation out.  No Django imports."""
