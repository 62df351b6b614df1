"""Public interface of `ablework.employers`: the only module other apps import (with `enums.py`).

- ``find_employer_by_uscc(code)``: the registered unit with this credit code, in any district.
- ``get_employer(pk)``: a unit inside the current district scope (request or explicit scope).
- ``employer_for_user(user)``: the unit a user of role ``employer_user`` belongs to.
- ``is_public_sector(employer)``, ``establishment_size(employer)``, ``public_sector_check(employer, on=)``
  and ``list_public_sector_units(on=)``: the registry's part of the public-sector rule (policy-rules
  §12: level, 编制 and school flag; the ratio and the persons placed come from the annual review).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.employers import rules
from ablework.employers.access import own_employer
from ablework.employers.enums import EmployerKind, EmployerStatus
from ablework.employers.models import Employer, EmployerContact
from ablework.employers.rules import PublicSectorCheck, PublicSectorRule

__all__ = [
    "Employer",
    "EmployerContact",
    "PublicSectorCheck",
    "PublicSectorRule",
    "employer_for_user",
    "establishment_size",
    "find_employer_by_uscc",
    "get_employer",
    "is_public_sector",
    "list_public_sector_units",
    "public_sector_check",
    "public_sector_rule",
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
