"""Django-side adapter: parameters and the employment outcome of enrolments (through ``people.api``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ablework.core.policy import get_param
from ablework.people import api as people_api
from ablework.training import rules
from ablework.training.models import Enrolment


def length_params(on: Any) -> rules.LengthParams:
    v = get_param("training_length_classes", on=on).value
    v = v if isinstance(v, dict) else {}
    return rules.LengthParams(
        short_max_months=int(v.get("short_max_months", 1)), medium_max_months=int(v.get("medium_max_months", 6))
    )


def window_months(on: Any) -> int:
    v = get_param("training_outcome", on=on).value
    return int(v.get("employment_window_months", 6)) if isinstance(v, dict) else 6


def outcomes(enrolments: Iterable[Enrolment]) -> dict[int, rules.EmploymentOutcome]:
    """Employment within the window after completion, for the completed enrolments (by enrolment id)."""
    done = [e for e in enrolments if e.status == "completed" and e.completed_on]
    if not done:
        return {}
    spells = people_api.employment_spells_many(sorted({e.person_id for e in done}))
    out: dict[int, rules.EmploymentOutcome] = {}
    for e in done:
        assert e.completed_on is not None
        out[e.pk] = rules.employed_within(
            course_start=e.course.start_date,
            completed_on=e.completed_on,
            spells=[rules.Spell(s.start, s.end, s.form, s.employer_name) for s in spells.get(e.person_id, [])],
            window_months=window_months(e.completed_on),
        )
    return out


def course_outcome_counts(enrolments: Iterable[Enrolment]) -> dict[str, Any]:
    rows = list(enrolments)
    res = outcomes(rows)
    return {
        "enrolled": sum(1 for e in rows if e.status != "dropped"),
        "completed": sum(1 for e in rows if e.status == "completed"),
        "certified": sum(1 for e in rows if e.certificate_kind),
        "employed": sum(1 for o in res.values() if o.employed),
    }
