"""Gather the facts each programme's rule needs, from the other apps' ``api`` and this app's tables,
and run the rule: ``evaluate(application, on) -> Evaluation``.

Facts from partner feeds (social insurance, business registrations) carry their freshness: the
explanation says which source and when it was last received, or that there is none and a document
must show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.utils import timezone

from ablework.assisted import api as assisted_api
from ablework.core import crypto
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.people import api as people_api
from ablework.quota import api as quota_api
from ablework.subsidies import parameters, rules
from ablework.subsidies.enums import ApplicationStatus, ProgrammeKind
from ablework.subsidies.models import Application, ClaimMonth


@dataclass
class Evaluation:
    decision: rules.Decision
    params: list[dict[str, Any]]
    notes: list[str]

    def as_json(self) -> dict[str, Any]:
        return {**self.decision.as_json(), "parameters": self.params, "notes": self.notes}


def _d(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _money(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def _freshness(source: str, as_of: datetime | None, on: date, what: str, limit_key: str) -> str:
    """Where a feed fact came from and how fresh it is; older than ``feed_fact_max_age`` says so."""
    if as_of is None:
        return f"{what}：尚无共享数据"
    age = (on - timezone.localdate(as_of)).days
    limits = get_param("feed_fact_max_age", on=on, default={}).value or {}
    limit = int(limits.get(limit_key, 0) or 0)
    stale = f"（已{age}天未更新，超过{limit}天的时效，可能不是最新）" if limit and age > limit else ""
    return f"{what}：来源{source or '共享数据'}，更新于{timezone.localdate(as_of):%Y-%m-%d}{stale}"


T = TypeVar("T")


def _need(value: T | None, what: str) -> T:
    if value is None:
        raise ValueError(f"申请缺少{what}")
    return value


def person_state(person: Any, on: date) -> rules.PersonState:
    f = people_api.person_facts(person, on)
    return rules.PersonState(f.cert_valid, f.working_age, f.cert_kind, f.category, f.level)


def _earlier_claims(app: Application, kinds: list[str], key: str) -> bool:
    with unscoped():
        return (
            Application.objects.filter(programme__kind__in=kinds, claim_key=key, status=ApplicationStatus.APPROVED)
            .exclude(pk=app.pk or 0)
            .exists()
        )


def double_claims(app: Application, months: tuple[date, ...], group: str) -> list[date]:
    """Months of this person already paid for by another claim of the same exclusivity group."""
    if not group or not months or app.person_id is None:
        return []
    with unscoped():
        taken = ClaimMonth.objects.filter(person_id=app.person_id, group=group, month__in=months)
        if app.pk is not None:
            taken = taken.exclude(application_id=app.pk)
        return sorted(taken.values_list("month", flat=True))


def evaluate(app: Application, on: date | None = None) -> Evaluation:
    on = on or timezone.localdate()
    kind = app.programme.kind
    year = app.programme.year
    data = app.data
    notes: list[str] = []
    used: list[Any]
    if kind == ProgrammeKind.OVER_QUOTA_REWARD:
        employer = app.employer
        lr = quota_api.levy_result(employer, year)
        due = lr.levy_due if lr is not None and lr.levy_due is not None else Decimal("0")
        outstanding = due - quota_api.levy_paid(employer, year)
        with unscoped():
            years = (
                Application.objects.filter(
                    programme__kind=kind, employer=employer, status=ApplicationStatus.APPROVED, programme__year__lt=year
                )
                .values("programme__year")
                .distinct()
                .count()
            )
        rf = rules.RewardFacts(
            certified=lr is not None,
            weighted_count=lr.weighted_count if lr is not None else None,
            required=lr.required if lr is not None else None,
            levy_outstanding=outstanding,
            centralised=bool(data.get("centralised")),
            years_rewarded=years,
        )
        rp, used = parameters.reward_params(date(year, 12, 31))
        decision = rules.over_quota_reward(rf, rp)
    elif kind == ProgrammeKind.NEW_HIRE:
        start = _d(data["contract_start"])
        assert start is not None
        k = int(data.get("contract_year", 1))
        period_start = rules.add_months(start, 12 * (k - 1))
        months = rules.months_between(period_start, rules.add_months(start, 12 * k) - date.resolution)[:12]
        p, used = parameters.new_hire_params(date(year, 12, 31), [rules.month_start(start), *months])
        employer = _need(app.employer, "用人单位")
        hire = _need(app.person, "残疾人")
        si = people_api.si_paid_months(hire.pk, start=months[0], end=months[-1], employer_uscc=employer.uscc)
        notes.append(_freshness(si.source, si.as_of, on, "社保缴费", "si_days"))
        before = None
        lookback = rules.add_months(start, -p.not_employed_by_same_unit_months)
        spells = people_api.employment_spells(hire.pk)
        before = any(
            s.employer_id == employer.pk and s.start < start and (s.end is None or s.end >= lookback) for s in spells
        )
        f = rules.NewHireFacts(
            programme_year=year,
            person=person_state(hire, on),
            contract_start=start,
            contract_end=_d(data.get("contract_end")),
            contract_year=k,
            monthly_wage=_money(data.get("monthly_wage")),
            si_months=si.months if si.as_of is not None else None,
            employed_by_unit_before=before,
            on=on,
            graduate=bool(data.get("graduate")),
        )
        decision = rules.new_hire_subsidy(f, p)
    elif kind == ProgrammeKind.INTERNSHIP:
        start, end = _d(data["start"]), _d(data["end"])
        assert start is not None and end is not None
        ip, used = parameters.internship_params(date(year, 12, 31), rules.months_between(start, end))
        person = _need(app.person, "残疾人")
        age = (
            start.year
            - person.birth_date.year
            - ((start.month, start.day) < (person.birth_date.month, person.birth_date.day))
        )
        ins = data.get("accident_insurance")
        inf = rules.InternshipFacts(
            person=person_state(person, on),
            age_at_start=age,
            graduated_on=_d(data.get("graduated_on")),
            start=start,
            end=end,
            monthly_allowance=_money(data.get("monthly_allowance")),
            accident_insurance=None if ins is None else bool(ins),
            retained=bool(data.get("retained")),
        )
        decision = rules.internship_subsidy(inf, ip)
    elif kind == ProgrammeKind.NEW_BUSINESS:
        uscc = str(data.get("uscc", "")).strip().upper()
        reg = employers_api.business_registration(uscc) if uscc else None
        person = _need(app.person, "残疾人")
        if reg is not None:
            notes.append(_freshness(reg.source, reg.as_of, on, "市场监管登记", "business_days"))
            licence = reg.licence_date
            matches: bool | None = bool(reg.operator_id_hash) and reg.operator_id_hash == person.id_hash
            is_open: bool | None = reg.status == "open"
        else:
            notes.append("市场监管登记：尚无共享数据，按申请人上传的营业执照审核")
            licence = _d(data.get("licence_date"))
            matches = True if data.get("operator_confirmed") else None
            is_open = True if licence else None
        bp, used = parameters.new_business_params(date(year, 12, 31))
        nf = rules.NewBusinessFacts(
            programme_year=year,
            person=person_state(person, on),
            uscc=uscc,
            licence_date=licence,
            operator_matches=matches,
            open=is_open,
            claimed_before=_earlier_claims(app, [kind], app.claim_key)
            or _earlier_claims(app, [kind], f"business:{uscc}"),
        )
        decision = rules.new_business_support(nf, bp)
    elif kind == ProgrammeKind.SELF_EMPLOYMENT:
        started = _d(data.get("started_on"))
        sp, used = parameters.self_employment_params(date(year, 12, 31))
        count: int | None = None
        holder = _need(app.person, "残疾人")
        if started is not None:
            si = people_api.si_paid_months(holder.pk, start=started, end=on)
            notes.append(_freshness(si.source, si.as_of, on, "社保缴费", "si_days"))
            count = len(si.months) if si.as_of is not None else None
        sf = rules.SelfEmploymentFacts(
            person=person_state(holder, on),
            started_on=started,
            on=on,
            si_month_count=count,
            claimed_before=_earlier_claims(app, [kind], app.claim_key),
        )
        decision = rules.self_employment_subsidy(sf, sp)
    elif kind == ProgrammeKind.ASSISTED_GRANT:
        with unscoped():
            inst = assisted_api.get_institution(app.institution_id or 0)
        if inst is None:
            raise ValueError("辅助性就业机构不存在")
        gf = assisted_api.institution_grant_facts(inst, year)
        notes.extend(gf.notes)
        ap, used = parameters.assisted_grant_params(date(year, 12, 31))
        af = rules.AssistedGrantFacts(
            placed_eligible=gf.placed_eligible,
            production_months=gf.production_months,
            agreements_ok=gf.agreements_min_months_ok,
            pay_by_bank_ok=gf.pay_by_bank_ok,
            barrier_free=gf.barrier_free,
            projects=gf.project_count,
            active=getattr(inst, "status", "active") == "active",
        )
        decision = rules.assisted_grant(af, ap)
    else:  # pragma: no cover - the choices are closed
        raise ValueError(f"unknown programme kind {kind}")
    group = parameters.exclusivity_group(kind, on)
    taken = double_claims(app, decision.months, group)
    if decision.months and group:
        crit = rules.Criterion(
            "no_double_claim", "同一人同一月未重复享受同类补贴", rules.MET if not taken else rules.NOT_MET,
            "无重复" if not taken else "以下月份已由其他补贴发放：" + "、".join(f"{m:%Y-%m}" for m in taken),
        )  # fmt: skip
        amount = decision.amount if not taken else Decimal("0")
        decision = rules.Decision((*decision.criteria, crit), amount, decision.formula, decision.months)
    return Evaluation(decision, parameters.used(used), notes)


def person_district(person: Any) -> Any:
    return person.district


def bank_account_masked(account: str) -> str:
    account = account.replace(" ", "")
    return f"{account[:4]}{'*' * max(len(account) - 8, 4)}{account[-4:]}" if len(account) > 8 else "****"


def encrypt_account(account: str) -> str:
    return crypto.encrypt(account.replace(" ", "")) if account else ""
