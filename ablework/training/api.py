"""Public interface of `ablework.training`: the only module other apps import (with `enums.py`).

- ``person_trainings(person)``: a person's enrolments (course, dates, status, certificate) for the person's
  own page, the registry's 四个一 records or the portal.
- ``year_summary(year)``: counts for reports (courses, enrolled, completed, certified, employed within the
  window after completion), over the current district scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ablework.core.policy import read_once
from ablework.core.scoping import unscoped
from ablework.training import facts
from ablework.training.models import Course, Enrolment

__all__ = ["PersonTraining", "person_trainings", "year_summary"]


@dataclass(frozen=True)
class PersonTraining:
    course: str
    occupation: str
    provider: str
    start_date: date
    end_date: date
    status: str
    completed_on: date | None
    certificate: str
    employed_after: bool | None  # None until completed


def person_trainings(person: Any) -> list[PersonTraining]:
    """City-wide (callers decide access)."""
    person_id = person if isinstance(person, int) else person.pk
    with unscoped():
        rows = list(
            Enrolment.objects.filter(person_id=person_id)
            .select_related("course", "course__provider")
            .order_by("-enrolled_on")
        )
        with read_once():
            res = facts.outcomes(rows)
    return [
        PersonTraining(
            course=e.course.name,
            occupation=e.course.occupation,
            provider=e.course.provider.name,
            start_date=e.course.start_date,
            end_date=e.course.end_date,
            status=e.get_status_display(),
            completed_on=e.completed_on,
            certificate=e.get_certificate_kind_display() if e.certificate_kind else "",
            employed_after=res[e.pk].employed if e.pk in res else None,
        )
        for e in rows
    ]


def year_summary(year: int) -> dict[str, int]:
    """Courses of the statistical year (start year) in the current scope and their outcomes."""
    courses = Course.objects.filter(year=year)
    enrolments = list(Enrolment.objects.filter(course__in=courses).select_related("course"))
    with read_once():
        counts = facts.course_outcome_counts(enrolments)
    return {"courses": courses.count()} | counts
