"""Matching of job seekers and postings: pure scoring with an explanation (PIPL Art. 24).

Plain dataclasses in, a ``Match`` out: the total, each factor with its points and maximum, and — for
a hard mismatch — the reasons the pair is excluded.  No Django, no I/O; the weights come from the
policy parameter ``job_matching`` (read by ``jobs.queries``) and are passed in as ``Weights``.

Factors (points are integers; the maximum is the sum of the weights):

=============  =====================================================================================
occupation     the post's occupation is one the person asked for in the need registration
suitable       the post's occupation is one the ability assessment found suitable
area           the workplace is in a district the person named (none named: the home district), or
               the post can be done from home (``remote`` accommodation)
work_time      full-time / part-time / flexible wishes and the post's hours agree
accommodations share of the accommodations the person needs that the employer offers
               (floor of weight × offered ÷ needed; all points when the person needs none)
category       the employer says it can support the person's disability category
wage           the post's top wage reaches the person's expected wage (no expectation: all points)
=============  =====================================================================================

Hard mismatches (the pair is excluded, whatever the points):

- step-free access: the person needs barrier-free access (``accessible_site`` among the needed
  accommodations, or mobility assessed 3–4 of 4) and the workplace has no step-free entrance,
  unless the post can be done from home.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# The codes (same as jobs.enums / people.actions.services; rules.py may not import Django).
OCCUPATION_CODES: tuple[str, ...] = (
    "office", "customer_service", "it", "manufacturing", "logistics", "cleaning", "catering", "retail",
    "massage", "handicraft", "ecommerce", "security", "agriculture", "other",
)  # fmt: skip
WORK_TIME_CODES: tuple[str, ...] = ("full", "part", "flexible")
ACCOMMODATION_CODES: tuple[str, ...] = (
    "accessible_site", "workstation", "assistive_tech", "sign_language", "flexible_hours", "remote", "job_coach",
    "commute", "other",
)  # fmt: skip
ACCESSIBILITY_CODES: tuple[str, ...] = (
    "step_free", "lift", "accessible_toilet", "wide_doors", "tactile", "visual_alarm", "parking",
)  # fmt: skip

LABELS = {
    "occupation": "意向岗位",
    "suitable": "能力评估适合",
    "area": "工作区域",
    "work_time": "工作时间",
    "accommodations": "合理便利",
    "category": "残疾类别支持",
    "wage": "工资期望",
}


@dataclass(frozen=True)
class Weights:
    occupation: int = 40
    suitable: int = 20
    area: int = 20
    work_time: int = 10
    accommodations: int = 20
    category: int = 10
    wage: int = 10
    step_free_mobility_level: int = 3  # mobility assessed at this level or worse needs step-free access

    @property
    def total(self) -> int:
        return (
            self.occupation
            + self.suitable
            + self.area
            + self.work_time
            + self.accommodations
            + self.category
            + self.wage
        )

    @classmethod
    def from_value(cls, value: dict[str, object] | None) -> Weights:
        """From the parameter ``job_matching`` (unknown keys ignored, missing keys default)."""
        if not value:
            return cls()
        known = {k: int(str(v)) for k, v in value.items() if k in cls.__dataclass_fields__}
        return cls(**known)


# Points for (person's wish, post's hours): flexible posts suit everyone; a "flexible" person takes any.
WORK_TIME_FIT: dict[tuple[str, str], bool] = {
    ("full", "full"): True,
    ("full", "part"): False,
    ("full", "flexible"): True,
    ("part", "full"): False,
    ("part", "part"): True,
    ("part", "flexible"): True,
    ("flexible", "full"): True,
    ("flexible", "part"): True,
    ("flexible", "flexible"): True,
}


@dataclass(frozen=True)
class Seeker:
    person_id: int
    district_code: str
    desired_jobs: frozenset[str] = frozenset()
    suitable_jobs: frozenset[str] = frozenset()
    work_time: str = ""  # "" = not stated (all points)
    areas: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()  # accommodation codes
    mobility: int | None = None  # 1 good … 4 severe
    category: int | None = None
    expected_wage: Decimal | None = None

    def needs_step_free(self, weights: Weights) -> bool:
        return "accessible_site" in self.needs or (
            self.mobility is not None and self.mobility >= weights.step_free_mobility_level
        )


@dataclass(frozen=True)
class PostingFacts:
    posting_id: int
    occupation: str
    district_code: str
    work_time: str
    accessibility: frozenset[str] = frozenset()
    accommodations: frozenset[str] = frozenset()
    categories: frozenset[int] = frozenset()
    wage_max: Decimal | None = None

    @property
    def remote(self) -> bool:
        return "remote" in self.accommodations


@dataclass(frozen=True)
class Factor:
    code: str
    label: str
    points: int
    max_points: int
    detail: str


@dataclass(frozen=True)
class Match:
    person_id: int
    posting_id: int
    score: int
    max_score: int
    factors: tuple[Factor, ...]
    excluded: bool = False
    reasons: tuple[str, ...] = field(default=())

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0


def parse_wage(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _names(codes: Iterable[str], labels: dict[str, str] | None) -> str:
    return "、".join(labels.get(c, c) if labels else c for c in codes)


def score(seeker: Seeker, posting: PostingFacts, weights: Weights, *, labels: dict[str, str] | None = None) -> Match:
    """Score one pair and explain every factor.  ``labels`` maps codes to Chinese names for the text."""
    w = weights
    factors: list[Factor] = []

    def add(code: str, points: int, max_points: int, detail: str) -> None:
        factors.append(Factor(code, LABELS[code], points, max_points, detail))

    occ = labels.get(posting.occupation, posting.occupation) if labels else posting.occupation
    if posting.occupation in seeker.desired_jobs:
        add("occupation", w.occupation, w.occupation, f"岗位类型“{occ}”是本人登记的意向岗位")
    else:
        add("occupation", 0, w.occupation, f"岗位类型“{occ}”不在本人登记的意向岗位中")
    if posting.occupation in seeker.suitable_jobs:
        add("suitable", w.suitable, w.suitable, f"职业能力评估认为适合“{occ}”")
    else:
        add("suitable", 0, w.suitable, "职业能力评估未列为适合岗位" if seeker.suitable_jobs else "尚无职业能力评估")

    where = labels.get(posting.district_code, posting.district_code) if labels else posting.district_code
    if posting.remote:
        add("area", w.area, w.area, "岗位可居家/远程办公")
    elif seeker.areas:
        ok = posting.district_code in seeker.areas
        add("area", w.area if ok else 0, w.area, f"工作地点在{where}，{'在' if ok else '不在'}本人意向区域内")
    else:
        ok = posting.district_code == seeker.district_code
        add("area", w.area if ok else 0, w.area, f"未登记意向区域；工作地点在{where}，{'是' if ok else '不是'}户籍区")

    if not seeker.work_time:
        add("work_time", w.work_time, w.work_time, "本人未限定工作时间")
    else:
        ok = WORK_TIME_FIT.get((seeker.work_time, posting.work_time), False)
        add(
            "work_time",
            w.work_time if ok else 0,
            w.work_time,
            "工作时间符合本人要求" if ok else "工作时间与本人要求不符",
        )

    needs = [c for c in ACCOMMODATION_CODES if c in seeker.needs]
    if not needs:
        add("accommodations", w.accommodations, w.accommodations, "本人未登记合理便利需求")
    else:
        offered = [c for c in needs if c in posting.accommodations]
        missing = [c for c in needs if c not in posting.accommodations]
        points = w.accommodations * len(offered) // len(needs)
        detail = f"需要{len(needs)}项，单位提供{len(offered)}项"
        if missing:
            detail += f"；未提供：{_names(missing, labels)}"
        add("accommodations", points, w.accommodations, detail)

    if seeker.category is None:
        add("category", 0, w.category, "残疾类别未知")
    elif seeker.category in posting.categories:
        add("category", w.category, w.category, "单位表示可支持本人的残疾类别")
    else:
        add(
            "category",
            0,
            w.category,
            "单位未表示可支持本人的残疾类别" if posting.categories else "单位未说明可支持的残疾类别",
        )

    if seeker.expected_wage is None:
        add("wage", w.wage, w.wage, "本人未登记期望收入")
    elif posting.wage_max is None:
        add("wage", 0, w.wage, "岗位未注明工资")
    else:
        ok = posting.wage_max >= seeker.expected_wage
        add("wage", w.wage if ok else 0, w.wage, f"岗位最高{posting.wage_max}元，期望{seeker.expected_wage}元")

    reasons: list[str] = []
    if seeker.needs_step_free(w) and "step_free" not in posting.accessibility and not posting.remote:
        reasons.append("本人需要无障碍通行，而工作场所没有无台阶或坡道的出入口")
    return Match(
        person_id=seeker.person_id,
        posting_id=posting.posting_id,
        score=sum(f.points for f in factors),
        max_score=w.total,
        factors=tuple(factors),
        excluded=bool(reasons),
        reasons=tuple(reasons),
    )


def rank_postings(
    seeker: Seeker,
    postings: Sequence[PostingFacts],
    weights: Weights,
    *,
    limit: int = 10,
    labels: dict[str, str] | None = None,
    include_excluded: bool = False,
) -> list[Match]:
    """The best ``limit`` postings for a person, highest score first; ties: lower posting id first."""
    matches = [score(seeker, p, weights, labels=labels) for p in postings]
    kept = [m for m in matches if include_excluded or not m.excluded]
    kept.sort(key=lambda m: (m.excluded, -m.score, m.posting_id))
    return kept[:limit]


def rank_seekers(
    posting: PostingFacts,
    seekers: Sequence[Seeker],
    weights: Weights,
    *,
    limit: int = 20,
    labels: dict[str, str] | None = None,
) -> list[Match]:
    """The best ``limit`` candidates for a posting (hard mismatches left out); ties: lower person id."""
    matches = [m for m in (score(s, posting, weights, labels=labels) for s in seekers) if not m.excluded]
    matches.sort(key=lambda m: (-m.score, m.person_id))
    return matches[:limit]


def retention_due_months(months: Sequence[int]) -> tuple[int, ...]:
    """The follow-up points after a hire (parameter ``job_retention``: 3, 6 and 12 months by default)."""
    clean = sorted({int(m) for m in months if int(m) > 0})
    if not clean:
        raise ValueError("稳岗回访月数不能为空")
    return tuple(clean)


def add_months(year: int, month: int, day: int, months: int) -> tuple[int, int, int]:
    """``(year, month, day)`` plus ``months``, the day clipped to the end of a shorter month."""
    total = year * 12 + (month - 1) + months
    y, m = divmod(total, 12)
    m += 1
    days = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return y, m, min(day, days[m - 1])
