"""Levy rules (policy-rules §2, §4, §5): worked examples with exact amounts, and properties."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ablework.core.explain import ParamRef
from ablework.quota.rules import (
    CDPF,
    MILITARY,
    POLICE,
    AcceptedCertificates,
    CountChecks,
    DisabledEmployee,
    DoubleCountRule,
    EmploymentFacts,
    LevyCase,
    LevyInputError,
    LevyParams,
    Param,
    SmallEnterpriseExemption,
    TierReduction,
    check_counts,
    compute_levy,
    extra_persons,
    late_fee,
    person_weight,
    weighted_count,
)

D = Decimal


def ref(key: str, value: object = None) -> ParamRef:
    return ParamRef(key, value, f"测试：{key}", True)


DOUBLE = DoubleCountRule(cdpf_levels=frozenset({1, 2}), military_max_level=3, ref=ref("double_count_rule"))
ACCEPTED = AcceptedCertificates(
    cdpf=True, military_max_level=8, police_max_level=0, require_valid_on_audit_date=True, ref=ref("accepted")
)
TIERS = TierReduction(D("0.01"), D("0.5"), D("0.9"), ref("levy_tiers"))
EXEMPTION = SmallEnterpriseExemption(D(30), frozenset({"enterprise", "soe"}), ref("small_enterprise_exemption"))


def tianjin(
    *,
    ratio: str = "0.015",
    cap: str = "2",
    social: str = "120000",
    tiers: TierReduction | None = TIERS,
    exemption: SmallEnterpriseExemption | None = EXEMPTION,
) -> LevyParams:
    """The Tianjin values of policy_defaults for data year 2022, built by hand (no database)."""
    return LevyParams(
        data_year=2022,
        collected_on=date(2023, 9, 1),
        quota_ratio=Param(D(ratio), ref("quota_ratio")),
        double_count=DOUBLE,
        accepted=ACCEPTED,
        cap_multiplier=Param(D(cap), ref("cap_multiplier")),
        social_avg_wage=Param(D(social), ref("social_avg_wage")),
        tiers=tiers,
        exemption=exemption,
        late_fee_rate_daily=Param(D("0.005"), ref("late_fee_rate_daily")),
        reward_double_count=DOUBLE,
        reward_whole_persons=Param(True, ref("over_quota_reward")),
    )


def cdpf(level: int, category: int | None = None) -> DisabledEmployee:
    return DisabledEmployee(CDPF, level, category)


def military(level: int) -> DisabledEmployee:
    return DisabledEmployee(MILITARY, level)


# --- R4.8 worked examples --------------------------------------------------------------------------

# (example, unit kind, staff, total wages, disabled, social wage,
#  weighted, required, shortfall, wage base, gross, exempt, rate, due)
WORKED = [
    ("1", "enterprise", 200, 20_000_000, [], "120000", 0, "3", "3", "100000", "300000", False, "0.9", "270000.00"),
    ("2", "enterprise", 300, 45_000_000, [cdpf(2), cdpf(4)], "120000",
     3, "4.5", "1.5", "150000", "225000", False, "0.5", "112500.00"),
    ("3", "enterprise", 25, 2_000_000, [], "120000", 0, "0.375", "0.375", "80000", "30000", True, "0", "0.00"),
    ("3b", "institution", 25, 2_000_000, [], "120000",
     0, "0.375", "0.375", "80000", "30000", False, "0.9", "27000.00"),
    ("4", "enterprise", 100, 40_000_000, [], "120000", 0, "1.5", "1.5", "240000", "360000", False, "0.9", "324000.00"),
    ("5", "institution", 67, 6_030_000, [], "120000", 0, "1.005", "1.005", "90000", "90450", False, "0.9", "81405.00"),
    ("6", "enterprise", 250, 22_500_000, [cdpf(3), cdpf(4)], "120000",
     2, "3.75", "1.75", "90000", "157500", False, "0.9", "141750.00"),
    ("7", "enterprise", 600, 30_000_000, [cdpf(2), military(3), cdpf(3), cdpf(4)], "55000",
     6, "9", "3", "50000", "150000", False, "0.5", "75000.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    "example, kind, staff, wages, disabled, social, weighted, required, shortfall, base, gross, exempt, rate, due",
    WORKED,
    ids=[f"R4.8-{w[0]}" for w in WORKED],
)
def test_worked_examples_of_r4_8(
    example, kind, staff, wages, disabled, social, weighted, required, shortfall, base, gross, exempt, rate, due
) -> None:
    result = compute_levy(LevyCase(kind, D(staff), D(wages), tuple(disabled)), tianjin(social=social))
    assert result.weighted_count == weighted
    assert result.required == D(required)
    assert result.shortfall == D(shortfall)
    assert result.wage_base == D(base)
    assert result.gross_levy == D(gross)
    assert result.exempt is exempt
    assert result.rate == D(rate)
    assert result.levy_due == D(due)
    assert str(result.levy_due) == due  # exactly two decimals
    assert result.extra_persons == 0


def test_example_4_caps_the_wage_base_at_twice_the_social_average_wage() -> None:
    result = compute_levy(LevyCase("enterprise", D(100), D(40_000_000)), tianjin())
    assert result.unit_avg_wage == D(400_000)
    assert result.capped and result.wage_cap == D(240_000)
    steps = {s.label: s for s in result.explanation.steps}
    assert {p.key for p in steps["工资上限"].params} == {"cap_multiplier", "social_avg_wage"}
    assert "高于上限" in steps["计征工资基数"].formula


def test_example_7_textbook_answer_without_tiers_is_150000() -> None:
    """[S29] predates the tiers: with no reduction in force the same unit pays the gross amount."""
    case = LevyCase("enterprise", D(600), D(30_000_000), (cdpf(2), military(3), cdpf(3), cdpf(4)))
    result = compute_levy(case, tianjin(social="55000", tiers=None))
    assert (result.gross_levy, result.rate, result.levy_due) == (D(150_000), D(1), D("150000.00"))


def test_example_5_shortfall_is_not_rounded() -> None:
    result = compute_levy(LevyCase("institution", D(67), D(6_030_000)), tianjin())
    assert result.shortfall == D("1.005")  # a rounded 1 would give 90,000 × 0.9 = 81,000
    assert result.levy_due == D("81405.00")


def test_explanation_records_every_intermediate_with_its_parameters() -> None:
    result = compute_levy(LevyCase("enterprise", D(300), D(45_000_000), (cdpf(2), cdpf(4))), tianjin())
    steps = {s.label: s for s in result.explanation.steps}
    assert steps["残疾人证二级"].value == 2 and steps["残疾人证四级"].value == 1
    assert steps["已安排残疾人就业人数（加权）"].params[0].key == "double_count_rule"
    assert steps["应安排残疾人就业人数"].params[0].key == "quota_ratio"
    assert steps["应安排残疾人就业人数"].formula.startswith("在职职工人数 × 安排比例 = 300 × 0.015")
    assert steps["差额人数"].value == D("1.5")
    assert steps["实际安排比例"].value == D("0.01")
    assert steps["用人单位在职职工年平均工资"].value == D(150_000)
    assert steps["应缴保障金（减免前）"].value == D(225_000)
    assert steps["小微企业免征"].outcome == "not_met"
    assert steps["分档减缴"].params == (TIERS.ref,) and "≥ 0.01" in steps["分档减缴"].formula
    assert steps["应缴纳金额"].value == D("112500.00")
    data = result.explanation.as_dict()
    assert data["steps"][-1]["label"] == "超比例人数"
    assert all(isinstance(s["value"], str | int) for s in data["steps"])


# --- weighting (R2.4, R2.5) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "weight"),
    [
        (cdpf(1), 2),
        (cdpf(2), 2),
        (cdpf(3), 1),
        (cdpf(4), 1),
        (military(1), 2),
        (military(3), 2),
        (military(4), 1),
        (military(8), 1),
    ],
)
def test_levels_one_and_two_and_military_one_to_three_count_twice(person: DisabledEmployee, weight: int) -> None:
    assert person_weight(person, DOUBLE) == weight


def test_the_doubling_predicate_is_a_parameter() -> None:
    fujian = replace(DOUBLE, extra=frozenset({(5, 3), (5, 4), (6, 3), (6, 4)}))
    assert person_weight(cdpf(3, category=5), fujian) == 2
    assert person_weight(cdpf(3, category=4), fujian) == 1
    assert person_weight(cdpf(3, category=5), DOUBLE) == 1
    nobody_doubles = DoubleCountRule(frozenset(), 0, ref("none"))
    assert weighted_count([cdpf(1), military(1)], nobody_doubles) == 2


def test_military_above_level_8_and_police_are_refused_with_a_chinese_message() -> None:
    with pytest.raises(LevyInputError, match="第1名残疾职工：残疾军人证9级不计入按比例安排就业人数（只计1至8级）"):
        compute_levy(LevyCase("enterprise", D(100), D(1), (military(9),)), tianjin())
    with pytest.raises(LevyInputError, match="伤残人民警察证不计入"):
        compute_levy(LevyCase("enterprise", D(100), D(1), (DisabledEmployee(POLICE, 2),)), tianjin())
    shenzhen = replace(tianjin(), accepted=replace(ACCEPTED, police_max_level=8))
    result = compute_levy(LevyCase("enterprise", D(100), D(1), (DisabledEmployee(POLICE, 2),)), shenzhen)
    assert result.weighted_count == 1
    with pytest.raises(LevyInputError, match="残疾人证等级应为1至4级，收到5"):
        compute_levy(LevyCase("enterprise", D(100), D(1), (cdpf(5),)), tianjin())


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (LevyCase("enterprise", D(0), D(1)), "在职职工人数必须大于0"),
        (LevyCase("enterprise", D(-3), D(1)), "在职职工人数必须大于0"),
        (LevyCase("enterprise", D(10), D(-1)), "上年工资总额不能为负数"),
        (LevyCase("enterprise", D("NaN"), D(1)), "在职职工人数不是有效数字"),
        (LevyCase("shop", D(10), D(1)), "单位类型“shop”无效"),
        (LevyCase("enterprise", D(10), D(1), accepted_count=D(-1)), "审核认定的安排人数不能为负数"),
    ],
)
def test_impossible_cases_are_refused(case: LevyCase, message: str) -> None:
    with pytest.raises(LevyInputError, match=message):
        compute_levy(case, tianjin())


def test_certified_count_is_used_when_given() -> None:
    """R3.5: the tax bureau uses the count certified in the annual review."""
    result = compute_levy(LevyCase("enterprise", D(300), D(45_000_000), accepted_count=D(3)), tianjin())
    assert result.levy_due == D("112500.00")
    assert result.explanation.steps[0].label == "已安排残疾人就业人数（加权，审核认定）"


# --- exemption and tiers (R4.2, R4.3) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "staff", "exempt"),
    [
        ("enterprise", "30", True),
        ("soe", "30", True),
        ("enterprise", "30.5", False),
        ("enterprise", "31", False),
        ("agency", "25", False),
        ("institution", "10", False),
        ("social_org", "25", False),
    ],
)
def test_only_enterprises_with_at_most_30_staff_are_exempt(kind: str, staff: str, exempt: bool) -> None:
    result = compute_levy(LevyCase(kind, D(staff), D(staff) * 80_000), tianjin())
    assert result.exempt is exempt
    assert (result.levy_due == 0) is exempt


def test_outside_the_relief_windows_the_full_levy_is_due() -> None:
    params = tianjin(tiers=None, exemption=None)
    small = compute_levy(LevyCase("enterprise", D(25), D(2_000_000)), params)
    assert (small.exempt, small.rate, small.levy_due) == (False, D(1), D("30000.00"))
    assert compute_levy(LevyCase("enterprise", D(200), D(20_000_000)), params).levy_due == D("300000.00")


def test_tier_threshold_is_inclusive_and_compared_exactly() -> None:
    # 2 of 200 = exactly 1 % → 50 %; 2 of 200.5 is just below → 90 %.
    at = compute_levy(LevyCase("enterprise", D(200), D(20_000_000), (cdpf(3), cdpf(4))), tianjin())
    below = compute_levy(LevyCase("enterprise", D("200.5"), D(20_050_000), (cdpf(3), cdpf(4))), tianjin())
    assert (at.rate, below.rate) == (D("0.5"), D("0.9"))
    assert at.levy_due == D("50000.00")  # (3 − 2) × 100,000 × 0.5
    assert below.levy_due == D("90675.00")  # (3.0075 − 2) × 100,000 × 0.9


def test_tier_rates_are_parameters() -> None:
    other = TierReduction(D("0.005"), D("0.3"), D("0.6"), ref("levy_tiers"))
    result = compute_levy(LevyCase("enterprise", D(250), D(22_500_000), (cdpf(3), cdpf(4))), tianjin(tiers=other))
    assert (result.rate, result.levy_due) == (D("0.3"), D("47250.00"))  # 0.8 % ≥ 0.5 %


def test_at_or_above_the_ratio_nothing_is_due_and_extra_persons_are_whole() -> None:
    result = compute_levy(LevyCase("enterprise", D(600), D(30_000_000), (cdpf(1),) * 6), tianjin())
    assert (result.weighted_count, result.shortfall, result.gross_levy) == (12, 0, 0)
    assert (result.rate, result.levy_due, result.extra_persons) == (0, D("0.00"), 3)
    result = compute_levy(LevyCase("enterprise", D(100), D(1), (cdpf(3),) * 3), tianjin())
    assert result.extra_persons == 1  # floor(3 − 1.5)


def test_extra_persons_r5_4() -> None:
    assert extra_persons(D(3), D("1.5"), Param(True, ref("r"))) == 1
    assert extra_persons(D(3), D("1.5"), Param(False, ref("r"))) == D("1.5")
    assert extra_persons(D(1), D("1.5"), Param(True, ref("r"))) == 0
    assert extra_persons(D("10.5"), D("9"), Param(True, ref("r"))) == 1


def test_reward_may_weigh_persons_differently() -> None:
    """R2.5 (b): Hainan counts a severely disabled person once for the reward."""
    once = DoubleCountRule(frozenset(), 0, ref("reward_double_count_rule"))
    params = replace(tianjin(), reward_double_count=once)
    result = compute_levy(LevyCase("enterprise", D(100), D(10_000_000), (cdpf(1), cdpf(1))), params)
    assert (result.weighted_count, result.reward_count, result.extra_persons) == (4, 2, 0)
    assert compute_levy(LevyCase("enterprise", D(100), D(10_000_000), (cdpf(1), cdpf(1))), tianjin()).extra_persons == 2


# --- precision (R4.7) -----------------------------------------------------------------------------


def test_repeating_unit_average_wage_is_not_rounded_before_the_end() -> None:
    # W_unit = 28,282,112 / 159 = 177,874.918238…; rounding it to 177,874.92 first would give 381,808.52.
    result = compute_levy(LevyCase("institution", D(159), D(28_282_112)), tianjin())
    assert result.required == D("2.385")
    assert result.gross_levy == D("424231.68")
    assert result.levy_due == D("381808.51")  # 424,231.68 × 0.9 = 381,808.512
    assert result.unit_avg_wage.quantize(D("0.01")) == D("177874.92")
    steps = {s.label: s for s in result.explanation.steps}
    assert "2.385 × 28282112 ÷ 159" in steps["应缴保障金（减免前）"].formula


def exact_due(case: LevyCase, params: LevyParams) -> Decimal:
    """An independent reference computed with fractions: no precision limit at all."""
    n, wages = Fraction(case.staff_count), Fraction(case.total_wages)
    counted = Fraction(sum((person_weight(p, params.double_count) for p in case.disabled), 0))
    shortfall = max(n * Fraction(params.quota_ratio.value) - counted, Fraction(0))
    cap = Fraction(params.social_avg_wage.value) * Fraction(params.cap_multiplier.value)
    gross = shortfall * min(wages / n, cap)
    if params.exemption and case.unit_kind in params.exemption.kinds and n <= params.exemption.max_staff:
        rate = Fraction(0)
    elif params.tiers is None:
        rate = Fraction(1)
    else:
        tiers = params.tiers
        rate = Fraction(tiers.rate_at_or_above if counted >= Fraction(tiers.threshold) * n else tiers.rate_below)
    fen = gross * rate * 100
    whole = fen.numerator // fen.denominator
    if fen - whole >= Fraction(1, 2):
        whole += 1
    return D(whole) / 100


def test_agrees_to_the_fen_with_exact_arithmetic_on_a_large_generated_sample() -> None:
    """R4.7: 28+ significant digits (we divide last and carry 40); 10,000 synthetic employers."""
    rng = random.Random(20240407)
    params = tianjin()
    for _ in range(10_000):
        staff = D(rng.randint(31, 5000)) if rng.random() < 0.8 else D(rng.randint(3100, 500_000)) / 100
        average_fen = rng.randint(2_000_000, 60_000_000)  # 20,000–600,000 a year: some above the cap
        wages = (D(average_fen) * staff / 100 + D(rng.randint(0, 99)) / 100).quantize(D("0.01"))
        n_disabled = rng.randint(0, int(staff * D("0.02")) + 1)
        persons = tuple(cdpf(rng.randint(1, 4)) for _ in range(n_disabled))
        case = LevyCase(rng.choice(["enterprise", "institution", "agency"]), staff, wages, persons)
        assert compute_levy(case, params).levy_due == exact_due(case, params), case


# --- properties -----------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
staff_counts = st.one_of(
    st.integers(1, 20_000).map(Decimal),
    st.decimals(min_value=D("0.01"), max_value=20_000, places=2, allow_nan=False, allow_infinity=False).filter(
        lambda d: d > 0
    ),
)
persons = st.lists(
    st.one_of(st.builds(cdpf, st.integers(1, 4), st.integers(1, 7)), st.builds(military, st.integers(1, 8))),
    max_size=40,
)
kinds = st.sampled_from(["enterprise", "soe", "agency", "institution", "social_org"])


@st.composite
def levy_params(draw: st.DrawFn) -> LevyParams:
    # Provinces set a ratio at or above the 1.5 % floor; 3 % keeps ratio × 31 < 1 (see the hiring property).
    ratio = draw(st.decimals(min_value=D("0.005"), max_value=D("0.03"), places=4))
    tiers = draw(
        st.one_of(
            st.none(),
            st.builds(
                TierReduction,
                st.decimals(min_value=D("0.001"), max_value=D("0.02"), places=3),
                st.decimals(min_value=D("0.1"), max_value=D("0.5"), places=2),
                st.decimals(min_value=D("0.5"), max_value=D("1"), places=2),
                st.just(ref("levy_tiers")),
            ),
        )
    )
    return tianjin(
        ratio=str(ratio),
        cap=draw(st.sampled_from(["1", "2", "3"])),
        social=str(draw(st.integers(20_000, 300_000))),
        tiers=tiers,
        exemption=draw(st.sampled_from([EXEMPTION, None])),
    )


@settings(max_examples=400, deadline=None)
@given(levy_params(), kinds, staff_counts, money, persons)
def test_levy_is_never_negative_and_is_rounded_only_at_the_end(params, kind, staff, wages, people) -> None:
    case = LevyCase(kind, staff, wages, tuple(people))
    result = compute_levy(case, params)
    assert result.levy_due >= 0
    assert result.levy_due == result.levy_due.quantize(D("0.01"))
    assert result.levy_due == exact_due(case, params)
    assert result.shortfall >= 0 and result.gross_levy >= 0
    quick = compute_levy(case, params, explain=False)  # the batch path: same numbers, no steps
    assert quick == result and quick.explanation.steps == []


@settings(max_examples=300, deadline=None)
@given(levy_params(), kinds, staff_counts, money, persons)
def test_nothing_is_due_at_or_above_the_ratio(params, kind, staff, wages, people) -> None:
    result = compute_levy(LevyCase(kind, staff, wages, tuple(people)), params)
    if result.weighted_count >= staff * params.quota_ratio.value:
        assert result.levy_due == 0 and result.gross_levy == 0 and result.shortfall == 0


@settings(max_examples=400, deadline=None)
@given(levy_params(), kinds, staff_counts, money, persons, st.sampled_from([cdpf(1), cdpf(3), military(2)]))
def test_recognising_a_qualifying_employee_never_raises_the_levy(params, kind, staff, wages, people, new) -> None:
    """A staff member's certificate is added to the count: same staff, same wages."""
    before = compute_levy(LevyCase(kind, staff, wages, tuple(people)), params)
    after = compute_levy(LevyCase(kind, staff, wages, (*people, new)), params)
    assert after.levy_due <= before.levy_due
    assert after.gross_levy <= before.gross_levy


@settings(max_examples=400, deadline=None)
@given(levy_params(), kinds, staff_counts, money, persons, st.sampled_from([cdpf(1), cdpf(4), military(6)]))
def test_hiring_a_qualifying_employee_never_raises_the_levy(params, kind, staff, wages, people, new) -> None:
    """A new disabled hire adds one to the staff and a wage not above the unit's average.

    (A hire paid far above the average can raise the unit average wage, and so the levy, by more than the
    shortfall falls: that is the formula of R4.1, not an error.  The exemption cannot be lost because
    ratio × 31 < 1 for every ratio drawn.)
    """
    hire_wage = (wages / staff).quantize(D("0.01"), rounding=ROUND_DOWN)
    before = compute_levy(LevyCase(kind, staff, wages, tuple(people)), params)
    after = compute_levy(LevyCase(kind, staff + 1, wages + hire_wage, (*people, new)), params)
    assert after.levy_due <= before.levy_due


# --- late fee (R4.6) ------------------------------------------------------------------------------

RATE = Param(D("0.005"), ref("late_fee_rate_daily"))


def test_late_fee_accrues_from_the_day_after_the_deadline_once_the_order_lapses() -> None:
    fee = late_fee(D("10000"), due_by=date(2023, 10, 31), ordered_by=date(2023, 11, 30), paid_on=date(2023, 12, 10),
                   rate=RATE)  # fmt: skip
    assert fee.days == 40
    assert fee.amount == D("2000.00")  # 10,000 × 0.005 × 40
    assert fee.explanation.steps[-1].params == (RATE.ref,)


def test_no_late_fee_when_paid_within_the_ordered_period() -> None:
    fee = late_fee(D("10000"), due_by=date(2023, 10, 31), ordered_by=date(2023, 11, 30), paid_on=date(2023, 11, 30),
                   rate=RATE)  # fmt: skip
    assert (fee.days, fee.amount) == (0, D("0.00"))


def test_late_fee_is_rounded_half_up_at_the_end() -> None:
    fee = late_fee(D("81405.01"), due_by=date(2023, 10, 31), ordered_by=date(2023, 10, 31), paid_on=date(2023, 11, 3),
                   rate=Param(D("0.0005"), ref("late_fee_rate_daily")))  # fmt: skip
    assert fee.days == 3
    assert fee.amount == D("122.11")  # 122.107515


def test_late_fee_refuses_negative_amounts_and_backwards_orders() -> None:
    with pytest.raises(LevyInputError, match="欠缴金额不能为负数"):
        late_fee(D(-1), due_by=date(2023, 10, 31), ordered_by=date(2023, 11, 30), paid_on=date(2024, 1, 1), rate=RATE)
    with pytest.raises(LevyInputError, match="责令限期不能早于缴纳期限"):
        late_fee(D(1), due_by=date(2023, 10, 31), ordered_by=date(2023, 10, 1), paid_on=date(2024, 1, 1), rate=RATE)


# --- who counts (R2.3, R2.4) ----------------------------------------------------------------------

CHECKS = CountChecks(12, True, True, True, False, ref("count_checks"))
MIN_WAGE = Param(D("2320"), ref("min_wage_monthly"))


def facts(**kw: object) -> EmploymentFacts:
    base: dict[str, object] = {
        "person": cdpf(2),
        "certificate_valid_until": date(2030, 1, 1),
        "working_age": True,
        "on_establishment": False,
        "contract_months": 12,
        "lowest_monthly_wage": D("2320"),
        "social_insurance_full": True,
        "in_post": True,
    }
    base.update(kw)
    return EmploymentFacts(**base)  # type: ignore[arg-type]


def decide(f: EmploymentFacts, checks: CountChecks = CHECKS):
    return check_counts(f, audit_date=date(2023, 3, 1), accepted=ACCEPTED, checks=checks, min_wage=MIN_WAGE)


def test_a_person_meeting_every_condition_counts() -> None:
    decision = decide(facts())
    assert decision.counts and decision.reasons == ()
    assert decision.explanation.steps[-1].value == "计入"


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"contract_months": 11}, "既不在编，也没有与劳动年龄内的本人签订一年以上劳动合同（服务协议）"),
        ({"working_age": False}, "既不在编"),
        ({"lowest_monthly_wage": D("2319.99")}, "月工资低于当地最低工资标准2320元"),
        ({"social_insurance_full": False}, "社会保险未足额缴纳"),
        ({"in_post": None}, "未核实实际在岗"),
        ({"certificate_valid_until": date(2023, 2, 28)}, "证件已于2023-02-28过期"),
        ({"person": military(9)}, "残疾军人证9级不计入"),
    ],
)
def test_each_unmet_condition_gives_its_reason(kw: dict[str, object], reason: str) -> None:
    decision = decide(facts(**kw))
    assert not decision.counts
    assert any(r.startswith(reason) for r in decision.reasons), decision.reasons


def test_on_the_establishment_needs_no_contract_and_checks_are_parameters() -> None:
    assert decide(facts(on_establishment=True, contract_months=None)).counts
    lenient = replace(CHECKS, require_in_post=False, require_social_insurance=False)
    assert decide(facts(in_post=None, social_insurance_full=False), lenient).counts
    bank = replace(CHECKS, require_bank_wage=True)
    assert decide(facts(bank_wage=False), bank).reasons == ("工资未通过金融机构发放",)


def test_month_end_staff_divides_once_and_rounds_the_half_fen_tie_up() -> None:
    # Twelve month-end figures summing to 1,202: the average 100.1666… repeats.  Nobody placed, an
    # institution: due = 1.5 % × 6,010,010 × 90 % = 81,135.135 exactly → 81,135.14 (R4.7 half-up).
    exact = compute_levy(
        LevyCase(unit_kind="institution", staff_count=D(1202), staff_divisor=12, total_wages=D(6_010_010)), tianjin()
    )
    assert exact.levy_due == D("81135.14")
    assert exact.unit_avg_wage.quantize(D("0.01")) == D("60000.10")
    # The average shown comes from one exact division (not wages ÷ a rounded repeating average).
    from fractions import Fraction

    odd = compute_levy(LevyCase("enterprise", D(1202), D(62_125_451), staff_divisor=12), tianjin())
    exact_avg = Fraction(62_125_451) * 12 / 1202
    assert abs(Fraction(odd.unit_avg_wage) - exact_avg) < Fraction(1, 10**30)
    # A divisor that divides evenly gives exactly the single-figure result.
    assert (
        compute_levy(LevyCase("enterprise", D(2400), D(20_000_000), staff_divisor=12), tianjin()).levy_due
        == compute_levy(LevyCase("enterprise", D(200), D(20_000_000)), tianjin()).levy_due
        == D("270000.00")
    )
