"""Deterministic demo data: persons with disabilities and employers of Tianjin.

Everything is drawn from one ``random.Random`` per stream, seeded from the run's seed, so the same seed
always produces the same names, ID numbers and codes (only the ciphertext differs: its nonce is random).
Persons and employers use separate streams, so asking for more employers does not change the persons.

The generators are pure: they take the reference data as plain values (``DistrictInfo``) and yield
plain rows, so they can be tested and benchmarked without a database, and the command decides how to
write them (ORM ``bulk_create`` or PostgreSQL ``COPY``).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import Generic, TypeVar

from ablework.core.identifiers import USCC_ALPHABET, resident_id_check_char, uscc_check_char

T = TypeVar("T")

__all__ = [
    "REFERENCE_DATE",
    "DistrictInfo",
    "EmployerSpec",
    "PersonSpec",
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


@dataclass(frozen=True, slots=True)
class PersonSpec:
    name: str
    resident_id: str
    sex: str  # "M" / "F", agrees with the sequence digit of the ID
    birth_date: date
    district_pk: int
    street_pk: int | None
    phone: str
    disability_category: int
    disability_level: int
    cert_suffix: str


@dataclass(frozen=True, slots=True)
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


# --- persons -----------------------------------------------------------------------------------------

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


def _birth_date(rng: random.Random, today: date) -> date:
    lo, hi = _AGE_BANDS.pick(rng)
    # Any day from the (hi+1)th birthday's eve back to the lo-th birthday gives an age in [lo, hi].
    latest = today.toordinal() - round(lo * 365.2425)
    earliest = today.toordinal() - round((hi + 1) * 365.2425) + 1
    return date.fromordinal(rng.randint(earliest, latest))


def generate_persons(
    count: int,
    seed: int,
    districts: Sequence[DistrictInfo],
    *,
    is_taken: Callable[[str], bool] | None = None,
    today: date = REFERENCE_DATE,
) -> Iterator[PersonSpec]:
    """Yield ``count`` persons.  Resident IDs are unique within the run (a set of the 17-digit bodies;
    a clash is redrawn), and ``is_taken`` lets the caller reject IDs already in the database."""
    if not districts:
        raise ValueError("no districts: load the reference data first")
    rng = random.Random(f"ablework-demo-persons:{seed}")
    district_pick = _Weighted([(d, _DISTRICT_POPULATION.get(d.code, 80.0)) for d in districts])
    seen: set[int] = set()
    for _ in range(count):
        male = rng.random() < _MALE_SHARE
        name = _SURNAMES.pick(rng) + _given_name(rng, male)
        district: DistrictInfo = district_pick.pick(rng)
        while True:
            birth = _birth_date(rng, today)
            # The last sequence digit carries the sex: odd for men, even for women.
            seq = rng.randrange(0, 100) * 10 + rng.randrange(1 if male else 0, 10, 2)
            body = f"{district.code}{birth:%Y%m%d}{seq:03d}"
            key = int(body)
            if key in seen:
                continue
            number = body + resident_id_check_char(body)
            if is_taken is not None and is_taken(number):
                continue
            seen.add(key)
            break
        phone = ""
        if rng.random() >= _NO_PHONE_SHARE:
            phone = f"1{_PHONE_SECOND.pick(rng)}{rng.randrange(10**9):09d}"
        yield PersonSpec(
            name=name,
            resident_id=number,
            sex="M" if male else "F",
            birth_date=birth,
            district_pk=district.pk,
            street_pk=rng.choice(district.street_pks) if district.street_pks else None,
            phone=phone,
            disability_category=_CATEGORIES.pick(rng),
            disability_level=_LEVELS.pick(rng),
            cert_suffix="B1" if rng.random() < _REISSUED_SHARE else "",
        )


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
