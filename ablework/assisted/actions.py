"""Every write of ablework.assisted: check, save, audit (before/after) in one transaction.

Errors are ``AssistedError`` with a Chinese message and, where a field is at fault, ``errors`` keyed by
field name (forms attach them to the field).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from ablework.assisted.enums import InstitutionStatus, ParticipantStatus, SignedWith
from ablework.assisted.facts import eligibility_of
from ablework.assisted.models import (
    Agreement,
    Institution,
    LabourProject,
    MonthlyRecord,
    Participant,
    ProjectOutput,
    RuralBase,
    RuralSupport,
    Staff,
)
from ablework.core.actions import RecordError, field_values, save_audited
from ablework.core.identifiers import IdentifierError, parse_uscc
from ablework.core.scoping import unscoped

MAX_HOURS_PER_MONTH = Decimal("744")  # 31 × 24: a physical bound, not a policy number


class AssistedError(RecordError):
    """A refused write of the assisted app (see ``core.actions.RecordError``)."""


_fields = field_values


def _save(obj: models.Model, *, actor: Any, purpose: str, before: dict[str, Any] | None = None) -> Any:
    return save_audited(obj, actor=actor, purpose=purpose, before=before, error=AssistedError)


def _check_uscc(value: str) -> str:
    value = (value or "").strip().upper()
    if not value:
        return ""
    try:
        return parse_uscc(value).code
    except IdentifierError as exc:
        raise AssistedError(str(exc), {"uscc": str(exc)}) from exc


# --- institutions ---------------------------------------------------------------------------------------------


def save_institution(inst: Institution, *, actor: Any) -> Institution:
    """Register or change an institution.  A closed one needs a closing date."""
    before: dict[str, Any] = {}
    if inst.pk:
        with unscoped():
            before = _fields(Institution.objects.get(pk=inst.pk))
    inst.uscc = _check_uscc(inst.uscc)
    if inst.street_id and inst.street and inst.street.district_id != inst.district_id:
        raise AssistedError("所选街道/乡镇不属于该区", {"street": "所选街道/乡镇不属于该区"})
    if inst.status == InstitutionStatus.CLOSED and not inst.closed_on:
        raise AssistedError("关闭的机构须填写关闭日期", {"closed_on": "关闭的机构须填写关闭日期"})
    if inst.status == InstitutionStatus.ACTIVE:
        inst.closed_on = None
    if inst.pk and before.get("district_id") != inst.district_id:
        raise AssistedError("机构所在区不能修改；如迁址请关闭后重新登记", {"district": "机构所在区不能修改"})
    return _save(inst, actor=actor, purpose="维护辅助性就业机构", before=before)


def add_staff(inst: Institution, *, actor: Any, name: str, role: str, phone: str = "", full_time: bool = True,
              qualification: str = "") -> Staff:  # fmt: skip
    staff = Staff(
        institution=inst,
        district_id=inst.district_id,
        name=name.strip(),
        role=role,
        phone=phone.strip(),
        full_time=full_time,
        qualification=qualification.strip(),
    )
    return _save(staff, actor=actor, purpose="登记机构工作人员")


# --- participants -------------------------------------------------------------------------------------------


def refresh_eligibility(participant: Participant, *, on: date | None = None) -> Participant:
    """Recompute R9.2 on ``on`` (today) and keep the result on the row (lists and counts read it)."""
    on = on or timezone.localdate()
    result = eligibility_of(participant.person, on, participant.institution.district)
    participant.eligible = result.eligible
    participant.eligibility_checked_on = on
    participant.eligibility_note = result.summary[:300]
    return participant


def add_participant(
    inst: Institution,
    person: Any,
    *,
    actor: Any,
    joined_on: date,
    work_content: str = "",
    note: str = "",
) -> Participant:
    """Place a registry person in an institution.  The person may not be active in the same institution
    twice; an ineligible person (R9.2) may be placed but is flagged and does not count for the grant."""
    if inst.status != InstitutionStatus.ACTIVE:
        raise AssistedError("该机构已关闭，不能新增人员")
    if joined_on > timezone.localdate():
        raise AssistedError("进入日期不能晚于今天", {"joined_on": "进入日期不能晚于今天"})
    with unscoped():
        exists = Participant.objects.filter(institution=inst, person=person, status=ParticipantStatus.ACTIVE).exists()
    if exists:
        raise AssistedError("此人已在该机构在岗，不能重复登记", {"person": "此人已在该机构在岗，不能重复登记"})
    part = Participant(
        institution=inst,
        district_id=inst.district_id,
        person=person,
        joined_on=joined_on,
        work_content=work_content.strip(),
        note=note.strip(),
    )
    refresh_eligibility(part, on=joined_on)
    return _save(part, actor=actor, purpose="登记辅助性就业人员")


def end_participation(participant: Participant, *, actor: Any, left_on: date) -> Participant:
    if participant.status != ParticipantStatus.ACTIVE:
        raise AssistedError("此人已离开该机构")
    if left_on < participant.joined_on:
        raise AssistedError("离开日期不能早于进入日期", {"left_on": "离开日期不能早于进入日期"})
    before = _fields(participant)
    participant.left_on = left_on
    participant.status = ParticipantStatus.LEFT
    return _save(participant, actor=actor, purpose="辅助性就业人员离开", before=before)


def add_agreement(
    participant: Participant,
    *,
    actor: Any,
    signed_with: str,
    start_date: date,
    end_date: date | None = None,
    guardian_name: str = "",
    accident_insurance: bool = False,
    insurance_amount: Decimal | None = None,
) -> Agreement:
    errors: dict[str, str] = {}
    if signed_with == SignedWith.GUARDIAN and not guardian_name.strip():
        errors["guardian_name"] = "与监护人签订协议时须填写监护人姓名"
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "协议结束日期不能早于开始日期"
    if accident_insurance and insurance_amount is None:
        errors["insurance_amount"] = "已购买意外伤害保险时须填写保险费"
    if insurance_amount is not None and insurance_amount < 0:
        errors["insurance_amount"] = "保险费不能为负数"
    if errors:
        raise AssistedError("；".join(errors.values()), errors)
    agreement = Agreement(
        participant=participant,
        district_id=participant.district_id,
        signed_with=signed_with,
        guardian_name=guardian_name.strip(),
        start_date=start_date,
        end_date=end_date,
        accident_insurance=accident_insurance,
        insurance_amount=insurance_amount,
    )
    return _save(agreement, actor=actor, purpose="登记辅助性就业协议")


def record_month(
    participant: Participant,
    *,
    actor: Any,
    month: date,
    hours: Decimal,
    pay: Decimal,
    paid_by_bank: bool,
) -> MonthlyRecord:
    """Record one month's hours and pay (one row per person and month; a second entry for the same
    month changes it)."""
    month = month.replace(day=1)
    errors: dict[str, str] = {}
    if month > timezone.localdate().replace(day=1):
        errors["month"] = "不能登记未来月份"
    if month < participant.joined_on.replace(day=1) or (participant.left_on and month > participant.left_on):
        errors["month"] = "该月份不在此人进入与离开机构的期间内"
    if hours < 0 or hours > MAX_HOURS_PER_MONTH:
        errors["hours"] = f"工作时长应在0至{MAX_HOURS_PER_MONTH}小时之间"
    if pay < 0:
        errors["pay"] = "劳动报酬不能为负数"
    if errors:
        raise AssistedError("；".join(errors.values()), errors)
    row = MonthlyRecord.objects.filter(participant=participant, month=month).first()
    before = _fields(row) if row else {}
    if row is None:
        row = MonthlyRecord(participant=participant, district_id=participant.district_id, month=month)
    row.hours, row.pay, row.paid_by_bank = hours, pay, paid_by_bank
    return _save(row, actor=actor, purpose="登记月度工时与报酬", before=before)


# --- labour projects ------------------------------------------------------------------------------------


def save_project(project: LabourProject, *, actor: Any) -> LabourProject:
    before: dict[str, Any] = {}
    if project.pk:
        with unscoped():
            before = _fields(LabourProject.objects.get(pk=project.pk))
    if project.end_date and project.end_date < project.start_date:
        raise AssistedError("结束日期不能早于开始日期", {"end_date": "结束日期不能早于开始日期"})
    return _save(project, actor=actor, purpose="维护劳动项目", before=before)


def allocate_project(project: LabourProject, institution: Institution, *, actor: Any, on: date) -> LabourProject:
    """区残联调配: give the project to an active institution of the same district."""
    if institution.district_id != project.district_id:
        raise AssistedError("只能调配给本区的机构", {"institution": "只能调配给本区的机构"})
    if institution.status != InstitutionStatus.ACTIVE:
        raise AssistedError("该机构已关闭，不能承接项目", {"institution": "该机构已关闭，不能承接项目"})
    before = _fields(project)
    project.institution = institution
    project.allocated_on = on
    project.allocated_by = actor if getattr(actor, "pk", None) else None
    return _save(project, actor=actor, purpose="调配劳动项目", before=before)


def record_output(
    project: LabourProject, *, actor: Any, month: date, quantity: Decimal, income: Decimal
) -> ProjectOutput:
    if project.institution_id is None:
        raise AssistedError("项目尚未调配给机构，不能登记产出")
    month = month.replace(day=1)
    if quantity < 0 or income < 0:
        raise AssistedError("数量和收入不能为负数")
    if month > timezone.localdate().replace(day=1):
        raise AssistedError("不能登记未来月份", {"month": "不能登记未来月份"})
    row = ProjectOutput.objects.filter(project=project, month=month).first()
    before = _fields(row) if row else {}
    if row is None:
        row = ProjectOutput(project=project, district_id=project.district_id, month=month)
    row.quantity, row.income = quantity, income
    return _save(row, actor=actor, purpose="登记项目月度产出", before=before)


# --- rural bases ------------------------------------------------------------------------------------------


def save_rural_base(base: RuralBase, *, actor: Any) -> RuralBase:
    before: dict[str, Any] = {}
    if base.pk:
        with unscoped():
            before = _fields(RuralBase.objects.get(pk=base.pk))
    base.uscc = _check_uscc(base.uscc)
    return _save(base, actor=actor, purpose="维护农村助残基地", before=before)


def add_support(
    base: RuralBase,
    person: Any,
    *,
    actor: Any,
    year: int,
    support_kind: str,
    help_kind: str,
    income: Decimal,
    note: str = "",
) -> RuralSupport:
    if year > timezone.localdate().year:
        raise AssistedError("不能登记未来年度", {"year": "不能登记未来年度"})
    if income < 0:
        raise AssistedError("收入不能为负数", {"income": "收入不能为负数"})
    row = RuralSupport(
        base=base,
        district_id=base.district_id,
        person=person,
        year=year,
        support_kind=support_kind,
        help_kind=help_kind,
        income=income,
        note=note.strip(),
    )
    return _save(row, actor=actor, purpose="登记基地帮扶记录")
