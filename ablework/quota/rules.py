"""Pure policy math for ablework.quota: plain dataclasses in, result + explanation out.  No Django imports.

What is here (policy-rules.md §2, §4, §5):

- who counts and how much (R2.3 checks, R2.4 accepted certificates, R2.5 weighting);
- the disabled-employment security fund (残保金): required number, shortfall, unit average wage, wage base
  with the cap, gross levy, small-enterprise exemption, tier reduction, due amount (R4.1–R4.3, R4.7);
- the late fee (R4.6) and the number of persons over quota (R5.4).

Every policy number arrives in a parameters dataclass built by ``quota.parameters`` from
``core.policy``; each carries the ``ParamRef`` that the explanation cites.  Money is ``Decimal`` computed
with 40 significant digits and rounded half-up to 0.01 only on the final amount (R4.7).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction
from typing import Generic, TypeVar

from ablework.core.explain import Explanation, ParamRef
from ablework.core.money import CONTEXT, round_fen

T = TypeVar("T")

# Certificate kinds (R2.4) and the level ranges printed on them.  These are facts of the certificate
# formats, not policy: which of them count, and which count twice, are parameters.
CDPF = "cdpf"  # 中华人民共和国残疾人证, levels 1–4
MILITARY = "military"  # 中华人民共和国残疾军人证, levels 1–10
POLICE = "police"  # 伤残人民警察证, levels 1–10 (accepted only where the parameter says so)
CERTIFICATE_LEVELS = {CDPF: range(1, 5), MILITARY: range(1, 11), POLICE: range(1, 11)}
CERTIFICATE_NAMES = {CDPF: "残疾人证", MILITARY: "残疾军人证", POLICE: "伤残人民警察证"}
LEVEL_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}

# Unit kinds (stored values of employers.enums, as plain strings: rules import no Django).
ENTERPRISE = "enterprise"
SOE = "soe"
AGENCY = "agency"
INSTITUTION = "institution"
SOCIAL_ORG = "social_org"
UNIT_KINDS = {ENTERPRISE: "企业", SOE: "国有企业", AGENCY: "机关", INSTITUTION: "事业单位", SOCIAL_ORG: "社会团体"}

ZERO = Decimal(0)
ONE = Decimal(1)


class LevyInputError(ValueError):
    """The case itself is impossible (no staff, negative wages…); the message is Chinese, for the user."""


# --- parameters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param(Generic[T]):
    """A policy value together with where it came from."""

    value: T
    ref: ParamRef


@dataclass(frozen=True)
class DoubleCountRule:
    """Which certificates count as two persons (R2.5; parameter ``double_count_rule``).

    ``extra`` holds (category, level) pairs of the 残疾人证 that a local variant also doubles, e.g.
    Fujian's 智力/精神 levels 3–4: {(5, 3), (5, 4), (6, 3), (6, 4)}.
    """

    cdpf_levels: frozenset[int]
    military_max_level: int
    ref: ParamRef
    extra: frozenset[tuple[int, int]] = frozenset()
    police_max_level: int = 0


@dataclass(frozen=True)
class AcceptedCertificates:
    """Which certificates count at all (R2.4; parameter ``accepted_certificates``)."""

    cdpf: bool
    military_max_level: int
    police_max_level: int
    require_valid_on_audit_date: bool
    ref: ParamRef


@dataclass(frozen=True)
class CountChecks:
    """The configurable conditions for a disabled employee to count (R2.3; parameter ``count_checks``)."""

    min_contract_months: int
    require_min_wage: bool
    require_social_insurance: bool
    require_in_post: bool
    require_bank_wage: bool
    ref: ParamRef


@dataclass(frozen=True)
class TierReduction:
    """分档减缴 (R4.2; parameter ``levy_tiers``): share of the gross levy payable by actual ratio."""

    threshold: Decimal
    rate_at_or_above: Decimal
    rate_below: Decimal
    ref: ParamRef


@dataclass(frozen=True)
class SmallEnterpriseExemption:
    """R4.3 (parameter ``small_enterprise_exemption``): units of these kinds with staff ≤ max_staff pay nothing."""

    max_staff: Decimal
    kinds: frozenset[str]
    ref: ParamRef


@dataclass(frozen=True)
class LevyParams:
    """Everything the levy of one data year needs.  ``tiers`` / ``exemption`` are None when no such
    relief is in force on ``collected_on`` (the reliefs are time-limited, R4.2/R4.3)."""

    data_year: int
    collected_on: date
    quota_ratio: Param[Decimal]
    double_count: DoubleCountRule
    accepted: AcceptedCertificates
    cap_multiplier: Param[Decimal]
    social_avg_wage: Param[Decimal]
    tiers: TierReduction | None
    exemption: SmallEnterpriseExemption | None
    late_fee_rate_daily: Param[Decimal]
    # R2.5 (b): the reward may weigh persons differently from the levy (Hainan counts everyone once).
    reward_double_count: DoubleCountRule
    # R5.4: only whole persons over quota are rewarded unless the reward parameter says otherwise.
    reward_whole_persons: Param[bool]
    count_checks: CountChecks | None = None
    # Notes for the explanation when a relief is not in force (why it does not apply).
    absent: tuple[ParamRef, ...] = ()


# --- who counts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisabledEmployee:
    """One disabled person counted by the unit (R2.4).  ``category`` is the 残疾类别 (1 视力 … 7 多重)."""

    certificate: str
    level: int
    category: int | None = None

    def label(self) -> str:
        name = CERTIFICATE_NAMES.get(self.certificate, self.certificate)
        return f"{name}{LEVEL_NAMES.get(self.level, str(self.level))}级"


def certificate_problem(person: DisabledEmployee, accepted: AcceptedCertificates) -> str | None:
    """Why this certificate cannot be counted (R2.4), in Chinese; None when it can."""
    levels = CERTIFICATE_LEVELS.get(person.certificate)
    if levels is None:
        return f"证件类型“{person.certificate}”无效，应为cdpf（残疾人证）或military（残疾军人证）"
    name = CERTIFICATE_NAMES[person.certificate]
    if person.level not in levels:
        return f"{name}等级应为{levels.start}至{levels.stop - 1}级，收到{person.level}"
    if person.certificate == CDPF and not accepted.cdpf:
        return "残疾人证不在认可的证件范围内"
    limit = {MILITARY: accepted.military_max_level, POLICE: accepted.police_max_level}.get(person.certificate)
    if limit is not None and person.level > limit:
        if limit <= 0:
            return f"{name}不计入按比例安排就业人数"
        return f"{name}{person.level}级不计入按比例安排就业人数（只计1至{limit}级）"
    return None


def person_weight(person: DisabledEmployee, rule: DoubleCountRule) -> int:
    """2 for a 残疾人证 at a doubled level (or a doubled category/level pair), a 残疾军人证 or 伤残人民警察证 at
    or below the doubled level; otherwise 1 (R2.5)."""
    if person.certificate == CDPF:
        doubled = person.level in rule.cdpf_levels or (
            person.category is not None and (person.category, person.level) in rule.extra
        )
    elif person.certificate == MILITARY:
        doubled = person.level <= rule.military_max_level
    elif person.certificate == POLICE:
        doubled = person.level <= rule.police_max_level
    else:
        doubled = False
    return 2 if doubled else 1


def weighted_count(
    persons: Iterable[DisabledEmployee], rule: DoubleCountRule, ex: Explanation | None = None
) -> Decimal:
    """The weighted number of persons (R2.5), with one explanation step per kind of certificate."""
    groups = Counter((p.certificate, p.level, person_weight(p, rule)) for p in persons)
    total = sum((n * w for (_c, _l, w), n in groups.items()), 0)
    if ex is not None:
        for (cert, level, weight), n in sorted(groups.items()):
            ex.add(
                DisabledEmployee(cert, level).label(),
                f"{n}人 × {weight}",
                Decimal(n * weight),
                rule.ref,
            )
        ex.add("已安排残疾人就业人数（加权）", "各类人员人数 × 权重之和", Decimal(total), rule.ref)
    return Decimal(total)


@dataclass(frozen=True)
class EmploymentFacts:
    """What a declaration says about one disabled employee in the data year (R2.3, R2.4).

    ``working_age`` comes from ``people.rules.is_working_age`` (the caller has the parameter).
    ``lowest_monthly_wage`` is the lowest wage actually paid in a month counted; ``min_wage`` the local
    minimum wage in force then.  ``in_post`` / ``bank_wage`` are None when unknown.
    """

    person: DisabledEmployee
    certificate_valid_until: date | None
    working_age: bool
    on_establishment: bool
    contract_months: int | None
    lowest_monthly_wage: Decimal | None
    social_insurance_full: bool
    in_post: bool | None = None
    bank_wage: bool | None = None


@dataclass(frozen=True)
class CountDecision:
    counts: bool
    reasons: tuple[str, ...]
    explanation: Explanation


def check_counts(
    facts: EmploymentFacts,
    *,
    audit_date: date,
    accepted: AcceptedCertificates,
    checks: CountChecks,
    min_wage: Param[Decimal] | None,
) -> CountDecision:
    """Does this person count for the unit (R2.3 and R2.4)?  Every unmet condition gives a Chinese reason."""
    ex = Explanation(f"残疾职工是否计入按比例安排就业（{facts.person.label()}）")
    reasons: list[str] = []

    def crit(label: str, met: bool, reason: str, *params: ParamRef) -> None:
        ex.add(label, "需满足", "是" if met else "否", *params, outcome="met" if met else "not_met")
        if not met:
            reasons.append(reason)

    problem = certificate_problem(facts.person, accepted)
    crit("证件属于认可范围（R2.4）", problem is None, problem or "", accepted.ref)
    if accepted.require_valid_on_audit_date and facts.certificate_valid_until is not None:
        crit(
            "证件在审核日有效",
            facts.certificate_valid_until >= audit_date,
            f"证件已于{facts.certificate_valid_until:%Y-%m-%d}过期",
            accepted.ref,
        )
    months = checks.min_contract_months
    contract_ok = facts.working_age and facts.contract_months is not None and facts.contract_months >= months
    crit(
        f"在编，或与劳动年龄内的本人签订{months}个月以上劳动合同（服务协议）",
        facts.on_establishment or contract_ok,
        "既不在编，也没有与劳动年龄内的本人签订一年以上劳动合同（服务协议）"
        if months == 12
        else f"既不在编，也没有与劳动年龄内的本人签订{months}个月以上劳动合同（服务协议）",
        checks.ref,
    )
    if checks.require_min_wage:
        if min_wage is None:
            crit("实发工资不低于当地最低工资标准", False, "缺少当地最低工资标准参数", checks.ref)
        else:
            wage = facts.lowest_monthly_wage
            crit(
                "实发工资不低于当地最低工资标准",
                wage is not None and wage >= min_wage.value,
                f"月工资低于当地最低工资标准{min_wage.value}元" if wage is not None else "缺少实发工资",
                checks.ref,
                min_wage.ref,
            )
    if checks.require_social_insurance:
        crit("足额缴纳社会保险", facts.social_insurance_full, "社会保险未足额缴纳", checks.ref)
    if checks.require_in_post:
        crit("实际在岗", facts.in_post is True, "未核实实际在岗", checks.ref)
    if checks.require_bank_wage:
        crit("通过金融机构发放工资", facts.bank_wage is True, "工资未通过金融机构发放", checks.ref)
    ok = not reasons
    ex.add("结论", "以上条件全部满足", "计入" if ok else "不计入", outcome="met" if ok else "not_met")
    return CountDecision(ok, tuple(reasons), ex)


# --- the levy ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevyCase:
    """One unit's data for a data year.

    Give either the disabled persons (weighted here) or ``accepted_count``, the weighted count certified
    in the annual review (R3.5) — the tax bureau uses the certified count.  ``staff_count`` is the annual
    average in-service staff, a decimal that is not rounded (R2.6).
    """

    unit_kind: str
    staff_count: Decimal
    total_wages: Decimal
    disabled: Sequence[DisabledEmployee] = ()
    accepted_count: Decimal | None = None
    # The annual average is ``staff_count ÷ staff_divisor``: 12 when ``staff_count`` is the sum of the
    # twelve month-end figures, so the average is never a rounded repeating decimal (R4.7).
    staff_divisor: int = 1

    @property
    def staff_average(self) -> Decimal:
        """The annual average staff for display (40 significant digits)."""
        if self.staff_divisor == 1:
            return self.staff_count
        with localcontext(CONTEXT):
            return self.staff_count / self.staff_divisor


def _fen_half_up(value: Fraction) -> Decimal:
    """An exact rational amount rounded half-up to 0.01 (R4.7: round only the final amount)."""
    cents = value * 100
    sign = -1 if cents < 0 else 1
    whole = int(abs(cents) + Fraction(1, 2))
    return Decimal(sign * whole).scaleb(-2)


@dataclass(frozen=True)
class LevyResult:
    weighted_count: Decimal
    required: Decimal
    shortfall: Decimal
    actual_ratio: Decimal
    unit_avg_wage: Decimal
    wage_cap: Decimal
    wage_base: Decimal
    capped: bool
    gross_levy: Decimal  # not rounded
    exempt: bool
    rate: Decimal  # share of the gross levy payable: 0 when exempt or nothing is short
    levy_due: Decimal  # rounded half-up to 0.01
    reward_count: Decimal
    extra_persons: Decimal
    explanation: Explanation = field(compare=False)


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros, for formulas."""
    return format(d.normalize(), "f")


def _shown(d: Decimal) -> str:
    """A possibly repeating quotient for a formula: ten decimals at most, marked ≈ when cut."""
    short = d.quantize(Decimal("1E-10"))
    return _plain(d) if short == d else f"≈{_plain(short)}"


def _validate(case: LevyCase, params: LevyParams) -> None:
    if case.unit_kind not in UNIT_KINDS:
        raise LevyInputError(f"单位类型“{case.unit_kind}”无效，应为{'、'.join(UNIT_KINDS)}之一")
    for label, value in (("在职职工人数", case.staff_count), ("上年工资总额", case.total_wages)):
        if not value.is_finite():
            raise LevyInputError(f"{label}不是有效数字")
    if case.staff_count <= 0:
        raise LevyInputError("在职职工人数必须大于0")
    if case.total_wages < 0:
        raise LevyInputError("上年工资总额不能为负数")
    if case.accepted_count is not None and (not case.accepted_count.is_finite() or case.accepted_count < 0):
        raise LevyInputError("审核认定的安排人数不能为负数")
    if params.social_avg_wage.value <= 0 or params.cap_multiplier.value <= 0:
        raise LevyInputError("社会平均工资及其倍数必须大于0")
    for i, person in enumerate(case.disabled, start=1):
        problem = certificate_problem(person, params.accepted)
        if problem:
            raise LevyInputError(f"第{i}名残疾职工：{problem}")


def compute_levy(case: LevyCase, params: LevyParams, *, explain: bool = True) -> LevyResult:
    """The levy due for one unit and data year (R4.1–R4.3, R4.7), and the persons over quota (R5.4).

    ``explain=False`` leaves the explanation empty (batch runs store the amounts and explain on demand:
    the numbers are the same either way).  Raises ``LevyInputError`` (Chinese message) for an impossible case.
    """
    _validate(case, params)
    n, wages = case.staff_average, case.total_wages
    tiers = params.tiers
    with localcontext(CONTEXT):
        # R2.5 / R3.5: the weighted count, or the certified one.
        if case.accepted_count is not None:
            counted = case.accepted_count
        else:
            counted = Decimal(sum(person_weight(p, params.double_count) for p in case.disabled))
        # R2.1 / R2.6: required number and shortfall, neither rounded.
        required = n * params.quota_ratio.value
        shortfall = max(required - counted, ZERO)
        # R4.1: wage base = min(unit average wage, cap); compared without dividing (R4.7).
        cap = params.social_avg_wage.value * params.cap_multiplier.value
        unit_avg = wages / n
        exemption = params.exemption
        if case.staff_divisor == 1:
            # Divide last: gross = shortfall × total wages ÷ staff, one division at 40 digits, so no
            # repeating-decimal average is multiplied and a half-fen tie is exact.
            capped = wages > cap * n
            gross = shortfall * cap if capped else shortfall * wages / n
            small = n <= exemption.max_staff if exemption is not None else False
            nothing_short = shortfall <= 0
            at_threshold = tiers is not None and counted >= tiers.threshold * n
        else:
            # Staff = sum of month-end figures ÷ 12: the average may repeat, so the amount is computed
            # with exact rationals and only the final amount is rounded (R4.7).
            n_exact = Fraction(case.staff_count) / case.staff_divisor
            avg_exact = Fraction(wages) / n_exact  # one division: a half-fen wage base rounds up when shown
            unit_avg = Decimal(avg_exact.numerator) / Decimal(avg_exact.denominator)
            capped = Fraction(wages) > Fraction(cap) * n_exact
            short_exact = max(n_exact * Fraction(params.quota_ratio.value) - Fraction(counted), Fraction(0))
            gross_exact = short_exact * Fraction(cap) if capped else short_exact * Fraction(wages) / n_exact
            gross = Decimal(gross_exact.numerator) / Decimal(gross_exact.denominator)
            small = n_exact <= exemption.max_staff if exemption is not None else False
            nothing_short = short_exact <= 0
            at_threshold = tiers is not None and Fraction(counted) >= Fraction(tiers.threshold) * n_exact
        # R4.3 exemption, then R4.2 tiers: actual ratio ≥ threshold (inclusive), compared without dividing.
        exempt = exemption is not None and case.unit_kind in exemption.kinds and small
        if exempt or nothing_short:
            rate = ZERO
        elif tiers is None:
            rate = ONE
        else:
            rate = tiers.rate_at_or_above if at_threshold else tiers.rate_below
        due = round_fen(gross * rate) if case.staff_divisor == 1 else _fen_half_up(gross_exact * Fraction(rate))
        # R5.4: persons over quota, with the reward weighting (R2.5 (b): it may differ).
        if case.accepted_count is None and params.reward_double_count != params.double_count:
            reward_count = Decimal(sum(person_weight(p, params.reward_double_count) for p in case.disabled))
        else:
            reward_count = counted
        result = LevyResult(
            weighted_count=counted,
            required=required,
            shortfall=shortfall,
            actual_ratio=counted / n,
            unit_avg_wage=unit_avg,
            wage_cap=cap,
            wage_base=cap if capped else unit_avg,
            capped=capped,
            gross_levy=gross,
            exempt=exempt,
            rate=rate,
            levy_due=due,
            reward_count=reward_count,
            extra_persons=extra_persons(reward_count, required, params.reward_whole_persons),
            explanation=Explanation(
                f"残疾人就业保障金计算（{params.data_year}年度数据，征收日{params.collected_on:%Y-%m-%d}）"
            ),
        )
        if explain:
            _explain(case, params, result)
    return result


def _explain(case: LevyCase, params: LevyParams, r: LevyResult) -> None:
    """Every intermediate of ``r`` as a step, with the parameters it used."""
    ex = r.explanation
    n, wages = case.staff_average, case.total_wages
    ratio, cap_m, social = params.quota_ratio, params.cap_multiplier, params.social_avg_wage
    if case.accepted_count is not None:
        ex.add("已安排残疾人就业人数（加权，审核认定）", "按审核认定书", case.accepted_count)
    else:
        weighted_count(case.disabled, params.double_count, ex)
    ex.add(
        "应安排残疾人就业人数",
        f"在职职工人数 × 安排比例 = {_plain(n)} × {_plain(ratio.value)}（不取整）",
        r.required,
        ratio.ref,
    )
    ex.add(
        "差额人数",
        f"max(应安排 − 已安排, 0) = max({_plain(r.required)} − {_plain(r.weighted_count)}, 0)（不取整）",
        r.shortfall,
    )
    ex.add("实际安排比例", f"已安排 ÷ 在职职工人数 = {_plain(r.weighted_count)} ÷ {_plain(n)}", r.actual_ratio)
    ex.add(
        "用人单位在职职工年平均工资", f"上年工资总额 ÷ 在职职工人数 = {_plain(wages)} ÷ {_plain(n)}", r.unit_avg_wage
    )
    ex.add(
        "工资上限",
        f"社会平均工资 × 倍数 = {_plain(social.value)} × {_plain(cap_m.value)}",
        r.wage_cap,
        cap_m.ref,
        social.ref,
    )
    ex.add(
        "计征工资基数",
        "min(单位年平均工资, 工资上限)" + ("：高于上限，按上限计" if r.capped else "：未超过上限，按单位年平均工资计"),
        r.wage_base,
        cap_m.ref,
        social.ref,
    )
    ex.add(
        "应缴保障金（减免前）",
        f"差额人数 × 工资上限 = {_plain(r.shortfall)} × {_plain(r.wage_cap)}"
        if r.capped
        else f"差额人数 × 上年工资总额 ÷ 在职职工人数 = {_plain(r.shortfall)} × {_plain(wages)} ÷ {_plain(n)}",
        r.gross_levy,
    )
    exemption = params.exemption
    if exemption is None:
        ex.add("小微企业免征", "征收日不在免征政策有效期内", "不适用", *params.absent, outcome="not_met")
    else:
        ex.add(
            "小微企业免征",
            f"单位类型为企业且在职职工人数 ≤ {_plain(exemption.max_staff)}："
            f"{UNIT_KINDS[case.unit_kind]}，{_plain(n)}人",
            "免征" if r.exempt else "不免征",
            exemption.ref,
            outcome="met" if r.exempt else "not_met",
        )
    tiers = params.tiers
    if r.exempt:
        ex.add("缴纳比例", "免征", r.rate, exemption.ref if exemption else ratio.ref)
    elif r.shortfall <= 0:
        ex.add("缴纳比例", "已达到或超过规定比例，无需缴纳", r.rate, ratio.ref)
    elif tiers is None:
        ex.add("缴纳比例", "征收日不在分档减缴政策有效期内，全额缴纳", r.rate, *params.absent)
    else:
        sign = "≥" if r.weighted_count >= tiers.threshold * n else "<"
        ex.add(
            "分档减缴",
            f"实际安排比例 {_shown(r.actual_ratio)} {sign} {_plain(tiers.threshold)}，"
            f"按减免前金额的{_plain(r.rate * 100)}%缴纳",
            r.rate,
            tiers.ref,
        )
    ex.add(
        "应缴纳金额",
        f"round(减免前金额 × 缴纳比例, 0.01) = round({_plain(r.gross_levy)} × {_plain(r.rate)}, 0.01)",
        r.levy_due,
    )
    if case.accepted_count is None and params.reward_double_count != params.double_count:
        ex.add("超比例奖励口径的安排人数", "按奖励口径的权重计算", r.reward_count, params.reward_double_count.ref)
    extra_persons(r.reward_count, r.required, params.reward_whole_persons, ex)


def extra_persons(
    reward_count: Decimal, required: Decimal, whole_persons: Param[bool], ex: Explanation | None = None
) -> Decimal:
    """Persons over quota (R5.4): floor(counted − staff × ratio) when only whole persons count, never below 0."""
    over = max(reward_count - required, ZERO)
    extra = over.to_integral_value(rounding=ROUND_FLOOR) if whole_persons.value else over
    if ex is not None:
        formula = f"max(已安排 − 应安排, 0) = max({_plain(reward_count)} − {_plain(required)}, 0)"
        ex.add("超比例人数", f"向下取整({formula})" if whole_persons.value else formula, extra, whole_persons.ref)
    return extra


# --- late fee ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LateFee:
    days: int
    amount: Decimal
    explanation: Explanation


def late_fee(unpaid: Decimal, *, due_by: date, ordered_by: date, paid_on: date, rate: Param[Decimal]) -> LateFee:
    """The late fee on an unpaid levy (R4.6).

    The unit is warned and ordered to pay by ``ordered_by``.  Paid by then: no fee.  Otherwise the fee
    accrues per day from the day after the levy deadline ``due_by`` (自欠缴之日起) up to and including
    ``paid_on``, on the unpaid amount; the fee is rounded half-up to 0.01 at the end.
    """
    if unpaid < 0:
        raise LevyInputError("欠缴金额不能为负数")
    if ordered_by < due_by:
        raise LevyInputError("责令限期不能早于缴纳期限")
    ex = Explanation("残疾人就业保障金滞纳金")
    if paid_on <= ordered_by:
        days = 0
        ex.add("滞纳天数", f"在责令限期{ordered_by:%Y-%m-%d}内缴清，不加收滞纳金", days)
    else:
        days = (paid_on - due_by).days
        ex.add("滞纳天数", f"自{due_by:%Y-%m-%d}次日起至{paid_on:%Y-%m-%d}", days)
    with localcontext(CONTEXT):
        amount = round_fen(unpaid * rate.value * days)
    ex.add(
        "滞纳金",
        f"round(欠缴金额 × 日滞纳金率 × 天数, 0.01) = round({_plain(unpaid)} × {_plain(rate.value)} × {days}, 0.01)",
        amount,
        rate.ref,
    )
    return LateFee(days, amount, ex)


# --- declaration helpers (annual review, R2.3 / R2.6) ------------------------------------------------


def average_staff(month_end_counts: Sequence[Decimal]) -> Decimal:
    """The annual average in-service staff (R2.6): the sum of the twelve month-end figures ÷ 12, carried
    with 40 significant digits and not rounded (a repeating quotient stays as exact as the context)."""
    if len(month_end_counts) != 12:
        raise LevyInputError(f"应填写12个月末在职职工人数，收到{len(month_end_counts)}个")
    for i, n in enumerate(month_end_counts, start=1):
        if not n.is_finite() or n < 0:
            raise LevyInputError(f"{i}月末在职职工人数不能为负数")
    with localcontext(CONTEXT):
        return sum(month_end_counts, ZERO) / 12


def contract_months(start: date, end: date) -> int:
    """Whole months of a contract from ``start`` to ``end`` inclusive: 2022-01-01 → 2022-12-31 is 12."""
    if end < start:
        raise LevyInputError("合同结束日期不能早于开始日期")
    # Count to the day after the end, so that a contract ending on the eve of its anniversary is whole.
    after = date.fromordinal(end.toordinal() + 1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day < start.day:
        months -= 1
    return max(months, 0)


def months_in_year(start: date | None, end: date | None, year: int) -> int:
    """Calendar months of ``year`` touched by the period ``start``–``end`` (open ends reach the year's
    edge): the months a person was employed in the data year, against which social insurance is checked."""
    first = max(start or date(year, 1, 1), date(year, 1, 1))
    last = min(end or date(year, 12, 31), date(year, 12, 31))
    if last < first:
        return 0
    return last.month - first.month + 1


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on``."""
    return on.year - birth_date.year - (1 if (on.month, on.day) < (birth_date.month, birth_date.day) else 0)


def in_working_age(
    birth_date: date, sex: str, on: date, *, min_age: int, male_max_age: int, female_max_age: int
) -> bool:
    """``min_age`` ≤ age ≤ the maximum for the sex (``M``/``F``), both inclusive — for a person known only
    from the resident ID in a certificate number (not in the registry, R2.2); the limits are the
    ``working_age`` parameter of the person's birth cohort, as ``people`` reads it."""
    age = age_on(birth_date, on)
    return min_age <= age <= (male_max_age if sex == "M" else female_max_age)
