"""The programme rules, by hand (no database): each criterion, the amount and its formula."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ablework.subsidies import rules
from ablework.subsidies.rules import MET, NEEDS_DOCUMENT, NOT_MET

MIN_WAGE = {date(2021, 7, 1): Decimal("2180"), date(2023, 1, 1): Decimal("2320")}
OK_PERSON = rules.PersonState(cert_valid=True, working_age=True, level=2)


def status(decision: rules.Decision) -> dict[str, str]:
    return {c.code: c.status for c in decision.criteria}


def test_whole_months() -> None:
    assert rules.whole_months(date(2025, 3, 1), date(2025, 5, 31)) == 3
    assert rules.whole_months(date(2025, 3, 15), date(2025, 6, 14)) == 3
    assert rules.whole_months(date(2025, 3, 15), date(2025, 6, 13)) == 2
    assert rules.whole_months(date(2025, 1, 31), date(2025, 2, 27)) == 0
    assert rules.whole_months(date(2025, 1, 31), date(2025, 2, 28)) == 1


REWARD = rules.RewardParams(per_person=Decimal("9600"), unit_cap=Decimal("30000"), max_years=6,
                            integer_persons_only=True, exclude_centralised=True)  # fmt: skip


def test_reward_counts_whole_extra_persons_and_caps() -> None:
    f = rules.RewardFacts(certified=True, weighted_count=Decimal("5"), required=Decimal("1.5"),
                          levy_outstanding=Decimal("0"), centralised=False, years_rewarded=0)  # fmt: skip
    d = rules.over_quota_reward(f, REWARD)
    assert d.eligible and d.amount == Decimal("28800.00")  # floor(3.5) = 3 × 9,600
    assert "3人" in d.formula[0]
    big = rules.RewardFacts(True, Decimal("10"), Decimal("1.5"), Decimal("0"), False, 0)
    assert rules.over_quota_reward(big, REWARD).amount == Decimal("30000.00")  # unit cap


def test_reward_refused_for_levy_owed_fraction_centralised_and_years() -> None:
    owed = rules.RewardFacts(True, Decimal("5"), Decimal("1.5"), Decimal("120.50"), False, 0)
    d = rules.over_quota_reward(owed, REWARD)
    assert status(d)["levy_paid"] == NOT_MET and d.amount == 0 and "120.50" in d.criteria[2].detail
    fraction = rules.RewardFacts(True, Decimal("2.4"), Decimal("1.5"), Decimal("0"), False, 0)
    assert status(rules.over_quota_reward(fraction, REWARD))["extra"] == NOT_MET
    central = rules.RewardFacts(True, Decimal("5"), Decimal("1.5"), Decimal("0"), True, 0)
    assert status(rules.over_quota_reward(central, REWARD))["not_centralised"] == NOT_MET
    six = rules.RewardFacts(True, Decimal("5"), Decimal("1.5"), Decimal("0"), False, 6)
    assert status(rules.over_quota_reward(six, REWARD))["years"] == NOT_MET
    uncertified = rules.RewardFacts(False, None, None, Decimal("0"), False, 0)
    assert status(rules.over_quota_reward(uncertified, REWARD))["extra"] == NEEDS_DOCUMENT


NEW_HIRE = rules.NewHireParams(
    rates_by_type={"1": (Decimal("0.50"), Decimal("0.55"), Decimal("0.60")),
                   "2": (Decimal("0.35"), Decimal("0.40"), Decimal("0.45"))},
    type_by_level={1: "1", 2: "2"}, min_contract_months=12, not_employed_by_same_unit_months=12, min_wage=MIN_WAGE,
)  # fmt: skip


def _hire(**kw: object) -> rules.NewHireFacts:
    base: dict[str, object] = {
        "programme_year": 2025, "person": OK_PERSON, "contract_start": date(2025, 1, 1),
        "contract_end": date(2027, 12, 31), "contract_year": 1, "monthly_wage": Decimal("3000"),
        "si_months": frozenset(rules.months_between(date(2025, 1, 1), date(2025, 12, 31))),
        "employed_by_unit_before": False, "on": date(2026, 1, 5),
    }  # fmt: skip
    base.update(kw)
    return rules.NewHireFacts(**base)  # type: ignore[arg-type]


def test_new_hire_tiers_by_type_and_year() -> None:
    d = rules.new_hire_subsidy(_hire(), NEW_HIRE)
    assert d.eligible and d.amount == Decimal("9744.00") and len(d.months) == 12  # 12 × 2,320 × 35 %
    severe = rules.new_hire_subsidy(_hire(person=rules.PersonState(True, True, level=1)), NEW_HIRE)
    assert severe.amount == Decimal("13920.00")  # type 1: 50 %
    y2_si = frozenset(rules.months_between(date(2026, 1, 1), date(2026, 12, 31)))
    y2 = rules.new_hire_subsidy(_hire(contract_year=2, si_months=y2_si, on=date(2027, 1, 2)), NEW_HIRE)
    assert y2.eligible and y2.amount == Decimal("11136.00")  # 40 %


def test_new_hire_failures_each_say_why() -> None:
    d = rules.new_hire_subsidy(
        _hire(contract_end=date(2025, 9, 30), monthly_wage=Decimal("2000"), employed_by_unit_before=True,
              on=date(2025, 10, 1), si_months=frozenset({date(2025, 1, 1)})),
        NEW_HIRE,
    )  # fmt: skip
    s = status(d)
    assert s["contract_length"] == NOT_MET and s["covers_year"] == NOT_MET and s["year_completed"] == NOT_MET
    assert s["wage"] == NOT_MET and s["new_hire"] == NOT_MET and s["social_insurance"] == NOT_MET
    assert d.amount == 0
    no_feed = rules.new_hire_subsidy(_hire(si_months=None), NEW_HIRE)
    assert status(no_feed)["social_insurance"] == NEEDS_DOCUMENT and not no_feed.eligible
    # the amount is computed, so a reviewer who accepts the uploaded proof approves the right sum
    assert no_feed.missing_documents and no_feed.amount == Decimal("9744.00")
    level4 = rules.new_hire_subsidy(_hire(person=rules.PersonState(True, True, level=4)), NEW_HIRE)
    assert status(level4)["type"] == NOT_MET


INTERN = rules.InternshipParams(min_months=3, max_months=12, monthly_rate_of_min_wage=Decimal("1.0"),
                                retention_bonus=Decimal("1000"), graduate_within_years=2, youth_age_range=(16, 24),
                                min_wage=MIN_WAGE)  # fmt: skip


def test_internship_months_and_retention_bonus() -> None:
    f = rules.InternshipFacts(OK_PERSON, 30, date(2024, 7, 1), date(2025, 3, 1), date(2025, 8, 31), Decimal("2400"),
                              True, retained=True)  # fmt: skip
    d = rules.internship_subsidy(f, INTERN)
    assert d.eligible and d.amount == Decimal("6") * Decimal("2320") + Decimal("1000") and len(d.months) == 6
    short = rules.InternshipFacts(OK_PERSON, 22, None, date(2025, 3, 1), date(2025, 4, 30), Decimal("2400"), True)
    assert status(rules.internship_subsidy(short, INTERN))["duration"] == NOT_MET
    old = rules.InternshipFacts(OK_PERSON, 30, date(2020, 7, 1), date(2025, 3, 1), date(2025, 8, 31), Decimal("2400"),
                                None)  # fmt: skip
    s = status(rules.internship_subsidy(old, INTERN))
    assert s["intern"] == NOT_MET and s["insurance"] == NEEDS_DOCUMENT


def test_new_business_checks_code_year_and_operator() -> None:
    p = rules.NewBusinessParams(Decimal("5000"), "92")
    ok = rules.NewBusinessFacts(2025, OK_PERSON, "92120101MA00000000", date(2025, 4, 1), True, True, False)
    assert rules.new_business_support(ok, p).amount == Decimal("5000.00")
    bad = rules.NewBusinessFacts(2025, OK_PERSON, "91120101MA00000000", date(2024, 4, 1), False, False, True)
    s = status(rules.new_business_support(bad, p))
    assert s["uscc"] == s["licence_year"] == s["operator"] == s["open"] == s["once"] == NOT_MET
    unknown = rules.NewBusinessFacts(2025, OK_PERSON, "92120101MA00000000", None, None, None, False)
    assert status(rules.new_business_support(unknown, p))["operator"] == NEEDS_DOCUMENT


def test_self_employment_minimums_and_once() -> None:
    p = rules.SelfEmploymentParams(Decimal("5000"), 12, 6, True)
    ok = rules.SelfEmploymentFacts(OK_PERSON, date(2024, 1, 1), date(2025, 6, 1), 8, False)
    assert rules.self_employment_subsidy(ok, p).eligible
    early = rules.SelfEmploymentFacts(OK_PERSON, date(2025, 1, 1), date(2025, 6, 1), 3, True)
    s = status(rules.self_employment_subsidy(early, p))
    assert s["operating"] == NOT_MET and s["si"] == NOT_MET and s["once"] == NOT_MET


def test_assisted_grant_conditions_and_cap() -> None:
    p = rules.AssistedGrantParams(10, 6, True, True, True, Decimal("3000"), Decimal("5000"), Decimal("40000"))
    ok = rules.AssistedGrantFacts(12, 8, True, True, True, 2)
    d = rules.assisted_grant(ok, p)
    assert d.eligible and d.amount == Decimal("40000.00") and "上限" in d.formula[-1]  # 46,000 capped
    small = rules.AssistedGrantFacts(4, 3, False, False, False, 0)
    s = status(rules.assisted_grant(small, p))
    assert {s[k] for k in ("placed", "production", "agreements", "pay", "barrier_free")} == {NOT_MET}
    assert s["active"] == MET


def test_budget_check() -> None:
    assert rules.budget_check(Decimal("100"), Decimal("60"), Decimal("40")).fits
    refused = rules.budget_check(Decimal("100"), Decimal("60"), Decimal("40.01"))
    assert not refused.fits and "余额40.00元" in refused.detail
