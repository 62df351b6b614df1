"""Pure policy math for ablework.people (policy-rules §11, §14): working age, the derived employment
status, the 就业困难 criteria and the 四个一 gaps.  Plain values in, result + explanation out; the
policy parameters are passed in by the caller (``people.actions`` / ``people.queries``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ablework.core.explain import Explanation, ParamRef

# Stored values of people.enums (kept as plain strings here: rules import no Django).
EMPLOYED = "employed"
WANTS_WORK = "wants_work"
NO_WISH = "no_wish"
UNKNOWN_WISH = "unknown"
NOT_WORKING_AGE = "not_working_age"

INFO_CHECK = "info_check"
FOUR_SERVICES = ("info_check", "ability_assessment", "need_registration", "service")


@dataclass(frozen=True)
class WorkingAge:
    """Limits in force for a birth cohort (parameter ``working_age``, R14.2, keyed by birth date)."""

    min_age: int
    male_max_age: int
    female_max_age: int

    @classmethod
    def from_param(cls, value: dict[str, int]) -> WorkingAge:
        return cls(int(value["min_age"]), int(value["male_max_age"]), int(value["female_max_age"]))


def age_on(birth_date: date, on: date) -> int:
    """Completed years on ``on`` (a person born on 29 February has a birthday on 1 March)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def is_working_age(birth_date: date, sex: str, on: date, limits: WorkingAge) -> bool:
    """``min_age`` ≤ age ≤ max age for the sex (``M``/``F``), both ends inclusive (men 16–59)."""
    age = age_on(birth_date, on)
    top = limits.male_max_age if sex == "M" else limits.female_max_age
    return limits.min_age <= age <= top


@dataclass(frozen=True)
class Spell:
    """One employment record, reduced to what the status needs."""

    start: date
    end: date | None


def is_employed(spells: Iterable[Spell], on: date) -> bool:
    return any(s.start <= on and (s.end is None or s.end >= on) for s in spells)


def derive_status(*, working_age: bool, spells: Sequence[Spell], wants_job: bool | None, on: date) -> str:
    """The current status, derived from the history; never entered separately.

    Order matters: a person outside working age is reported as such even when still working
    (the national system counts working-age persons only).
    """
    if not working_age:
        return NOT_WORKING_AGE
    if is_employed(spells, on):
        return EMPLOYED
    if wants_job is None:
        return UNKNOWN_WISH
    return WANTS_WORK if wants_job else NO_WISH


def required_services(status: str) -> tuple[str, ...]:
    """Which of the 四个一 a person needs (R14.1): the info check for every unemployed working-age
    person; all four for those who want a job.  Employed or not of working age: none."""
    if status == WANTS_WORK:
        return FOUR_SERVICES
    if status in (NO_WISH, UNKNOWN_WISH):
        return (INFO_CHECK,)
    return ()


def service_gaps(status: str, done: Iterable[str]) -> tuple[str, ...]:
    done_set = set(done)
    return tuple(k for k in required_services(status) if k not in done_set)


@dataclass(frozen=True)
class Completion:
    population: int
    info_checked: int
    wants_job_population: int
    all_four_done: int

    @property
    def info_rate(self) -> float | None:
        return self.info_checked / self.population if self.population else None

    @property
    def all_four_rate(self) -> float | None:
        return self.all_four_done / self.wants_job_population if self.wants_job_population else None


@dataclass(frozen=True)
class DifficultyInput:
    """Facts about an applicant for 就业困难人员认定 (R11.1)."""

    tianjin_hukou: bool
    working_age: bool
    able_and_willing: bool
    registered_unemployed: bool
    referral_failed: bool
    certificate_valid: bool
    employed: bool


@dataclass(frozen=True)
class DifficultyResult:
    eligible: bool
    explanation: Explanation


def check_difficulty(facts: DifficultyInput, *, age_param: ParamRef | None = None) -> DifficultyResult:
    """R11.1 for persons with disabilities (group 二, item 8: no land condition):
    eligible = 本市户籍 ∧ 劳动年龄 ∧ 有能力有意愿 ∧ 登记失业 ∧ 推荐未就业 ∧ 持有效残疾人证/残疾军人证."""
    ex = Explanation("就业困难人员认定条件核查（policy-rules R11.1）")
    criteria = [
        ("本市户籍", facts.tianjin_hukou, ()),
        ("处于法定劳动年龄", facts.working_age, (age_param,) if age_param else ()),
        ("有劳动能力和就业意愿", facts.able_and_willing, ()),
        ("已办理失业登记", facts.registered_unemployed, ()),
        ("经公共就业服务机构推荐仍未就业", facts.referral_failed, ()),
        ("持有效残疾人证或残疾军人证（第二类第8项，不设承包土地条件）", facts.certificate_valid, ()),
        ("当前无就业记录", not facts.employed, ()),
    ]
    ok = True
    for label, met, params in criteria:
        ex.add(label, "需满足", "是" if met else "否", *params, outcome="met" if met else "not_met")
        ok = ok and met
    ex.add("结论", "以上条件全部满足", "符合认定条件" if ok else "不符合认定条件", outcome="met" if ok else "not_met")
    return DifficultyResult(ok, ex)


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
