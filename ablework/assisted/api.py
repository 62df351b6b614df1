"""Public interface of `ablework.assisted`: the only module other apps import (with `enums.py`).

- ``get_institution(pk)``: an institution inside the current district scope, or ``None``.
- ``institution_for_user(user)``: the institution a user belongs to, through
  ``Organisation(kind="institution", external_ref=str(institution.pk))``.
- ``institution_grant_facts(institution, year)``: the facts the assisted-employment grant judges
  (R9.3; thresholds are the subsidy programme's, see ``subsidies.rules``).
- ``participant_eligibility(person, on)``: R9.2 with a plain-language explanation per criterion.
- ``coverage(on)``: the 涉农区 workstation coverage KPI (R9.4), for reports.
- ``year_counts(year)``: institutions, workstations and participants per district and street, for reports.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ablework.assisted.access import own_institution
from ablework.assisted.facts import InstitutionGrantFacts, ProjectFact, eligibility_of
from ablework.assisted.facts import institution_grant_facts as _grant_facts
from ablework.assisted.models import Institution
from ablework.assisted.queries import coverage_kpi
from ablework.assisted.rules import CoverageKpi, Eligibility

__all__ = [
    "CoverageKpi",
    "Eligibility",
    "Institution",
    "InstitutionGrantFacts",
    "ProjectFact",
    "coverage",
    "get_institution",
    "institution_for_user",
    "institution_grant_facts",
    "participant_eligibility",
    "year_counts",
]


def get_institution(pk: int) -> Institution | None:
    """The institution with this id inside the current district scope, or ``None`` (missing or outside).

    Scoped: a request's scope applies; a task or command must state its scope or use ``unscoped()``."""
    return Institution.objects.select_related("district", "street").filter(pk=pk).first()


def institution_for_user(user: Any) -> Institution | None:
    """The institution an active user belongs to (``Organisation(kind="institution").external_ref``);
    ``None`` for anyone else."""
    return own_institution(user)


def institution_grant_facts(institution: Institution, year: int) -> InstitutionGrantFacts:
    """Facts of ``institution`` for calendar ``year`` (placed eligible persons, production months,
    agreements, pay by bank, projects allocated in the year, barrier-free site), with notes saying who was
    not counted and why.  Reads city-wide inside (the caller already holds the institution)."""
    return _grant_facts(institution, year)


def participant_eligibility(person: Any, on: date, district: Any = None) -> Eligibility:
    """R9.2 for a registry person (``people.api.Person``) on ``on``."""
    return eligibility_of(person, on, district)


def coverage(on: date | None = None) -> CoverageKpi:
    """Active workstations per district; ``.met`` is True when every 涉农区 has at least one."""
    return coverage_kpi(on)


# --- figures for monitoring (reports): set-based, city-wide; the caller scopes the result -------------


def year_counts(year: int, on: date | None = None) -> list[dict[str, Any]]:
    """Assisted employment of ``year`` per district and street **of the institution** (two queries).

    ``on`` is the reference day (default: 31 December of ``year``, or today while the year runs).
    Keys: district_id, street_id, institutions and workstations (active on ``on``, as ``coverage(on)``
    counts them), participants_active (in post on ``on``), participants_year (in post at any time of
    the year), joined (entered in the year), eligible_active (in post on ``on`` and eligible, R9.2)."""
    from django.db.models import Count, F, Q
    from django.utils import timezone

    from ablework.assisted.enums import InstitutionKind, InstitutionStatus, ParticipantStatus
    from ablework.assisted.models import Participant
    from ablework.core.scoping import unscoped

    start, end = date(year, 1, 1), date(year, 12, 31)
    on = on or min(end, timezone.localdate())
    out: dict[tuple[int, int | None], dict[str, Any]] = {}

    def row(district_id: int, street_id: int | None) -> dict[str, Any]:
        return out.setdefault(
            (district_id, street_id),
            {"district_id": district_id, "street_id": street_id, "institutions": 0, "workstations": 0,
             "participants_active": 0, "participants_year": 0, "joined": 0, "eligible_active": 0},
        )  # fmt: skip

    active = Q(joined_on__lte=on) & (Q(left_on__isnull=True, status=ParticipantStatus.ACTIVE) | Q(left_on__gt=on))
    with unscoped():
        live = Institution.objects.filter(Q(status=InstitutionStatus.ACTIVE) | Q(closed_on__gt=on)).filter(
            Q(production_start__isnull=True) | Q(production_start__lte=on)
        )
        for r in (
            live.values("district_id", "street_id")
            .annotate(n=Count("id"), ws=Count("id", filter=Q(kind=InstitutionKind.WORKSTATION)))
            .order_by()
        ):
            row(r["district_id"], r["street_id"]).update(institutions=r["n"], workstations=r["ws"])
        for r in (
            Participant.objects.filter(joined_on__lte=end)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
            .values("district_id", street_id=F("institution__street_id"))
            .annotate(
                n_year=Count("id"),
                n_active=Count("id", filter=active),
                n_joined=Count("id", filter=Q(joined_on__gte=start)),
                n_eligible=Count("id", filter=active & Q(eligible=True)),
            )
            .order_by()
        ):
            row(r["district_id"], r["street_id"]).update(
                participants_year=r["n_year"], participants_active=r["n_active"], joined=r["n_joined"],
                eligible_active=r["n_eligible"],
            )  # fmt: skip
    return list(out.values())
