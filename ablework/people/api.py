"""Public interface of `ablework.people`: the only module other apps import (with `enums.py`).

Other apps (the annual review, subsidies, jobs) look persons up by certificate or ID number and read
what they need to count or pay them; they never query ``people.models`` directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import timezone

from ablework.core import crypto
from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.people.actions import add_employment_record, cert_lookup_hash, is_working_age
from ablework.people.actions.feeds import (
    MilitaryCertRow,
    SIRow,
    person_ids_by_id_hash,
    record_military_certificates,
    record_si_contributions,
    record_si_contributions_detailed,
    record_si_contributions_staged,
)
from ablework.people.forms.lookup import PersonLookupField
from ablework.people.models import Certificate, Person, SIContribution

__all__ = [
    "MilitaryCertRow",
    "Person",
    "PersonFacts",
    "PersonLookupField",
    "SIFacts",
    "SIRow",
    "add_employment_record",
    "find_person",
    "find_person_by_certificate",
    "find_person_by_resident_id",
    "identities",
    "national_system_rows",
    "person_facts",
    "person_ids_by_id_hash",
    "record_military_certificates",
    "record_si_contributions",
    "record_si_contributions_detailed",
    "record_si_contributions_staged",
    "si_paid_months",
    "si_rows_for",
]


@dataclass(frozen=True)
class PersonFacts:
    """What another programme needs to know about a person on a date (no full ID number)."""

    person_id: int
    name: str
    id_masked: str
    district_code: str
    sex: str
    birth_date: date
    working_age: bool
    cert_kind: str  # "cdpf" | "military" | "" (none)
    category: int | None
    level: int | None  # cdpf level 1–4 or military level 1–10
    cert_valid: bool  # a certificate valid on the date exists


def find_person_by_resident_id(number: str) -> Person | None:
    """Exact match through the keyed hash, city-wide (callers enforce their own access rules)."""
    try:
        rid = parse_resident_id(number)
    except IdentifierError:
        return None
    with unscoped():
        return Person.objects.filter(id_hash=crypto.lookup_hash(rid.number), merged_into__isnull=True).first()


def find_person_by_certificate(number: str) -> Person | None:
    """The holder of a 残疾人证号 (suffix ignored), or None.  The number embeds the holder's ID."""
    try:
        parse_disability_cert(number)
    except IdentifierError:
        return None
    with unscoped():
        cert = Certificate.objects.filter(number_hash=cert_lookup_hash(number)).select_related("person").first()
        if cert is not None:
            return cert.person
    return find_person_by_resident_id(number.strip()[:18])


def find_person(number: str) -> Person | None:
    """The person of a full number as officers type it: an 18-character 身份证号, or a 残疾人证号 (longer)."""
    number = (number or "").strip().upper()
    return find_person_by_certificate(number) if len(number) > 18 else find_person_by_resident_id(number)


def person_facts(person: Person, on: date) -> PersonFacts:
    with unscoped():
        certs = list(Certificate.objects.filter(person=person, revoked_on__isnull=True))
        district_code = person.district.code
    valid = [
        c
        for c in certs
        if (c.issued_on is None or c.issued_on <= on) and (c.valid_until is None or c.valid_until >= on)
    ]
    current = max(valid, key=lambda c: (c.issued_on or date.min, c.pk)) if valid else None
    return PersonFacts(
        person_id=person.pk,
        name=person.name,
        id_masked=person.id_masked,
        district_code=district_code,
        sex=person.sex,
        birth_date=person.birth_date,
        working_age=is_working_age(person, on),
        cert_kind=current.kind if current else "",
        category=current.category if current else None,
        level=(current.level if current.kind == "cdpf" else current.military_level) if current else None,
        cert_valid=current is not None,
    )


# --- facts from partner feeds (exchange writes them, other apps read them) ---------------------------


@dataclass(frozen=True)
class SIFacts:
    """Social-insurance contribution months of a person as the partner feeds reported them.

    ``months``: the first day of each month with a contribution inside the asked period.
    ``as_of``: when the newest of the rows used arrived (the fact's freshness); when no month falls
    inside the period it is the newest arrival of any row of the person (the feed does cover them),
    and ``None`` when the feeds never reported the person at all (no evidence either way).
    ``source``: the department(s) that reported the rows used (``"、"``-joined), ``""`` without rows.
    """

    months: frozenset[date]
    as_of: datetime | None
    source: str

    def age_days(self, on: date) -> int | None:
        """Days between the newest report and ``on`` (None: never reported)."""
        return None if self.as_of is None else (on - timezone.localtime(self.as_of).date()).days

    def is_stale(self, on: date) -> bool:
        """True when the feed never reported the person or its newest report is older than the policy
        parameter ``feed_fact_max_age.si_days`` allows on ``on``: a rule using the months must say so."""
        age = self.age_days(on)
        if age is None:
            return True
        limit = get_param("feed_fact_max_age", on=on, default={"si_days": 75}).value
        return age > int(limit.get("si_days", 75))


def si_paid_months(person: Person | int, *, start: date, end: date, employer_uscc: str | None = None) -> SIFacts:
    """The months in [start, end] (whole months: ``start`` counts from the first of its month) in which
    social insurance was paid for the person — by one employer when ``employer_uscc`` is given."""
    person_id = person if isinstance(person, int) else person.pk
    with unscoped():
        qs = SIContribution.objects.filter(person_id=person_id)
        window = qs.filter(month__gte=start.replace(day=1), month__lte=end)
        if employer_uscc:
            window = window.filter(employer_uscc=employer_uscc.strip().upper())
        rows = list(window.values_list("month", "received_at", "source"))
        if rows:
            return SIFacts(
                months=frozenset(r[0] for r in rows),
                as_of=max(r[1] for r in rows),
                source="、".join(sorted({r[2] for r in rows})),
            )
        latest = qs.order_by("-received_at").values_list("received_at", "source").first()
    if latest is None:
        return SIFacts(months=frozenset(), as_of=None, source="")
    return SIFacts(months=frozenset(), as_of=latest[0], source="")


def si_rows_for(person: Person | int, *, limit: int = 120) -> list[dict[str, Any]]:
    """The newest contribution rows of a person with their provenance (for an officer's page)."""
    person_id = person if isinstance(person, int) else person.pk
    with unscoped():
        return [
            dict(row)
            for row in SIContribution.objects.filter(person_id=person_id)
            .order_by("-month", "employer_uscc")
            .values("month", "employer_uscc", "base", "amount", "source", "batch_id", "received_at")[:limit]
        ]


# --- used by assisted/training (issue 6) -------------------------------------------------------------


def get_person(pk: int) -> Person | None:
    """The person with this id inside the current district scope, or ``None`` (missing, merged or outside).

    Scoped: within a request the middleware's scope applies; a task must state its scope."""
    return Person.objects.select_related("district").filter(pk=pk, merged_into__isnull=True).first()


@dataclass(frozen=True)
class EmploymentSpell:
    start: date
    end: date | None
    form: str
    employer_name: str
    employer_id: int | None = None
    employer_uscc: str = ""


def employment_spells(person: Person | int) -> list[EmploymentSpell]:
    """Every employment record of the person, oldest first (city-wide: callers decide access)."""
    from ablework.people.models import EmploymentRecord

    person_id = person if isinstance(person, int) else person.pk
    with unscoped():
        rows = EmploymentRecord.objects.filter(person_id=person_id).order_by("start_date", "id")
        return [
            EmploymentSpell(r.start_date, r.end_date, r.form, r.employer_name, r.employer_id, r.employer_uscc)
            for r in rows
        ]


def employment_spells_many(person_ids: list[int]) -> dict[int, list[EmploymentSpell]]:
    """``employment_spells`` for many persons in one query (lists, reports)."""
    from ablework.people.models import EmploymentRecord

    out: dict[int, list[EmploymentSpell]] = {pid: [] for pid in person_ids}
    with unscoped():
        rows = EmploymentRecord.objects.filter(person_id__in=person_ids).order_by("start_date", "id")
        fields = ("person_id", "start_date", "end_date", "form", "employer_name", "employer_id", "employer_uscc")
        for r in rows.values_list(*fields):
            out.setdefault(r[0], []).append(EmploymentSpell(*r[1:]))
    return out


# --- figures for monitoring (reports): set-based, city-wide; the caller scopes the result -------------


def new_employment_counts(year: int) -> list[dict[str, Any]]:
    """Employment records that started in ``year`` (新增就业, policy-rules §1 #1), counted per
    district, street, employment form, urban/rural and disability category of the person (one query).
    Keys: district_id, street_id, form, urban_rural, category, n.  Merged duplicates are left out."""
    from django.db.models import Count, F

    from ablework.people.models import EmploymentRecord

    with unscoped():
        rows = (
            EmploymentRecord.objects.filter(start_date__year=year, person__merged_into__isnull=True)
            .values(
                "district_id",
                street_id=F("person__street_id"),
                urban_rural=F("person__urban_rural"),
                category=F("person__disability_category"),
            )
            .annotate(n=Count("id"))
            .values("district_id", "street_id", "form", "urban_rural", "category", "n")
            .order_by()
        )
        return list(rows)


def service_completion_counts(year: int) -> list[dict[str, Any]]:
    """The 四个一 completion counts of ``year`` (R14.1) per district and street: population,
    info_checked, wants_job_population, all_four_done (the people completion page's numbers)."""
    from django.db.models import Count, Q

    from ablework.people.enums import EmploymentStatus
    from ablework.people.queries import services as svc

    with unscoped():
        qs = svc.with_service_flags(
            Person.objects.filter(merged_into__isnull=True, status__in=svc.UNEMPLOYED), svc.Period.year(year)
        )
        wants = Q(status=EmploymentStatus.WANTS_WORK)
        all_four = Q(**{svc.FLAG[k]: True for k in svc.KINDS})
        return list(
            qs.values("district_id", "street_id")
            .annotate(
                population=Count("pk"),
                info_checked=Count("pk", filter=Q(**{svc.FLAG["info_check"]: True})),
                wants_job_population=Count("pk", filter=wants),
                all_four_done=Count("pk", filter=wants & all_four),
            )
            .order_by()
        )


def difficulty_counts(year: int) -> list[dict[str, Any]]:
    """就业困难 persons assisted (§11) per district and street: ``certified`` (decisions that took effect
    in ``year``), ``active`` (certification in force now), ``placed`` (公益性岗位 placements started in
    ``year``) and ``employed`` (persons certified in force who are employed now)."""
    from collections import defaultdict

    from django.db.models import Count, F, Q

    from ablework.people.enums import DifficultyStatus, EmploymentStatus
    from ablework.people.models import DifficultyCertification, PublicWelfarePlacement

    out: dict[tuple[int, int | None], dict[str, Any]] = defaultdict(
        lambda: {"certified": 0, "active": 0, "placed": 0, "employed": 0}
    )
    with unscoped():
        approved = Q(status__in=[DifficultyStatus.APPROVED, DifficultyStatus.EXITED, DifficultyStatus.EXPIRED])
        active = Q(status=DifficultyStatus.APPROVED)
        for r in (
            DifficultyCertification.objects.filter(Q(valid_from__year=year) | active)
            .values("district_id", street_id=F("person__street_id"))
            .annotate(
                certified=Count("id", filter=approved & Q(valid_from__year=year)),
                active=Count("id", filter=active),
                employed=Count("id", filter=active & Q(person__status=EmploymentStatus.EMPLOYED)),
            )
            .order_by()
        ):
            row = out[(r["district_id"], r["street_id"])]
            row.update(certified=r["certified"], active=r["active"], employed=r["employed"])
        for r in (
            PublicWelfarePlacement.objects.filter(start_date__year=year)
            .values("district_id", street_id=F("person__street_id"))
            .annotate(n=Count("id"))
            .order_by()
        ):
            out[(r["district_id"], r["street_id"])]["placed"] = r["n"]
    return [{"district_id": d, "street_id": s, **v} for (d, s), v in out.items()]


def student_outcome_counts(graduation_year: int) -> list[dict[str, Any]]:
    """College students of the ledger graduating in ``graduation_year`` per district, street and status
    (in_school / seeking / employed / further_study / other).  Keys: district_id, street_id, status, n."""
    from django.db.models import Count, F

    from ablework.people.models import StudentRecord

    with unscoped():
        return list(
            StudentRecord.objects.filter(graduation_year=graduation_year, person__merged_into__isnull=True)
            .values("district_id", "status", street_id=F("person__street_id"))
            .annotate(n=Count("id"))
            .order_by()
        )


def persons_by_district() -> dict[int, int]:
    """Registered persons (merged duplicates left out) per district id (one query, city-wide)."""
    from django.db.models import Count

    with unscoped():
        return dict(
            Person.objects.filter(merged_into__isnull=True)
            .values_list("district_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("district_id", "n")
        )


def quality_missing_info_check(year: int, district_ids: list[int]) -> Any:
    """Persons of these districts (and the current scope) who need the 基础信息核对 of ``year`` and have
    none recorded in that year (R14.1)."""
    from ablework.people.queries import services as svc

    return svc.worklist(district_ids, gap="info_check", period=svc.Period.year(year))


def quality_unemployed_outside_working_age(on: date) -> Any:
    """Persons (in the current scope) whose stored status says "unemployed" although their age on ``on``
    is outside the working age (parameter ``working_age`` in force on ``on``; R14.2): the derived status
    is stale (``manage.py refresh_statuses`` or an edit of the record rewrites it)."""
    from django.db.models import Q

    from ablework.core.policy import get_param
    from ablework.people.queries import services as svc

    limits = get_param("working_age", on=on).value

    def born_after(years: int) -> date:  # the day a person born then turns ``years``
        try:
            return on.replace(year=on.year - years)
        except ValueError:  # 29 February
            return on.replace(year=on.year - years, day=28)

    too_young = Q(birth_date__gt=born_after(int(limits["min_age"])))
    too_old = Q(sex="M", birth_date__lte=born_after(int(limits["male_max_age"]) + 1)) | Q(
        sex="F", birth_date__lte=born_after(int(limits["female_max_age"]) + 1)
    )
    return (
        Person.objects.filter(merged_into__isnull=True, status__in=svc.UNEMPLOYED)
        .filter(too_young | too_old)
        .select_related("district", "street")
        .order_by("district__code", "birth_date", "pk")
    )


def quality_conflicting_employment() -> Any:
    """Employment records (in the current scope) that overlap another record of the same person: one
    person in two jobs at once is possible but usually a duplicate or a missing end date; the officer
    decides.  Periods overlap when each starts before (or on) the other's end (no end = still running)."""
    from django.db.models import Exists, OuterRef, Q

    from ablework.people.models import EmploymentRecord

    other = EmploymentRecord._base_manager.filter(person_id=OuterRef("person_id")).exclude(pk=OuterRef("pk"))
    ends_after_start = other.filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")))
    return (
        EmploymentRecord.objects.filter(person__merged_into__isnull=True)
        .annotate(
            has_overlap_open=Exists(ends_after_start),
            has_overlap_closed=Exists(ends_after_start.filter(start_date__lte=OuterRef("end_date"))),
        )
        .filter(Q(end_date__isnull=True, has_overlap_open=True) | Q(end_date__isnull=False, has_overlap_closed=True))
        .select_related("person", "person__district")
        .order_by("person__district__code", "person_id", "start_date", "pk")
    )


# --- used by jobs (matching) and the portal (issue 6, jobs) -----------------------------------------


@dataclass(frozen=True)
class JobProfile:
    """What matching needs about a person: the latest 就业需求登记 and 职业能力评估 (``ServiceRecord.details``,
    schema in ``people.actions.services``), plain values only.  Codes are those of ``JOB_TYPES``,
    ``WORK_TIMES`` and ``ACCOMMODATIONS``; ``accommodations`` is the union of the need registration's and
    the assessment's; ``abilities`` maps ``ABILITIES`` keys to 1 (good) … 4 (severe)."""

    person_id: int
    name: str
    id_masked: str
    district_code: str
    category: int | None
    level: int | None
    status: str
    wants_job: bool | None
    desired_jobs: tuple[str, ...] = ()
    work_time: str = ""
    areas: tuple[str, ...] = ()
    accommodations: tuple[str, ...] = ()
    suitable_jobs: tuple[str, ...] = ()
    skills: str = ""
    abilities: tuple[tuple[str, int], ...] = ()
    conclusion: str = ""
    expected_wage: str = ""  # decimal string, "" when not stated
    need_date: date | None = None
    assessment_date: date | None = None


def _job_profiles(persons: Any) -> list[JobProfile]:
    from ablework.people.enums import ServiceKind
    from ablework.people.models import ServiceRecord

    rows = list(persons.values_list(
        "id", "name", "id_masked", "district__code", "disability_category", "disability_level", "status", "wants_job"
    ))  # fmt: skip
    if not rows:
        return []
    latest: dict[tuple[int, str], tuple[date, dict[str, Any]]] = {}
    kinds = (ServiceKind.NEED_REGISTRATION, ServiceKind.ABILITY_ASSESSMENT)
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 5000):  # chunks: SQLite caps the number of query parameters
        services = (
            ServiceRecord.objects.filter(person_id__in=ids[start : start + 5000], kind__in=kinds)
            .order_by("person_id", "kind", "-date", "-id")
            .values_list("person_id", "kind", "date", "details")
        )
        for pid, kind, on, details in services.iterator(chunk_size=5000):
            latest.setdefault((pid, kind), (on, details or {}))
    out = []
    for pid, name, masked, district, category, level, status, wants in rows:
        need_on, need = latest.get((pid, ServiceKind.NEED_REGISTRATION), (None, {}))
        ass_on, ass = latest.get((pid, ServiceKind.ABILITY_ASSESSMENT), (None, {}))
        acc = set(need.get("accommodations") or ()) | set(ass.get("accommodations") or ())
        out.append(
            JobProfile(
                person_id=pid, name=name, id_masked=masked, district_code=district, category=category,
                level=level, status=status, wants_job=wants,
                desired_jobs=tuple(need.get("desired_jobs") or ()), work_time=str(need.get("work_time") or ""),
                areas=tuple(need.get("areas") or ()), accommodations=tuple(sorted(acc)),
                suitable_jobs=tuple(ass.get("suitable_jobs") or ()), skills=str(ass.get("skills") or ""),
                abilities=tuple(sorted((ass.get("abilities") or {}).items())),
                conclusion=str(ass.get("conclusion") or ""), expected_wage=str(need.get("expected_wage") or ""),
                need_date=need_on, assessment_date=ass_on,
            )
        )  # fmt: skip
    return out


def job_profile(person_id: int) -> JobProfile | None:
    """The matching profile of one person (city-wide: callers enforce access and audit the read)."""
    with unscoped():
        found = _job_profiles(Person.objects.filter(pk=person_id, merged_into__isnull=True))
    return found[0] if found else None


def job_profiles(
    *, person_ids: Any = None, district_ids: list[int] | None = None, seekers_only: bool = True
) -> list[JobProfile]:
    """Profiles of many persons in a few queries: those of ``person_ids`` and/or of ``district_ids``;
    ``seekers_only`` keeps persons whose derived status is 未就业有就业意愿.  City-wide unless filtered:
    callers pass the districts the user may see."""
    from ablework.people.enums import EmploymentStatus

    with unscoped():
        qs = Person.objects.filter(merged_into__isnull=True).order_by("id")
        if person_ids is not None:
            qs = qs.filter(pk__in=list(person_ids))
        if district_ids is not None:
            qs = qs.filter(district_id__in=list(district_ids))
        if seekers_only:
            qs = qs.filter(status=EmploymentStatus.WANTS_WORK)
        return _job_profiles(qs)


def portal_persons(user: Any) -> list[tuple[Person, str]]:
    """The persons a portal user (role ``person``) may act for, with the relation (本人, 监护人 …)."""
    from ablework.people.queries.portal import linked_persons

    return [(lp.person, lp.relation) for lp in linked_persons(user)]


def national_system_rows(*, on: date, district_ids: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """Rows for the national employment and training information system (policy-rules §16): holders of
    a second-generation 残疾人证 of working age on ``on``, with the full resident ID and certificate number
    (the system is real-name), contact, employment status, and their current employment spell (date,
    form, industry, contract, social insurance).  Housing fund is not recorded here (blank).  City-wide
    unless ``district_ids``; the caller restricts who may export it and audits the export."""
    from ablework.people.models import EmploymentRecord

    with unscoped():
        qs = Person.objects.filter(merged_into__isnull=True, cert_kind="cdpf", disability_category__isnull=False)
        if district_ids is not None:
            qs = qs.filter(district_id__in=district_ids)
        ids = list(qs.order_by("id").values_list("id", flat=True))
        for i in range(0, len(ids), 2000):
            chunk = list(Person.objects.filter(pk__in=ids[i : i + 2000]).select_related("district").order_by("id"))
            spells: dict[int, EmploymentRecord] = {}
            for running in (
                EmploymentRecord.objects.filter(person_id__in=[p.pk for p in chunk], start_date__lte=on)
                .filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=on))
                .select_related("employer__industry")
                .order_by("person_id", "start_date", "id")
            ):
                spells[running.person_id] = running  # the latest spell running on ``on``
            for p in chunk:
                if not is_working_age(p, on):
                    continue
                rid = crypto.decrypt(p.id_cipher)
                rec = spells.get(p.pk)
                industry = rec.employer.industry if rec is not None and rec.employer is not None else None
                yield {
                    "person_id": p.pk,
                    "name": p.name,
                    "resident_id": rid,
                    "cert_number": f"{rid}{p.disability_category}{p.disability_level or ''}{p.cert_suffix}",
                    "phone": p.phone,
                    "district": p.district.name,
                    "category": p.get_disability_category_display(),
                    "level": p.get_disability_level_display() if p.disability_level else "",
                    "employed": rec is not None,
                    "employment_date": rec.start_date if rec else None,
                    "employment_form": rec.get_form_display() if rec else "",
                    "industry": f"{industry.code} {industry.name}" if industry else "",
                    "employer_name": rec.employer_name if rec else "",
                    "contract": bool(rec and rec.contract_months),
                    "social_insurance": bool(rec and rec.social_insurance),
                }


def need_registration_codes() -> dict[str, tuple[tuple[str, str], ...]]:
    """The code lists of the 四个一 forms that matching shares (``jobs`` keeps a copy; its tests compare)."""
    from ablework.people.actions import services

    return {"jobs": services.JOB_TYPES, "accommodations": services.ACCOMMODATIONS, "work_times": services.WORK_TIMES}


def identities(person_ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
    """``{person_id: (id_hash, id_masked, name, district code)}`` — what a cross-check with another
    system may send (never the ID in clear)."""
    with unscoped():
        return {
            pk: (h, masked, name, code)
            for pk, h, masked, name, code in Person.objects.filter(pk__in=person_ids).values_list(
                "id", "id_hash", "id_masked", "name", "district__code"
            )
        }


def end_employment_record(record_id: int, *, actor: Any, end_date: date, reason: str = "") -> bool:
    """End an employment record another app created (a job-matching hire whose follow-up found the person
    gone): the end date is set once, the person's status re-derived, the change audited.  False when the
    record is missing or already ended on or before ``end_date``."""
    from ablework.people.actions import end_employment
    from ablework.people.models import EmploymentRecord

    with unscoped():
        record = EmploymentRecord.objects.filter(pk=record_id).first()
    if record is None or (record.end_date is not None and record.end_date <= end_date):
        return False
    end_employment(record, actor=actor, end_date=max(end_date, record.start_date), reason=reason)
    return True


def record_referral_service(person: Person, *, actor: Any, on: date, unit: str, content: str) -> int:
    """Record a job referral made elsewhere (job matching) as the person's 四个一 就业服务 (岗位推荐), so the
    service worklist and completion rates see it; returns the service record id."""
    from ablework.people.actions.services import record_service
    from ablework.people.enums import ServiceKind, ServiceType

    with unscoped():  # the caller has decided access (an officer of the person's district)
        record = record_service(
            person, actor=actor, kind=ServiceKind.SERVICE, date=on, unit=unit[:120] or "残疾人就业服务机构",
            outcome="已推荐岗位", details={"content": content[:2000]}, service_type=ServiceType.REFERRAL,
        )  # fmt: skip
    return record.pk
