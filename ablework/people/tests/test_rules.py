"""Pure rules of the registry (policy-rules §11, §14)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ablework.people import rules

LIMITS = rules.WorkingAge(min_age=16, male_max_age=59, female_max_age=54)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1970, 6, 15), date(2026, 6, 14), 55),
        (date(1970, 6, 15), date(2026, 6, 15), 56),
        (date(2008, 2, 29), date(2024, 2, 28), 15),
        (date(2008, 2, 29), date(2024, 2, 29), 16),
        (date(2008, 2, 29), date(2025, 3, 1), 17),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert rules.age_on(birth, on) == age


@pytest.mark.parametrize(
    ("birth", "sex", "expected"),
    [
        (date(2010, 11, 28), "M", True),  # 16 today
        (date(2010, 11, 29), "M", False),  # 16 tomorrow
        (date(1967, 11, 29), "M", True),  # 59 today
        (date(1966, 11, 28), "M", False),  # 60 today
        (date(1972, 11, 29), "F", True),  # 54 until tomorrow
        (date(1971, 11, 28), "F", False),  # 55 today
        (date(1971, 11, 28), "M", True),  # a man of 55 is of working age
    ],
)
def test_working_age_limits_inclusive(birth: date, sex: str, expected: bool) -> None:
    assert rules.is_working_age(birth, sex, date(2026, 11, 28), LIMITS) is expected


def test_working_age_reads_limits_from_parameter() -> None:
    later = rules.WorkingAge.from_param({"min_age": 16, "male_max_age": 62, "female_max_age": 57})
    assert not rules.is_working_age(date(1965, 1, 1), "M", date(2026, 11, 28), LIMITS)
    assert rules.is_working_age(date(1965, 1, 1), "M", date(2026, 11, 28), later)


ON = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("working_age", "spells", "wish", "status"),
    [
        (False, [rules.Spell(date(2020, 1, 1), None)], True, rules.NOT_WORKING_AGE),
        (True, [rules.Spell(date(2020, 1, 1), None)], False, rules.EMPLOYED),
        (True, [rules.Spell(date(2020, 1, 1), date(2026, 11, 28))], None, rules.EMPLOYED),  # last day counts
        (True, [rules.Spell(date(2020, 1, 1), date(2026, 11, 27))], True, rules.WANTS_WORK),
        (True, [rules.Spell(date(2026, 12, 1), None)], False, rules.NO_WISH),  # future start
        (True, [], None, rules.UNKNOWN_WISH),
    ],
)
def test_derive_status(working_age: bool, spells: list[rules.Spell], wish: bool | None, status: str) -> None:
    assert rules.derive_status(working_age=working_age, spells=spells, wants_job=wish, on=ON) == status


def test_required_services_follow_r14_1() -> None:
    assert rules.required_services(rules.WANTS_WORK) == rules.FOUR_SERVICES
    assert rules.required_services(rules.NO_WISH) == ("info_check",)
    assert rules.required_services(rules.UNKNOWN_WISH) == ("info_check",)
    assert rules.required_services(rules.EMPLOYED) == ()
    assert rules.required_services(rules.NOT_WORKING_AGE) == ()
    assert rules.service_gaps(rules.WANTS_WORK, ["info_check", "service"]) == (
        "ability_assessment",
        "need_registration",
    )


def test_completion_rates() -> None:
    c = rules.Completion(population=8, info_checked=6, wants_job_population=4, all_four_done=1)
    assert c.info_rate == 0.75
    assert c.all_four_rate == 0.25
    assert rules.Completion(0, 0, 0, 0).info_rate is None


def _facts(**kw: bool) -> rules.DifficultyInput:
    base = {"tianjin_hukou": True, "working_age": True, "able_and_willing": True, "registered_unemployed": True,
                "referral_failed": True, "certificate_valid": True, "employed": False}  # fmt: skip
    return rules.DifficultyInput(**(base | kw))


def test_difficulty_all_criteria_met() -> None:
    result = rules.check_difficulty(_facts())
    assert result.eligible
    assert [s.outcome for s in result.explanation.steps] == ["met"] * 8


@pytest.mark.parametrize(
    "missing",
    [
        "tianjin_hukou",
        "working_age",
        "able_and_willing",
        "registered_unemployed",
        "referral_failed",
        "certificate_valid",
    ],
)
def test_difficulty_each_criterion_is_required(missing: str) -> None:
    result = rules.check_difficulty(_facts(**{missing: False}))
    assert not result.eligible
    assert next(s.label for s in result.explanation.steps if s.outcome == "not_met") != "结论"


def test_difficulty_refused_while_employed() -> None:
    assert not rules.check_difficulty(_facts(employed=True)).eligible


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
     (date(2026, 3, 15), 36, date(2029, 3, 15)), (date(2026, 12, 1), 1, date(2027, 1, 1))],
)  # fmt: skip
def test_add_months(start: date, months: int, end: date) -> None:
    assert rules.add_months(start, months) == end


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 1, 1)), st.integers(0, 120))
def test_add_months_never_goes_back(d: date, months: int) -> None:
    out = rules.add_months(d, months)
    assert out >= d
    assert (out.year - d.year) * 12 + out.month - d.month == months
