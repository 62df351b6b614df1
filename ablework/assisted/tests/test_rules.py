"""R9.2 eligibility (each criterion and its explanation), whole months, pay check and the coverage KPI."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ablework.assisted import rules

P = rules.EligibilityParams()
ON = date(2025, 6, 30)


def person(**kw: object) -> rules.PersonInput:
    base: dict[str, object] = {
        "sex": "M", "birth_date": date(1990, 1, 1), "cert_kind": "cdpf", "category": 5, "level": 3, "cert_valid": True,
    }  # fmt: skip
    base.update(kw)
    return rules.PersonInput(**base)  # type: ignore[arg-type]


def crit(result: rules.Eligibility, key: str) -> rules.Criterion:
    return next(c for c in result.criteria if c.key == key)


@pytest.mark.parametrize("category", [5, 6])
@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_intellectual_and_mental_any_level(category: int, level: int) -> None:
    r = rules.check_eligibility(person(category=category, level=level), ON, P)
    assert r.eligible
    assert "不限等级" in crit(r, "category").explanation


@pytest.mark.parametrize(("level", "ok"), [(1, True), (2, True), (3, False), (4, False)])
def test_physical_only_levels_one_and_two(level: int, ok: bool) -> None:
    r = rules.check_eligibility(person(category=4, level=level), ON, P)
    assert r.eligible is ok
    c = crit(r, "category")
    assert c.passed is ok
    assert "肢体残疾须为一级、二级" in c.explanation


@pytest.mark.parametrize("category", [1, 2, 3, 7])
def test_other_categories_not_covered(category: int) -> None:
    r = rules.check_eligibility(person(category=category, level=1), ON, P)
    assert not r.eligible
    assert "不在辅助性就业对象范围内" in crit(r, "category").explanation
    assert r.summary.startswith("不符合辅助性就业对象条件")


@pytest.mark.parametrize(("level", "ok"), [(1, True), (3, True), (4, False), (10, False)])
def test_military_certificate_levels(level: int, ok: bool) -> None:
    r = rules.check_eligibility(person(cert_kind="military", category=None, level=level), ON, P)
    assert r.eligible is ok
    assert f"伤残等级{level}级" in crit(r, "category").explanation


def test_working_age_bounds_by_sex() -> None:
    # A woman aged 55 on ON is above 54; a man aged 55 is within 59.
    woman = rules.check_eligibility(person(sex="F", birth_date=date(1970, 1, 1)), ON, P)
    man = rules.check_eligibility(person(sex="M", birth_date=date(1970, 1, 1)), ON, P)
    assert not woman.eligible and man.eligible
    assert crit(woman, "working_age").explanation == "2025年06月30日时55周岁，女性劳动年龄为16至54周岁，不符合"
    # Turning 16 on the day counts; the day before does not.
    assert rules.check_eligibility(person(birth_date=date(2009, 6, 30)), ON, P).eligible
    assert not rules.check_eligibility(person(birth_date=date(2009, 7, 1)), ON, P).eligible


def test_valid_certificate_required() -> None:
    r = rules.check_eligibility(person(cert_valid=False), ON, P)
    assert not r.eligible
    assert crit(r, "certificate").explanation == "没有在有效期内的残疾人证或残疾军人证"
    relaxed = rules.EligibilityParams(require_valid_certificate=False)
    assert rules.check_eligibility(person(cert_valid=False), ON, relaxed).eligible


def test_thresholds_come_from_the_parameter() -> None:
    params = rules.EligibilityParams.from_param(
        {"any_level_categories": [5], "level_limited_categories": {"4": 3, "6": 2}, "military_max_level": 2,
         "min_age": 18, "male_max_age": 60, "female_max_age": 55}
    )  # fmt: skip
    assert rules.check_eligibility(person(category=4, level=3), ON, params).eligible
    assert not rules.check_eligibility(person(category=6, level=3), ON, params).eligible
    assert not rules.check_eligibility(person(cert_kind="military", category=None, level=3), ON, params).eligible
    assert rules.check_eligibility(person(sex="F", birth_date=date(1970, 1, 1)), ON, params).eligible
    with pytest.raises(rules.EligibilityParamError, match="assisted_eligibility"):
        rules.EligibilityParams.from_param(["not", "an", "object"])


def test_summary_lists_every_failed_criterion() -> None:
    r = rules.check_eligibility(person(category=1, cert_valid=False, birth_date=date(1950, 1, 1)), ON, P)
    assert [c.passed for c in r.criteria] == [False, False, False]
    assert r.summary.count("；") == 2


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 7, 1), date(2024, 12, 31), 6),
        (date(2024, 7, 15), date(2024, 12, 31), 5),
        (date(2024, 1, 1), date(2024, 6, 30), 6),
        (date(2024, 1, 31), date(2024, 2, 27), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2025, 1, 1), date(2024, 12, 31), 0),
        (date(2020, 3, 1), date(2024, 12, 31), 58),
    ],
)
def test_full_months(start: date, end: date, months: int) -> None:
    assert rules.full_months(start, end) == months


def test_pay_check() -> None:
    share = Decimal("0.25")
    ok = rules.MonthPay(date(2024, 3, 1), Decimal("580"), True, Decimal("2320"))
    low = rules.MonthPay(date(2024, 4, 1), Decimal("579.99"), True, Decimal("2320"))
    cash = rules.MonthPay(date(2024, 5, 1), Decimal("900"), False, Decimal("2320"))
    assert rules.pay_check([ok], share) == (True, [])
    passed, problems = rules.pay_check([ok, low, cash], share)
    assert not passed
    assert problems == ["2024年04月发放579.99元，低于最低工资2320元的0.25倍", "2024年05月未通过银行发放"]
    assert rules.pay_check([], share) == (False, ["没有月度工资记录"])


def test_coverage_kpi() -> None:
    rows = [
        rules.DistrictCoverage("120101", "和平区", False, 0, 2),
        rules.DistrictCoverage("120110", "东丽区", True, 1, 1),
        rules.DistrictCoverage("120111", "西青区", True, 0, 3),
    ]
    kpi = rules.coverage_kpi(rows)
    assert not kpi.met
    assert [d.name for d in kpi.uncovered] == ["西青区"]
    assert kpi.covered_count == 1
    rows[2] = rules.DistrictCoverage("120111", "西青区", True, 2, 3)
    assert rules.coverage_kpi(rows).met
    assert not rules.coverage_kpi([rules.DistrictCoverage("120101", "和平区", False, 0, 0)]).met
