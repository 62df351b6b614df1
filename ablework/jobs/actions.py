"""Every write of ablework.jobs: lock, check, save, audit (architecture §3).

State changes of postings and applications go through ``core.workflow`` (transition tables below),
which logs each transition and audits it.  A hire creates the person's employment record through
``people.api.add_employment_record`` and the retention checks (3, 6, 12 months by default: parameter
``job_retention``).  Errors are ``JobsError`` with a Chinese message and the form field concerned.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core.models import District
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.core.workflow import Transition, Workflow
from ablework.core.workflow import apply as apply_transition
from ablework.jobs import rules
from ablework.jobs.enums import (
    ACCESSIBILITY,
    ACCOMMODATIONS,
    CATEGORIES,
    OCCUPATIONS,
    WORK_TIMES,
    ApplicationStatus,
    Channel,
    ConsentStatus,
    DirectoryKind,
    PostingSource,
    PostingStatus,
    RetentionResult,
)
from ablework.jobs.models import Application, DirectoryEntry, Fair, MatchingConsent, Posting, RetentionCheck, snapshot
from ablework.people import api as people_api

OFFICER_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})
POSTING_ROLES = OFFICER_ROLES | {Role.EMPLOYER_USER}

POSTING_FLOW = Workflow(
    "job_posting",
    model="jobs.Posting",
    field="status",
    transitions=[
        Transition("publish", source=(PostingStatus.DRAFT, PostingStatus.CLOSED), target=PostingStatus.OPEN,
                   label="发布", roles=POSTING_ROLES),
        Transition("close", source=PostingStatus.OPEN, target=PostingStatus.CLOSED, label="结束招聘",
                   roles=POSTING_ROLES),
    ],
)  # fmt: skip

APPLICATION_FLOW = Workflow(
    "job_application",
    model="jobs.Application",
    field="status",
    transitions=[
        Transition("interview", source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.INTERVIEW,
                   label="安排面试/试岗", roles=POSTING_ROLES),
        Transition("hire", source=(ApplicationStatus.SUBMITTED, ApplicationStatus.INTERVIEW),
                   target=ApplicationStatus.HIRED, label="录用", roles=POSTING_ROLES),
        Transition("decline", source=(ApplicationStatus.SUBMITTED, ApplicationStatus.INTERVIEW),
                   target=ApplicationStatus.REJECTED, label="不录用", roles=POSTING_ROLES, note_required=True),
        Transition("withdraw", source=(ApplicationStatus.SUBMITTED, ApplicationStatus.INTERVIEW),
                   target=ApplicationStatus.WITHDRAWN, label="撤回", roles=POSTING_ROLES | {Role.PERSON}),
    ],
)  # fmt: skip

POSTING_FIELDS = (
    "title", "occupation", "work_time", "hours_note", "wage_min", "wage_max", "headcount", "requirements", "address",
    "accessibility", "accommodations", "categories", "source", "relaxed_conditions", "fair", "valid_from",
    "valid_until", "contact", "district",
)  # fmt: skip

# The employment form a hire is recorded with, by the post's source (people.enums.EmploymentForm codes).
HIRE_FORM = {
    PostingSource.ORDINARY: "quota",
    PostingSource.SOE_TARGETED: "quota",
    PostingSource.RESERVED_KIOSK: "individual",
    PostingSource.TOBACCO_LICENCE: "individual",
    PostingSource.PUBLIC_WELFARE: "public_welfare",
}


class JobsError(ValueError):
    """A write refused; ``field`` names the form field the message belongs to ("" = the whole form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def today() -> date:
    return timezone.localdate()


def _codes(values: Any, choices: tuple[tuple[Any, str], ...], label: str, field: str) -> list[Any]:
    values = list(values or [])
    allowed = [c for c, _ in choices]
    bad = [str(v) for v in values if v not in allowed]
    if bad:
        raise JobsError(f"{label}中的选项无效：{'、'.join(bad)}", field)
    return [c for c in allowed if c in values]


def clean_posting(data: dict[str, Any]) -> dict[str, Any]:
    """Check a posting's fields (the form checks types; this checks the rules)."""
    out = dict(data)
    out["title"] = (out.get("title") or "").strip()
    if not out["title"]:
        raise JobsError("请填写岗位名称", "title")
    if out.get("occupation") not in dict(OCCUPATIONS):
        raise JobsError("请选择岗位类型", "occupation")
    if out.get("work_time") not in dict(WORK_TIMES):
        raise JobsError("请选择工作时间", "work_time")
    out["accessibility"] = _codes(out.get("accessibility"), ACCESSIBILITY, "无障碍条件", "accessibility")
    out["accommodations"] = _codes(out.get("accommodations"), ACCOMMODATIONS, "合理便利", "accommodations")
    out["categories"] = _codes([int(c) for c in out.get("categories") or []], CATEGORIES, "残疾类别", "categories")
    lo, hi = out.get("wage_min"), out.get("wage_max")
    for key, value in (("wage_min", lo), ("wage_max", hi)):
        if value is not None and value < 0:
            raise JobsError("工资不能为负数", key)
    if lo is not None and hi is not None and hi < lo:
        raise JobsError("月工资上限不能低于下限", "wage_max")
    start, end = out.get("valid_from"), out.get("valid_until")
    if start is None:
        raise JobsError("请填写发布日期", "valid_from")
    if end is None:
        raise JobsError("请填写截止日期", "valid_until")
    if end < start:
        raise JobsError("截止日期不能早于发布日期", "valid_until")
    if not out.get("headcount"):
        raise JobsError("招聘人数至少为1人", "headcount")
    source = out.get("source") or PostingSource.ORDINARY
    if source not in PostingSource.values:
        raise JobsError("岗位来源无效", "source")
    out["source"] = source
    out["relaxed_conditions"] = (out.get("relaxed_conditions") or "").strip()
    if source != PostingSource.ORDINARY and not out["relaxed_conditions"]:
        raise JobsError("预留或定向岗位请填写放宽的条件（如年龄、学历、经验要求）", "relaxed_conditions")
    return out


def save_posting(posting: Posting | None, *, actor: Any, employer: Any, data: dict[str, Any]) -> Posting:
    """Create (``posting=None``, as a draft) or change a posting of ``employer``; audited with a diff.
    The workplace district defaults to the employer's."""
    clean = clean_posting({**data, "district": data.get("district") or employer.district})
    with transaction.atomic():
        if posting is None:
            posting = Posting(employer=employer, created_by=actor if getattr(actor, "pk", None) else None)
            before: dict[str, Any] = {}
        else:
            posting = Posting._base_manager.select_for_update().get(pk=posting.pk)
            before = snapshot(posting, POSTING_FIELDS)
        for key in POSTING_FIELDS:
            if key in clean:
                setattr(posting, key, clean[key])
        created = posting.pk is None
        posting.save()
        audit.record(
            audit.AuditAction.CREATE if created else audit.AuditAction.UPDATE,
            actor=actor,
            obj=posting,
            object_label=f"{employer.name} {posting.title}",
            changes=audit.diff(before, snapshot(posting, POSTING_FIELDS)),
        )
    return posting


def set_posting_status(posting: Posting, transition: str, *, actor: Any, note: str = "") -> Posting:
    """发布 / 结束招聘.  Publishing an expired posting is refused."""
    if transition == "publish" and posting.valid_until < today():
        raise JobsError("截止日期已过，请先修改截止日期再发布", "valid_until")
    apply_transition(posting, transition, actor=actor, note=note)
    return posting


def save_fair(fair: Fair | None, *, actor: Any, data: dict[str, Any]) -> Fair:
    fields = ("name", "kind", "starts_on", "ends_on", "venue", "description", "published", "district")
    if not (data.get("name") or "").strip():
        raise JobsError("请填写专场名称", "name")
    if data["ends_on"] < data["starts_on"]:
        raise JobsError("结束日期不能早于开始日期", "ends_on")
    with transaction.atomic():
        before = snapshot(fair, fields) if fair else {}
        fair = fair or Fair(created_by=actor if getattr(actor, "pk", None) else None)
        for key in fields:
            setattr(fair, key, data[key])
        created = fair.pk is None
        fair.save()
        audit.record(
            audit.AuditAction.CREATE if created else audit.AuditAction.UPDATE,
            actor=actor,
            obj=fair,
            object_label=fair.name,
            changes=audit.diff(before, snapshot(fair, fields)),
        )
    return fair


def _new_application(
    posting: Posting, person: Any, *, actor: Any, channel: str, note: str, score: int | None
) -> Application:
    if posting.status != PostingStatus.OPEN or not (posting.valid_from <= today() <= posting.valid_until):
        raise JobsError("该岗位当前不在招聘期内")
    note = (note or "").strip()
    if len(note) > 300:
        raise JobsError("说明不能超过300个字", "note")
    try:
        with transaction.atomic():
            app = Application(
                posting=posting,
                person_id=person.pk,
                district_id=person.district_id,
                channel=channel,
                note=note,
                match_score=score,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            app.save()  # the base manager inserts: a portal user has no district scope
            audit.record(
                audit.AuditAction.CREATE,
                actor=actor,
                obj=app,
                object_label=f"{person.name} → {posting.title}（{app.get_channel_display()}）",
                changes={"posting": posting.pk, "person": person.pk, "channel": channel, "note": note},
            )
    except IntegrityError:
        raise JobsError(f"{person.name}已申请或已被推荐到该岗位") from None
    return app


def apply_to_posting(
    posting: Posting, person: Any, *, actor: Any, note: str = "", score: int | None = None
) -> Application:
    """A person (or guardian) applies through the portal.  One application per person and posting."""
    return _new_application(posting, person, actor=actor, channel=Channel.APPLIED, note=note, score=score)


def refer_person(posting: Posting, person: Any, *, actor: Any, note: str = "", score: int | None = None) -> Application:
    """An officer refers a person of their district to a posting (岗位推荐).  A person who opted out of
    matching can still be referred by hand (the officer decides, not the algorithm)."""
    if getattr(actor, "role", None) not in OFFICER_ROLES:
        raise JobsError("只有经办人员可以推荐")
    with transaction.atomic():
        app = _new_application(posting, person, actor=actor, channel=Channel.REFERRED, note=note, score=score)
        # A referral is also the person's 四个一 就业服务 (岗位推荐): the service worklist counts it.
        org = getattr(actor, "organisation", None)
        people_api.record_referral_service(
            person, actor=actor, on=today(), unit=org.name if org is not None else "",
            content=f"推荐到{posting.employer.name}“{posting.title}”岗位" + (f"：{note}" if note else ""),
        )  # fmt: skip
    return app


def set_application_status(app: Application, transition: str, *, actor: Any, note: str = "") -> Application:
    """安排面试 / 不录用 / 撤回 (a hire goes through ``hire``)."""
    if transition == "hire":
        raise JobsError("录用请填写入职信息")
    apply_transition(app, transition, actor=actor, note=note)
    return app


def retention_months(on: date) -> tuple[tuple[int, ...], int]:
    value = get_param("job_retention", on=on, default={"months": [3, 6, 12], "due_window_days": 14}).value
    return rules.retention_due_months(value.get("months") or [3, 6, 12]), int(value.get("due_window_days", 14))


def hire(
    app: Application,
    *,
    actor: Any,
    hired_on: date,
    monthly_wage: Decimal | None = None,
    contract_months: int | None = None,
    social_insurance: bool = False,
    note: str = "",
) -> Application:
    """录用: the transition, the person's employment record (``people.api.add_employment_record``, form
    by the post's source) and the retention checks, in one transaction."""
    if hired_on > today():
        raise JobsError("入职日期不能晚于今天（入职后再登记录用）", "hired_on")
    if hired_on < app.created_at.date():
        raise JobsError("入职日期不能早于申请或推荐日期", "hired_on")
    if monthly_wage is not None and monthly_wage < 0:
        raise JobsError("月工资不能为负数", "monthly_wage")
    posting = app.posting
    months, _window = retention_months(hired_on)
    with transaction.atomic():
        apply_transition(
            app, "hire", actor=actor, note=note, hired_on=hired_on, monthly_wage=monthly_wage,
            contract_months=contract_months,
        )  # fmt: skip
        try:
            record = people_api.add_employment_record(
                app.person,
                actor=actor,
                form=HIRE_FORM.get(PostingSource(posting.source), "quota"),
                start_date=hired_on,
                employer=posting.employer,
                contract_months=contract_months,
                monthly_wage=monthly_wage,
                social_insurance=social_insurance,
                source="officer" if getattr(actor, "role", None) in OFFICER_ROLES else "declared",
                note=f"岗位录用：{posting.title}"[:200],
            )
        except ValueError as exc:  # people's RegistryError
            raise JobsError(str(exc)) from exc
        Application._base_manager.filter(pk=app.pk).update(employment_record_id=record.pk)
        app.employment_record_id = record.pk
        checks = []
        for m in months:
            y, mo, d = rules.add_months(hired_on.year, hired_on.month, hired_on.day, m)
            checks.append(RetentionCheck(application=app, district_id=app.district_id, months=m, due_on=date(y, mo, d)))
        RetentionCheck.objects.bulk_create(checks)
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            object_type="jobs.retentioncheck",
            object_id=app.pk,
            object_label=f"稳岗回访计划：{'、'.join(f'{m}个月' for m in months)}",
            district_code=app.district.code,
            changes={"application": app.pk, "months": list(months)},
        )
    return app


def record_retention_check(
    check: RetentionCheck, *, actor: Any, checked_on: date, result: str, note: str = ""
) -> RetentionCheck:
    """Record one follow-up.  Not before it is due minus the reminder window, not in the future."""
    if result not in RetentionResult.values:
        raise JobsError("请选择回访结果", "result")
    if checked_on > today():
        raise JobsError("回访日期不能晚于今天", "checked_on")
    hired_on = check.application.hired_on
    if hired_on and checked_on < hired_on:
        raise JobsError("回访日期不能早于入职日期", "checked_on")
    fields = ("checked_on", "result", "note")
    with transaction.atomic():
        locked = RetentionCheck._base_manager.select_for_update().get(pk=check.pk)
        before = snapshot(locked, fields)
        locked.checked_on, locked.result, locked.note = checked_on, result, (note or "").strip()[:300]
        locked.checked_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=[*fields, "checked_by"])
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            object_label=f"稳岗回访（{locked.months}个月）",
            changes=audit.diff(before, snapshot(locked, fields)),
        )
        record_id = locked.application.employment_record_id
        if result == RetentionResult.LEFT and record_id:
            # The registry learns it too: the employment record ends and the person's status follows.
            people_api.end_employment_record(
                record_id, actor=actor, end_date=checked_on, reason=f"稳岗回访（{locked.months}个月）：已离职"
            )
    return locked


def set_matching_consent(person: Any, *, actor: Any, status: str) -> MatchingConsent:
    """The person's choice about automated matching (self-service or recorded by an officer)."""
    if status not in ConsentStatus.values:
        raise JobsError("请选择是否同意", "status")
    with transaction.atomic(), unscoped():
        row = MatchingConsent.objects.select_for_update().filter(person_id=person.pk).first()
        before = {"status": row.status if row else ""}
        if row is None:
            row = MatchingConsent(person_id=person.pk, district_id=person.district_id)
        row.status = status
        row.district_id = person.district_id
        row.changed_by = actor if getattr(actor, "pk", None) else None
        row.save()
        audit.record(
            audit.AuditAction.UPDATE,
            actor=actor,
            obj=row,
            object_label=f"{person.name} 自动匹配：{row.get_status_display()}",
            changes=audit.diff(before, {"status": status}),
        )
    return row


DIRECTORY_FIELDS = (
    "kind", "name", "carrier_type", "licence_no", "address", "phone", "services", "accessible", "published", "district",
)  # fmt: skip


_DIRECTORY_DEFAULTS: dict[str, Any] = {"accessible": False, "published": True}


def save_directory_entry(entry: DirectoryEntry | None, *, actor: Any, data: dict[str, Any]) -> DirectoryEntry:
    if data.get("kind") not in DirectoryKind.values:
        raise JobsError("请选择目录", "kind")
    if not (data.get("name") or "").strip():
        raise JobsError("请填写名称", "name")
    if not (data.get("address") or "").strip():
        raise JobsError("请填写地址", "address")
    if data["kind"] == DirectoryKind.HR_INSTITUTION and data.get("carrier_type"):
        raise JobsError("人力资源服务机构不需要选择载体类型", "carrier_type")
    if data["kind"] == DirectoryKind.CARRIER and not data.get("carrier_type"):
        raise JobsError("请选择载体类型", "carrier_type")
    if not isinstance(data.get("district"), District):
        raise JobsError("请选择所在区", "district")
    with transaction.atomic():
        before = snapshot(entry, DIRECTORY_FIELDS) if entry else {}
        entry = entry or DirectoryEntry()
        for key in DIRECTORY_FIELDS:
            value = data.get(key, _DIRECTORY_DEFAULTS.get(key, ""))
            if value is None and key != "district":
                value = _DIRECTORY_DEFAULTS.get(key, "")
            setattr(entry, key, value.strip() if isinstance(value, str) else value)
        entry.updated_by = actor if getattr(actor, "pk", None) else None
        created = entry.pk is None
        entry.save()
        audit.record(
            audit.AuditAction.CREATE if created else audit.AuditAction.UPDATE,
            actor=actor,
            obj=entry,
            object_label=entry.name,
            changes=audit.diff(before, snapshot(entry, DIRECTORY_FIELDS)),
        )
    return entry


def delete_directory_entry(entry: DirectoryEntry, *, actor: Any) -> None:
    with transaction.atomic():
        audit.record(
            audit.AuditAction.DELETE,
            actor=actor,
            obj=entry,
            object_label=entry.name,
            changes=audit.diff(snapshot(entry, DIRECTORY_FIELDS), {}),
        )
        entry.delete()
