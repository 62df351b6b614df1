"""Public interface of `ablework.employers`: the only module other apps import (with `enums.py`).

- ``find_employer_by_uscc(code)``: the registered unit with this credit code, in any district.
- ``get_employer(pk)``: a unit inside the current district scope (request or explicit scope).
- ``employer_for_user(user)``: the unit a user of role ``employer_user`` belongs to.
- ``is_public_sector(employer)``, ``establishment_size(employer)``, ``public_sector_check(employer, on=)``
  and ``list_public_sector_units(on=)``: the registry's part of the public-sector rule (policy-rules
  §12: level, 编制 and school flag; the ratio and the persons placed come from the annual review).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.employers import rules
from ablework.employers.access import own_employer
from ablework.employers.enums import EmployerKind, EmployerStatus
from ablework.employers.models import BusinessRegistration, Employer, EmployerContact
from ablework.employers.rules import PublicSectorCheck, PublicSectorRule

__all__ = [
    "BusinessRegistrationFacts",
    "BusinessRegistrationRow",
    "Employer",
    "EmployerContact",
    "PublicSectorCheck",
    "PublicSectorRule",
    "business_registration",
    "employer_for_user",
    "establishment_size",
    "find_employer_by_uscc",
    "get_employer",
    "is_public_sector",
    "list_public_sector_units",
    "public_sector_check",
    "public_sector_rule",
    "record_business_registrations",
]


def find_employer_by_uscc(uscc: str) -> Employer | None:
    """The registered employer with this credit code, in any district.

    Unscoped on purpose: linking a person's employment record to an employer registered in another
    district is normal (people work across districts), and an employer's name and code are public
    registration data, not personal data.
    """
    with unscoped():
        return Employer.objects.filter(uscc=uscc.strip().upper()).first()


def get_employer(pk: int) -> Employer | None:
    """The unit with this id inside the current district scope, or ``None`` (missing or outside).

    Scoped: within a request the middleware's scope applies; a task or command must say which
    districts it works on (``district_scope``) or use ``unscoped()`` — otherwise ``ScopeError``."""
    return Employer.objects.select_related("district", "industry").filter(pk=pk).first()


def employer_for_user(user: Any) -> Employer | None:
    """The unit an active user of role ``employer_user`` belongs to (through
    ``Organisation(kind="employer", external_ref=str(employer.pk))``); ``None`` for anyone else."""
    return own_employer(user)


def is_public_sector(employer: Employer) -> bool:
    """An agency (机关) or public institution (事业单位): the units with an authorised establishment."""
    return employer.kind in (EmployerKind.AGENCY, EmployerKind.INSTITUTION)


def establishment_size(employer: Employer) -> int | None:
    """The unit's authorised establishment (编制数); ``None`` for other kinds or when not recorded."""
    return employer.establishment_size if is_public_sector(employer) else None


def public_sector_rule(*, on: date) -> tuple[PublicSectorRule, Any]:
    """The §12 thresholds in force on ``on`` and the parameter they come from (``ParamValue``, for the
    explanation).  Raises ``PolicyParameterMissing`` outside the rule's period."""
    param = get_param("public_sector_rule", on=on)
    return PublicSectorRule.from_value(param.value), param


def public_sector_check(employer: Employer, *, on: date) -> PublicSectorCheck:
    """Whether the unit falls under "at least one person" (R12.1) by level, 编制 and school flag."""
    rule, _ = public_sector_rule(on=on)
    return rules.public_sector_subject(
        kind=employer.kind,
        agency_level=employer.agency_level,
        establishment_size=employer.establishment_size,
        is_school=employer.is_school,
        rule=rule,
    )


def list_public_sector_units(*, on: date) -> QuerySet[Employer]:
    """Active units that fall under R12.1 on ``on`` (one query; scoped like ``get_employer``)."""
    rule, _ = public_sector_rule(on=on)
    institutions = Q(kind=EmployerKind.INSTITUTION, establishment_size__gte=rule.institution_min_posts)
    if rule.exclude_schools:
        institutions &= Q(is_school=False)
    agencies = Q(
        kind=EmployerKind.AGENCY,
        agency_level__in=sorted(rule.agency_levels),
        establishment_size__gte=rule.agency_min_posts,
    )
    return (
        Employer.objects.filter(agencies | institutions, status=EmployerStatus.ACTIVE)
        .select_related("district")
        .order_by("district__sort_order", "district__code", "id")
    )


# --- business registrations reported by the market regulator (市场监管) -------------------------------


@dataclass(frozen=True)
class BusinessRegistrationFacts:
    """A business registration as last reported (``as_of``: when that report arrived; ``source``: who)."""

    uscc: str
    name: str
    licence_date: date | None
    operator_id_hash: str
    status: str  # "open" | "closed"
    closed_on: date | None
    as_of: datetime
    source: str


def _facts(reg: BusinessRegistration) -> BusinessRegistrationFacts:
    return BusinessRegistrationFacts(
        uscc=reg.uscc,
        name=reg.name,
        licence_date=reg.licence_date,
        operator_id_hash=reg.operator_id_hash,
        status=reg.status,
        closed_on=reg.closed_on,
        as_of=reg.received_at,
        source=reg.source,
    )


def business_registration(uscc: str) -> BusinessRegistrationFacts | None:
    """The registration of this credit code as the feed last reported it, or ``None`` (never reported).
    Public registration data: not scoped."""
    reg = BusinessRegistration.objects.filter(uscc=uscc.strip().upper()).first()
    return _facts(reg) if reg is not None else None


@dataclass(frozen=True)
class BusinessRegistrationRow:
    """One row of the feed; ``operator_id_hash`` is ``core.crypto.lookup_hash`` of the operator's ID."""

    uscc: str
    name: str
    row_key: str
    kind: str = ""
    licence_date: date | None = None
    operator_id_hash: str = ""
    status: str = BusinessRegistration.Status.OPEN
    closed_on: date | None = None


def record_business_registrations(
    rows: Iterable[BusinessRegistrationRow], *, source: str, batch_id: str, received_at: datetime | None = None
) -> dict[str, str]:
    """Create or update registrations by credit code; ``{row_key: "created" | "updated" | "unchanged"}``.
    A row that repeats what is stored changes nothing (not even its provenance), so a feed delivered
    twice is a no-op; a changed row (a closure) replaces the facts and the provenance."""
    received_at = received_at or timezone.now()
    items = list(rows)
    out: dict[str, str] = {}
    with transaction.atomic():
        stored = BusinessRegistration.objects.select_for_update().in_bulk(
            [r.uscc.strip().upper() for r in items], field_name="uscc"
        )
        for r in items:
            code = r.uscc.strip().upper()
            values = {
                "name": r.name,
                "kind": r.kind,
                "licence_date": r.licence_date,
                "operator_id_hash": r.operator_id_hash,
                "status": r.status,
                "closed_on": r.closed_on,
            }
            provenance = {
                "source": source,
                "batch_id": batch_id,
                "row_key": r.row_key[:100],
                "received_at": received_at,
            }
            reg = stored.get(code)
            if reg is None:
                stored[code] = BusinessRegistration.objects.create(uscc=code, **values, **provenance)
                out[r.row_key] = "created"
            elif all(getattr(reg, k) == v for k, v in values.items()):
                out[r.row_key] = "unchanged"
            else:
                for k, v in (values | provenance).items():
                    setattr(reg, k, v)
                reg.save()
                out[r.row_key] = "updated"
    return out


def employers_by_district() -> dict[int, int]:
    """Registered units not deregistered, per district id (one query, city-wide; for the monitoring
    figures of ``reports``)."""
    from django.db.models import Count

    with unscoped():
        return dict(
            Employer.objects.filter(deregistered_on__isnull=True)
            .values_list("district_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("district_id", "n")
        )
