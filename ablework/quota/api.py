"""Public interface of `ablework.quota`: the only module other apps import (with `enums.py`).

- ``certified_declaration(employer, data_year)``: the unit's certified declaration of that year, or None.
- ``accepted_count(employer, data_year)``: the certified weighted count (R2.5/R3.5; 0 for a late
  declaration, R3.1), or None when not certified — what the tax bureau and the over-quota reward use.
- ``levy_result(employer, data_year)``: the stored ``LevyResult`` (amounts, explanation), or None.
- ``counting_unit_ids(person_ids, data_year)``: person id → employer id that counts them in that year
  (accepted on a certified declaration; R2.7 guarantees at most one).
- ``credit_events_ready_to_push()``: the credit-event records waiting for the credit platform (§13):
  new records (待推送) and withdrawal records of pushed events, as payload dicts (``operation`` "add" or
  "withdraw"); ``mark_credit_event_pushed(event_id, actor=, push_ref=)`` records that one was sent.
- ``published_disclosure(data_year)`` / ``published_disclosure_years()``: the public list (公示, R12.3)
  of agencies and institutions that placed persons, as published by the city (for the portal).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ablework.core.scoping import unscoped
from ablework.quota import credit as _credit
from ablework.quota import credit_queries as _credit_queries
from ablework.quota import public_sector as _public_sector
from ablework.quota.enums import DeclarationStatus, ReviewOutcome
from ablework.quota.models import (
    Campaign,
    CreditEvent,
    Declaration,
    DeclaredEmployee,
    DisclosurePublication,
    LevyResult,
)

__all__ = [
    "Campaign",
    "CreditEvent",
    "Declaration",
    "DisclosurePublication",
    "LevyResult",
    "accepted_count",
    "certified_declaration",
    "counting_unit_ids",
    "credit_events_ready_to_push",
    "levy_result",
    "mark_credit_event_pushed",
    "published_disclosure",
    "published_disclosure_years",
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


def credit_events_ready_to_push() -> list[dict[str, Any]]:
    """Records waiting for the credit platform, oldest first (see ``credit_queries.credit_payload``)."""
    return _credit_queries.ready_to_push()


def mark_credit_event_pushed(event_id: int, *, actor: Any, push_ref: str = "") -> CreditEvent:
    """Record that the queued record of ``event_id`` reached the platform: a new record (待推送 → 已推送)
    or a withdrawal record (撤销待推送 → 撤销已推送).  Raises ``core.workflow.TransitionNotAllowed``
    when the event is in neither state (e.g. withdrawn before it was taken — nothing was sent)."""
    with unscoped():
        event = CreditEvent.objects.select_related("employer__district").get(pk=event_id)
    if event.status == _credit.S.WITHDRAWAL_PENDING:
        return _credit.mark_withdrawal_pushed(event, actor=actor, push_ref=push_ref)
    return _credit.mark_credit_event_pushed(event, actor=actor, push_ref=push_ref)


def published_disclosure(data_year: int) -> DisclosurePublication | None:
    """The published list of ``data_year`` (``rows``: name, kind, district, persons), or None."""
    return _public_sector.published_disclosure(data_year)


def published_disclosure_years() -> list[tuple[int, Any]]:
    """(data year, published at) of every published list, latest year first."""
    return _public_sector.published_years()
