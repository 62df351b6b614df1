"""Django-side adapter between the assisted tables, ``people.api`` and the pure ``assisted.rules``:
parameters, a participant's R9.2 eligibility, and the facts of an institution for a year that the
assisted-employment grant (subsidies, R9.3) judges."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ablework.assisted import rules
from ablework.assisted.models import Agreement, Institution, LabourProject, MonthlyRecord, Participant
from ablework.core.models import District
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.people import api as people_api


@dataclass(frozen=True)
class RecordParams:
    agreement_min_months: int
    pay_min_share: Decimal
    accident_insurance_min: Decimal
    confirmed: bool
    source: str


def eligibility_params(on: date, district: District | None = None) -> tuple[rules.EligibilityParams, Any]:
    param = get_param("assisted_eligibility", on=on, district=district)
    return rules.EligibilityParams.from_param(param.value), param


def record_params(on: date, district: District | None = None) -> RecordParams:
    param = get_param("assisted_records", on=on, district=district)
    v = param.value if isinstance(param.value, dict) else {}
    return RecordParams(
        agreement_min_months=int(v.get("agreement_min_months", 6)),
        pay_min_share=Decimal(str(v.get("pay_min_share_of_min_wage", "0.25"))),
        accident_insurance_min=Decimal(str(v.get("accident_insurance_min", "0"))),
        confirmed=param.confirmed,
        source=param.source,
    )


def person_input(facts: Any) -> rules.PersonInput:
    return rules.PersonInput(
        sex=facts.sex,
        birth_date=facts.birth_date,
        cert_kind=facts.cert_kind,
        category=facts.category,
        level=facts.level,
        cert_valid=facts.cert_valid,
    )


def eligibility_of(person: Any, on: date, district: District | None = None) -> rules.Eligibility:
    """R9.2 for a registry person on a date, with the parameter of ``district`` (or the city)."""
    params, _ = eligibility_params(on, district)
    return rules.check_eligibility(person_input(people_api.person_facts(person, on)), on, params)


@dataclass(frozen=True)
class ProjectFact:
    project_id: int
    source_unit: str
    source_kind: str
    content: str
    amount: Decimal  # volume × unit price
    allocated_on: date


@dataclass(frozen=True)
class InstitutionGrantFacts:
    """What the assisted-employment grant needs to know about an institution in a year (R9.3 facts;
    the thresholds themselves are judged in ``subsidies.rules``)."""

    institution_id: int
    name: str
    district_id: int
    kind: str
    placed_eligible: int  # participants eligible under R9.2 with an agreement active in the year
    production_months: int  # whole months of production up to 31 Dec of the year (or closing)
    agreements_min_months_ok: bool  # every placed participant's agreement lasts ≥ agreement_min_months
    pay_by_bank_ok: bool  # every placed participant paid by bank ≥ share × min wage in each recorded month
    projects: tuple[ProjectFact, ...]  # labour projects allocated to it in the year
    barrier_free: bool
    # Extra facts (defaults, so that callers may build the dataclass with the fields above only).
    year: int = 0
    accident_insurance_ok: bool = False  # every placed agreement has accident insurance ≥ the minimum
    placed_total: int = 0  # participants with an agreement active in the year, eligible or not
    job_coaches: int = 0
    safety_measures: bool = False
    parameters_confirmed: bool = False
    notes: tuple[str, ...] = ()  # plain-language reasons (who is not counted, which month failed)

    @property
    def project_count(self) -> int:
        return len(self.projects)

    @property
    def project_amount(self) -> Decimal:
        return sum((p.amount for p in self.projects), Decimal("0"))


def _min_wage(month: date, district: District, cache: dict[date, Decimal]) -> Decimal:
    if month not in cache:
        cache[month] = get_param("min_wage_monthly", on=month, district=district).decimal
    return cache[month]


def institution_grant_facts(institution: Institution, year: int) -> InstitutionGrantFacts:
    start, end = date(year, 1, 1), date(year, 12, 31)
    district = institution.district
    rp = record_params(end, district)
    elig_params, elig_param = eligibility_params(end, district)
    notes: list[str] = []
    with unscoped():
        participants = list(
            Participant.objects.filter(institution=institution, joined_on__lte=end)
            .exclude(left_on__lt=start)
            .select_related("person")
            .order_by("id")
        )
        ids = [p.pk for p in participants]
        agreements: dict[int, list[Agreement]] = defaultdict(list)
        for a in Agreement.objects.filter(participant_id__in=ids, start_date__lte=end).exclude(end_date__lt=start):
            agreements[a.participant_id].append(a)
        months: dict[int, list[MonthlyRecord]] = defaultdict(list)
        for m in MonthlyRecord.objects.filter(participant_id__in=ids, month__gte=start, month__lte=end):
            months[m.participant_id].append(m)
        projects = tuple(
            ProjectFact(p.pk, p.source_unit, p.source_kind, p.content, p.volume * p.unit_price, p.allocated_on)
            for p in LabourProject.objects.filter(
                institution=institution, allocated_on__gte=start, allocated_on__lte=end
            ).order_by("allocated_on", "id")
            if p.allocated_on is not None
        )
        job_coaches = institution.staff.filter(role="job_coach").count()

    placed: list[Participant] = []
    placed_total = 0
    for p in participants:
        active = agreements.get(p.pk, [])
        if not active:
            notes.append(f"{p.person.name}：{year}年没有有效协议，不计入")
            continue
        placed_total += 1
        last_day = min(
            end,
            p.left_on or end,
            max((a.end_date or end) for a in active),
        )
        result = rules.check_eligibility(
            person_input(people_api.person_facts(p.person, last_day)), last_day, elig_params
        )
        if result.eligible:
            placed.append(p)
        else:
            notes.append(f"{p.person.name}：{result.summary}")

    agreements_ok = bool(placed)
    insurance_ok = bool(placed)
    for p in placed:
        active = agreements[p.pk]
        if not any(
            a.end_date is None or rules.full_months(a.start_date, a.end_date) >= rp.agreement_min_months for a in active
        ):
            agreements_ok = False
            notes.append(f"{p.person.name}：协议期限不足{rp.agreement_min_months}个月")
        if not any(a.accident_insurance and (a.insurance_amount or 0) >= rp.accident_insurance_min for a in active):
            insurance_ok = False
            notes.append(f"{p.person.name}：未购买不低于{rp.accident_insurance_min}元的意外伤害保险")

    wage_cache: dict[date, Decimal] = {}
    pay_ok = bool(placed)
    for p in placed:
        pays = [
            rules.MonthPay(m.month, m.pay, m.paid_by_bank, _min_wage(m.month, district, wage_cache))
            for m in months.get(p.pk, [])
        ]
        ok, problems = rules.pay_check(pays, rp.pay_min_share)
        if not ok:
            pay_ok = False
            notes.append(f"{p.person.name}：" + "；".join(problems))

    production_months = 0
    if institution.production_start:
        stop = min(end, institution.closed_on or end)
        production_months = rules.full_months(institution.production_start, stop)

    return InstitutionGrantFacts(
        institution_id=institution.pk,
        name=institution.name,
        district_id=institution.district_id,
        kind=institution.kind,
        placed_eligible=len(placed),
        production_months=production_months,
        agreements_min_months_ok=agreements_ok,
        pay_by_bank_ok=pay_ok,
        projects=projects,
        barrier_free=institution.barrier_free,
        year=year,
        accident_insurance_ok=insurance_ok,
        placed_total=placed_total,
        job_coaches=job_coaches,
        safety_measures=institution.safety_measures,
        parameters_confirmed=rp.confirmed and elig_param.confirmed,
        notes=tuple(notes),
    )
