"""Every write of ablework.training: check, save, audit (before/after) in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone

from ablework.core.actions import RecordError, field_values, save_audited, stored_values
from ablework.core.identifiers import IdentifierError, parse_uscc
from ablework.training import rules
from ablework.training.enums import EnrolmentStatus, ListingStatus
from ablework.training.facts import length_params
from ablework.training.models import (
    CompetitionEntry,
    Course,
    Enrolment,
    MassageInstitution,
    MassagePractitioner,
    Provider,
)


class TrainingError(RecordError):
    """A refused write of the training app (see ``core.actions.RecordError``)."""


_fields = field_values


def _before(model: type[models.Model], obj: models.Model) -> dict[str, Any]:
    return stored_values(obj)


def _save(obj: models.Model, *, actor: Any, purpose: str, before: dict[str, Any] | None = None) -> Any:
    return save_audited(obj, actor=actor, purpose=purpose, before=before, error=TrainingError)


def _uscc(value: str) -> str:
    value = (value or "").strip().upper()
    if not value:
        return ""
    try:
        return parse_uscc(value).code
    except IdentifierError as exc:
        raise TrainingError(str(exc), {"uscc": str(exc)}) from exc


def save_provider(provider: Provider, *, actor: Any) -> Provider:
    """Register or change a provider.  挂牌 needs a listing date; the expiry cannot precede it."""
    before = _before(Provider, provider)
    provider.uscc = _uscc(provider.uscc)
    if provider.listing_status == ListingStatus.LISTED and not provider.listed_on:
        raise TrainingError("已挂牌的机构须填写挂牌日期", {"listed_on": "已挂牌的机构须填写挂牌日期"})
    if provider.listed_on and provider.listing_expires and provider.listing_expires < provider.listed_on:
        raise TrainingError("挂牌有效期不能早于挂牌日期", {"listing_expires": "挂牌有效期不能早于挂牌日期"})
    return _save(provider, actor=actor, purpose="维护培训机构", before=before)


def save_course(course: Course, *, actor: Any) -> Course:
    """Register or change a course; the length class and statistical year follow from the dates."""
    before = _before(Course, course)
    if course.end_date < course.start_date:
        raise TrainingError("结业日期不能早于开班日期", {"end_date": "结业日期不能早于开班日期"})
    if course.provider.district_id != course.district_id:
        raise TrainingError("培训机构不在该区", {"provider": "培训机构不在该区"})
    course.length_class = rules.length_class(course.start_date, course.end_date, length_params(course.start_date))
    course.year = rules.training_year(course.start_date)
    return _save(course, actor=actor, purpose="维护培训班", before=before)


def enrol(course: Course, person: Any, *, actor: Any, enrolled_on: date) -> Enrolment:
    if Enrolment.objects.filter(course=course, person=person).exists():
        raise TrainingError("此人已报名该培训班", {"person": "此人已报名该培训班"})
    active = Enrolment.objects.filter(course=course).exclude(status=EnrolmentStatus.DROPPED).count()
    if active >= course.capacity:
        raise TrainingError(
            f"该培训班计划{course.capacity}人，已报满", {"person": f"该培训班计划{course.capacity}人，已报满"}
        )
    if enrolled_on > course.end_date:
        raise TrainingError("报名日期不能晚于结业日期", {"enrolled_on": "报名日期不能晚于结业日期"})
    row = Enrolment(course=course, district_id=course.district_id, person=person, enrolled_on=enrolled_on)
    return _save(row, actor=actor, purpose="培训报名")


def complete(
    enrolment: Enrolment,
    *,
    actor: Any,
    completed_on: date,
    certificate_kind: str = "",
    certificate_no: str = "",
    certificate_on: date | None = None,
) -> Enrolment:
    errors: dict[str, str] = {}
    if completed_on < enrolment.course.start_date:
        errors["completed_on"] = "结业日期不能早于开班日期"
    if completed_on > timezone.localdate():
        errors["completed_on"] = "结业日期不能晚于今天"
    if certificate_kind and not certificate_no.strip():
        errors["certificate_no"] = "取得证书的须填写证书编号"
    if certificate_no.strip() and not certificate_kind:
        errors["certificate_kind"] = "填写了证书编号，请选择证书类型"
    if errors:
        raise TrainingError("；".join(errors.values()), errors)
    before = _fields(enrolment)
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_on = completed_on
    enrolment.certificate_kind = certificate_kind
    enrolment.certificate_no = certificate_no.strip()
    enrolment.certificate_on = certificate_on or (completed_on if certificate_kind else None)
    return _save(enrolment, actor=actor, purpose="登记结业与证书", before=before)


def drop(enrolment: Enrolment, *, actor: Any) -> Enrolment:
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise TrainingError("只有在训学员可以登记退出")
    before = _fields(enrolment)
    enrolment.status = EnrolmentStatus.DROPPED
    return _save(enrolment, actor=actor, purpose="登记中途退出", before=before)


def add_entry(person: Any, *, actor: Any, district_id: int, **fields: Any) -> CompetitionEntry:
    if fields.get("year") and fields["year"] > timezone.localdate().year:
        raise TrainingError("不能登记未来年度", {"year": "不能登记未来年度"})
    row = CompetitionEntry(person=person, district_id=district_id, **fields)
    return _save(row, actor=actor, purpose="登记技能竞赛参赛")


def save_massage_institution(inst: MassageInstitution, *, actor: Any) -> MassageInstitution:
    before = _before(MassageInstitution, inst)
    inst.uscc = _uscc(inst.uscc)
    if inst.kind == "medical" and not inst.licence_no.strip():
        raise TrainingError(
            "盲人医疗按摩所须填写医疗机构执业许可证号", {"licence_no": "盲人医疗按摩所须填写医疗机构执业许可证号"}
        )
    return _save(inst, actor=actor, purpose="维护盲人按摩机构", before=before)


def save_practitioner(row: MassagePractitioner, *, actor: Any) -> MassagePractitioner:
    before = _before(MassagePractitioner, row)
    errors: dict[str, str] = {}
    if row.exam_year and not row.certificate_no.strip():
        errors["certificate_no"] = "考试合格的须填写证书编号"
    if row.title_level and not row.title_year:
        errors["title_year"] = "有职称的须填写评定年度"
    if row.exam_year and row.exam_year > timezone.localdate().year:
        errors["exam_year"] = "考试年度不能晚于今年"
    if row.institution_id and row.institution and row.institution.district_id != row.district_id:
        errors["institution"] = "执业机构须在同一区"
    if errors:
        raise TrainingError("；".join(errors.values()), errors)
    return _save(row, actor=actor, purpose="维护盲人按摩人员", before=before)
