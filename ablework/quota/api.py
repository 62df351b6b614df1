"""Public interface of `ablework.quota`: the only module other apps import (with `enums.py`).

- ``certified_declaration(employer, data_year)``: the unit's certified declaration of that year, or None.
- ``accepted_count(employer, data_year)``: the certified weighted count (R2.5/R3.5; 0 for a late
  declaration, R3.1), or None when not certified — what the tax bureau and the over-quota reward use.
- ``levy_result(employer, data_year)``: the stored ``LevyResult`` (amounts, explanation), or None.
- ``counting_unit_ids(person_ids, data_year)``: person id → employer id that counts them in that year
  (accepted on a certified declaration; R2.7 guarantees at most one).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ablework.core.scoping import unscoped
from ablework.quota.enums import DeclarationStatus, ReviewOutcome
from ablework.quota.models import Campaign, Declaration, DeclaredEmployee, LevyResult

__all__ = [
    "Campaign",
    "Declaration",
    "LevyResult",
    "accepted_count",
    "certified_declaration",
    "counting_unit_ids",
    "levy_result",
]


def certified_declaration(employer: Any, data_year: int) -> Declaration | None:
    """City-wide on purpose: the caller has already decided the user may see ``employer``."""
    with unscoped():
        return (
            Declaration.objects.select_related("campaign", "employer")
            .filter(employer_id=employer.pk, campaign__data_year=data_year, status=DeclarationStatus.CERTIFIED)
            .first()
        )


def accepted_count(employer: Any, data_year: int) -> Decimal | None:
    decl = certified_declaration(employer, data_year)
    return decl.accepted_count if decl is not None else None


def levy_result(employer: Any, data_year: int) -> LevyResult | None:
    decl = certified_declaration(employer, data_year)
    if decl is None:
        return None
    with unscoped():
        return LevyResult.objects.filter(declaration=decl).first()


def counting_unit_ids(person_ids: Iterable[int], data_year: int) -> dict[int, int]:
    with unscoped():
        rows = DeclaredEmployee.objects.filter(
            person_id__in=list(person_ids),
            declaration__campaign__data_year=data_year,
            declaration__status=DeclarationStatus.CERTIFIED,
            review_outcome=ReviewOutcome.ACCEPTED,
        ).values_list("person_id", "declaration__employer_id")
        return {p: e for p, e in rows if p is not None}
