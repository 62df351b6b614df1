"""Pure policy math for ablework.assisted: plain dataclasses in, result + explanation out.  No Django imports.

- R9.2 eligibility of a person for assisted employment (``check_eligibility``), each criterion with a
  plain-language explanation; every threshold comes from the parameter ``assisted_eligibility``.
- Whole months between two dates (production running time, agreement length).
- Monthly pay check (paid by bank, at least a share of the monthly minimum wage).
- The 涉农区 workstation coverage KPI (R9.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

CATEGORY_NAMES = {1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


class EligibilityParamError(ValueError):
    """The stored parameter does not have the expected shape; the message is Chinese."""


@dataclass(frozen=True)
class EligibilityParams:
    """R9.2 thresholds (parameter ``assisted_eligibility``)."""

    any_level_categories: frozenset[int] = frozenset({5, 6})
    # category -> worst-allowed level number (level 1 is the most severe): {4: 2} = 肢体 level 1–2.
    level_limited_categories: Mapping[int, int] = field(default_factory=lambda: {4: 2})
    military_max_level: int = 3
    min_age: int = 16
    male_max_age: int = 59
    female_max_age: int = 54
    require_valid_certificate: bool = True

    @classmethod
    def from_param(cls, value: Any) -> EligibilityParams:
        if not isinstance(value, Mapping):
            raise EligibilityParamError("政策参数“assisted_eligibility”应为对象（JSON）")
        try:
            return cls(
                any_level_categories=frozenset(int(c) for c in value.get("any_level_categories", [5, 6])),
                level_limited_categories={
                    int(k): int(v) for k, v in dict(value.get("level_limited_categories", {"4": 2})).items()
                },
                military_max_level=int(value.get("military_max_level", 3)),
                min_age=int(value.get("min_age", 16)),
                male_max_age=int(value.get("male_max_age", 59)),
                female_max_age=int(value.get("female_max_age", 54)),
                require_valid_certificate=bool(value.get("require_valid_certificate", True)),
            )
        except (TypeError, ValueError) as exc:
            raise EligibilityParamError(f"政策参数“assisted_eligibility”取值有误：{exc}") from exc


@dataclass(frozen=True)
class PersonInput:
    """What the rule needs to know about a person on a date (from ``people.api.person_facts``)."""

    sex: str  # "M" | "F"
    birth_date: date
    cert_kind: str  # "cdpf" | "military" | ""
    category: int | None
    level: int | None  # cdpf level 1–4, or military level 1–10
    cert_valid: bool


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    passed: bool
    explanation: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    on: date
    criteria: tuple[Criterion, ...]

    @property
    def summary(self) -> str:
        if self.eligible:
            return "符合辅助性就业对象条件"
        failed = "；".join(c.explanation for c in self.criteria if not c.passed)
        return f"不符合辅助性就业对象条件：{failed}"


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _levels_text(worst: int) -> str:
    return "、".join(LEVEL_NAMES.get(n, f"{n}级") for n in range(1, worst + 1))


def check_eligibility(person: PersonInput, on: date, params: EligibilityParams) -> Eligibility:
    """R9.2: category 智力/精神 (any level), 肢体 level 1–2, or 残疾军人证 level 1–3; working age; valid certificate.

    All three criteria must pass.  Each criterion says, in plain words, what was checked and why.
    """
    criteria: list[Criterion] = []

    # 1. Category and level.
    if person.cert_kind == "military":
        ok = person.level is not None and 1 <= person.level <= params.military_max_level
        text = (
            f"持残疾军人证，伤残等级{person.level or '未知'}级，"
            + ("在" if ok else "不在")
            + f"1至{params.military_max_level}级范围内"
        )
    elif person.category is None:
        ok, text = False, "没有残疾类别信息，无法判断"
    else:
        cat = CATEGORY_NAMES.get(person.category, str(person.category))
        lvl = LEVEL_NAMES.get(person.level or 0, "等级未知")
        allowed_any = sorted(params.any_level_categories)
        if person.category in params.any_level_categories:
            ok, text = True, f"{cat}残疾{lvl}：{cat}残疾不限等级，符合"
        elif person.category in params.level_limited_categories:
            worst = params.level_limited_categories[person.category]
            ok = person.level is not None and 1 <= person.level <= worst
            text = f"{cat}残疾{lvl}：{cat}残疾须为{_levels_text(worst)}" + ("，符合" if ok else "，不符合")
        else:
            ok = False
            names = "、".join(CATEGORY_NAMES.get(c, str(c)) for c in allowed_any)
            limited = "，".join(
                f"{CATEGORY_NAMES.get(c, str(c))}残疾{_levels_text(w)}"
                for c, w in sorted(params.level_limited_categories.items())
            )
            text = f"{cat}残疾不在辅助性就业对象范围内（范围：{names}残疾不限等级，{limited}，残疾军人）"
    criteria.append(Criterion("category", "残疾类别与等级", ok, text))

    # 2. Working age.
    age = age_on(person.birth_date, on)
    top = params.male_max_age if person.sex == "M" else params.female_max_age
    sex_text = "男性" if person.sex == "M" else "女性"
    ok = params.min_age <= age <= top
    criteria.append(
        Criterion(
            "working_age",
            "劳动年龄",
            ok,
            f"{on:%Y年%m月%d日}时{age}周岁，{sex_text}劳动年龄为{params.min_age}至{top}周岁"
            + ("，符合" if ok else "，不符合"),
        )
    )

    # 3. Valid certificate.
    if params.require_valid_certificate:
        ok = person.cert_valid
        text = "持有在有效期内的残疾人证或残疾军人证" if ok else "没有在有效期内的残疾人证或残疾军人证"
    else:
        ok, text = True, "本参数期间不要求有效证件"
    criteria.append(Criterion("certificate", "有效证件", ok, text))

    return Eligibility(eligible=all(c.passed for c in criteria), on=on, criteria=tuple(criteria))


# --- months ---------------------------------------------------------------------------------------------


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, the day clamped to the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(d)  # pragma: no cover


def full_months(start: date, end_inclusive: date) -> int:
    """Whole calendar months from ``start`` to ``end_inclusive`` (1 Jul → 31 Dec is 6; 15 Jul → 31 Dec is 5)."""
    if end_inclusive < start:
        return 0
    stop = end_inclusive + timedelta(days=1)
    n = (stop.year - start.year) * 12 + stop.month - start.month
    while n > 0 and add_months(start, n) > stop:
        n -= 1
    return max(n, 0)


# --- pay -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPay:
    month: date  # first day of the month
    pay: Decimal
    by_bank: bool
    min_wage: Decimal  # monthly minimum wage in force that month


def pay_month_ok(m: MonthPay, share: Decimal) -> bool:
    return m.by_bank and m.pay >= (m.min_wage * share)


def pay_check(months: Sequence[MonthPay], share: Decimal) -> tuple[bool, list[str]]:
    """Every recorded month paid by bank and ≥ ``share`` × minimum wage.  No month recorded fails
    (nothing shows that the person was paid).  Returns (ok, problems in plain words)."""
    if not months:
        return False, ["没有月度工资记录"]
    problems = []
    for m in sorted(months, key=lambda x: x.month):
        if not m.by_bank:
            problems.append(f"{m.month:%Y年%m月}未通过银行发放")
        elif m.pay < m.min_wage * share:
            problems.append(f"{m.month:%Y年%m月}发放{m.pay}元，低于最低工资{m.min_wage}元的{share}倍")
    return not problems, problems


# --- KPI: every 涉农区 has ≥ 1 active workstation (R9.4) ------------------------------------------------


@dataclass(frozen=True)
class DistrictCoverage:
    code: str
    name: str
    agricultural: bool
    active_workstations: int
    active_institutions: int

    @property
    def covered(self) -> bool:
        return self.active_workstations >= 1


@dataclass(frozen=True)
class CoverageKpi:
    districts: tuple[DistrictCoverage, ...]

    @property
    def agricultural(self) -> tuple[DistrictCoverage, ...]:
        return tuple(d for d in self.districts if d.agricultural)

    @property
    def uncovered(self) -> tuple[DistrictCoverage, ...]:
        return tuple(d for d in self.agricultural if not d.covered)

    @property
    def met(self) -> bool:
        """True when every 涉农区 has at least one active workstation (and there is at least one 涉农区)."""
        return bool(self.agricultural) and not self.uncovered

    @property
    def covered_count(self) -> int:
        return sum(1 for d in self.agricultural if d.covered)


def coverage_kpi(rows: Iterable[DistrictCoverage]) -> CoverageKpi:
    return CoverageKpi(districts=tuple(rows))
