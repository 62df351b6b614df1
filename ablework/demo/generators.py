"""Deterministic demo data: persons with disabilities, everything recorded about them, and employers
of Tianjin.

Everything is drawn from ``random.Random`` streams seeded from the run's seed, so the same seed always
produces the same names, ID numbers, codes and records (only ciphertexts differ: their nonce is random).
The streams are separate so that one kind of data does not shift another:

- ``ablework-demo-persons:<seed>``: identity (name, ID number, birth date, district, street, phone,
  certificate category and level).  Unchanged since the first version, so a seed keeps its people.
- ``ablework-demo-life:<seed>``: what is recorded about each person (certificates, address, education,
  guardian, employment history, the 四个一 services, 就业困难 certification, student ledger).
  Employer links are picked from ``EmployerPool`` with a fixed number of draws, so asking for more or
  fewer employers changes which employer a record names, never the rest of the data.
- ``ablework-demo-duplicates:<seed>``: the deliberate duplicate candidates (every 400th person repeats
  the previous person's name and birth date under another ID number).
- ``ablework-demo-employers:<seed>``: employers.
- ``ablework-demo-rates:<seed>:<district code>``: each district's 四个一 completion rates, so the
  worklist and the district comparison show different numbers.

Birth dates are drawn against ``REFERENCE_DATE``, so a seed gives the same people every day.  The
records are dated relative to ``as_of`` (the day of the run: the command passes today) and the status
is derived on that day with ``people.rules.derive_status`` and the ``working_age`` parameter, as
``people.actions.compute_status`` does, so stored statuses agree with a recompute on the same day.

The generators are pure: they take the reference data as plain values (``DistrictInfo``,
``WorkingAgeTable``, ``EmployerPool``) and yield plain rows, so they can be tested and benchmarked
without a database, and the command decides how to write them (ORM ``bulk_create`` or PostgreSQL
``COPY``) and does the keyed hashing and encryption.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, Generic, TypeVar

from ablework.core.identifiers import USCC_ALPHABET, uscc_check_char
from ablework.people.rules import Spell, WorkingAge, add_months, age_on, derive_status, is_working_age

T = TypeVar("T")

__all__ = [
    "DUPLICATE_EVERY",
    "REFERENCE_DATE",
    "CertSpec",
    "DifficultySpec",
    "DistrictInfo",
    "EmployerPool",
    "EmployerRef",
    "EmployerSpec",
    "EmploymentSpec",
    "PersonSpec",
    "PlacementSpec",
    "PlanEntrySpec",
    "ServiceSpec",
    "StudentSpec",
    "WorkingAgeBand",
    "WorkingAgeTable",
    "generate_employers",
    "generate_persons",
    "org_code_check_char",
]

# Ages are computed against a fixed day, not today, so a seed gives the same birth dates every day.
REFERENCE_DATE = date(2026, 1, 1)


@dataclass(frozen=True, slots=True)
class DistrictInfo:
    pk: int
    code: str
    name: str
    street_pks: tuple[int, ...] = ()
    street_names: tuple[str, ...] = ()  # same order as street_pks; may be empty
    agricultural: bool = False  # 涉农区: its towns (镇/乡) are mostly rural


@dataclass(slots=True)
class CertSpec:
    kind: str  # "cdpf" / "military"
    number: str  # full number as printed (with a reissue suffix); encrypted by the command
    hash_key: str  # what crypto.lookup_hash is applied to (people.actions.cert_lookup_hash semantics)
    category: int | None
    level: int | None
    military_level: int | None
    suffix: str
    issued_on: date
    valid_until: date | None


@dataclass(slots=True)
class PlacementSpec:
    post: str
    unit: str
    start_date: date
    end_date: date
    post_subsidy_monthly: Decimal
    insurance_subsidy_monthly: Decimal


@dataclass(slots=True)
class EmploymentSpec:
    form: str
    employer_pk: int | None
    employer_name: str
    employer_uscc: str
    start_date: date
    end_date: date | None
    contract_months: int | None
    on_establishment: bool
    monthly_wage: Decimal | None
    social_insurance: bool
    source: str
    note: str
    placement: PlacementSpec | None = None  # 公益性岗位: the placement that goes with the record


_Date = date  # the field ``date`` below hides the type inside the class body


@dataclass(slots=True)
class ServiceSpec:
    kind: str
    service_type: str
    date: _Date
    unit: str
    outcome: str
    details: dict[str, Any]
    follow_up_on: _Date | None = None


@dataclass(slots=True)
class DifficultySpec:
    status: str  # "approved" / "submitted"
    applied_on: date
    valid_from: date | None
    valid_until: date | None
    criteria: dict[str, Any]


@dataclass(slots=True)
class PlanEntrySpec:
    date: date
    service_type: str
    note: str
    outcome: str


@dataclass(slots=True)
class StudentSpec:
    school: str
    major: str
    degree: str
    graduation_year: int
    status: str
    plan: str
    outcome: str
    entries: tuple[PlanEntrySpec, ...]


@dataclass(slots=True)
class PersonSpec:
    name: str
    resident_id: str
    sex: str  # "M" / "F", agrees with the sequence digit of the ID
    birth_date: date
    district_pk: int
    street_pk: int | None
    phone: str
    # Copy of the current certificate (the last of ``certificates``): NULL category/level for a
    # 残疾军人证, whose level is ``military_level`` instead.
    disability_category: int | None
    disability_level: int | None
    cert_suffix: str
    cert_kind: str = "cdpf"
    military_level: int | None = None
    cert_valid_until: date | None = None
    community: str = ""
    address: str = ""
    tianjin_hukou: bool = True
    urban_rural: str = ""
    education: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""
    wants_job: bool | None = None
    status: str = "unknown"
    status_since: date | None = None
    certificates: tuple[CertSpec, ...] = ()  # oldest first; the last one is current
    employment: tuple[EmploymentSpec, ...] = ()  # oldest first
    services: tuple[ServiceSpec, ...] = ()
    difficulty: DifficultySpec | None = None
    student: StudentSpec | None = None


@dataclass(slots=True)
class EmployerSpec:
    uscc: str
    name: str
    kind: str
    district_pk: int
    industry_pk: int | None


class _Weighted(Generic[T]):
    """Weighted choice with the cumulative weights computed once.  This is what ``random.choices`` does
    inside, minus its per-call list building, which showed in the profile at millions of draws."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    """Uniform choice with exactly one draw (``random.choice`` may draw several times)."""
    return items[int(rng.random() * len(items))]


# --- names ------------------------------------------------------------------------------------------

# Common surnames with approximate shares (per mille, 2020 household-registration statistics); the
# long tail is lumped into a flat remainder so rare surnames still appear.
_SURNAMES = _Weighted(
    [
        ("王", 74), ("李", 72), ("张", 69), ("刘", 54), ("陈", 46), ("杨", 33), ("黄", 22), ("赵", 22),
        ("吴", 20), ("周", 19), ("徐", 16), ("孙", 15), ("马", 15), ("朱", 13), ("胡", 12), ("郭", 12),
        ("何", 11), ("高", 11), ("林", 10), ("罗", 10), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 7),
        ("唐", 7), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6),
        ("肖", 6), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
        ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
        ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
        ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
        ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2),
        ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
        ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
        ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("覃", 1), ("武", 2), ("戴", 2),
        ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("欧阳", 0.3), ("司马", 0.05), ("上官", 0.05),
    ]
)  # fmt: skip

# Given-name characters by the sex they are usually given to, plus neutral ones used for both.
_MALE_CHARS = "伟强磊军勇杰涛明超华建国志刚平辉鹏文斌海波林峰浩宇俊鑫晨亮成龙飞凯旭东振兴宏德福庆春永毅健彬哲博"
_FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲婷雪慧燕红梅琳颖洁倩萍莉淑桂英兰凤琴云月欣悦佳怡晶蕾丹璐瑶蓉琪妍"
_NEUTRAL_CHARS = "文华明玉立新金晓秋雨家子嘉思一宁安心"
_SINGLE_GIVEN_SHARE = 0.25  # older registers hold many one-character given names


def _given_name(rng: random.Random, male: bool) -> str:
    own = _MALE_CHARS if male else _FEMALE_CHARS
    pool = own * 3 + _NEUTRAL_CHARS  # mostly sex-typical, sometimes neutral
    if rng.random() < _SINGLE_GIVEN_SHARE:
        return rng.choice(own)
    return rng.choice(pool) + rng.choice(pool)


# --- persons: identity --------------------------------------------------------------------------------

# Relative population of the districts (2020 census, 10,000 persons); unknown codes get an average.
_DISTRICT_POPULATION = {
    "120101": 35.5, "120102": 85.9, "120103": 82.2, "120104": 89.0, "120105": 64.8, "120106": 48.3,
    "120110": 85.7, "120111": 119.5, "120112": 92.8, "120113": 90.9, "120114": 115.1, "120115": 72.3,
    "120116": 206.7, "120117": 39.5, "120118": 78.7, "120119": 79.6,
}  # fmt: skip

# Certificate holders: physical disability dominates, then visual/hearing/intellectual/mental.
_CATEGORIES = _Weighted([(1, 11), (2, 12), (3, 2), (4, 48), (5, 11), (6, 11), (7, 5)])
# Level 1 is the most severe and the rarest.
_LEVELS = _Weighted([(1, 12), (2, 22), (3, 28), (4, 38)])
# Age bands (inclusive) and shares: the registry skews older; a few children and very old persons.
_AGE_BANDS = _Weighted([((6, 15), 2), ((16, 29), 11), ((30, 44), 19), ((45, 59), 33), ((60, 75), 30), ((76, 90), 5)])
_MALE_SHARE = 0.52
_PHONE_SECOND = _Weighted([("3", 30), ("5", 25), ("8", 25), ("7", 8), ("9", 10), ("6", 1), ("4", 1)])
_NO_PHONE_SHARE = 0.04
_REISSUED_SHARE = 0.02
# Every DUPLICATE_EVERY-th person repeats the previous person's name and birth date under another ID
# number (a second registration with a mistyped ID, possibly in another district): the duplicate-
# candidate list has something to show at any scale.
DUPLICATE_EVERY = 400


def _birth_date(rng: random.Random, today: date) -> date:
    lo, hi = _AGE_BANDS.pick(rng)
    # Any day from the (hi+1)th birthday's eve back to the lo-th birthday gives an age in [lo, hi].
    latest = today.toordinal() - round(lo * 365.2425)
    earliest = today.toordinal() - round((hi + 1) * 365.2425) + 1
    return date.fromordinal(rng.randint(earliest, latest))


class _CheckChars:
    """``core.identifiers.resident_id_check_char`` (MOD 11-2) from cached partial sums: district codes,
    birth dates and sequence numbers each recur thousands of times, and summing 17 digits per ID (plus
    formatting the date) showed in the profile.  The tests parse every generated ID with the core parser."""

    _WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    _CHECK = "10X98765432"

    def __init__(self) -> None:
        self._region: dict[str, int] = {}
        self._birth: dict[date, tuple[str, int]] = {}
        self._seq = [self._sum(f"{n:03d}", 14) for n in range(1000)]

    @classmethod
    def _sum(cls, digits: str, offset: int) -> int:
        return sum(int(c) * cls._WEIGHTS[offset + i] for i, c in enumerate(digits))

    def birth(self, birth: date) -> tuple[str, int]:
        """(YYYYMMDD, its partial sum)."""
        hit = self._birth.get(birth)
        if hit is None:
            ymd = f"{birth:%Y%m%d}"
            hit = self._birth[birth] = (ymd, self._sum(ymd, 6))
        return hit

    def number(self, region: str, birth: date, seq: int) -> tuple[int, str]:
        """(the 17-digit body as an int, the full 18-character ID number)."""
        r = self._region.get(region)
        if r is None:
            r = self._region[region] = self._sum(region, 0)
        ymd, b = self.birth(birth)
        body = f"{region}{ymd}{seq:03d}"
        return int(body), body + self._CHECK[(r + b + self._seq[seq]) % 11]


def _phone(rng: random.Random) -> str:
    return f"1{_PHONE_SECOND.pick(rng)}{rng.randrange(10**9):09d}"


@dataclass(slots=True)
class _Identity:
    surname: str
    name: str
    male: bool
    birth: date
    district: DistrictInfo
    number: str
    phone: str
    category: int
    level: int
    suffix: str
    street_pk: int | None = None
    street_name: str = ""


def _identities(
    count: int, seed: int, districts: Sequence[DistrictInfo], is_taken: Callable[[str], bool] | None, today: date
) -> Iterator[_Identity]:
    """The identity stream: exactly the draws of the first version, plus the duplicate candidates
    (drawn from their own stream, so the other persons do not move)."""
    rng = random.Random(f"ablework-demo-persons:{seed}")
    dup_rng = random.Random(f"ablework-demo-duplicates:{seed}")
    district_pick = _Weighted([(d, _DISTRICT_POPULATION.get(d.code, 80.0)) for d in districts])
    seen: set[int] = set()
    checks = _CheckChars()
    prev: _Identity | None = None
    for i in range(count):
        male = rng.random() < _MALE_SHARE
        surname = _SURNAMES.pick(rng)
        name = surname + _given_name(rng, male)
        district: DistrictInfo = district_pick.pick(rng)
        while True:
            birth = _birth_date(rng, today)
            # The last sequence digit carries the sex: odd for men, even for women.
            seq = rng.randrange(0, 100) * 10 + rng.randrange(1 if male else 0, 10, 2)
            key, number = checks.number(district.code, birth, seq)
            if key in seen:
                continue
            if is_taken is not None and is_taken(number):
                continue
            seen.add(key)
            break
        phone = ""
        if rng.random() >= _NO_PHONE_SHARE:
            phone = _phone(rng)
        # randrange(n) draws exactly as choice() did in the first version.
        street_i = rng.randrange(len(district.street_pks)) if district.street_pks else -1
        ident = _Identity(
            surname=surname,
            name=name,
            male=male,
            birth=birth,
            district=district,
            number=number,
            phone=phone,
            category=_CATEGORIES.pick(rng),
            level=_LEVELS.pick(rng),
            suffix="B1" if rng.random() < _REISSUED_SHARE else "",
        )
        if prev is not None and i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
            # Same name, sex and birth date as the previous person; half of them in the same district.
            ident.surname, ident.name, ident.male, ident.birth = prev.surname, prev.name, prev.male, prev.birth
            if dup_rng.random() < 0.5:
                ident.district = prev.district
                street_i = int(dup_rng.random() * len(prev.district.street_pks)) if prev.district.street_pks else -1
            ident.number = _duplicate_number(dup_rng, ident, seen, is_taken, checks)
        if street_i >= 0:
            ident.street_pk = ident.district.street_pks[street_i]
            names = ident.district.street_names
            ident.street_name = names[street_i] if street_i < len(names) else ""
        prev = ident
        yield ident


def _duplicate_number(
    rng: random.Random,
    ident: _Identity,
    seen: set[int],
    is_taken: Callable[[str], bool] | None,
    checks: _CheckChars,
) -> str:
    while True:
        seq = rng.randrange(0, 100) * 10 + rng.randrange(1 if ident.male else 0, 10, 2)
        key, number = checks.number(ident.district.code, ident.birth, seq)
        if key in seen:
            continue
        if is_taken is not None and is_taken(number):
            continue
        seen.add(key)
        return number


# --- persons: what is recorded about them -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkingAgeBand:
    """One row of the ``working_age`` parameter (city-wide), keyed by birth date."""

    valid_from: date
    valid_to: date | None
    limits: WorkingAge


class WorkingAgeTable:
    """The ``working_age`` parameter read once: ``limits_for(birth)`` picks what ``core.policy.get_param``
    would return on that birth date (city rows in force on it, the latest start first)."""

    def __init__(self, bands: Iterable[WorkingAgeBand]) -> None:
        self._bands = sorted(bands, key=lambda b: b.valid_from, reverse=True)
        self._cache: dict[date, WorkingAge] = {}

    @classmethod
    def national(cls) -> WorkingAgeTable:
        """The national system's limits (men 16–59, women 16–54), for use without a database."""
        return cls([WorkingAgeBand(date(1900, 1, 1), None, WorkingAge(16, 59, 54))])

    def limits_for(self, birth: date) -> WorkingAge:
        hit = self._cache.get(birth)
        if hit is None:
            for band in self._bands:
                if band.valid_from <= birth and (band.valid_to is None or band.valid_to >= birth):
                    hit = band.limits
                    break
            else:
                raise LookupError(f"政策参数“working_age”在{birth:%Y-%m-%d}没有全市的有效取值，请先维护该参数")
            self._cache[birth] = hit
        return hit


@dataclass(frozen=True, slots=True)
class EmployerRef:
    pk: int | None
    uscc: str
    name: str
    kind: str
    district_pk: int


class EmployerPool:
    """Employers that employment records may name, by group: ``formal`` (any kind but individual
    businesses: 按比例就业), ``welfare`` (every 15th enterprise: the 福利企业 of 集中就业) and
    ``individual`` (个体工商户).  ``pick`` prefers the person's district and always makes two draws."""

    def __init__(self, refs: Iterable[EmployerRef]) -> None:
        self._city: dict[str, list[EmployerRef]] = {"formal": [], "welfare": [], "individual": []}
        self._local: dict[str, dict[int, list[EmployerRef]]] = {g: {} for g in self._city}
        enterprises = 0
        for ref in refs:
            groups = ["individual"] if ref.kind == "individual" else ["formal"]
            if ref.kind == "enterprise":
                enterprises += 1
                if enterprises % 15 == 1:
                    groups.append("welfare")
            for g in groups:
                self._city[g].append(ref)
                self._local[g].setdefault(ref.district_pk, []).append(ref)

    def __len__(self) -> int:
        return len(self._city["formal"]) + len(self._city["individual"])

    def pick(self, rng: random.Random, group: str, district_pk: int) -> EmployerRef | None:
        local, index = rng.random(), rng.random()
        pool = self._local[group].get(district_pk) if local < 0.7 else None
        pool = pool or self._city[group]
        return pool[int(index * len(pool))] if pool else None


def _day(rng: random.Random, lo: int, hi: int) -> int:
    """The ordinal of a day between two ordinals, both included (one draw)."""
    return lo + int(rng.random() * (hi - lo + 1))


def _money(value: float) -> Decimal:
    """Whole tens of yuan, as wages are usually stated."""
    return Decimal(int(value / 10) * 10).quantize(Decimal("0.01"))


_ONE_DAY = timedelta(days=1)
_TEN_YEARS = 3652

# Shares (see the brief in the command's docstring).
_NON_HUKOU_SHARE = 0.015
_MILITARY_SHARE = 0.066  # of men aged 30 and over: about 3 % of everyone
_LAPSED_SHARE = 0.03  # current certificate expired, not renewed
_HISTORY_SHARE = 0.10  # an older, expired certificate as well
_STUDENT_SHARE = 0.16  # of persons aged 18–25: about 1 % of everyone
_EMPLOYED_BY_LEVEL = {1: 0.25, 2: 0.38, 3: 0.50, 4: 0.52, None: 0.45}  # about 45 % of working age overall
_PAST_SPELL_EMPLOYED = 0.25
_PAST_SPELL_UNEMPLOYED = 0.15
_WANTS_JOB = 0.45  # of the unemployed asked
_PRIOR_YEAR_CHECK = 0.5  # of those not yet checked this year
_DIFFICULTY_SHARE = 0.06  # of those who want work

_FORMS = _Weighted([("quota", 36), ("flexible", 20), ("individual", 12), ("concentrated", 10),
                    ("public_welfare", 7), ("assisted", 5), ("self_employed", 5)])  # fmt: skip
_FORMS_RURAL = _Weighted([("rural", 34), ("quota", 20), ("flexible", 16), ("individual", 9), ("concentrated", 6),
                          ("public_welfare", 6), ("assisted", 4), ("self_employed", 5)])  # fmt: skip
# Intellectual, mental and multiple disabilities: assisted employment (辅助性就业) is the common form.
_FORMS_ASSISTED = _Weighted([("assisted", 40), ("quota", 20), ("concentrated", 14), ("flexible", 12),
                             ("public_welfare", 8), ("individual", 6)])  # fmt: skip
_CONTRACT_MONTHS = _Weighted([(12, 25), (24, 20), (36, 30), (None, 25)])  # None: 无固定期限
_SOURCES_QUOTA = _Weighted([("declared", 55), ("partner", 20), ("officer", 20), ("import", 5)])
_SOURCES_OTHER = _Weighted([("officer", 70), ("import", 15), ("partner", 15)])
_FLEXIBLE_NOTES = ("网约配送", "家政服务", "社区便民服务", "网店经营", "手工编织", "居家客服", "保洁")
_RURAL_NOTES = ("蔬菜种植", "果树种植", "水产养殖", "家禽养殖", "农产品加工", "食用菌种植")
_ASSISTED_UNITS = ("阳光家园", "温馨家园", "残疾人辅助性就业中心", "康复托养中心")
_PWP_POSTS = ("社区助残员", "公园保洁员", "停车管理员", "社区协管员", "图书管理员", "绿化养护员", "治安巡逻员")
_PWP_INSURANCE = (Decimal("850.00"), Decimal("902.40"), Decimal("960.00"), Decimal("1020.60"))

_EDU_ADULT = _Weighted([("none", 5), ("primary", 15), ("junior", 40), ("senior", 15), ("vocational", 12),
                        ("college", 8), ("bachelor", 4.5), ("postgraduate", 0.5)])  # fmt: skip
_EDU_OLD = _Weighted([("none", 20), ("primary", 35), ("junior", 30), ("senior", 10), ("vocational", 3),
                      ("college", 1.5), ("bachelor", 0.5)])  # fmt: skip
_EDU_LOW = _Weighted([("none", 45), ("primary", 35), ("junior", 17), ("senior", 2), ("vocational", 1)])

_MILITARY_LEVELS = _Weighted([(1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (6, 8), (7, 12), (8, 16), (9, 20), (10, 28)])

_ROAD_WORDS = ("友谊", "南京", "解放", "卫津", "黑牛城", "紫金山", "气象台", "复兴", "成都", "重庆", "大沽南",
               "营口", "西康", "贵州", "睦南", "马场", "围堤", "津塘", "中山", "红星", "光华", "咸阳", "芥园",
               "白堤", "湘江", "珠江", "黄河", "长江", "卫国", "津滨", "京津", "福建", "河北", "建设")  # fmt: skip
_ROAD_KINDS = ("路", "道", "道", "大街")
_ROADS = tuple(w + k for w in _ROAD_WORDS for k in _ROAD_KINDS)
_URBAN_COMMUNITY = ("阳光", "和平里", "春华", "秀水", "康乐", "福安", "金华", "同安", "新园", "长青", "美华",
                    "翠园", "文化", "桂园", "丽苑", "嘉园", "万全", "梅江", "天塔", "友谊", "平安", "幸福",
                    "东风", "红星", "东湖", "南湖", "水上", "体院", "华苑", "龙潭", "朝阳", "新村")  # fmt: skip
_VILLAGE_HEAD = ("王", "李", "张", "刘", "大", "小", "东", "西", "南", "北", "前", "后", "中", "高", "杨", "马")
_VILLAGE_TAIL = ("家庄", "庄子", "营", "屯", "堡", "坨", "口", "店", "洼", "各庄", "辛庄", "官庄")

# 四个一 vocabulary (structured answers of the forms; keys follow the issue's field list).
_FUNCTIONS = ("行走", "站立", "上肢操作", "精细动作", "视力", "听力", "言语沟通", "理解与学习", "情绪稳定")
_SKILLS = ("电脑操作", "办公软件", "手工制作", "盲人按摩", "烹饪", "缝纫", "驾驶", "电商运营", "客服", "保洁", "绘画")
_JOBS = ("客服专员", "文员", "数据录入", "保洁员", "包装工", "按摩师", "电商客服", "仓库管理员", "收银员",
         "手工艺品制作", "绿化工", "保安", "厨师助理", "质检员")  # fmt: skip
_ACCOMMODATIONS = ("无障碍通道", "弹性工作时间", "读屏软件", "手语翻译", "就近安排", "工位调整", "助听设备")
_HOURS = ("全日制", "非全日制", "灵活工时")
_SERVICE_TYPES = _Weighted([("referral", 30), ("guidance", 20), ("policy", 20), ("training", 15),
                            ("entrepreneurship", 5), ("assisted", 4), ("public_welfare", 3), ("other", 3)])  # fmt: skip
_SERVICE_OUTCOMES = {
    "referral": ("推荐岗位2个，已安排面试", "推荐岗位1个，本人正在考虑", "推荐岗位3个，待用人单位反馈"),
    "guidance": ("开展职业指导，制定求职计划", "进行求职技巧辅导"),
    "policy": ("讲解就业扶持政策及补贴申领流程", "告知灵活就业社保补贴政策"),
    "training": ("报名参加电商客服培训班", "推荐参加盲人按摩培训", "推荐参加手工艺技能培训"),
    "entrepreneurship": ("讲解自主创业补贴政策，协助准备申请材料",),
    "assisted": ("推荐至辅助性就业机构，已试岗",),
    "public_welfare": ("推荐公益性岗位，待街道审核",),
    "other": ("电话回访，了解近况",),
}
_INFO_OUTCOMES = ("基础信息已核对，无变化", "已更新联系电话", "已更新居住地址", "基础信息已核对，本人在家")
_VISIT_WAYS = ("入户走访", "电话核对", "到社区服务站")

_SCHOOLS = ("天津大学", "南开大学", "天津理工大学", "天津理工大学聋人工学院", "天津师范大学", "天津职业技术师范大学",
            "天津医科大学", "天津中医药大学", "天津商业大学", "天津财经大学", "天津城建大学", "天津科技大学",
            "天津工业大学", "天津外国语大学", "天津农学院", "天津轻工职业技术学院", "天津医学高等专科学校",
            "长春大学特殊教育学院", "北京联合大学特殊教育学院", "滨州医学院特殊教育学院")  # fmt: skip
_DEAF_SCHOOLS = ("天津理工大学聋人工学院", "北京联合大学特殊教育学院", "长春大学特殊教育学院")
_MAJORS = ("计算机科学与技术", "视觉传达设计", "会计学", "社会工作", "汉语言文学", "电子商务", "针灸推拿学",
           "康复治疗学", "软件工程", "工商管理", "数字媒体技术", "英语", "服装与服饰设计", "法学")  # fmt: skip
_DEAF_MAJORS = ("视觉传达设计", "数字媒体艺术", "计算机科学与技术", "服装与服饰设计", "环境设计")
_STUDENT_STATUSES = _Weighted([("seeking", 45), ("employed", 40), ("further_study", 10), ("other", 5)])
_PLAN_STEPS = ("开展一对一职业指导", "推荐适合的实习岗位", "组织参加残疾人专场招聘会", "落实求职创业补贴",
               "提供简历修改与面试辅导", "对接用人单位开展岗位适配", "推荐参加职业技能培训", "协调无障碍工作环境")  # fmt: skip
_PLAN_ENTRY_TYPES = ("guidance", "referral", "training", "policy")


@dataclass(frozen=True, slots=True)
class _Rates:
    info: float  # share of the unemployed of working age with an info check this year
    four: float  # share of those who want work with all four services this year


def _district_rates(seed: int, district: DistrictInfo) -> _Rates:
    rng = random.Random(f"ablework-demo-rates:{seed}:{district.code}")
    return _Rates(info=0.40 + 0.50 * rng.random(), four=0.30 + 0.55 * rng.random())


@dataclass(slots=True)
class _Ctx:
    """What the record generators of one person need to know about them."""

    ident: _Identity
    rural: bool
    sixteen: int  # ordinal of the 16th birthday (no employment before it)


def _plus_years(d: date, years: int) -> date:
    """``rules.add_months(d, 12 * years)``, faster: 29 February becomes 28 February."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 2, 28)


def _birthday(birth: date, years: int) -> date:
    """The ``years``-th birthday (29 February → 1 March, as ``rules.age_on`` counts it)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


class _Life:
    """Everything recorded about a person, drawn from the life stream."""

    def __init__(
        self,
        seed: int,
        districts: Sequence[DistrictInfo],
        as_of: date,
        working_age: WorkingAgeTable,
        employers: EmployerPool,
        min_wage: Decimal,
        difficulty_months: int,
    ) -> None:
        self.rng = random.Random(f"ablework-demo-life:{seed}")
        self.as_of = as_of
        self.as_of_ord = as_of.toordinal()
        self.year_start = date(as_of.year, 1, 1).toordinal()
        self.working_age = working_age
        self.employers = employers
        self.min_wage = min_wage
        self.min_wage_f = float(min_wage)
        self.difficulty_months = difficulty_months
        self.rates = {d.pk: _district_rates(seed, d) for d in districts}
        self._communities: dict[tuple[int, int | None], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    # -- place ------------------------------------------------------------------------------------

    def communities(self, district: DistrictInfo, street_pk: int | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(urban, rural) community names of a street: fixed per street, whatever the seed."""
        key = (district.pk, street_pk)
        hit = self._communities.get(key)
        if hit is None:
            r = random.Random(f"ablework-demo-communities:{district.code}:{street_pk}")
            urban = tuple(f"{_pick(r, _URBAN_COMMUNITY)}{_pick(r, ('', '里', '园', '苑'))}社区" for _ in range(8))
            rural = tuple(f"{_pick(r, _VILLAGE_HEAD)}{_pick(r, _VILLAGE_TAIL)}村" for _ in range(10))
            hit = self._communities[key] = (urban, rural)
        return hit

    def place(self, ident: _Identity) -> tuple[bool, str, str]:
        rng = self.rng
        town = ident.street_name.endswith(("镇", "乡"))
        u = rng.random()
        rural = ident.district.agricultural and u < (0.75 if town else 0.08)
        urban_names, rural_names = self.communities(ident.district, ident.street_pk)
        community = _pick(rng, rural_names if rural else urban_names)
        if rural:
            address = f"{ident.district.name}{ident.street_name}{community}{1 + int(rng.random() * 300)}号"
        else:
            r = rng.random
            road, number = _pick(rng, _ROADS), 1 + int(r() * 200)
            building, unit, room = 1 + int(r() * 20), 1 + int(r() * 6), (1 + int(r() * 18)) * 100 + 1 + int(r() * 4)
            address = f"{ident.district.name}{road}{number}号{building}号楼{unit}门{room}"
        return rural, community, address

    # -- person -----------------------------------------------------------------------------------

    def education(self, age: int, category: int | None) -> str:
        rng = self.rng
        if age < 18:
            if category == 5 and rng.random() < 0.5:
                return "none"  # 特殊教育学校 or at home
            return "primary" if age < 12 else "junior" if age < 15 else ("senior", "vocational")[int(rng.random() * 2)]
        if category in (5, 7):
            return _EDU_LOW.pick(rng)
        return (_EDU_OLD if age >= 60 else _EDU_ADULT).pick(rng)

    def guardian(self, ident: _Identity, age: int) -> tuple[str, str, str]:
        rng = self.rng
        if age < 18:
            relation = "父亲" if rng.random() < 0.7 else "母亲"
        elif age < 45:
            relation = ("父亲", "母亲", "母亲", "兄弟姐妹")[int(rng.random() * 4)]
        elif age < 65:
            relation = ("配偶", "配偶", "子女", "兄弟姐妹")[int(rng.random() * 4)]
        else:
            relation = ("子女", "子女", "子女", "配偶")[int(rng.random() * 4)]
        if relation in ("父亲", "母亲", "配偶"):
            male = relation == "父亲" or (relation == "配偶" and not ident.male)
        else:
            male = rng.random() < 0.5
        # Fathers, siblings and children share the surname; mothers and spouses have their own.
        surname = _SURNAMES.pick(rng) if relation in ("母亲", "配偶") else ident.surname
        return surname + _given_name(rng, male), relation, _phone(rng)

    def certificates(self, ident: _Identity, age: int) -> tuple[CertSpec, ...]:
        rng = self.rng
        as_of = self.as_of_ord
        birth = ident.birth.toordinal()
        if ident.male and age >= 30 and rng.random() < _MILITARY_SHARE:
            # 残疾军人证: free-text number, level 1–10, no expiry; no 残疾人证 category or level.
            number = f"津军残字第{int(rng.random() * 10**7):07d}号"
            issued = date.fromordinal(_day(rng, birth + 18 * 365, as_of - 30))
            return (CertSpec("military", number, "MIL:" + number, None, None, _MILITARY_LEVELS.pick(rng), "",
                             issued, None),)  # fmt: skip
        earliest = birth + 365
        lapsed = age >= 16 and rng.random() < _LAPSED_SHARE
        if lapsed:
            issued_ord = as_of - _TEN_YEARS - 2 - int(rng.random() * 1460)
            lapsed = issued_ord >= earliest
        if not lapsed:
            lo = max(earliest, as_of - _TEN_YEARS + 12)
            issued_ord = lo + int(rng.random() * max(1, as_of - lo))
        issued = date.fromordinal(issued_ord)
        base = ident.number
        current = CertSpec(
            "cdpf", f"{base}{ident.category}{ident.level}{ident.suffix}", f"CERT:{base}{ident.category}{ident.level}",
            ident.category, ident.level, None, ident.suffix, issued, _plus_years(issued, 10) - _ONE_DAY,
        )  # fmt: skip
        if rng.random() >= _HISTORY_SHARE:
            return (current,)
        # The certificate before: expired the day before the current one was issued (or earlier);
        # 40 % were assessed at another level then.
        old_ord = issued_ord - _TEN_YEARS - 1 - int(rng.random() * 365)
        if old_ord < earliest:
            return (current,)
        level = ident.level
        if rng.random() < 0.4:
            level = level + 1 if level < 4 else level - 1
        old_issued = date.fromordinal(old_ord)
        old = CertSpec(
            "cdpf", f"{base}{ident.category}{level}", f"CERT:{base}{ident.category}{level}",
            ident.category, level, None, "", old_issued, _plus_years(old_issued, 10) - _ONE_DAY,
        )  # fmt: skip
        return (old, current)

    # -- employment -------------------------------------------------------------------------------

    def _form(self, ctx: _Ctx, category: int | None) -> str:
        if category in (5, 6, 7):
            table = _FORMS_ASSISTED
        elif ctx.rural:
            table = _FORMS_RURAL
        else:
            table = _FORMS
        form = table.pick(self.rng)
        return "flexible" if form == "rural" and not ctx.rural else form

    def spell(self, ctx: _Ctx, form: str, start: int, end: int | None, contract: int | None) -> EmploymentSpec:
        rng = self.rng
        ident = ctx.ident
        wage: float | None = None
        employer: EmployerRef | None = None
        name = uscc = note = ""
        on_establishment = False
        insurance = False
        source = _SOURCES_OTHER.pick(rng)
        placement: PlacementSpec | None = None
        start_d = date.fromordinal(start)
        end_d = date.fromordinal(end) if end is not None else None
        # The draws below never depend on whether the pool had an employer (fallback names are drawn
        # either way), so the number of seeded employers does not shift the rest of the stream.
        if form in ("quota", "concentrated"):
            employer = self.employers.pick(rng, "formal" if form == "quota" else "welfare", ident.district.pk)
            name = f"天津{_pick(rng, _TRADE_WORDS)}{_pick(rng, _INDUSTRY_WORDS)}有限公司"  # when not linked
            wage = self.min_wage_f * (1.0 + rng.random() * (1.6 if form == "quota" else 0.5))
            insurance = rng.random() < 0.95
            public_body = employer is not None and employer.kind in ("agency", "institution")
            on_establishment = rng.random() < 0.8 and public_body
            source = _SOURCES_QUOTA.pick(rng)
        elif form in ("individual", "self_employed"):
            employer = self.employers.pick(rng, "individual", ident.district.pk) if rng.random() < 0.6 else None
            word = _pick(rng, _INDIVIDUAL_WORDS) if form == "individual" else "工作室"
            name = f"{ident.district.name}{_pick(rng, _TRADE_WORDS)}{word}"  # when not linked
            wage = 2000 + rng.random() * 6000 if rng.random() < 0.5 else None
            insurance = rng.random() < 0.35
            note = "自主创业" if form == "self_employed" else ""
        elif form == "public_welfare":
            street = ident.street_name or ident.district.name
            name = f"{street}办事处" if street.endswith("街道") else f"{street}人民政府"
            wage = self.min_wage_f
            insurance = True
            placement = PlacementSpec(
                post=_pick(rng, _PWP_POSTS), unit=name, start_date=start_d, end_date=end_d or start_d,
                post_subsidy_monthly=self.min_wage, insurance_subsidy_monthly=_pick(rng, _PWP_INSURANCE),
            )  # fmt: skip
        elif form == "assisted":
            name = f"{ident.district.name}{_pick(rng, _ASSISTED_UNITS)}"
            wage = 600 + rng.random() * 1200
        elif form == "flexible":
            note = _pick(rng, _FLEXIBLE_NOTES)
            wage = 1500 + rng.random() * 3500 if rng.random() < 0.4 else None
            insurance = rng.random() < 0.2
        else:  # rural
            note = _pick(rng, _RURAL_NOTES)
        if employer is not None:
            name, uscc = employer.name, employer.uscc
        return EmploymentSpec(  # positional, in field order (see PersonSpec)
            form, employer.pk if employer is not None else None, name, uscc, start_d, end_d, contract,
            on_establishment, _money(wage) if wage is not None else None, insurance, source, note, placement,
        )  # fmt: skip

    def current_spell(self, ctx: _Ctx, form: str, start: int | None = None) -> EmploymentSpec:
        """A spell that is running on ``as_of``."""
        rng = self.rng
        as_of = self.as_of_ord
        contract = (
            36
            if form == "public_welfare"
            else _CONTRACT_MONTHS.pick(rng)
            if form in ("quota", "concentrated")
            else None
        )
        end: int | None = None
        if start is None:
            # With a contract: started within its term, so it ends on or after as_of.
            start = as_of - int(rng.random() * (contract * 28 if contract else 3650))
        start = min(start, as_of)
        if start < ctx.sixteen:
            start, contract = ctx.sixteen, None
            form = "flexible" if form == "public_welfare" else form
        if contract:
            end = (add_months(date.fromordinal(start), contract) - _ONE_DAY).toordinal()
            if end < as_of:  # a given start long ago: the contract was renewed as open-ended
                end, contract = None, None
        return self.spell(ctx, form, start, end, contract)

    def past_spell(self, ctx: _Ctx, form: str, before: int) -> EmploymentSpec | None:
        """A spell that ended before the ordinal ``before``; None when the person was too young."""
        rng = self.rng
        end = before - 1 - int(rng.random() * 700)
        if form == "public_welfare":
            start = (add_months(date.fromordinal(end + 1), -36)).toordinal()
            contract: int | None = 36
        else:
            start = end - 90 - int(rng.random() * 1800)
            contract = _CONTRACT_MONTHS.pick(rng) if form in ("quota", "concentrated") else None
        if start < ctx.sixteen:
            return None
        return self.spell(ctx, form, start, end, contract)

    # -- 四个一 -----------------------------------------------------------------------------------

    def _unit(self, ctx: _Ctx, kind: str) -> str:
        if kind in ("ability_assessment", "service"):
            return f"{ctx.ident.district.name}残疾人就业服务中心"
        return f"{ctx.ident.street_name or ctx.ident.district.name}残联"

    def _sample(self, items: Sequence[str], k: int) -> list[str]:
        rng = self.rng
        out: list[str] = []
        for _ in range(k):
            item = _pick(rng, items)
            if item not in out:
                out.append(item)
        return out

    def info_check(self, ctx: _Ctx, day: int, wants: bool) -> ServiceSpec:
        rng = self.rng
        return ServiceSpec(
            kind="info_check",
            service_type="",
            date=date.fromordinal(day),
            unit=self._unit(ctx, "info_check"),
            outcome=_pick(rng, _INFO_OUTCOMES) + ("，有就业意愿" if wants else "，暂无就业意愿"),
            details={"wants_job": wants, "way": _pick(rng, _VISIT_WAYS), "address_confirmed": rng.random() < 0.9},
        )

    def assessment(self, ctx: _Ctx, day: int) -> ServiceSpec:
        jobs = self._sample(_JOBS, 3)
        return ServiceSpec(
            kind="ability_assessment",
            service_type="",
            date=date.fromordinal(day),
            unit=self._unit(ctx, "ability_assessment"),
            outcome=f"具备一定就业能力，适合从事{'、'.join(jobs)}等岗位",
            details={
                "functional_abilities": self._sample(_FUNCTIONS, 3),
                "skills": self._sample(_SKILLS, 2),
                "suitable_jobs": jobs,
                "accommodations": self._sample(_ACCOMMODATIONS, 2),
            },
        )

    def need_registration(self, ctx: _Ctx, day: int) -> ServiceSpec:
        rng = self.rng
        jobs = self._sample(_JOBS, 2)
        return ServiceSpec(
            kind="need_registration",
            service_type="",
            date=date.fromordinal(day),
            unit=self._unit(ctx, "need_registration"),
            outcome=f"登记求职意向：{'、'.join(jobs)}",
            details={
                "desired_jobs": jobs,
                "hours": _pick(rng, _HOURS),
                "area": ctx.ident.district.name,
                "accommodations": self._sample(_ACCOMMODATIONS, 1),
                "training_wish": rng.random() < 0.4,
            },
        )

    def service(self, ctx: _Ctx, day: int) -> ServiceSpec:
        rng = self.rng
        kind = _SERVICE_TYPES.pick(rng)
        return ServiceSpec(
            kind="service",
            service_type=kind,
            date=date.fromordinal(day),
            unit=self._unit(ctx, "service"),
            outcome=_pick(rng, _SERVICE_OUTCOMES[kind]),
            details={"service_type": kind},
            follow_up_on=date.fromordinal(day + 30),
        )

    def services(self, ctx: _Ctx, student_seeking: bool) -> tuple[bool | None, list[ServiceSpec], int | None]:
        """(wants_job, service records, day the wish was stated) of an unemployed person of working age."""
        rng = self.rng
        rates = self.rates[ctx.ident.district.pk]
        as_of, year_start = self.as_of_ord, self.year_start
        out: list[ServiceSpec] = []
        # Graduates on the student ledger who seek work are in touch with an officer: always checked.
        if rng.random() < rates.info or student_seeking:
            wants = student_seeking or rng.random() < _WANTS_JOB
            d_info = _day(rng, year_start, as_of)
            if rng.random() < 0.25:  # last year's check as well (history)
                out.append(self.info_check(ctx, _day(rng, year_start - 365, year_start - 1), wants))
            out.append(self.info_check(ctx, d_info, wants))
            if wants:
                if rng.random() < rates.four:
                    todo = (True, True, True)
                else:
                    todo = (rng.random() < 0.5, rng.random() < 0.5, rng.random() < 0.25)
                last = d_info
                if todo[0]:
                    last = _day(rng, d_info, as_of)
                    out.append(self.assessment(ctx, last))
                if todo[1]:
                    day = _day(rng, d_info, as_of)
                    last = max(last, day)
                    out.append(self.need_registration(ctx, day))
                if todo[2]:
                    out.append(self.service(ctx, _day(rng, last, as_of)))
            return wants, out, d_info
        if rng.random() < _PRIOR_YEAR_CHECK:
            wants = rng.random() < _WANTS_JOB
            day = _day(rng, year_start - 365, year_start - 1)
            out.append(self.info_check(ctx, day, wants))
            if wants and rng.random() < 0.5:
                out.append(self.need_registration(ctx, _day(rng, day, year_start - 1)))
            return wants, out, day
        return None, out, None

    def difficulty(self) -> DifficultySpec:
        rng = self.rng
        as_of = self.as_of_ord
        criteria = {
            "tianjin_hukou": True, "working_age": True, "able_and_willing": True, "registered_unemployed": True,
            "referral_failed": True, "certificate_valid": True, "employed": False, "eligible": True,
        }  # fmt: skip
        if rng.random() < 0.3:
            return DifficultySpec("submitted", date.fromordinal(as_of - int(rng.random() * 30)), None, None, criteria)
        # Approved and still valid on as_of.
        valid_from = as_of - int(rng.random() * (self.difficulty_months * 28))
        start = date.fromordinal(valid_from)
        applied = date.fromordinal(valid_from - 5 - int(rng.random() * 15))
        return DifficultySpec(
            "approved", applied, start, add_months(start, self.difficulty_months) - _ONE_DAY, criteria
        )

    # -- college students -------------------------------------------------------------------------

    def student(self, ident: _Identity, age: int) -> StudentSpec:
        rng = self.rng
        year = self.as_of.year
        grad = min(year + 3, max(year - 2, year + 22 - age + int(rng.random() * 2)))
        graduated = grad < year or (grad == year and self.as_of.month >= 7)
        status = _STUDENT_STATUSES.pick(rng) if graduated else "in_school"
        deaf = ident.category == 2 and rng.random() < 0.5
        school = _pick(rng, _DEAF_SCHOOLS) if deaf else _pick(rng, _SCHOOLS)
        major = _pick(rng, _DEAF_MAJORS if deaf else _MAJORS)
        u = rng.random()
        degree = "postgraduate" if age >= 23 and u < 0.08 else "college" if u < 0.45 else "bachelor"
        steps = self._sample(_PLAN_STEPS, 3)
        plan = "；".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
        outcome = {"employed": "已实现就业", "further_study": "已升学深造", "seeking": "持续跟踪，定期推荐岗位",
                   "other": "本人暂缓就业", "in_school": ""}[status]  # fmt: skip
        entries = []
        for _ in range(1 + int(rng.random() * 3)):
            kind = _pick(rng, _PLAN_ENTRY_TYPES)
            day = date.fromordinal(_day(rng, self.as_of_ord - 300, self.as_of_ord))
            entries.append(PlanEntrySpec(day, kind, _pick(rng, _PLAN_STEPS), _pick(rng, _SERVICE_OUTCOMES[kind])))
        entries.sort(key=lambda e: e.date)
        return StudentSpec(school, major, degree, grad, status, plan, outcome, tuple(entries))

    # -- all of it --------------------------------------------------------------------------------

    def person(self, ident: _Identity) -> PersonSpec:
        rng = self.rng
        as_of, as_of_ord = self.as_of, self.as_of_ord
        sex = "M" if ident.male else "F"
        age = age_on(ident.birth, as_of)
        hukou = rng.random() >= _NON_HUKOU_SHARE
        rural, community, address = self.place(ident)
        certs = self.certificates(ident, age)
        cert = certs[-1]
        category = cert.category
        phone = "" if age < 14 else ident.phone
        guardian = ("", "", "")
        if age < 18 or (category in (5, 6) and cert.level in (1, 2)):
            guardian = self.guardian(ident, age)
        student = None
        if 18 <= age <= 25 and cert.kind == "cdpf" and rng.random() < _STUDENT_SHARE:
            student = self.student(ident, age)
        education = student.degree if student else self.education(age, category)

        ctx = _Ctx(ident, rural, _birthday(ident.birth, 16).toordinal())
        limits = self.working_age.limits_for(ident.birth)
        working = is_working_age(ident.birth, sex, as_of, limits)
        spells: list[EmploymentSpec] = []
        services: list[ServiceSpec] = []
        wants: bool | None = None
        wish_day: int | None = None
        difficulty = None
        if working:
            if student is not None:
                employed = student.status == "employed"
            else:
                employed = rng.random() < _EMPLOYED_BY_LEVEL[cert.level]
            if employed:
                if student is not None:
                    start = min(as_of_ord, date(student.graduation_year, 7, 1).toordinal() + int(rng.random() * 90))
                    current = self.current_spell(ctx, "quota" if rng.random() < 0.7 else "flexible", start)
                else:
                    current = self.current_spell(ctx, self._form(ctx, category))
                if student is None and rng.random() < _PAST_SPELL_EMPLOYED:
                    past = self.past_spell(ctx, self._form(ctx, category), current.start_date.toordinal())
                    if past is not None:
                        spells.append(past)
                spells.append(current)
                if rng.random() < 0.3:
                    wants = True  # stated when registering for work, before this job
            else:
                if student is None and rng.random() < _PAST_SPELL_UNEMPLOYED:
                    past = self.past_spell(ctx, self._form(ctx, category), as_of_ord - 60)
                    if past is not None:
                        spells.append(past)
                wants, services, wish_day = self.services(ctx, student is not None and student.status == "seeking")
                eligible = hukou and (cert.valid_until is None or cert.valid_until >= as_of)
                if wants and eligible and student is None and rng.random() < _DIFFICULTY_SHARE:
                    difficulty = self.difficulty()
        status = derive_status(
            working_age=working, spells=[Spell(s.start_date, s.end_date) for s in spells], wants_job=wants, on=as_of
        )
        if status == "employed":
            since = spells[-1].start_date
        elif wish_day is not None and status in ("wants_work", "no_wish"):
            since = date.fromordinal(wish_day)
        elif spells and spells[-1].end_date is not None and spells[-1].end_date < as_of:
            since = spells[-1].end_date + _ONE_DAY
        else:
            since = as_of
        # Positional: keyword arguments cost five times as much at 30 fields (field order of PersonSpec).
        return PersonSpec(
            ident.name, ident.number, sex, ident.birth, ident.district.pk, ident.street_pk, phone,
            category, cert.level, cert.suffix, cert.kind, cert.military_level, cert.valid_until,
            community, address, hukou, "rural" if rural else "urban", education,
            guardian[0], guardian[1], guardian[2],
            wants, status, since,
            certs, tuple(spells), tuple(services), difficulty, student,
        )  # fmt: skip


def generate_persons(
    count: int,
    seed: int,
    districts: Sequence[DistrictInfo],
    *,
    is_taken: Callable[[str], bool] | None = None,
    today: date = REFERENCE_DATE,
    as_of: date | None = None,
    working_age: WorkingAgeTable | None = None,
    employers: EmployerPool | None = None,
    min_wage: Decimal = Decimal("2320.00"),
    difficulty_months: int = 36,
) -> Iterator[PersonSpec]:
    """Yield ``count`` persons with their records.  Resident IDs are unique within the run (a set of
    the 17-digit bodies; a clash is redrawn), and ``is_taken`` lets the caller reject IDs already in
    the database.  ``today`` anchors the birth dates, ``as_of`` (default ``today``) the records and
    the derived status; ``working_age`` defaults to the national limits, ``employers`` to none (records
    then name employers without linking them)."""
    if not districts:
        raise ValueError("no districts: load the reference data first")
    life = _Life(
        seed,
        districts,
        as_of or today,
        working_age or WorkingAgeTable.national(),
        employers or EmployerPool(()),
        min_wage,
        difficulty_months,
    )
    for ident in _identities(count, seed, districts, is_taken, today):
        yield life.person(ident)


# --- employers ---------------------------------------------------------------------------------------

# Kind → USCC registration department + category (GB 32100), and the share of registered employers.
_KIND_PREFIX = {
    "enterprise": "91",
    "soe": "91",
    "agency": "11",
    "institution": "12",
    "social_org": "51",
    "individual": "92",
}
_KINDS = _Weighted(
    [("enterprise", 70), ("individual", 15), ("soe", 4), ("institution", 5), ("agency", 2), ("social_org", 4)]
)
_TRADE_WORDS = ("宏达", "鑫源", "华泰", "恒信", "津诚", "海河", "渤海", "盛世", "中和", "瑞丰", "金桥", "新港", "众诚", "启航", "万通", "德润", "天宇", "嘉禾", "汇丰", "同创", "远洋", "博远", "联合", "安泰", "永兴", "东方", "北方", "华信", "康达", "明德", "智联", "开元", "兴业", "泰和", "广源", "鼎盛", "长城", "津港", "和兴", "达通", "正阳", "润泽", "卓越", "英才", "福源", "顺达", "荣华", "新兴", "致远", "信诚")  # fmt: skip
_INDUSTRY_WORDS = ("科技", "贸易", "物流", "建设工程", "机械制造", "电子", "食品", "餐饮管理", "物业服务", "医药", "商贸", "信息技术", "环保科技", "汽车配件", "纺织", "印务", "文化传媒", "人力资源", "家政服务", "包装材料", "新材料", "电气设备", "供应链管理", "实业")  # fmt: skip
_ENTERPRISE_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
_SOE_FORMS = ("集团有限公司", "有限责任公司", "投资有限公司")
_AGENCY_WORDS = ("民政局", "人力资源和社会保障局", "财政局", "教育局", "卫生健康委员会", "市场监督管理局", "税务局",
                 "住房和城乡建设委员会", "城市管理委员会", "司法局", "统计局", "退役军人事务局")  # fmt: skip
_INSTITUTION_WORDS = ("社会福利服务中心", "职业技能培训中心", "公共就业服务中心", "疾病预防控制中心", "档案馆",
                      "图书馆", "康复医院", "第一中学", "实验小学", "特殊教育学校", "残疾人就业服务中心")  # fmt: skip
_SOCIAL_WORDS = ("残疾人福利基金会", "助残志愿者协会", "家庭服务业协会", "社会工作服务中心", "康复服务中心",
                 "职业培训学校", "养老服务中心", "心智障碍者家长协会")  # fmt: skip
_INDIVIDUAL_WORDS = ("便利店", "理发店", "盲人按摩店", "小吃部", "五金商店", "水果店", "维修部", "洗衣店", "文印部")
_USCC_BODY_CHARS = USCC_ALPHABET  # digits and the letters allowed in a credit code
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an organisation code, so generated codes raise no parser warning."""
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    r = 11 - s % 11
    return {10: "X", 11: "0"}.get(r, str(r))


def _org_body(rng: random.Random, kind: str) -> str:
    # New-style codes of enterprises start with "MA", individual businesses with "L"; public bodies keep
    # their old all-digit organisation codes.
    if kind in ("enterprise", "soe") and rng.random() < 0.8:
        return "MA" + "".join(rng.choices(_USCC_BODY_CHARS, k=6))
    if kind == "individual":
        return "L" + "".join(rng.choices(_USCC_BODY_CHARS, k=7))
    return f"{rng.randrange(10**8):08d}"


def _employer_name(rng: random.Random, kind: str, district: DistrictInfo) -> str:
    trade = rng.choice(_TRADE_WORDS)
    if kind == "enterprise":
        place = "天津" if rng.random() < 0.7 else f"天津{district.name.removesuffix('区').removesuffix('新')}"
        return f"{place}{trade}{rng.choice(_INDUSTRY_WORDS)}{rng.choice(_ENTERPRISE_FORMS)}"
    if kind == "soe":
        return f"天津{trade}{rng.choice(_INDUSTRY_WORDS)}{rng.choice(_SOE_FORMS)}"
    if kind == "agency":
        return f"天津市{district.name}{rng.choice(_AGENCY_WORDS)}"
    if kind == "institution":
        return f"天津市{district.name}{rng.choice(_INSTITUTION_WORDS)}"
    if kind == "social_org":
        return f"天津市{district.name}{trade}{rng.choice(_SOCIAL_WORDS)}"
    return f"{district.name}{trade}{rng.choice(_INDIVIDUAL_WORDS)}"


def generate_employers(
    count: int,
    seed: int,
    districts: Sequence[DistrictInfo],
    industry_pks: Sequence[int],
    *,
    is_taken: Callable[[str], bool] | None = None,
) -> Iterator[EmployerSpec]:
    """Yield ``count`` employers with valid, run-unique credit codes (``is_taken`` rejects codes that
    are already in the database)."""
    if not districts:
        raise ValueError("no districts: load the reference data first")
    rng = random.Random(f"ablework-demo-employers:{seed}")
    district_pick = _Weighted([(d, _DISTRICT_POPULATION.get(d.code, 80.0)) for d in districts])
    seen: set[str] = set()
    for _ in range(count):
        kind: str = _KINDS.pick(rng)
        district: DistrictInfo = district_pick.pick(rng)
        while True:
            body8 = _org_body(rng, kind)
            first17 = f"{_KIND_PREFIX[kind]}{district.code}{body8}{org_code_check_char(body8)}"
            code = first17 + uscc_check_char(first17)
            if code in seen or (is_taken is not None and is_taken(code)):
                continue
            seen.add(code)
            break
        yield EmployerSpec(
            uscc=code,
            name=_employer_name(rng, kind, district),
            kind=kind,
            district_pk=district.pk,
            industry_pk=rng.choice(industry_pks) if industry_pks else None,
        )
