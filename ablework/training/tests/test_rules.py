from __future__ import annotations

from datetime import date

import pytest

from ablework.training import rules

P = rules.LengthParams()


@pytest.mark.parametrize(
    ("start", "end", "cls"),
    [
        (date(2024, 1, 1), date(2024, 1, 31), "short"),
        (date(2024, 1, 1), date(2024, 2, 1), "medium"),
        (date(2024, 1, 1), date(2024, 6, 30), "medium"),
        (date(2024, 1, 1), date(2024, 7, 1), "long"),
        (date(2024, 3, 10), date(2024, 3, 10), "short"),
    ],
)
def test_length_class(start: date, end: date, cls: str) -> None:
    assert rules.length_class(start, end, P) == cls


def test_length_class_thresholds_are_parameters() -> None:
    assert rules.length_class(date(2024, 1, 1), date(2024, 2, 15), rules.LengthParams(short_max_months=2)) == "short"


def test_cross_year_course_counts_in_start_year() -> None:
    assert rules.training_year(date(2024, 11, 1)) == 2024


def test_employed_within_six_months() -> None:
    start, done = date(2024, 3, 1), date(2024, 4, 30)
    within = rules.Spell(date(2024, 10, 30), None, "quota", "某公司")
    late = rules.Spell(date(2024, 10, 31), None)
    before = rules.Spell(date(2020, 1, 1), None)
    r = rules.employed_within(course_start=start, completed_on=done, spells=[within], window_months=6)
    assert r.employed and r.window_end == date(2024, 10, 30) and r.spell == within
    assert r.explanation == "2024-10-30开始就业（某公司），在结业后6个月内（截至2024-10-30）"
    assert not rules.employed_within(course_start=start, completed_on=done, spells=[late], window_months=6).employed
    # A job held since before the course is not an outcome of the training.
    r = rules.employed_within(course_start=start, completed_on=done, spells=[before], window_months=6)
    assert not r.employed
    assert r.explanation == "培训开始至结业后6个月（截至2024-10-30）没有新的就业记录"
    # Found a job during the course: counts.
    during = rules.Spell(date(2024, 4, 1), None)
    assert rules.employed_within(
        course_start=start, completed_on=done, spells=[before, during], window_months=6
    ).employed
