"""就业困难人员认定 (policy-rules R11.1) and 公益性岗位 placements (R11.2).

Certification is a workflow (``core.workflow``) over ``DifficultyCertification.status``::

    draft ──submit──▶ submitted ──approve──▶ approved ──exit / exit_reemployed──▶ exited
      ▲                  │  │                   └──expire (daily task)──▶ expired
      └────return────────┘  └──reject──▶ rejected

Submission is by a district officer or a street worker; the decision is one chain stage
"区级审核" by a district reviewer (maker-checker: never the submitter), with the parameter
``difficulty_certification.review_days`` as its deadline.  The chain is created lazily and
idempotently (``ensure_difficulty_chain``) because migrations are not ours to add.

Criteria are checked by ``rules.check_difficulty`` with facts from the person record and the three
facts the applicant declares; the explanation is stored in ``criteria``.  An application that fails
the criteria may be submitted (the reviewer sees why), but it cannot be approved: approval re-checks
the criteria on the decision date and refuses unless all are met.  Approval sets the validity from
``difficulty_certification.validity_months`` read on the decision date.

Re-employment: with ``exit_on_reemployment`` on, ``registry.add_employment_record`` calls
``exit_on_reemployment`` in its transaction; a person who is employed after the new record leaves
the certification (transition ``exit_reemployed``, by the actor who added the record).
Expiry is set-based (``expire_difficulty_certifications``): one UPDATE, ``TransitionLog`` rows in
bulk and one audit entry per district and chunk (``audit.record_many``, indexed by the
certifications), instead of ``apply()`` per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ablework.accounts.enums import Role
from ablework.core import audit, workflow
from ablework.core.enums import AuditAction
from ablework.core.models import District, TransitionLog
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.core.workflow import ChainStep, Transition, Workflow
from ablework.people import rules
from ablework.people.actions.registry import (
    RegistryError,
    add_employment_record,
    end_employment,
    is_working_age,
    today,
    working_age_limits,
)
from ablework.people.enums import CertificateKind, DifficultyStatus, EmploymentForm, EmploymentStatus
from ablework.people.models import DifficultyCertification, EmploymentRecord, Person, PublicWelfarePlacement

__all__ = [
    "DIFFICULTY_CHAIN",
    "DIFFICULTY_FLOW",
    "USER_TRANSITIONS",
    "DifficultyError",
    "PlacementError",
    "SubsidyTotal",
    "apply_for_difficulty",
    "approve_difficulty",
    "check_difficulty_criteria",
    "end_public_welfare_placement",
    "ensure_difficulty_chain",
    "exit_difficulty_certification",
    "exit_on_reemployment",
    "exit_reemployed_persons",
    "expire_difficulty_certifications",
    "open_application_message",
    "period_months",
    "place_in_public_welfare_post",
    "placement_limit",
    "reject_difficulty",
    "return_difficulty",
    "subsidy_total",
    "update_difficulty_application",
]

DIFFICULTY_CHAIN = "difficulty_certification"
CHAIN_NAME = "就业困难人员认定"
STAGE_NAME = "区级审核"
PARAM = "difficulty_certification"
PLACEMENT_PARAM = "public_welfare_post"
OPEN_STATES = (DifficultyStatus.DRAFT, DifficultyStatus.SUBMITTED, DifficultyStatus.APPROVED)
EXIT_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER})

DIFFICULTY_FLOW = Workflow(
    "difficulty_certification",
    model="people.DifficultyCertification",
    field="status",
    chain=DIFFICULTY_CHAIN,
    transitions=[
        Transition("submit", source="draft", target="submitted", label="提交申请",
                   roles={Role.DISTRICT_OFFICER, Role.STREET_WORKER}, step=ChainStep.SUBMIT),
        Transition("approve", source="submitted", target="approved", label="认定通过", step=ChainStep.APPROVE),
        Transition("return", source="submitted", target="draft", label="退回修改", step=ChainStep.RETURN,
                   note_required=True),
        Transition("reject", source="submitted", target="rejected", label="不予认定", step=ChainStep.REJECT,
                   note_required=True),
        Transition("exit", source="approved", target="exited", label="退出认定", roles=EXIT_ROLES,
                   note_required=True),
        # Performed by the system (or on behalf of whoever recorded the new employment): no button.
        Transition("exit_reemployed", source="approved", target="exited", label="再就业自动退出"),
        # Written in bulk by expire_difficulty_certifications, never through apply(): no role may run it.
        Transition("expire", source="approved", target="expired", label="有效期届满", roles=()),
    ],
)  # fmt: skip

# The transitions a user may press; the others are run by the system.
USER_TRANSITIONS = ("submit", "approve", "return", "reject", "exit")


class DifficultyError(RegistryError):
    """A certification write refused by a rule; the message is for the user."""


class PlacementError(RegistryError):
    """A 公益性岗位 placement refused by a rule; the message is for the user."""


# -- chain ------------------------------------------------------------------------------------------


def ensure_difficulty_chain(on: date | None = None) -> None:
    """Create (or bring up to date) the one-stage district review chain; idempotent and cheap when
    nothing changed.  The stage deadline is ``difficulty_certification.review_days`` in force ``on``."""
    param = get_param(PARAM, on=on or today())
    workflow.ensure_chain(
        DIFFICULTY_CHAIN, CHAIN_NAME, [(STAGE_NAME, Role.DISTRICT_REVIEWER, int(param.value["review_days"]))]
    )


# -- criteria ---------------------------------------------------------------------------------------


def _certificate_fact(person: Person, on: date) -> tuple[bool, str]:
    """Does the person hold a certificate valid on ``on``?  (valid, evidence text)"""
    until = person.cert_valid_until
    if person.cert_kind == CertificateKind.MILITARY:
        held = person.military_level is not None
        what = f"残疾军人证（{person.military_level}级）" if held else "残疾军人证（未登记伤残等级）"
    else:
        held = person.disability_category is not None and person.disability_level is not None
        what = (
            f"残疾人证（{person.get_disability_category_display()}{person.get_disability_level_display()}）"
            if held
            else "未登记有效的残疾人证"
        )
    in_date = until is None or until >= on
    validity = "长期有效" if until is None else f"有效期至{until:%Y-%m-%d}"
    if held and not in_date:
        validity += f"，{on:%Y-%m-%d}已过期"
    return held and in_date, f"{what}，{validity}" if held else what


def check_difficulty_criteria(
    person: Person, *, registered_unemployed: bool, able_and_willing: bool, referral_failed: bool, on: date
) -> tuple[rules.DifficultyResult, dict[str, Any]]:
    """Run R11.1 for ``person`` on ``on``; returns the result and the dict stored in ``criteria``:
    ``Explanation.as_dict()`` plus ``eligible``, ``checked_on``, ``failed`` (labels of unmet
    criteria) and ``evidence`` (label → the facts behind the answer)."""
    limits, age_param = working_age_limits(person.birth_date)
    working_age = rules.is_working_age(person.birth_date, person.sex, on, limits)
    cert_ok, cert_text = _certificate_fact(person, on)
    employed = person.status == EmploymentStatus.EMPLOYED
    facts = rules.DifficultyInput(
        tianjin_hukou=person.tianjin_hukou,
        working_age=working_age,
        able_and_willing=able_and_willing,
        registered_unemployed=registered_unemployed,
        referral_failed=referral_failed,
        certificate_valid=cert_ok,
        employed=employed,
    )
    result = rules.check_difficulty(facts, age_param=age_param.ref())
    top = limits.male_max_age if person.sex == "M" else limits.female_max_age
    evidence = {
        "本市户籍": f"户籍区：{person.district.name}" + ("" if person.tianjin_hukou else "（登记为非本市户籍）"),
        "处于法定劳动年龄": (
            f"{person.get_sex_display()}，{person.birth_date:%Y-%m-%d}出生，{on:%Y-%m-%d}时"
            f"{rules.age_on(person.birth_date, on)}周岁；劳动年龄{limits.min_age}至{top}周岁"
        ),
        "有劳动能力和就业意愿": "申请人声明" + ("：有" if able_and_willing else "：无"),
        "已办理失业登记": "申请人声明" + ("：已登记" if registered_unemployed else "：未登记"),
        "经公共就业服务机构推荐仍未就业": "申请人声明" + ("：是" if referral_failed else "：否"),
        "当前无就业记录": f"当前就业状态：{person.get_status_display()}（由就业记录得出）",
    }
    data = result.explanation.as_dict()
    for step in data["steps"]:
        label = step["label"]
        step["evidence"] = evidence.get(label, cert_text if label.startswith("持有效") else "")
        for p in step["params"]:
            value = p["value"]
            p["display"] = "，".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
    data["eligible"] = result.eligible
    data["checked_on"] = on.isoformat()
    data["failed"] = [s["label"] for s in data["steps"] if s["outcome"] == "not_met" and s["label"] != "结论"]
    return result, data


def _declared(cert: DifficultyCertification) -> dict[str, bool]:
    return {
        "registered_unemployed": cert.registered_unemployed,
        "able_and_willing": cert.able_and_willing,
        "referral_failed": cert.referral_failed,
    }


def _check_applied_on(applied_on: date) -> None:
    if applied_on > today():
        raise DifficultyError("申请日期不能晚于今天")


def _person(pk: int) -> Person:
    with unscoped():
        return Person.objects.select_related("district").get(pk=pk)


# -- application --------------------------------------------------------------------------------------


def apply_for_difficulty(
    person: Person,
    *,
    actor: Any,
    registered_unemployed: bool,
    able_and_willing: bool,
    referral_failed: bool,
    applied_on: date,
    submit: bool = True,
) -> DifficultyCertification:
    """Create an application (criteria checked and stored) and, by default, submit it for district
    review.  An application that fails the criteria may be submitted; it cannot be approved.

    Raises ``DifficultyError`` when the person already has an open application or certification,
    or the date is in the future; ``TransitionNotAllowed`` when the actor may not submit.
    """
    _check_applied_on(applied_on)
    declared = {
        "registered_unemployed": bool(registered_unemployed),
        "able_and_willing": bool(able_and_willing),
        "referral_failed": bool(referral_failed),
    }
    if submit:
        ensure_difficulty_chain()
    with transaction.atomic(), unscoped():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.merged_into_id:
            raise DifficultyError("该档案已合并到另一档案，请在保留的档案上申请")
        open_cert = DifficultyCertification.objects.filter(person=locked, status__in=OPEN_STATES).first()
        if open_cert is not None:
            raise DifficultyError(open_application_message(open_cert))
        _result, criteria = check_difficulty_criteria(locked, on=applied_on, **declared)
        cert = DifficultyCertification.objects.create(
            person=locked,
            district_id=locked.district_id,
            applied_on=applied_on,
            criteria=criteria,
            created_by=actor if getattr(actor, "pk", None) else None,
            **declared,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=cert,
            object_label=f"{locked.name} 就业困难人员认定申请",
            changes=audit.diff({}, declared | {"applied_on": applied_on, "eligible": criteria["eligible"]}),
        )
        if submit:
            DIFFICULTY_FLOW.apply(cert, "submit", actor=actor)
    return cert


def open_application_message(cert: DifficultyCertification) -> str:
    if cert.status == DifficultyStatus.DRAFT:
        return "该人员已有一份被退回待修改的申请，请在原申请上修改后重新提交"
    if cert.status == DifficultyStatus.SUBMITTED:
        return "该人员已有一份待区级审核的申请，不能重复申请"
    until = f"，有效期至{cert.valid_until:%Y-%m-%d}" if cert.valid_until else ""
    return f"该人员已被认定为就业困难人员{until}，不能重复申请"


def update_difficulty_application(
    cert: DifficultyCertification,
    *,
    actor: Any,
    registered_unemployed: bool,
    able_and_willing: bool,
    referral_failed: bool,
    applied_on: date,
    submit: bool = True,
) -> DifficultyCertification:
    """Change a draft (a returned application): the declared facts and the date, criteria checked
    again; by default submitted again (a new review round).  Raises ``DifficultyError`` unless the
    application is a draft; ``TransitionNotAllowed`` when the actor may not submit."""
    _check_applied_on(applied_on)
    declared = {
        "registered_unemployed": bool(registered_unemployed),
        "able_and_willing": bool(able_and_willing),
        "referral_failed": bool(referral_failed),
    }
    if submit:
        ensure_difficulty_chain()
    with transaction.atomic():
        locked = DifficultyCertification._base_manager.select_for_update().get(pk=cert.pk)
        if locked.status != DifficultyStatus.DRAFT:
            raise DifficultyError(f"当前状态为“{locked.get_status_display()}”，只有退回修改的申请可以修改")
        _result, criteria = check_difficulty_criteria(_person(locked.person_id), on=applied_on, **declared)
        changes: dict[str, Any] = declared | {"applied_on": applied_on, "criteria": criteria}
        if submit:
            # The transition saves the changes and audits their diff together with the state.
            DIFFICULTY_FLOW.apply(locked, "submit", actor=actor, **changes)
        else:
            before = {k: getattr(locked, k) for k in changes}
            for key, value in changes.items():
                setattr(locked, key, value)
            locked.save(update_fields=list(changes))
            audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes=audit.diff(before, changes))
    for key, value in changes.items():
        setattr(cert, key, value)
    cert.status = locked.status
    return cert


# -- decision -----------------------------------------------------------------------------------------


class _Ineligible(Exception):
    pass


def approve_difficulty(
    cert: DifficultyCertification, *, actor: Any, note: str = "", stage: Any = None, on: date | None = None
) -> DifficultyCertification:
    """Approve at the district stage.  The criteria are checked again on the decision date ``on``
    (default today) with the declared facts and the person record as it is then; unless all are met
    the approval is refused, naming the unmet criteria.  Sets ``valid_from`` = ``on`` and
    ``valid_until`` = ``on`` + ``difficulty_certification.validity_months`` (parameter in force on
    ``on``, district value first).

    Raises ``TransitionNotAllowed`` (state, role, stage, maker-checker) and ``DifficultyError``
    (criteria not met).
    """
    on = on or today()
    ensure_difficulty_chain()
    locked = DifficultyCertification._base_manager.select_related("district").get(pk=cert.pk)
    result, criteria = check_difficulty_criteria(_person(locked.person_id), on=on, **_declared(locked))
    param = get_param(PARAM, on=on, district=locked.district)
    months = int(param.value["validity_months"])
    valid_until = rules.add_months(on, months)
    criteria["decision"] = {
        "on": on.isoformat(),
        "validity_months": months,
        "valid_until": valid_until.isoformat(),
        "param": {"key": param.key, "value": param.value, "source": param.source, "confirmed": param.confirmed},
    }
    try:
        # The workflow's own refusals (state, role, stage, maker-checker) come first; an ineligible
        # application is then refused by rolling the approval back.
        with transaction.atomic():
            DIFFICULTY_FLOW.apply(
                locked, "approve", actor=actor, note=note, stage=stage,
                valid_from=on, valid_until=valid_until, criteria=criteria,
            )  # fmt: skip
            if not result.eligible:
                raise _Ineligible
    except _Ineligible:
        unmet = "、".join(f"“{label}”" for label in criteria["failed"])
        raise DifficultyError(
            f"不符合就业困难人员认定条件，不能认定通过：截至{on:%Y-%m-%d}未满足{unmet}。"
            "全部条件满足后方可认定；请退回修改（补充材料）或作出不予认定决定。"
        ) from None
    cert.status, cert.valid_from, cert.valid_until, cert.criteria = locked.status, on, valid_until, criteria
    return cert


def return_difficulty(
    cert: DifficultyCertification, *, actor: Any, note: str, stage: Any = None
) -> DifficultyCertification:
    """Send the application back to the submitter as a draft (opinion required)."""
    ensure_difficulty_chain()
    workflow.send_back(cert, actor=actor, note=note, stage=stage)
    return cert


def reject_difficulty(
    cert: DifficultyCertification, *, actor: Any, note: str, stage: Any = None
) -> DifficultyCertification:
    """Refuse the certification (不予认定); the reason is required and kept in the history."""
    ensure_difficulty_chain()
    workflow.reject(cert, actor=actor, note=note, stage=stage)
    return cert


# -- exit and expiry ----------------------------------------------------------------------------------


def exit_difficulty_certification(
    cert: DifficultyCertification, *, actor: Any, exited_on: date, reason: str
) -> DifficultyCertification:
    """退出 on request or on re-employment found by an officer: date and reason required.  The date
    lies between the start of validity and today."""
    reason = (reason or "").strip()
    if not reason:
        raise DifficultyError("请填写退出原因")
    if exited_on > today():
        raise DifficultyError("退出日期不能晚于今天")
    if cert.valid_from and exited_on < cert.valid_from:
        raise DifficultyError(f"退出日期不能早于认定有效期起始日（{cert.valid_from:%Y-%m-%d}）")
    DIFFICULTY_FLOW.apply(cert, "exit", actor=actor, note=reason, exited_on=exited_on, exit_reason=reason[:200])
    return cert


def exit_on_reemployment(person: Person, *, actor: Any, on: date, form: str = "") -> DifficultyCertification | None:
    """Exit the person's approved certification when they are employed again (parameter
    ``difficulty_certification.exit_on_reemployment``).  Called by ``add_employment_record`` in its
    transaction after the status was re-derived; ``on`` is the start of the new employment, the exit
    date (not before the start of validity).  Employment forms listed in the parameter's
    ``exempt_forms`` (by default 公益性岗位, which exist for 就业困难人员) do not end the certification.
    Returns the certification exited, or None."""
    if person.status != EmploymentStatus.EMPLOYED:
        return None  # a past spell, already ended: not employed again now
    with unscoped():
        cert = DifficultyCertification.objects.filter(person_id=person.pk, status=DifficultyStatus.APPROVED).first()
        if cert is None:
            return None
        exited_on = max(on, cert.valid_from) if cert.valid_from else on
        district = District.objects.filter(pk=person.district_id).first()
        param = get_param(PARAM, on=exited_on, district=district, default={})
        if not param.value.get("exit_on_reemployment") or form in param.value.get("exempt_forms", []):
            return None
        DIFFICULTY_FLOW.apply(
            cert, "exit_reemployed", actor=actor, note=f"登记了{on:%Y-%m-%d}起的就业记录，按规定退出认定",
            exited_on=exited_on, exit_reason="再就业",
        )  # fmt: skip
    return cert


def exit_reemployed_persons(person_ids: Iterable[int], *, actor: Any) -> int:
    """``exit_on_reemployment`` for writers that bypass ``add_employment_record`` (the set-based
    bulk import): for each of these persons who holds an approved certification and is employed
    now, exit it as of the start of the current employment.  Returns how many were exited."""
    on = today()
    exited = 0
    with unscoped():
        persons = Person.objects.filter(
            pk__in=list(person_ids),
            status=EmploymentStatus.EMPLOYED,
            difficulty_certifications__status=DifficultyStatus.APPROVED,
        ).distinct()
        for person in persons:
            current = (
                EmploymentRecord.objects.filter(person=person, start_date__lte=on)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
                .order_by("-start_date")
                .values_list("start_date", "form")
                .first()
            )
            if current is not None and exit_on_reemployment(person, actor=actor, on=current[0], form=current[1]):
                exited += 1
    return exited


def expire_difficulty_certifications(on: date | None = None, *, chunk: int = 1000) -> int:
    """Approved certifications whose validity ended before ``on`` (default today) become expired.

    Set-based per chunk: one UPDATE guarded by the state, ``TransitionLog`` rows in bulk (so each
    certification's history shows the expiry) and one audit entry per district indexed by the ids.
    Idempotent; returns how many expired."""
    on = on or today()
    total = 0
    object_type = DifficultyCertification._meta.label_lower
    with unscoped():
        while True:
            with transaction.atomic():
                rows = list(
                    DifficultyCertification.objects.select_for_update()
                    .filter(status=DifficultyStatus.APPROVED, valid_until__lt=on)
                    .order_by("pk")
                    .values_list("pk", "district_id", "valid_until")[:chunk]
                )
                if not rows:
                    break
                ids = [pk for pk, _d, _u in rows]
                changed = DifficultyCertification.objects.filter(pk__in=ids, status=DifficultyStatus.APPROVED).update(
                    status=DifficultyStatus.EXPIRED
                )
                now = timezone.now()
                TransitionLog.objects.bulk_create(
                    TransitionLog(
                        object_type=object_type, object_id=str(pk), from_state=DifficultyStatus.APPROVED,
                        to_state=DifficultyStatus.EXPIRED, transition="expire", actor=None, actor_label="系统",
                        note=f"认定有效期至{until:%Y-%m-%d}，已届满", at=now,
                    )
                    for pk, _d, until in rows
                )  # fmt: skip
                codes = dict(District.objects.filter(pk__in={d for _p, d, _u in rows}).values_list("pk", "code"))
                by_district: dict[int, list[int]] = {}
                for pk, district_id, _u in rows:
                    by_district.setdefault(district_id, []).append(pk)
                for district_id, pks in sorted(by_district.items()):
                    audit.record_many(
                        AuditAction.TRANSITION,
                        actor=None,
                        object_type=object_type,
                        object_ids=pks,
                        object_label=f"就业困难人员认定到期（{len(pks)}条）",
                        district_code=codes.get(district_id, ""),
                        changes={"status": ["approved", "expired"], "on": on},
                        purpose="认定有效期届满自动到期",
                    )
                total += changed
    return total


# -- 公益性岗位 -----------------------------------------------------------------------------------------


def period_months(start: date, end: date) -> int:
    """Months of a placement from ``start`` to ``end`` inclusive; a started month counts as one
    (1 Jan – 31 Dec = 12; 1 Jan – 10 Jan = 1)."""
    stop = end + timedelta(days=1)
    months = (stop.year - start.year) * 12 + (stop.month - start.month)
    while months > 0 and rules.add_months(start, months) > stop:
        months -= 1
    return months + (1 if rules.add_months(start, months) < stop else 0)


@dataclass(frozen=True)
class SubsidyTotal:
    months: int
    post_monthly: Decimal
    insurance_monthly: Decimal

    @property
    def post_total(self) -> Decimal:
        return (self.post_monthly * self.months).quantize(Decimal("0.01"))

    @property
    def insurance_total(self) -> Decimal:
        return (self.insurance_monthly * self.months).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.post_total + self.insurance_total


def subsidy_total(placement: PublicWelfarePlacement) -> SubsidyTotal:
    """Subsidies over the placement's period: months × monthly amount, for each subsidy."""
    return SubsidyTotal(
        period_months(placement.start_date, placement.end_date),
        Decimal(placement.post_subsidy_monthly),
        Decimal(placement.insurance_subsidy_monthly),
    )


@dataclass(frozen=True)
class PlacementLimit:
    latest_end: date  # the last day the placement may run to
    max_years: int
    near_retirement_years: int
    retirement_on: date  # first day outside working age
    near_retirement: bool
    source: str

    def describe(self) -> str:
        if self.near_retirement:
            return (
                f"本人将于{self.retirement_on:%Y-%m-%d}超出法定劳动年龄，距退休不足{self.near_retirement_years}年，"
                f"安置期限可延至退休前，最晚至{self.latest_end:%Y-%m-%d}"
            )
        return f"安置期限一般不超过{self.max_years}年，最晚至{self.latest_end:%Y-%m-%d}"


def placement_limit(person: Person, start_date: date) -> PlacementLimit:
    """How long a placement starting ``start_date`` may run (R11.2): ``max_years`` years, or up to the
    end of working age for a person within ``near_retirement_years`` of it (parameters
    ``public_welfare_post`` and ``working_age``)."""
    district = District.objects.filter(pk=person.district_id).first()
    param = get_param(PLACEMENT_PARAM, on=start_date, district=district)
    max_years = int(param.value["max_years"])
    near_years = int(param.value["near_retirement_years"])
    limits, _age = working_age_limits(person.birth_date)
    top = limits.male_max_age if person.sex == "M" else limits.female_max_age
    retirement_on = rules.add_months(person.birth_date, 12 * (top + 1))
    near = start_date > rules.add_months(retirement_on, -12 * near_years)
    if near:
        latest = retirement_on - timedelta(days=1)
    else:
        latest = rules.add_months(start_date, 12 * max_years) - timedelta(days=1)
    return PlacementLimit(latest, max_years, near_years, retirement_on, near, param.source)


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise PlacementError(f"{label}应为金额，例如 1500.00") from None
    if amount < 0:
        raise PlacementError(f"{label}不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise PlacementError(f"{label}最多保留两位小数")
    return amount


def place_in_public_welfare_post(
    person: Person,
    *,
    actor: Any,
    post: str,
    unit: str,
    start_date: date,
    end_date: date,
    post_subsidy_monthly: Decimal,
    insurance_subsidy_monthly: Decimal,
) -> PublicWelfarePlacement:
    """Place a person in a 公益性岗位: the placement and its employment record (form 公益性岗位, ending
    on the placement's end date) in one transaction; the person's status becomes employed.

    Refused (``PlacementError``) when a field is missing, the period is longer than the parameter
    allows (see ``placement_limit``), the person is outside working age at the start, another
    placement overlaps, or the start lies in the future (employment is recorded once it began).
    """
    post, unit = (post or "").strip(), (unit or "").strip()
    if not post:
        raise PlacementError("请填写岗位名称")
    if not unit:
        raise PlacementError("请填写用工单位")
    if end_date < start_date:
        raise PlacementError("结束日期不能早于开始日期")
    if start_date > today():
        raise PlacementError("开始日期不能晚于今天：请在上岗后登记安置")
    post_amount = _money(post_subsidy_monthly, "岗位补贴")
    insurance_amount = _money(insurance_subsidy_monthly, "社保补贴")
    if not is_working_age(person, start_date):
        raise PlacementError(f"{start_date:%Y-%m-%d}时本人不在法定劳动年龄内，不能安置到公益性岗位")
    limit = placement_limit(person, start_date)
    if end_date > limit.latest_end:
        raise PlacementError(
            f"安置期限过长：{start_date:%Y-%m-%d}至{end_date:%Y-%m-%d}。{limit.describe()}（依据：{limit.source}）"
        )
    with transaction.atomic(), unscoped():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        overlap = PublicWelfarePlacement.objects.filter(
            person=locked, start_date__lte=end_date, end_date__gte=start_date
        ).first()
        if overlap is not None:
            raise PlacementError(
                f"该人员在{overlap.start_date:%Y-%m-%d}至{overlap.end_date:%Y-%m-%d}已安置在“{overlap.post}”，期间不能重叠"
            )
        record = add_employment_record(
            locked, actor=actor, form=EmploymentForm.PUBLIC_WELFARE, start_date=start_date, end_date=end_date,
            employer_name=unit, contract_months=min(period_months(start_date, end_date), 32767),
            social_insurance=insurance_amount > 0, note=f"公益性岗位：{post}"[:200],
        )  # fmt: skip
        placement = PublicWelfarePlacement.objects.create(
            person=locked,
            district_id=locked.district_id,
            post=post,
            unit=unit,
            start_date=start_date,
            end_date=end_date,
            post_subsidy_monthly=post_amount,
            insurance_subsidy_monthly=insurance_amount,
            employment_record=record,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        total = subsidy_total(placement)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=placement,
            object_label=f"{locked.name} 公益性岗位 {post}",
            changes=audit.diff(
                {},
                {"post": post, "unit": unit, "start_date": start_date, "end_date": end_date,
                 "post_subsidy_monthly": post_amount, "insurance_subsidy_monthly": insurance_amount,
                 "months": total.months, "subsidy_total": total.total, "employment_record": record.pk},
            ),
        )  # fmt: skip
    person.status, person.status_since = locked.status, locked.status_since
    return placement


def end_public_welfare_placement(
    placement: PublicWelfarePlacement, *, actor: Any, end_date: date, reason: str
) -> PublicWelfarePlacement:
    """End a placement early (离岗): the placement and its employment record end on ``end_date``;
    the person's status is derived again.  The date lies between the start and the planned end."""
    reason = (reason or "").strip()
    if not reason:
        raise PlacementError("请填写离岗原因")
    with transaction.atomic(), unscoped():
        locked = PublicWelfarePlacement.objects.select_for_update().get(pk=placement.pk)
        if end_date < locked.start_date:
            raise PlacementError(f"离岗日期不能早于上岗日期（{locked.start_date:%Y-%m-%d}）")
        if end_date > locked.end_date:
            raise PlacementError(f"离岗日期不能晚于原定结束日期（{locked.end_date:%Y-%m-%d}）")
        if end_date > today():
            raise PlacementError("离岗日期不能晚于今天")
        before = locked.end_date
        locked.end_date = end_date
        locked.save(update_fields=["end_date"])
        if locked.employment_record_id is not None:
            record = EmploymentRecord.objects.get(pk=locked.employment_record_id)
            end_employment(record, actor=actor, end_date=end_date, reason=f"公益性岗位离岗：{reason}")
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes=audit.diff({"end_date": before}, {"end_date": end_date}) | {"reason": reason},
        )
    placement.end_date = end_date
    return placement
