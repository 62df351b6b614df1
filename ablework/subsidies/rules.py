"""Pure policy math for the six subsidy and reward programmes (policy-rules.md §5–§9).

Plain dataclasses in, a ``Decision`` out: every criterion with its status (met / not met / needs a
document) and a plain-language reason, the amount and the formula that produced it, and the
person-months the claim covers (for the no-double-claim rule).  No Django, no I/O; every number comes
in through a ``*Params`` object built from the policy parameters by ``subsidies.parameters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

MET = "met"
NOT_MET = "not_met"
NEEDS_DOCUMENT = "needs_document"
STATUS_LABELS = {MET: "符合", NOT_MET: "不符合", NEEDS_DOCUMENT: "待补充材料"}
FEN = Decimal("0.01")
ZERO = Decimal("0")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _yuan(value: Decimal) -> str:
    return f"{_fen(value):,.2f}元"


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    status: str
    detail: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Decision:
    criteria: tuple[Criterion, ...]
    amount: Decimal
    formula: tuple[str, ...]
    months: tuple[date, ...] = ()  # person-months the claim pays for (first day of each month)

    @property
    def eligible(self) -> bool:
        return all(c.status == MET for c in self.criteria)

    @property
    def missing_documents(self) -> bool:
        return any(c.status == NEEDS_DOCUMENT for c in self.criteria)

    @property
    def failed(self) -> list[Criterion]:
        return [c for c in self.criteria if c.status == NOT_MET]

    def as_json(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "criteria": [
                {"code": c.code, "label": c.label, "status": c.status, "detail": c.detail} for c in self.criteria
            ],
            "amount": str(self.amount),
            "formula": list(self.formula),
            "months": [m.isoformat() for m in self.months],
        }


def _check(code: str, label: str, ok: bool | None, yes: str, no: str, missing: str = "") -> Criterion:
    """``ok`` None means the fact is unknown: a document (or a partner feed) must show it."""
    if ok is None:
        return Criterion(code, label, NEEDS_DOCUMENT, missing or "缺少证明材料或共享数据，无法判断")
    return Criterion(code, label, MET if ok else NOT_MET, yes if ok else no)


# --- months --------------------------------------------------------------------------------------------


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def months_between(start: date, end: date) -> list[date]:
    """First days of the calendar months from start's month to end's month, inclusive."""
    out, cur = [], month_start(start)
    while cur <= end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


def _shift(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, the day clamped to the month's length."""
    first = add_months(d, n)
    last = (add_months(first, 1) - date.resolution).day
    return first.replace(day=min(d.day, last))


def whole_months(start: date, end: date) -> int:
    """Completed months from ``start`` to ``end`` inclusive (1 Mar–31 May = 3; 15 Mar–14 Jun = 3)."""
    n = 0
    while _month_end(start, n + 1) <= end:
        n += 1
    return n


def _month_end(start: date, n: int) -> date:
    """The last day of ``n`` months counted from ``start``: the day before the same day ``n`` months on,
    or the last day of that month when it has no such day (31 Jan + 1 month ends 28 Feb)."""
    target = _shift(start, n)
    return target if target.day < start.day else target - date.resolution


def min_wage_on(table: Mapping[date, Decimal], month: date) -> Decimal | None:
    """The monthly minimum wage in force in ``month`` from {valid_from: amount}."""
    eligible = [k for k in table if k <= month]
    return table[max(eligible)] if eligible else None


# --- person eligibility shared by the person programmes --------------------------------------------------


@dataclass(frozen=True)
class PersonState:
    cert_valid: bool
    working_age: bool
    cert_kind: str = "cdpf"
    category: int | None = None
    level: int | None = None


def _person_criteria(p: PersonState) -> list[Criterion]:
    return [
        _check("certificate", "持有效残疾人证或残疾军人证", p.cert_valid, "证件在有效期内", "无有效证件"),
        _check("working_age", "处于法定劳动年龄", p.working_age, "处于劳动年龄", "不在劳动年龄段内"),
    ]


# --- 1. over-quota reward (R5.4) -----------------------------------------------------------------------


@dataclass(frozen=True)
class RewardParams:
    per_person: Decimal
    unit_cap: Decimal | None
    max_years: int | None
    integer_persons_only: bool
    exclude_centralised: bool


@dataclass(frozen=True)
class RewardFacts:
    certified: bool
    weighted_count: Decimal | None  # persons placed, weighted (R2.5)
    required: Decimal | None  # staff × ratio
    levy_outstanding: Decimal  # levy due minus paid for the data year
    centralised: bool
    years_rewarded: int  # earlier years this unit was rewarded


def over_quota_reward(f: RewardFacts, p: RewardParams) -> Decision:
    crit = [_check("certified", "已完成当年度按比例就业联网认证", f.certified, "年审已认定", "年审未认定")]
    extra = ZERO
    formula: list[str] = []
    if f.weighted_count is not None and f.required is not None:
        raw = f.weighted_count - f.required
        extra = raw.to_integral_value(rounding=ROUND_FLOOR) if p.integer_persons_only else raw
        extra = max(extra, ZERO)
        formula.append(
            f"超比例人数 = {'向下取整' if p.integer_persons_only else ''}（已安排{f.weighted_count.normalize()}人"
            f" − 应安排{f.required.normalize()}人）= {extra.normalize()}人"
        )
    crit.append(_check("extra", "超过规定比例至少1人", extra >= 1 if f.certified else None,
                       f"超比例{extra.normalize()}人", "未超过规定比例1人以上", "年审结果尚未认定"))  # fmt: skip
    crit.append(_check("levy_paid", "无欠缴残疾人就业保障金", f.levy_outstanding <= 0,
                       "无欠缴", f"尚欠缴保障金{_yuan(f.levy_outstanding)}"))  # fmt: skip
    if p.exclude_centralised:
        crit.append(_check("not_centralised", "非集中安置残疾人就业单位", not f.centralised,
                           "非集中安置单位", "集中安置单位不参加超比例奖励"))  # fmt: skip
    if p.max_years is not None:
        crit.append(_check("years", f"累计获奖不超过{p.max_years}年", f.years_rewarded < p.max_years,
                           f"此前已获奖{f.years_rewarded}年", f"已获奖{f.years_rewarded}年，达到上限"))  # fmt: skip
    amount = extra * p.per_person
    formula.append(f"奖励 = {extra.normalize()}人 × {_yuan(p.per_person)}/人·年 = {_yuan(amount)}")
    if p.unit_cap is not None and amount > p.unit_cap:
        amount = p.unit_cap
        formula.append(f"超过单位上限，按上限{_yuan(p.unit_cap)}")
    payable = all(c.status != NOT_MET for c in crit)  # a missing document is judged by the reviewer
    return Decision(tuple(crit), _fen(amount) if payable else ZERO, tuple(formula))


# --- 2. new-hire subsidy (R6.2, R6.4) ------------------------------------------------------------------


@dataclass(frozen=True)
class NewHireParams:
    rates_by_type: Mapping[str, tuple[Decimal, ...]]  # type -> rate for contract year 1, 2, 3
    type_by_level: Mapping[int, str]  # disability level -> subsidy type (the highest applies)
    min_contract_months: int
    not_employed_by_same_unit_months: int
    min_wage: Mapping[date, Decimal]  # monthly minimum wage by valid_from


@dataclass(frozen=True)
class NewHireFacts:
    programme_year: int
    person: PersonState
    contract_start: date
    contract_end: date | None  # None: open-ended
    contract_year: int  # 1, 2 or 3: the completed contract year claimed
    monthly_wage: Decimal
    si_months: frozenset[date] | None  # months with social insurance paid by this unit; None = no data
    employed_by_unit_before: bool | None  # by the same unit within the look-back window
    on: date  # the day of the check
    graduate: bool = False


def new_hire_type(level: int | None, p: NewHireParams, graduate: bool = False) -> str | None:
    """The subsidy type for the person (the highest when several fit: R6.2)."""
    types = []
    if level is not None and level in p.type_by_level:
        types.append(p.type_by_level[level])
    if graduate and "graduate" in p.type_by_level.values():
        types.append("graduate")
    ranked = sorted((t for t in types if t in p.rates_by_type), key=lambda t: p.rates_by_type[t][0], reverse=True)
    return ranked[0] if ranked else None


def new_hire_subsidy(f: NewHireFacts, p: NewHireParams) -> Decision:
    crit = _person_criteria(f.person)
    k = f.contract_year
    period_start = add_months(f.contract_start, 12 * (k - 1))
    period_end = add_months(f.contract_start, 12 * k) - date.resolution
    months = months_between(period_start, period_end)[:12]
    if f.contract_end is None:
        contract_months = None
        length_ok = True
    else:
        contract_months = whole_months(f.contract_start, f.contract_end)
        length_ok = contract_months >= p.min_contract_months
    crit.append(_check("contract_length", f"劳动合同期限不少于{p.min_contract_months}个月", length_ok,
                       "无固定期限合同" if contract_months is None else f"合同期限{contract_months}个月",
                       f"合同期限仅{contract_months}个月"))  # fmt: skip
    if k == 1:
        crit.append(_check("contract_start", f"合同在{f.programme_year}年内开始", f.contract_start.year == f.programme_year,
                           f"合同自{f.contract_start:%Y-%m-%d}起", f"合同开始于{f.contract_start:%Y-%m-%d}，不在补贴年度内"))  # fmt: skip
    covers = f.contract_end is None or f.contract_end >= period_end
    crit.append(_check("covers_year", f"合同覆盖第{k}个合同年度", covers,
                       f"第{k}年：{period_start:%Y-%m-%d}至{period_end:%Y-%m-%d}", f"合同于第{k}年结束前终止"))  # fmt: skip
    crit.append(_check("year_completed", f"第{k}个合同年度已满", f.on > period_end,
                       f"已于{period_end:%Y-%m-%d}满一年", f"须于{period_end:%Y-%m-%d}后申请（按满一年发放）"))  # fmt: skip
    start_min = min_wage_on(p.min_wage, month_start(f.contract_start))
    crit.append(_check("wage", "月工资不低于本市最低工资标准", None if start_min is None else f.monthly_wage >= start_min,
                       f"月工资{_yuan(f.monthly_wage)} ≥ {_yuan(start_min or ZERO)}",
                       f"月工资{_yuan(f.monthly_wage)}低于最低工资{_yuan(start_min or ZERO)}", "缺少最低工资标准参数"))  # fmt: skip
    if f.si_months is None:
        si_ok: bool | None = None
        missing: list[date] = []
    else:
        missing = [m for m in months if m not in f.si_months]
        si_ok = not missing
    crit.append(_check("social_insurance", "补贴期内逐月缴纳社会保险", si_ok, f"{len(months)}个月均已缴纳",
                       "未缴纳月份：" + "、".join(f"{m:%Y-%m}" for m in missing[:6]) + ("等" if len(missing) > 6 else ""),
                       "尚无社保缴费共享数据，请上传社保缴费证明"))  # fmt: skip
    crit.append(_check("new_hire", f"此前{p.not_employed_by_same_unit_months}个月内未在本单位就业",
                       None if f.employed_by_unit_before is None else not f.employed_by_unit_before,
                       "属于新招用", f"此前{p.not_employed_by_same_unit_months}个月内曾在本单位就业，不属于新招用"))  # fmt: skip
    stype = new_hire_type(f.person.level, p, f.graduate)
    crit.append(_check("type", "符合补贴类型", stype is not None, f"第{stype}类", "残疾等级不属于任何补贴类型"))
    rate = p.rates_by_type[stype][k - 1] if stype is not None and k <= len(p.rates_by_type[stype]) else ZERO
    total = ZERO
    for m in months:
        total += rate * (min_wage_on(p.min_wage, m) or ZERO)
    formula = (
        f"补贴类型：第{stype or '—'}类，第{k}年比例{(rate * 100).normalize()}%",
        f"补贴 = Σ（{len(months)}个月 × 当月最低工资 × {(rate * 100).normalize()}%）= {_yuan(total)}",
    )
    payable = all(c.status != NOT_MET for c in crit)  # a missing document is judged by the reviewer
    return Decision(tuple(crit), _fen(total) if payable else ZERO, formula, tuple(months))


# --- 3. internship subsidy (R7.1) ----------------------------------------------------------------------


@dataclass(frozen=True)
class InternshipParams:
    min_months: int
    max_months: int
    monthly_rate_of_min_wage: Decimal
    retention_bonus: Decimal
    graduate_within_years: int
    youth_age_range: tuple[int, int]
    min_wage: Mapping[date, Decimal]


@dataclass(frozen=True)
class InternshipFacts:
    person: PersonState
    age_at_start: int
    graduated_on: date | None
    start: date
    end: date
    monthly_allowance: Decimal
    accident_insurance: bool | None
    retained: bool = False


def internship_subsidy(f: InternshipFacts, p: InternshipParams) -> Decision:
    crit = [_person_criteria(f.person)[0]]
    lo, hi = p.youth_age_range
    grad_ok = f.graduated_on is not None and f.graduated_on >= date(
        f.start.year - p.graduate_within_years, f.start.month, min(f.start.day, 28)
    )
    youth_ok = lo <= f.age_at_start <= hi
    crit.append(_check("intern", f"离校{p.graduate_within_years}年内毕业生或{lo}–{hi}岁失业青年", grad_ok or youth_ok,
                       "离校未满期限的毕业生" if grad_ok else f"见习开始时{f.age_at_start}岁",
                       f"见习开始时{f.age_at_start}岁，且非离校{p.graduate_within_years}年内毕业生"))  # fmt: skip
    months = whole_months(f.start, f.end) if f.end >= f.start else 0
    crit.append(_check("duration", f"见习期{p.min_months}–{p.max_months}个月", p.min_months <= months <= p.max_months,
                       f"见习{months}个月", f"见习{months}个月，不在{p.min_months}–{p.max_months}个月之间"))  # fmt: skip
    start_min = min_wage_on(p.min_wage, month_start(f.start)) or ZERO
    crit.append(_check("allowance", "见习生活补助不低于最低工资标准", f.monthly_allowance >= start_min,
                       f"每月{_yuan(f.monthly_allowance)}", f"每月{_yuan(f.monthly_allowance)}低于{_yuan(start_min)}"))  # fmt: skip
    crit.append(_check("insurance", "已为见习人员办理人身意外伤害保险", f.accident_insurance, "已投保", "未投保",
                       "请上传人身意外伤害保险凭证"))  # fmt: skip
    paid_months = months_between(f.start, f.end)[: max(months, 0)]
    total = ZERO
    for m in paid_months:
        total += p.monthly_rate_of_min_wage * (min_wage_on(p.min_wage, m) or ZERO)
    formula = [f"补贴 = Σ（{len(paid_months)}个月 × 当月最低工资 × {(p.monthly_rate_of_min_wage * 100).normalize()}%）"]
    if f.retained and p.retention_bonus > 0:
        total += p.retention_bonus
        formula.append(f"见习期满留用，另加一次性留用奖励{_yuan(p.retention_bonus)}")
    formula.append(f"合计{_yuan(total)}")
    payable = all(c.status != NOT_MET for c in crit)  # a missing document is judged by the reviewer
    return Decision(tuple(crit), _fen(total) if payable else ZERO, tuple(formula), tuple(paid_months))


# --- 4. new individual business (R8.2) ------------------------------------------------------------------


@dataclass(frozen=True)
class NewBusinessParams:
    one_off_amount: Decimal
    uscc_prefix: str


@dataclass(frozen=True)
class NewBusinessFacts:
    programme_year: int
    person: PersonState
    uscc: str
    licence_date: date | None  # None: no registration data and no licence uploaded
    operator_matches: bool | None  # operator's ID equals the certificate holder's; None = unknown
    open: bool | None
    claimed_before: bool  # this person or business already received it


def new_business_support(f: NewBusinessFacts, p: NewBusinessParams) -> Decision:
    crit = _person_criteria(f.person)
    crit.append(_check("uscc", f"统一社会信用代码以“{p.uscc_prefix}”开头（个体工商户）", f.uscc.startswith(p.uscc_prefix),
                       f"{f.uscc[:2]}：个体工商户", f"代码以“{f.uscc[:2]}”开头，不是个体工商户"))  # fmt: skip
    crit.append(_check("licence_year", f"营业执照于{f.programme_year}年内登记",
                       None if f.licence_date is None else f.licence_date.year == f.programme_year,
                       f"登记日期{f.licence_date}", f"登记日期{f.licence_date}，不在补贴年度内",
                       "尚无市场监管登记数据，请上传营业执照"))  # fmt: skip
    crit.append(_check("operator", "经营者身份证号与残疾人证持证人一致", f.operator_matches, "一致",
                       "经营者不是持证人本人", "尚无登记数据，请上传营业执照（经营者信息）"))  # fmt: skip
    crit.append(_check("open", "个体工商户处于存续状态", f.open, "存续", "已注销或吊销"))
    crit.append(_check("once", "未享受过新个体工商户扶持", not f.claimed_before, "首次申请", "已享受过，不能重复申请"))
    formula = (f"一次性扶持{_yuan(p.one_off_amount)}",)
    payable = all(c.status != NOT_MET for c in crit)  # a missing document is judged by the reviewer
    return Decision(tuple(crit), _fen(p.one_off_amount) if payable else ZERO, formula)


# --- 5. self-employment subsidy (R8.3) -------------------------------------------------------------------


@dataclass(frozen=True)
class SelfEmploymentParams:
    one_off_amount: Decimal
    min_operating_months: int
    min_si_months: int
    once_per_lifetime: bool


@dataclass(frozen=True)
class SelfEmploymentFacts:
    person: PersonState
    started_on: date | None
    on: date
    si_month_count: int | None  # months of social insurance paid as self-employed; None = no data
    claimed_before: bool


def self_employment_subsidy(f: SelfEmploymentFacts, p: SelfEmploymentParams) -> Decision:
    crit = _person_criteria(f.person)
    operating = whole_months(f.started_on, f.on) if f.started_on and f.on >= f.started_on else 0
    crit.append(_check("operating", f"自主创业经营满{p.min_operating_months}个月",
                       None if f.started_on is None else operating >= p.min_operating_months,
                       f"已经营{operating}个月", f"仅经营{operating}个月", "请上传营业执照或经营证明"))  # fmt: skip
    crit.append(_check("si", f"缴纳社会保险满{p.min_si_months}个月",
                       None if f.si_month_count is None else f.si_month_count >= p.min_si_months,
                       f"已缴{f.si_month_count}个月", f"仅缴{f.si_month_count}个月",
                       "尚无社保缴费共享数据，请上传缴费证明"))  # fmt: skip
    if p.once_per_lifetime:
        crit.append(_check("once", "每人限享受一次", not f.claimed_before, "首次申请", "已享受过自主创业补贴"))
    formula = (f"一次性补贴{_yuan(p.one_off_amount)}",)
    payable = all(c.status != NOT_MET for c in crit)  # a missing document is judged by the reviewer
    return Decision(tuple(crit), _fen(p.one_off_amount) if payable else ZERO, formula)


# --- 6. assisted-employment institution grant (R9.3) ----------------------------------------------------


@dataclass(frozen=True)
class AssistedGrantParams:
    min_placed: int
    min_production_months: int
    require_agreements: bool
    require_pay_by_bank: bool
    require_barrier_free: bool
    per_participant: Decimal
    per_project: Decimal
    cap: Decimal | None


@dataclass(frozen=True)
class AssistedGrantFacts:
    placed_eligible: int
    production_months: int
    agreements_ok: bool
    pay_by_bank_ok: bool
    barrier_free: bool
    projects: int
    active: bool = True


def assisted_grant(f: AssistedGrantFacts, p: AssistedGrantParams) -> Decision:
    crit = [
        _check("active", "机构正常运营", f.active, "运营中", "机构已关闭"),
        _check("placed", f"安置智力、精神和重度肢体残疾人不少于{p.min_placed}人", f.placed_eligible >= p.min_placed,
               f"安置{f.placed_eligible}人", f"仅安置{f.placed_eligible}人"),
        _check("production", f"持续生产经营不少于{p.min_production_months}个月",
               f.production_months >= p.min_production_months, f"已{f.production_months}个月",
               f"仅{f.production_months}个月"),
    ]  # fmt: skip
    if p.require_agreements:
        crit.append(
            _check("agreements", "与每名残疾人或其监护人签订协议", f.agreements_ok, "协议齐全", "有人员未签订有效协议")
        )
    if p.require_pay_by_bank:
        crit.append(
            _check("pay", "劳动报酬按标准通过银行发放", f.pay_by_bank_ok, "符合", "有人员报酬不足或未经银行发放")
        )
    if p.require_barrier_free:
        crit.append(_check("barrier_free", "场所无障碍", f.barrier_free, "具备无障碍设施", "场所不具备无障碍条件"))
    amount = p.per_participant * f.placed_eligible + p.per_project * f.projects
    formula = [
        f"补贴 = {f.placed_eligible}人 × {_yuan(p.per_participant)} + {f.projects}个项目 × {_yuan(p.per_project)}"
        f" = {_yuan(amount)}"
    ]
    if p.cap is not None and amount > p.cap:
        amount = p.cap
        formula.append(f"超过上限，按{_yuan(p.cap)}")
    payable = all(c.status != NOT_MET for c in crit)  # a missing document is judged by the reviewer
    return Decision(tuple(crit), _fen(amount) if payable else ZERO, tuple(formula))


@dataclass(frozen=True)
class BudgetCheck:
    budget: Decimal
    committed: Decimal
    amount: Decimal
    detail: str = field(default="")

    @property
    def fits(self) -> bool:
        return self.committed + self.amount <= self.budget


def budget_check(budget: Decimal, committed: Decimal, amount: Decimal) -> BudgetCheck:
    left = budget - committed
    return BudgetCheck(budget, committed, amount, f"预算{_yuan(budget)}，已承诺{_yuan(committed)}，余额{_yuan(left)}")
