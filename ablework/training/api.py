"""Public interface of `ablework.training`: the only module other apps import (with `enums.py`).

- ``person_trainings(person)``: a person's enrolments (course, dates, status, certificate) for the person's
  own page, the registry's 四个一 records or the portal.
- ``year_summary(year)``: counts for reports (courses, enrolled, completed, certified, employed within the
  window after completion), over the current district scope.
- ``year_counts(year)``: the same counts per district and street (of the provider), city-wide, for reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ablework.core.policy import read_once
from ablework.core.scoping import unscoped
from ablework.people import api as people_api
from ablework.training import facts, rules
from ablework.training.models import Course, Enrolment

__all__ = ["PersonTraining", "person_trainings", "year_counts", "year_summary"]


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


# --- figures for monitoring (reports): set-based, city-wide; the caller scopes the result -------------


def year_counts(year: int) -> list[dict[str, Any]]:
    """Courses of the statistical ``year`` (start year) and their outcomes per district of the course and
    street **of the provider** (three queries; same definitions as ``year_summary``).  Keys:
    district_id, street_id, courses, enrolled (not dropped), completed, certified, employed (completed
    and employed within the window after completion, ``rules.employed_within``)."""
    from django.db.models import Count, F, Q

    out: dict[tuple[int, int | None], dict[str, Any]] = {}

    def row(district_id: int, street_id: int | None) -> dict[str, Any]:
        return out.setdefault(
            (district_id, street_id),
            {"district_id": district_id, "street_id": street_id, "courses": 0, "enrolled": 0, "completed": 0,
             "certified": 0, "employed": 0},
        )  # fmt: skip

    with unscoped():
        for r in (
            Course.objects.filter(year=year)
            .values("district_id", street_id=F("provider__street_id"))
            .annotate(n=Count("id"))
            .order_by()
        ):
            row(r["district_id"], r["street_id"])["courses"] = r["n"]
        for r in (
            Enrolment.objects.filter(course__year=year)
            .values("district_id", street_id=F("course__provider__street_id"))
            .annotate(
                enrolled=Count("id", filter=~Q(status="dropped")),
                completed=Count("id", filter=Q(status="completed")),
                certified=Count("id", filter=~Q(certificate_kind="")),
            )
            .order_by()
        ):
            row(r["district_id"], r["street_id"]).update(
                enrolled=r["enrolled"], completed=r["completed"], certified=r["certified"]
            )
        # Employed within the window: the same rule as ``facts.outcomes``, over plain tuples (no model
        # instances: tens of thousands of completions at city scale) and one query for the spells.
        done = list(
            Enrolment.objects.filter(course__year=year, status="completed", completed_on__isnull=False).values_list(
                "person_id", "district_id", "course__provider__street_id", "course__start_date", "completed_on"
            )
        )
    spells = people_api.employment_spells_many(sorted({d[0] for d in done})) if done else {}
    by_person = {pid: [rules.Spell(x.start, x.end, x.form, x.employer_name) for x in xs] for pid, xs in spells.items()}
    with read_once():
        for person_id, district_id, street_id, course_start, completed_on in done:
            assert completed_on is not None  # filtered in the query
            outcome = rules.employed_within(
                course_start=course_start,
                completed_on=completed_on,
                spells=by_person.get(person_id, []),
                window_months=facts.window_months(completed_on),
            )
            if outcome.employed:
                row(district_id, street_id)["employed"] += 1
    return list(out.values())
