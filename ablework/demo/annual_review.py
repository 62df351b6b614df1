"""Demo data of the annual review (年审, ``ablework.quota``): campaigns, declarations in every state,
levy results, payments, credit events and the published disclosure, on top of what ``seed_demo`` made.

``seed_annual_review(data_year=Y, seed=S)`` builds, deterministically for a given database and seed:

1. **Public-sector fields** of the seeded agencies and institutions that have none yet (level, 编制,
   school flag), so that the §12 list has units above and below the thresholds (50 / 67) and schools
   it leaves out.  These are direct set-based updates (one ``UPDATE`` per combination of values) and
   one audit entry, not ``employers.actions.update_employer``: they are demo data that an import from
   the 编制 office would bring, not an officer's decision on a unit, and one audited action per unit
   would cost more than the rest of the seed.  The values keep the table's constraints (level only on
   agencies, 编制 only on agencies and institutions, the school flag only on institutions).
2. **Campaigns** for the data years Y−2 … Y (``quota.actions.create_campaign``); windows come from the
   parameters where those exist and have passed, else explicit windows in the past.
3. **Declarations** for a part of the employers (30 % of them, at most 300, in Y; 30 % of those units,
   at least a dozen, also in Y−1 and 10 % in Y−2), with staff, wages and disabled employees picked from the seeded persons of
   working age holding a valid 残疾人证, mostly of the unit's district, and the same employees year
   after year.  Everything goes through the real workflow (``quota.actions``): entered and submitted
   by a district officer of the unit's district (``hp_officer`` in 和平, ``hx_officer`` in 河西, a demo
   officer ``officer_<code>`` elsewhere) and certified by another officer of that district
   (``checker_<code>``): maker-checker holds.  In Y some stay submitted (to review), some in draft,
   one or two are returned; some were submitted late (R3.1); a few carry dispatch filings (R2.7), one
   of which makes the unit's claim invalid; a person paid below the minimum wage is rejected at
   certification; and one or two persons claimed by two units are left as open conflicts.
4. **Payments and credit events**: levy payments (full or partial) for the certified years, then
   ``detect_credit_events`` for Y−1, and a few events moved through the due process (pre-notice,
   objection, push proposal and approval, withdrawal after payment) on past dates.
5. **Disclosure**: ``publish_disclosure`` for Y−1 and Y by ``city_admin``.

Dates: entry, submission, certification, payment, pre-notice and push proposal are passed to the
actions as past days (their ``on`` arguments), so deadlines and the late flag are right; the
timestamps the actions take themselves (workflow history, audit entries, ``detected_at``) are the
time of the seed.  Policy parameters are read once for the whole seed (``_parameters_read_once``).

Demo users: ``ensure_demo_accounts`` plus the per-district officers above, all with the demo password.
The password is hashed once and the hash shared: Argon2 costs about half a second per account on two
cores, and 30 accounts would be most of the seed's time (the demo password is public anyway).

Files (declaration forms, pledges, dispatch agreements) are small PDFs written to the media storage;
like every upload they stay there if the surrounding transaction rolls back.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ablework.accounts.enums import OrgKind, Role
from ablework.accounts.models import Organisation, User
from ablework.core import audit, crypto, policy
from ablework.core.enums import AuditAction
from ablework.core.models import District
from ablework.core.money import round_fen
from ablework.core.policy import PolicyParameterMissing, get_param
from ablework.core.scoping import unscoped
from ablework.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from ablework.employers import api as employers_api
from ablework.employers.enums import AgencyLevel, EmployerKind, EmployerStatus
from ablework.employers.models import Employer
from ablework.people import rules as people_rules
from ablework.people.actions.registry import working_age_limits
from ablework.people.models import Certificate
from ablework.quota import actions, credit, rules
from ablework.quota.disclosure import publish_disclosure
from ablework.quota.enums import (
    ConflictState,
    CountingParty,
    CreditEventState,
    DeclarationStatus,
    ReviewOutcome,
    UploadKind,
)
from ablework.quota.models import Campaign, CountConflict, CreditEvent, Declaration, LevyResult
from ablework.quota.public_sector import covered_units

__all__ = ["ReviewSeedResult", "default_data_year", "has_review_data", "seed_annual_review"]

# Share of the employers that declare in the data year, and the cap (a demo, not a city).
DECLARING_SHARE = 0.3
MAX_DECLARATIONS = 300
# Of the units declaring in Y, the share that also declared in Y−1 (at least a dozen) and in Y−2.
PREVIOUS_YEAR_SHARE = (0.3, 0.1)
PUBLIC_KINDS = (EmployerKind.AGENCY, EmployerKind.INSTITUTION)
SCHOOL_WORDS = ("中学", "小学", "学校", "幼儿园")
# A valid PDF of one empty page: what the upload checks accept, and what a browser can open.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def default_data_year(today: date | None = None) -> int:
    """The data year declared this year: the previous calendar year (R3.2)."""
    return (today or timezone.localdate()).year - 1


def has_review_data(data_year: int) -> bool:
    """Whether any of the data years the seed writes (Y−2 … Y) has declarations already: the seed only
    adds to years without any (a database seeded last year and run again in a new year is left alone)."""
    with unscoped():
        return Declaration.objects.filter(campaign__data_year__range=(data_year - 2, data_year)).exists()


@dataclass
class ReviewSeedResult:
    data_year: int
    public_units_updated: int = 0
    users_created: int = 0
    campaigns: list[int] = field(default_factory=list)
    declarations: dict[int, dict[str, int]] = field(default_factory=dict)  # year → status → count
    employees: int = 0
    late: int = 0
    dispatch_filings: int = 0
    open_conflicts: int = 0
    payments: int = 0
    credit_events: dict[str, int] = field(default_factory=dict)  # status → count
    disclosures: dict[int, int] = field(default_factory=dict)  # year → units published

    def summary(self) -> str:
        years = "；".join(
            f"{y}年度{sum(c.values())}份（"
            + "、".join(f"{DeclarationStatus(s).label}{n}" for s, n in sorted(c.items()))
            + "）"
            for y, c in sorted(self.declarations.items())
        )
        events = "、".join(f"{CreditEventState(s).label}{n}" for s, n in sorted(self.credit_events.items())) or "无"
        published = "、".join(f"{y}年度{n}家单位" for y, n in sorted(self.disclosures.items()))
        return (
            f"年审演示数据（数据年度{self.data_year}）：年审批次 {', '.join(map(str, self.campaigns))}；申报 {years}；"
            f"申报残疾职工 {self.employees} 人次，逾期申报 {self.late} 份，劳务派遣备案 {self.dispatch_filings} 条，"
            f"待处理重复计算冲突 {self.open_conflicts} 个；保障金缴纳记录 {self.payments} 条；"
            f"失信事件（{self.data_year - 1}年度）：{events}；公示：{published}；"
            f"设置公职单位层级与编制 {self.public_units_updated} 家，新建演示账户 {self.users_created} 个"
            "（各区年审经办员 officer_<区划代码>、审核员 checker_<区划代码>，如 checker_120101，密码同演示账户）。"
        )


# --- users -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Officers:
    """Who enters and submits (maker) and who certifies (checker) in one district."""

    maker: User
    checker: User


def _ensure_officers(result: ReviewSeedResult) -> tuple[User, dict[int, Officers]]:
    """``city_admin`` and a maker and a checker officer per district (demo accounts, demo password)."""
    users = {acc.username: user for acc, user in ensure_demo_accounts()}
    known_makers = {"120101": users["hp_officer"], "120103": users["hx_officer"]}
    password_hash = ""

    def officer(username: str, display_name: str, org: Organisation) -> User:
        nonlocal password_hash
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        password_hash = password_hash or make_password(DEMO_PASSWORD)
        user = User.objects.create(
            username=username, role=Role.DISTRICT_OFFICER, organisation=org, display_name=display_name,
            password=password_hash,
        )  # fmt: skip
        audit.record(
            AuditAction.CREATE,
            actor=None,
            obj=user,
            changes={
                "username": [None, username],
                "role": [None, Role.DISTRICT_OFFICER],
                "organisation": [None, org.name],
            },
            purpose="演示账户",
        )
        result.users_created += 1
        return user

    officers: dict[int, Officers] = {}
    for district in District.objects.order_by("sort_order", "code"):
        org, _ = Organisation.objects.get_or_create(
            kind=OrgKind.DISTRICT, name=f"{district.name}残疾人联合会", defaults={"district": district}
        )
        maker = known_makers.get(district.code) or officer(
            f"officer_{district.code}", f"{district.name}年审经办员", org
        )
        checker = officer(f"checker_{district.code}", f"{district.name}年审审核员", org)
        officers[district.pk] = Officers(maker=maker, checker=checker)
    return users["city_admin"], officers


# --- public-sector fields ----------------------------------------------------------------------------


def _thresholds(data_year: int) -> tuple[int, int]:
    """(agencies, institutions): the 编制 from which the rule of the data year applies (50 and 67 in
    the 十四五 rule; those when no rule is stored)."""
    try:
        rule, _param = employers_api.public_sector_rule(on=date(data_year, 1, 1))
    except PolicyParameterMissing:
        return 50, 67
    return rule.agency_min_posts, rule.institution_min_posts


def _set_public_sector_fields(rng: random.Random, actor: User, data_year: int) -> int:
    """Level, 编制 and school flag for agencies and institutions that have none (see the module doc).

    编制 alternates between sizes at or above the rule's threshold and sizes below it, so that any two
    units of a kind give one of each; agencies are mostly district-level, some city-level, some
    township-level (not covered by the rule)."""
    rows = list(
        Employer.objects.filter(kind__in=PUBLIC_KINDS)
        .filter(Q(establishment_size__isnull=True) | Q(kind=EmployerKind.AGENCY, agency_level=""))
        .order_by("id")
        .values_list("id", "kind", "name", "agency_level", "establishment_size")
    )
    sizes: dict[str, tuple[list[int], list[int]]] = {
        str(kind): (
            [t, t + 8, round(t * 1.4), t * 2, round(t * 4.5)],  # at or above the threshold
            [max(5, round(t * 0.35)), round(t * 0.6), round(t * 0.85), t - 1],  # below it
        )
        for kind, t in zip(PUBLIC_KINDS, _thresholds(data_year), strict=True)
    }
    levels = (AgencyLevel.DISTRICT, AgencyLevel.DISTRICT, AgencyLevel.CITY, AgencyLevel.DISTRICT, AgencyLevel.TOWNSHIP)
    seen: dict[str, int] = defaultdict(int)
    groups: dict[tuple[str, int | None, bool], list[int]] = defaultdict(list)
    for pk, kind, name, level, size in rows:
        i = seen[kind]
        seen[kind] += 1
        new_size = size if size is not None else rng.choice(sizes[kind][i % 2])
        if kind == EmployerKind.AGENCY:
            groups[(level or str(levels[i % len(levels)]), new_size, False)].append(pk)
        else:
            groups[("", new_size, any(w in name for w in SCHOOL_WORDS))].append(pk)
    now = timezone.now()
    for (level, size, school), pks in groups.items():
        Employer.objects.filter(pk__in=pks).update(
            agency_level=level, establishment_size=size, is_school=school, updated_at=now
        )
    if rows:
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            object_type="employers.employer",
            object_label=f"演示数据：{len(rows)}家机关、事业单位的层级、编制数与学校标记",
            changes={"units": [None, [r[0] for r in rows]]},
            purpose="演示数据（编制部门数据的模拟，非经办人员操作）",
        )
    return len(rows)


# --- campaigns ---------------------------------------------------------------------------------------


def _param_window(key: str, year: int) -> tuple[date, date] | None:
    value = get_param(key, on=date(year, 1, 1), default=None).value
    if not isinstance(value, dict):
        return None
    try:
        start, end = (date(year, *(int(x) for x in str(value[k]).split("-"))) for k in ("start", "end"))
    except (KeyError, TypeError, ValueError):
        return None
    return start, end


def _ensure_campaign(data_year: int, actor: User, today: date) -> Campaign:
    """The campaign of the year (an existing one is kept).  Windows from the parameters of the next
    year when they are stored and over by now; else explicit windows that ended before today, so
    that timely and late submissions, the levy deadline and the credit scan all lie in the past."""
    existing = Campaign.objects.filter(data_year=data_year).first()
    if existing is not None:
        return existing
    year = data_year + 1
    kwargs: dict[str, Any] = {}
    window = _param_window("declaration_window", year)
    if window is None or window[1] >= today - timedelta(days=20):
        end = min(date(year, 10, 31), today - timedelta(days=30))
        kwargs.update(declaration_start=min(date(year, 3, 1), end - timedelta(days=120)), declaration_end=end)
    levy = _param_window("levy_window", year)
    if levy is None or levy[1] >= today:
        end = min(date(year, 10, 31), today - timedelta(days=25))
        kwargs.update(levy_start=min(date(year, 9, 1), end - timedelta(days=30)), levy_end=end)
    return actions.create_campaign(actor=actor, data_year=data_year, **kwargs)


# --- the plan ----------------------------------------------------------------------------------------


@dataclass
class Worker:
    """A disabled employee of a unit: the registry person and the contract."""

    person_id: int
    district_id: int
    cert_cipher: str
    contract_start: date | None
    contract_end: date | None
    on_establishment: bool
    monthly_wage: Decimal

    @property
    def certificate(self) -> str:
        return crypto.decrypt(self.cert_cipher)

    def employed_in(self, year: int) -> bool:
        start = self.contract_start or date(year - 10, 1, 1)
        return start <= date(year, 12, 31) and (self.contract_end is None or self.contract_end >= date(year, 1, 1))


@dataclass
class Unit:
    """One declaring unit and what it declares each year."""

    pk: int
    uscc: str
    name: str
    kind: str
    district_id: int
    staff: int
    monthly: bool  # declare the twelve month-end figures instead of the average
    wage_per_head: int
    workers: list[Worker] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    status: str = DeclarationStatus.CERTIFIED  # the state reached in the data year
    late: bool = False
    showcase: bool = False  # one of the two covered units the §12 pages rely on: no special case


def _staff_for(rng: random.Random, kind: str, size: int | None) -> int:
    if kind in PUBLIC_KINDS:
        return max(5, round((size or 40) * rng.uniform(0.8, 1.02)))
    sizes: dict[str, tuple[int, ...]] = {
        EmployerKind.SOE: (60, 150, 320, 800, 2400),
        EmployerKind.SOCIAL_ORG: (8, 15, 28, 45),
    }
    base = sizes.get(kind, (8, 15, 24, 36, 52, 75, 120, 180, 260, 420, 650, 1200))
    return max(3, round(rng.choice(base) * rng.uniform(0.85, 1.15)))


def _persons_for(rng: random.Random, unit: Unit, covered: bool) -> int:
    """How many disabled employees the unit declares: around the 1.5 % quota, often none."""
    if unit.kind in PUBLIC_KINDS:
        return rng.choice((1, 1, 2, 3)) if rng.random() < (0.6 if covered else 0.35) else 0
    if rng.random() < 0.3:
        return 0
    required = unit.staff * 0.015
    return max(0, min(6, round(required) + rng.choice((-2, -1, -1, 0, 0, 1, 1, 2))))


@dataclass(frozen=True)
class Candidate:
    person_id: int
    district_id: int
    cert_cipher: str
    birth_date: date
    sex: str


def _candidates(first_day: date, data_year: int, today: date) -> dict[int, list[Candidate]]:
    """District id → the persons whose newest 残疾人证 is valid from ``first_day`` (the earliest
    submission) to today, in id order.  One query; working age is checked exactly when a person is
    drawn, the birth dates here only spare draws bound to fail (16 at the end of Y−2, under 60 at the
    end of Y: the widest limits before the retirement-age reform)."""
    rows = (
        Certificate.objects.filter(kind="cdpf", revoked_on__isnull=True, person__merged_into__isnull=True)
        .filter(person__birth_date__gt=date(data_year - 60, 12, 31), person__birth_date__lte=date(data_year - 18, 12, 31))
        .exclude(number_cipher="")
        .order_by("person_id", "-issued_on", "-id")
        .values_list(
            "person_id", "person__district_id", "number_cipher", "person__birth_date", "person__sex", "issued_on",
            "valid_until",
        )
    )  # fmt: skip
    out: dict[int, list[Candidate]] = defaultdict(list)
    seen: set[int] = set()
    for pid, district_id, cipher, birth, sex, issued, valid_until in rows:
        if pid in seen:
            continue
        seen.add(pid)  # only the newest certificate: the one the registry reports
        if (issued is None or issued <= first_day) and (valid_until is None or valid_until >= today):
            out[district_id].append(Candidate(pid, district_id, cipher, birth, sex))
    return out


class _Pool:
    """Persons not yet placed, drawn mostly from the unit's district; a person drawn must be of working
    age at the end of every data year (the ``working_age`` parameter is read on the birth date, R14.2,
    so only for the persons drawn)."""

    def __init__(self, by_district: dict[int, list[Candidate]], rng: random.Random, years: Iterable[int]) -> None:
        self.by_district = {d: list(rows) for d, rows in sorted(by_district.items())}
        for rows in self.by_district.values():
            rng.shuffle(rows)
        self.rng = rng
        self.year_ends = [date(y, 12, 31) for y in years]

    def _fits(self, c: Candidate) -> bool:
        limits = working_age_limits(c.birth_date)[0]
        return all(people_rules.is_working_age(c.birth_date, c.sex, end, limits) for end in self.year_ends)

    def _pop(self, rows: list[Candidate]) -> Candidate | None:
        while rows:
            c = rows.pop()
            if self._fits(c):
                return c
        return None

    def take(self, district_id: int) -> Candidate | None:
        if self.rng.random() < 0.9 and (c := self._pop(self.by_district.get(district_id, []))) is not None:
            return c
        while others := [d for d, rows in self.by_district.items() if rows]:
            if (c := self._pop(self.by_district[self.rng.choice(others)])) is not None:
                return c
        return None


def _plan_units(rng: random.Random, data_year: int, pool: _Pool, covered: set[int]) -> list[Unit]:
    """The declaring units of the data year (in id order), their staff, employees and target state.

    Whatever the registry's size, the first covered unit (§12) places persons in Y and Y−1 and the
    second one places nobody, so that the list and the disclosure both have something to show."""
    rows = list(
        Employer.objects.filter(status=EmployerStatus.ACTIVE)
        .exclude(kind=EmployerKind.INDIVIDUAL)
        .order_by("id")
        .values_list("id", "uscc", "name", "kind", "district_id", "establishment_size")
    )
    total = Employer.objects.count()
    wanted = min(MAX_DECLARATIONS, max(1, round(total * DECLARING_SHARE)), len(rows))
    public = [r for r in rows if r[3] in PUBLIC_KINDS]
    others = [r for r in rows if r[3] not in PUBLIC_KINDS]
    forced = [r[0] for r in public if r[0] in covered][:2]  # placed, unplaced
    # Most public units declare (the §12 list needs covered units both placed and unplaced).
    chosen = [r for r in public if r[0] in forced or rng.random() < 0.8][:wanted]
    chosen += rng.sample(others, min(len(others), wanted - len(chosen)))
    chosen.sort(key=lambda r: r[0])
    units = []
    for pk, uscc, name, kind, district_id, size in chosen:
        staff = _staff_for(rng, kind, size)
        public_unit = kind in PUBLIC_KINDS
        unit = Unit(
            pk=pk, uscc=uscc, name=name, kind=kind, district_id=district_id, staff=staff,
            monthly=rng.random() < 0.12, wage_per_head=rng.randrange(90_000, 150_000, 500) if public_unit
            else rng.randrange(55_000, 140_000, 500),
        )  # fmt: skip
        persons = _persons_for(rng, unit, pk in covered)
        if forced and pk == forced[0]:
            persons = max(1, persons)
        elif pk in forced:
            persons = 0
        for i in range(persons):
            picked = pool.take(district_id)
            if picked is None:
                break
            # The forced placement is 在编 (counts every year, no contract dates needed).
            on_establishment = public_unit and ((pk == forced[0] and i == 0) or rng.random() < 0.6)
            start = None if on_establishment else _contract_start(rng, data_year)
            end = None if on_establishment or rng.random() < 0.45 else date(data_year + rng.randint(1, 4), 12, 31)
            unit.workers.append(
                Worker(picked.person_id, picked.district_id, picked.cert_cipher, start, end, on_establishment,
                       Decimal(rng.randrange(2600, 9000, 50)))
            )  # fmt: skip
        units.append(unit)
    _assign_states(rng, data_year, units, forced)
    return units


def _contract_start(rng: random.Random, data_year: int) -> date:
    if rng.random() < 0.75:
        return date(rng.randint(data_year - 9, data_year - 2), rng.randint(1, 12), 1)
    return date(rng.randint(data_year - 1, data_year), rng.randint(1, 10), 1)


def _assign_states(rng: random.Random, data_year: int, units: list[Unit], forced: list[int]) -> None:
    """Target state in the data year (most certified, some submitted or in draft, one or two returned),
    the late ones (at least one), and which units also declared in the two years before (at least a
    dozen in Y−1, so that the credit scan of Y−1 finds something)."""
    for unit in units:
        r = rng.random()
        unit.status = (
            DeclarationStatus.DRAFT if r < 0.08
            else DeclarationStatus.SUBMITTED if r < 0.24
            else DeclarationStatus.CERTIFIED
        )  # fmt: skip
        unit.late = unit.status != DeclarationStatus.DRAFT and rng.random() < 0.06
        unit.years = {data_year}
        if unit.pk in forced:
            unit.status, unit.late, unit.showcase = DeclarationStatus.CERTIFIED, False, True
    earlier = [u for u in units if u.showcase]
    rest = [u for u in units if not u.showcase]
    earlier += rng.sample(
        rest, max(0, min(len(rest), max(12, round(len(units) * PREVIOUS_YEAR_SHARE[0])) - len(earlier)))
    )
    for i, unit in enumerate(sorted(earlier, key=lambda u: u.pk)):
        unit.years.add(data_year - 1)
        if i < round(len(units) * PREVIOUS_YEAR_SHARE[1]):
            unit.years.add(data_year - 2)
    if not any(u.late for u in units):
        last = next(
            (u for u in reversed(units) if u.pk not in forced and u.status == DeclarationStatus.CERTIFIED), None
        )
        if last is not None:
            last.late = True
    submitted = [u for u in units if u.status == DeclarationStatus.SUBMITTED and not u.late]
    for unit in submitted[1 : 1 + max(1, len(submitted) // 12)]:
        unit.status = DeclarationStatus.RETURNED


# --- declarations through the workflow ---------------------------------------------------------------


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


@dataclass
class _Ctx:
    rng: random.Random
    today: date
    officers: dict[int, Officers]
    employers: dict[int, Employer]
    result: ReviewSeedResult


def _dates(ctx: _Ctx, campaign: Campaign, late: bool) -> tuple[date, date, date]:
    """(entry, submission, certification) days of one declaration, all before today."""
    last = ctx.today - timedelta(days=1)
    if late:
        submit = _day_between(
            ctx.rng,
            campaign.declaration_end + timedelta(days=1),
            min(last, campaign.declaration_end + timedelta(days=25)),
        )
    else:
        submit = _day_between(
            ctx.rng,
            campaign.declaration_start + timedelta(days=3),
            min(last, campaign.declaration_end - timedelta(days=3)),
        )
    entry = max(campaign.declaration_start, submit - timedelta(days=ctx.rng.randint(1, 12)))
    certify = min(last, submit + timedelta(days=ctx.rng.randint(4, 25)))
    return entry, submit, certify


def _create(ctx: _Ctx, unit: Unit, campaign: Campaign, maker: User) -> Declaration:
    staff = Decimal(unit.staff)
    kwargs: dict[str, Any]
    if unit.monthly:
        months = [max(1, round(unit.staff * ctx.rng.uniform(0.94, 1.06))) for _ in range(12)]
        staff = rules.average_staff([Decimal(m) for m in months])
        kwargs = {"monthly_staff": months}
    else:
        kwargs = {"staff_count": staff}
    wages = round_fen(staff * unit.wage_per_head * Decimal(str(round(ctx.rng.uniform(0.96, 1.04), 3))))
    return actions.create_declaration(
        ctx.employers[unit.pk], actor=maker, campaign=campaign, total_wages=wages, **kwargs
    )


def _add_worker(ctx: _Ctx, decl: Declaration, worker: Worker, maker: User, year: int, on: date) -> None:
    """Add the person as the unit's officer would type them in: certificate number and contract; social
    insurance paid for every month employed in the year."""
    months = rules.months_in_year(worker.contract_start, worker.contract_end, year) if worker.contract_start else 12
    actions.add_employee(
        decl, actor=maker, certificate_number=worker.certificate, contract_start=worker.contract_start,
        contract_end=worker.contract_end, on_establishment=worker.on_establishment, monthly_wage=worker.monthly_wage,
        social_insurance_months=months, on=on,
    )  # fmt: skip
    ctx.result.employees += 1


def _submit(ctx: _Ctx, decl: Declaration, maker: User, on: date) -> None:
    actions.add_upload(decl, actor=maker, kind=UploadKind.DECLARATION_FORM, file=_pdf("年审申报表（盖章）.pdf"))
    actions.add_upload(decl, actor=maker, kind=UploadKind.PLEDGE, file=_pdf("承诺书.pdf"))
    if actions.submit_declaration(decl, actor=maker, on=on).late:
        ctx.result.late += 1


def _declare_year(ctx: _Ctx, units: list[Unit], campaign: Campaign, data_year: int) -> None:
    """Declarations of one year: units of earlier years are all certified (a late one stays late)."""
    year = campaign.data_year
    final_year = year == data_year
    for unit in units:
        if year not in unit.years:
            continue
        officers = ctx.officers[unit.district_id]
        late = unit.late if final_year else ctx.rng.random() < 0.04
        entry, submit, certify = _dates(ctx, campaign, late)
        decl = _create(ctx, unit, campaign, officers.maker)
        for worker in unit.workers:
            if worker.employed_in(year):
                _add_worker(ctx, decl, worker, officers.maker, year, entry)
        status = unit.status if final_year else DeclarationStatus.CERTIFIED
        if status == DeclarationStatus.DRAFT:
            continue
        _submit(ctx, decl, officers.maker, submit)
        if status == DeclarationStatus.RETURNED:
            actions.return_declaration(
                decl, actor=officers.checker, note="请补充上传残疾职工的劳动合同复印件，并核对在职职工年平均人数"
            )
        elif status == DeclarationStatus.CERTIFIED:
            actions.certify_declaration(decl, actor=officers.checker, on=certify)


def _special_cases(ctx: _Ctx, units: list[Unit], campaign: Campaign, pool: _Pool) -> list[Unit]:
    """Cases of the data year that the plain run does not produce; returns the units they took (the
    caller declares the rest as usual):

    - dispatch filings (R2.7): two agreements counting the person at the receiving unit, and one that
      counts them at the dispatcher although the receiver declares them (an error at validation);
    - a person paid below the minimum wage (rejected at certification) and a person the reviewer
      rejects by hand;
    - one or two persons claimed by two units, left open for the officers (R2.7)."""
    year = campaign.data_year
    taken: list[Unit] = []
    certified = [
        u for u in units if u.status == DeclarationStatus.CERTIFIED and not u.late and u.workers and not u.showcase
    ]
    dispatchers = [
        e for e in ctx.employers.values()
        if e.kind == EmployerKind.ENTERPRISE and "人力资源" in e.name
    ] or [e for e in ctx.employers.values() if e.kind == EmployerKind.ENTERPRISE]  # fmt: skip
    dispatchers.sort(key=lambda e: e.pk)
    for i, unit in enumerate(certified[:3]):
        dispatcher = next((d for d in dispatchers if d.pk != unit.pk), None)
        worker = next((w for w in unit.workers if w.employed_in(year) and not w.on_establishment), None)
        if dispatcher is None or worker is None:
            continue
        officers = ctx.officers[unit.district_id]
        entry, submit, certify = _dates(ctx, campaign, False)
        decl = _create(ctx, unit, campaign, officers.maker)
        actions.add_dispatch_filing(
            decl, actor=officers.maker, dispatcher_uscc=dispatcher.uscc, receiver_uscc=unit.uscc,
            certificate_number=worker.certificate, agreement_start=date(year - 1, 7, 1),
            agreement_end=date(year + 1, 6, 30),
            counting_party=CountingParty.DISPATCHER if i == 2 else CountingParty.RECEIVER,
            agreement_file=_pdf("残疾人劳务派遣用工认定协议.pdf"), on=entry,
        )  # fmt: skip
        ctx.result.dispatch_filings += 1
        for w in unit.workers:
            if w.employed_in(year):
                _add_worker(ctx, decl, w, officers.maker, year, entry)
        _submit(ctx, decl, officers.maker, submit)
        actions.certify_declaration(decl, actor=officers.checker, on=certify)
        taken.append(unit)
    rest = [u for u in certified if all(u.pk != t.pk for t in taken)]
    for i, unit in enumerate(rest[:2]):
        officers = ctx.officers[unit.district_id]
        entry, submit, certify = _dates(ctx, campaign, False)
        decl = _create(ctx, unit, campaign, officers.maker)
        for w in unit.workers:
            if w.employed_in(year):
                _add_worker(ctx, decl, w, officers.maker, year, entry)
        extra = pool.take(unit.district_id) if i == 0 else None
        if extra is not None:  # paid below the minimum wage: fails validation
            low = Worker(extra.person_id, extra.district_id, extra.cert_cipher, date(year - 1, 3, 1), None, False,
                         Decimal("1800"))  # fmt: skip
            _add_worker(ctx, decl, low, officers.maker, year, entry)
        _submit(ctx, decl, officers.maker, submit)
        if i == 1:
            emp = decl.employees.order_by("id").first()
            if emp is not None:
                actions.review_employee(
                    emp, actor=officers.checker, outcome=ReviewOutcome.REJECTED,
                    reason="经实地核查，该人员自8月起未在岗，不予计入",
                )  # fmt: skip
        actions.certify_declaration(decl, actor=officers.checker, on=certify)
        taken.append(unit)
    taken += _conflicts(ctx, units, campaign, taken)
    return taken


def _conflicts(ctx: _Ctx, units: list[Unit], campaign: Campaign, taken: list[Unit]) -> list[Unit]:
    """A person claimed by two units of one district and one claimed by units of two districts (when
    the registry has them), both declarations left submitted: certification waits for a decision.
    Units planned as submitted are used first; others are submitted instead of certified if needed."""
    year = campaign.data_year
    busy = {u.pk for u in taken}
    free = [u for u in units if u.pk not in busy and not u.showcase and not u.late]
    free.sort(key=lambda u: u.status != DeclarationStatus.SUBMITTED)  # stable: submitted ones first
    holders = [u for u in free if any(w.employed_in(year) for w in u.workers)]
    pairs: list[tuple[Unit, Unit]] = []
    used: set[int] = set()
    for same_district in (True, False):
        for a in holders:
            if a.pk in used:
                continue
            b = next(
                (u for u in free if u.pk not in used and u.pk != a.pk
                 and (u.district_id == a.district_id) == same_district),
                None,
            )  # fmt: skip
            if b is not None:
                pairs.append((a, b))
                used |= {a.pk, b.pk}
                break
    out: list[Unit] = []
    for a, b in pairs:
        shared = next(w for w in a.workers if w.employed_in(year))
        for unit, extra in ((a, None), (b, shared)):
            unit.status = DeclarationStatus.SUBMITTED
            officers = ctx.officers[unit.district_id]
            entry, submit, _ = _dates(ctx, campaign, False)
            decl = _create(ctx, unit, campaign, officers.maker)
            for w in unit.workers:
                if w.employed_in(year):
                    _add_worker(ctx, decl, w, officers.maker, year, entry)
            if extra is not None:
                _add_worker(ctx, decl, extra, officers.maker, year, entry)
            _submit(ctx, decl, officers.maker, submit)
            out.append(unit)
    return out


# --- payments and credit events ----------------------------------------------------------------------


def _payments(ctx: _Ctx, campaign: Campaign) -> None:
    """Levy payments of a certified year: about half pay in full, some in part, the rest nothing."""
    year = campaign.data_year
    start = campaign.levy_start or date(year + 1, 9, 1)
    end = min(campaign.levy_end or date(year + 1, 10, 31), ctx.today)
    if start > ctx.today:
        return
    results = list(
        LevyResult.objects.filter(data_year=year, declaration__status=DeclarationStatus.CERTIFIED, error="")
        .filter(levy_due__gt=0)
        .select_related("declaration__employer")
        .order_by("declaration__employer_id")
    )
    for i, res in enumerate(results):
        employer, due = res.declaration.employer, res.levy_due or Decimal(0)
        r = ctx.rng.random()
        if i == 0:  # whatever the draws, one unit has paid nothing and one in part
            continue
        if i == 1 or 0.55 <= r < 0.72:
            amount = round_fen(due * Decimal(str(round(ctx.rng.uniform(0.3, 0.8), 2))))
        elif r < 0.55:
            amount = due
        else:
            continue
        if amount <= 0:
            continue
        credit.record_levy_payment(
            employer, actor=ctx.officers[employer.district_id].maker, data_year=year, amount=amount,
            paid_on=_day_between(ctx.rng, start, max(start, end)), reference=f"税票{year + 1}{employer.pk:07d}",
            on=ctx.today,
        )  # fmt: skip
        ctx.result.payments += 1


def _credit_events(ctx: _Ctx, campaign: Campaign, city_admin: User) -> None:
    """The scan for the year, then a few events through the due process on past dates."""
    year = campaign.data_year
    if campaign.levy_end is None:
        return
    grace = credit.due_process(ctx.today).levy_grace_days
    scan_on = min(ctx.today, campaign.levy_end + timedelta(days=grace + 10))
    if scan_on <= campaign.levy_end + timedelta(days=grace):
        return
    credit.detect_credit_events(year, actor=city_admin, on=scan_on)
    events = list(CreditEvent.objects.filter(data_year=year).select_related("employer").order_by("id"))
    notice_on = scan_on + timedelta(days=5)
    push_on = notice_on + timedelta(days=45)  # after the rectification and objection periods
    if notice_on >= ctx.today:
        return
    notified = events[: max(6, len(events) // 3)]
    for i, event in enumerate(notified):
        officers = ctx.officers[event.employer.district_id]
        credit.send_pre_notice(
            event, actor=officers.maker, decision_number=f"津残就告〔{year + 1}〕{i + 1}号", on=notice_on
        )
    if push_on >= ctx.today:
        return
    for i, event in enumerate(notified[:4]):
        officers = ctx.officers[event.employer.district_id]
        if i in (0, 1):  # 0: queued for the credit platform; 1: waiting for the push review
            credit.propose_push(event, actor=officers.maker, note="整改期届满仍未缴纳", on=push_on)
            if i == 0:
                credit.approve_push(event, actor=officers.checker, note="事实清楚，程序完备，同意推送")
        elif i == 2:  # a paper objection, for the officers to decide
            credit.file_objection(
                event, actor=officers.maker, text="单位书面提出异议：已于缴纳期内通过银行转账缴纳部分款项，请核实。",
                on=notice_on + timedelta(days=3),
            )  # fmt: skip
        else:  # the unit paid what it owed: the event is withdrawn
            left = credit.outstanding(event)
            if left is not None and left > 0:
                credit.record_levy_payment(
                    event.employer, actor=officers.maker, data_year=year, amount=left,
                    paid_on=notice_on + timedelta(days=7), reference=f"税票补缴{year + 1}{event.employer_id:07d}",
                    on=ctx.today,
                )  # fmt: skip
                ctx.result.payments += 1


# --- parameters, read once ---------------------------------------------------------------------------


def _parameters_read_once() -> Any:
    """The workflow reads the same parameters again for every person, submission and certification
    (``levy_params`` alone is a dozen reads), about 14,000 queries at demo scale and most of the run
    time; the seed changes no parameter, so each is read once (``core.policy.read_once``)."""
    return policy.read_once()


# --- entry point -------------------------------------------------------------------------------------


def seed_annual_review(
    *, data_year: int, seed: int, today: date | None = None, progress: Callable[[str], None] | None = None
) -> ReviewSeedResult:
    """Build the demo data of the annual review (see the module doc) in one transaction.

    Needs the registry seeded (``seed_demo``: employers and persons).  The caller checks that none of
    the years Y−2 … Y has declarations yet (``has_review_data``).  Raises ``ValueError`` when there is
    nothing to build on or a campaign's declaration window has not begun."""
    today = today or timezone.localdate()
    rng = random.Random(f"ablework-demo-review:{seed}:{data_year}")
    result = ReviewSeedResult(data_year)
    say = progress or (lambda _msg: None)
    years = [data_year - 2, data_year - 1, data_year]
    with transaction.atomic(), unscoped(), _parameters_read_once():
        if not Employer.objects.exists():
            raise ValueError("没有用人单位数据：请先运行 manage.py seed_demo")
        city_admin, officers = _ensure_officers(result)
        result.public_units_updated = _set_public_sector_fields(rng, city_admin, data_year)
        campaigns = {y: _ensure_campaign(y, city_admin, today) for y in years}
        result.campaigns = years
        first_day = campaigns[years[0]].declaration_start
        pool = _Pool(_candidates(first_day, data_year, today), rng, years)
        if not pool.by_district:
            raise ValueError("没有符合条件的残疾人（劳动年龄内、持有效残疾人证）：请先运行 manage.py seed_demo")
        for campaign in campaigns.values():
            if campaign.declaration_start >= today:
                raise ValueError(f"{campaign.data_year}年度年审批次的申报期尚未开始，无法生成已提交的演示申报")
        try:
            covered = set(covered_units(data_year).values_list("pk", flat=True))
        except PolicyParameterMissing:
            covered = set()
        units = _plan_units(rng, data_year, pool, covered)
        employers = {e.pk: e for e in Employer.objects.select_related("district").filter(pk__in=[u.pk for u in units])}
        employers.update(
            {e.pk: e for e in Employer.objects.filter(kind=EmployerKind.ENTERPRISE, name__contains="人力资源")[:20]}
        )
        ctx = _Ctx(rng, today, officers, employers, result)
        for year in years[:-1]:
            say(f"{year}年度申报…")
            _declare_year(ctx, units, campaigns[year], data_year)
        say(f"{data_year}年度申报…")
        special = {u.pk for u in _special_cases(ctx, units, campaigns[data_year], pool)}
        _declare_year(ctx, [u for u in units if u.pk not in special], campaigns[data_year], data_year)
        say("保障金缴纳与失信事件…")
        for year in years:
            _payments(ctx, campaigns[year])
        _credit_events(ctx, campaigns[data_year - 1], city_admin)
        say("公示…")
        for year in years[1:]:
            result.disclosures[year] = len(publish_disclosure(actor=city_admin, data_year=year).rows)
        for year in years:
            counts: dict[str, int] = defaultdict(int)
            for status in Declaration.objects.filter(campaign__data_year=year).values_list("status", flat=True):
                counts[status] += 1
            result.declarations[year] = dict(counts)
        result.open_conflicts = CountConflict.objects.filter(data_year=data_year, state=ConflictState.OPEN).count()
        for status in CreditEvent.objects.filter(data_year=data_year - 1).values_list("status", flat=True):
            result.credit_events[status] = result.credit_events.get(status, 0) + 1
    return result
