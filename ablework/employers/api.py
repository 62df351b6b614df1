"""Public interface of `ablework.employers`: the only module other apps import (with `enums.py`)."""

from __future__ import annotations

from ablework.core.scoping import unscoped
from ablework.employers.models import Employer

__all__ = ["Employer", "find_employer_by_uscc"]


def find_employer_by_uscc(uscc: str) -> Employer | None:
    """The registered employer with this credit code, in any district.

    Unscoped on purpose: linking a person's employment record to an employer registered in another
    district is normal (people work across districts), and an employer's name and code are public
    registration data, not personal data.
    """
    with unscoped():
        return Employer.objects.filter(uscc=uscc.strip().upper()).first()
