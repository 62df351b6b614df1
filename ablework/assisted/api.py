"""Public interface of `ablework.assisted`: the only module other apps import (with `enums.py`).

- ``get_institution(pk)``: an institution inside the current district scope, or ``None``.
- ``institution_for_user(user)``: the institution a user belongs to, through
  ``Organisation(kind="institution", external_ref=str(institution.pk))``.
- ``institution_grant_facts(institution, year)``: the facts the assisted-employment grant judges
  (R9.3; thresholds are the subsidy programme's, see ``subsidies.rules``).
- ``participant_eligibility(person, on)``: R9.2 with a plain-language explanation per criterion.
- ``coverage(on)``: the 涉农区 workstation coverage KPI (R9.4), for reports.
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
