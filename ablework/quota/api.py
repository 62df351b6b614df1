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

from django.db.models import Q

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
    "counted_persons",
    "counting_unit_ids",
    "credit_events_ready_to_push",
    "levy_paid",
    "levy_result",
    "mark_credit_event_pushed",
    "published_disclosure",
    "published_disclosure_years",
    "record_counted_elsewhere",
    "record_levy_payment_from_feed",
    "review_results",
    "tax_export_rows",
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


def levy_paid(employer: Any, data_year: int) -> Decimal:
    """The levy (残保金) paid by the unit for a data year, from officer entries and the tax feed."""
    from django.db.models import Sum

    from ablework.quota.models import LevyPayment

    with unscoped():
        total = LevyPayment.objects.filter(employer_id=employer.pk, data_year=data_year).aggregate(t=Sum("amount"))["t"]
    return total or Decimal("0")


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


# --- figures for monitoring and the policy simulation (reports): set-based, city-wide ------------------
# The caller scopes the result (these run under ``unscoped``).  The levy arithmetic itself stays in
# ``quota.rules``; it is re-exported here so that ``reports`` recomputes with exactly the same code.

from ablework.quota import rules as _rules  # noqa: E402 - kept beside the functions that need it

LevyCase = _rules.LevyCase
LevyParams = _rules.LevyParams
Param = _rules.Param
TierReduction = _rules.TierReduction
SmallEnterpriseExemption = _rules.SmallEnterpriseExemption
LevyInputError = _rules.LevyInputError
compute_levy = _rules.compute_levy
UNIT_KINDS = _rules.UNIT_KINDS


def levy_inputs(data_year: int, district_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """What the levy of every **certified** declaration of ``data_year`` is computed from, in one query:
    declaration_id, employer_id, employer_name, uscc, kind, district_id, staff_count, monthly_staff,
    total_wages, accepted_count (0 for a late declaration, R3.1) and the stored levy_due / extra_persons
    (None without a stored result).  Ordered by declaration id."""
    from django.db.models import F

    with unscoped():
        qs = Declaration.objects.filter(campaign__data_year=data_year, status=DeclarationStatus.CERTIFIED)
        if district_ids is not None:
            qs = qs.filter(employer__district_id__in=list(district_ids))
        rows = qs.order_by("id").values(
            "staff_count",
            "monthly_staff",
            "total_wages",
            "accepted_count",
            declaration_id=F("id"),
            employer_name=F("employer__name"),
            uscc=F("employer__uscc"),
            kind=F("employer__kind"),
            district_id=F("employer__district_id"),
            stored_levy_due=F("levy_result__levy_due"),
            stored_extra_persons=F("levy_result__extra_persons"),
        )
        return [dict(r) for r in rows]


def levy_input_count(data_year: int) -> int:
    """How many certified declarations ``levy_inputs(data_year)`` would return (one count query)."""
    with unscoped():
        return Declaration.objects.filter(campaign__data_year=data_year, status=DeclarationStatus.CERTIFIED).count()


def levy_parameters(data_year: int, district_ids: Iterable[int]) -> dict[int, Any]:
    """``LevyParams`` of each district for ``data_year``, read exactly as the levy batch reads them
    (district rows where a district has its own, else the city's).  Raises ``ValueError`` (Chinese
    message) when a parameter is missing or malformed."""
    from ablework.quota.batch import _params_by_district

    return _params_by_district(data_year, district_ids)


def review_years() -> list[int]:
    """Data years that have an annual-review campaign, latest first."""
    return list(Campaign.objects.order_by("-data_year").values_list("data_year", flat=True))


def review_summary_by_district(data_year: int) -> list[dict[str, Any]]:
    """The annual review of ``data_year`` per district (of the employer's tax registration): units that
    declared (submitted at least once: not a draft), certified, certified meeting the ratio (no shortfall),
    levy due on certified declarations, levy paid (payments recorded for the year) and conflicts open
    (counted in the district of each side).  Keys: district_id, declared, certified, meeting_ratio,
    levy_due, levy_paid, conflicts_open."""
    from collections import defaultdict

    from django.db.models import Count, Q, Sum

    from ablework.quota.enums import ConflictState
    from ablework.quota.models import CountConflict, LevyPayment

    zero = Decimal(0)
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"declared": 0, "certified": 0, "meeting_ratio": 0, "levy_due": zero, "levy_paid": zero,
                 "conflicts_open": 0}
    )  # fmt: skip
    certified = Q(status=DeclarationStatus.CERTIFIED)
    with unscoped():
        for r in (
            Declaration.objects.filter(campaign__data_year=data_year)
            .values("employer__district_id")
            .annotate(
                declared=Count("id", filter=~Q(status=DeclarationStatus.DRAFT)),
                certified=Count("id", filter=certified),
                meeting_ratio=Count("id", filter=certified & Q(levy_result__shortfall=0)),
                levy_due=Sum("levy_result__levy_due", filter=certified),
            )
            .order_by()
        ):
            out[r["employer__district_id"]].update(
                declared=r["declared"], certified=r["certified"], meeting_ratio=r["meeting_ratio"],
                levy_due=r["levy_due"] or zero,
            )  # fmt: skip
        for district_id, paid in (
            LevyPayment.objects.filter(data_year=data_year)
            .values_list("employer__district_id")
            .annotate(s=Sum("amount"))
            .order_by()
            .values_list("employer__district_id", "s")
        ):
            out[district_id]["levy_paid"] = paid or zero
        # Conflicts are few (one per disputed person): count each in the district of either side, once.
        for a, b in CountConflict.objects.filter(data_year=data_year, state=ConflictState.OPEN).values_list(
            "declaration_a__employer__district_id", "declaration_b__employer__district_id"
        ):
            for district_id in {a, b}:
                out[district_id]["conflicts_open"] += 1
    return [{"district_id": d, **v} for d, v in out.items()]


def public_sector_by_district(data_year: int) -> list[dict[str, Any]]:
    """The §12 rule of ``data_year`` per district: units covered and units that placed ≥ 1 person
    (keys district_code, covered, placed); empty when no rule is in force for the year."""
    from ablework.core.policy import PolicyParameterMissing

    with unscoped():
        try:
            rows, _total = _public_sector.district_summary(data_year)
        except PolicyParameterMissing:
            return []
    return [{"district_code": r.code, "covered": r.covered, "placed": r.placed} for r in rows]


def expired_certificates_counted(data_year: int) -> Any:
    """Persons accepted (counted) on a certified declaration of ``data_year`` whose registry certificate
    had expired before the end of that year (R2.4): a declared employee row per case, with the declaration
    and employer; scoped by the declaring unit's district (call inside the request's scope)."""
    from datetime import date

    return (
        DeclaredEmployee.objects.filter(
            declaration__campaign__data_year=data_year,
            declaration__status=DeclarationStatus.CERTIFIED,
            review_outcome=ReviewOutcome.ACCEPTED,
            person__cert_valid_until__lt=date(data_year, 12, 31),
        )
        .select_related("declaration__employer__district", "person")
        .order_by("declaration__employer__district__code", "declaration_id", "id")
    )


# --- for the data exchange (partner API, tax bureau export, tax feed) --------------------------------


def review_results(employer: Any) -> list[dict[str, Any]]:
    """The unit's certified annual reviews, newest year first: accepted count, required count, levy due
    and paid (unit data only, no persons).  City-wide: the caller decided the unit may be seen."""
    from django.db.models import Sum

    from ablework.quota.models import LevyPayment

    with unscoped():
        decls = list(
            Declaration.objects.select_related("campaign")
            .filter(employer_id=employer.pk, status=DeclarationStatus.CERTIFIED)
            .order_by("-campaign__data_year")
        )
        results = {r.declaration_id: r for r in LevyResult.objects.filter(declaration__in=decls)}
        paid = dict(
            LevyPayment.objects.filter(employer_id=employer.pk)
            .values("data_year")
            .annotate(t=Sum("amount"))
            .values_list("data_year", "t")
        )
    out = []
    for d in decls:
        r = results.get(d.pk)
        year = d.campaign.data_year
        out.append(
            {
                "data_year": year,
                "accepted_count": d.accepted_count,
                "staff_count": d.staff_count,
                "required_count": r.required if r else None,
                "levy_due": r.levy_due if r else None,
                "levy_paid": paid.get(year) or Decimal("0"),
                "late": d.late,
                "certified_at": d.certified_at,
            }
        )
    return out


def tax_export_rows(data_year: int) -> list[dict[str, Any]]:
    """Every certified declaration of ``data_year`` for the tax bureau: unit code and name, district,
    accepted (weighted) count, required count, levy due, levy paid.  City-wide, one query each."""
    from django.db.models import Sum

    from ablework.quota.models import LevyPayment

    with unscoped():
        decls = list(
            Declaration.objects.select_related("employer__district")
            .filter(campaign__data_year=data_year, status=DeclarationStatus.CERTIFIED)
            .order_by("employer__district__code", "employer__uscc")
        )
        results = {r.declaration_id: r for r in LevyResult.objects.filter(declaration__in=decls)}
        paid = dict(
            LevyPayment.objects.filter(data_year=data_year)
            .values("employer_id")
            .annotate(t=Sum("amount"))
            .values_list("employer_id", "t")
        )
    rows = []
    for d in decls:
        r = results.get(d.pk)
        rows.append(
            {
                "uscc": d.employer.uscc,
                "name": d.employer.name,
                "district": d.employer.district.name,
                "staff_count": d.staff_count,
                "accepted_count": d.accepted_count,
                "required_count": r.required if r else None,
                "levy_due": r.levy_due if r else None,
                "levy_paid": paid.get(d.employer_id) or Decimal("0"),
                "late": d.late,
            }
        )
    return rows


def record_levy_payment_from_feed(
    employer: Any,
    *,
    data_year: int,
    amount: Any,
    paid_on: Any,
    reference: str,
    source: str,
    batch_id: str,
    row_key: str,
    received_at: Any,
    actor: Any = None,
) -> str:
    """A payment reported by the tax bureau's feed: ``"created"``, or ``"unchanged"`` when this source's
    row key is stored already (a repeated delivery).  Recorded exactly like an officer's entry
    (``credit.record_levy_payment``: audit, withdrawal of cleared credit events), plus provenance.
    Raises ``credit.CreditError`` (Chinese messages by field) for an invalid row."""
    from django.db import transaction

    from ablework.quota.models import LevyPayment

    with transaction.atomic(), unscoped():
        if LevyPayment.objects.filter(source=source, row_key=row_key).exists():
            return "unchanged"
        result = _credit.record_levy_payment(
            employer, actor=actor, data_year=data_year, amount=amount, paid_on=paid_on, reference=reference
        )
        LevyPayment.objects.filter(pk=result.payment.pk).update(
            source=source, batch_id=batch_id, row_key=row_key, received_at=received_at
        )
    return "created"


CreditError = _credit.CreditError


def counted_persons(data_year: int) -> dict[int, int]:
    """Every person of ``data_year`` counted or claimed here → the employer: accepted on a certified
    declaration, or declared (not rejected) on one under review, so that the cross-province check of the
    data exchange reaches the reviewer before certification.  City-wide."""
    with unscoped():
        rows = (
            DeclaredEmployee.objects.filter(person_id__isnull=False, declaration__campaign__data_year=data_year)
            .filter(
                Q(declaration__status=DeclarationStatus.CERTIFIED, review_outcome=ReviewOutcome.ACCEPTED)
                | Q(declaration__status=DeclarationStatus.SUBMITTED) & ~Q(review_outcome=ReviewOutcome.REJECTED)
            )
            .values_list("person_id", "declaration__employer_id")
        )
        return {p: e for p, e in rows if p is not None}


def record_counted_elsewhere(
    data_year: int, id_hash: str, *, counted: bool, province: str = "", unit_name: str = "", unit_uscc: str = "",
    source: str = "跨省通办",
) -> None:  # fmt: skip
    """Store the cross-province answer for one person and year (``counted`` False removes an earlier one)
    and re-validate the declarations under review that name the person, so their reviewers see it."""
    from django.utils import timezone

    from ablework.quota.actions import _revalidate_hashes
    from ablework.quota.models import CountedElsewhere

    with unscoped():
        before = CountedElsewhere.objects.filter(data_year=data_year, id_hash=id_hash).first()
        if counted:
            CountedElsewhere.objects.update_or_create(
                data_year=data_year, id_hash=id_hash,
                defaults={"province": province[:20], "unit_name": unit_name[:200], "unit_uscc": unit_uscc[:18],
                          "source": source[:40], "checked_at": timezone.now()},
            )  # fmt: skip
        elif before is not None:
            before.delete()
        if counted or before is not None:
            _revalidate_hashes(data_year, {id_hash}, on=timezone.localdate())
