"""Everything that changes subsidy data: programmes, applications, review, notice, payment, clawback.

Every change is audited in the same transaction; state changes go through ``core.workflow`` (one
approval chain per programme, stages as data).  Refusals raise ``SubsidyError`` (field → Chinese
message) or ``TransitionNotAllowed``.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ablework.accounts.enums import CITY_ROLES, Role
from ablework.core import audit, crypto, workflow
from ablework.core import imports as core_imports
from ablework.core.enums import AuditAction
from ablework.core.files import document_problem, sha256_of
from ablework.core.models import ImportBatch
from ablework.core.scoping import unscoped
from ablework.core.workflow import ChainStep, Transition, TransitionNotAllowed, Workflow, add_working_days
from ablework.subsidies import facts, rules
from ablework.subsidies.enums import (
    ApplicantKind,
    ApplicationStatus,
    BatchStatus,
    ClawbackStatus,
    ObjectionStatus,
    PaymentStatus,
    ProgrammeKind,
    ProgrammeStatus,
)
from ablework.subsidies.models import (
    Application,
    Attachment,
    ClaimMonth,
    Clawback,
    Notice,
    Objection,
    PaymentBatch,
    PaymentItem,
    Programme,
)

S = ApplicationStatus
STAFF_DECIDERS = {Role.DISTRICT_REVIEWER, Role.CITY_REVIEWER, Role.CITY_ADMIN}

APPLICANT_OF = {
    ProgrammeKind.OVER_QUOTA_REWARD: ApplicantKind.EMPLOYER,
    ProgrammeKind.NEW_HIRE: ApplicantKind.EMPLOYER,
    ProgrammeKind.INTERNSHIP: ApplicantKind.EMPLOYER,
    ProgrammeKind.NEW_BUSINESS: ApplicantKind.PERSON,
    ProgrammeKind.SELF_EMPLOYMENT: ApplicantKind.PERSON,
    ProgrammeKind.ASSISTED_GRANT: ApplicantKind.INSTITUTION,
}

# Default approval chains by applicant kind: (stage name, role, deadline in working days).  Stored as
# ``ApprovalChain`` rows per programme when the programme is created; editable afterwards.
DEFAULT_CHAINS: dict[str, list[tuple[str, str, int]]] = {
    ApplicantKind.EMPLOYER: [("区级初审", Role.DISTRICT_OFFICER, 5), ("区级审核", Role.DISTRICT_REVIEWER, 5),
                             ("市级复核", Role.CITY_REVIEWER, 10)],
    ApplicantKind.PERSON: [("街道初审", Role.STREET_WORKER, 5), ("区级审核", Role.DISTRICT_REVIEWER, 10),
                           ("市级复核", Role.CITY_REVIEWER, 10)],
    ApplicantKind.INSTITUTION: [("区级审核", Role.DISTRICT_REVIEWER, 10), ("市级复核", Role.CITY_REVIEWER, 10)],
}  # fmt: skip

DEFAULT_DOCUMENTS: dict[str, list[dict[str, str]]] = {
    ProgrammeKind.OVER_QUOTA_REWARD: [{"code": "application_form", "label": "超比例奖励申请表"}],
    ProgrammeKind.NEW_HIRE: [{"code": "application_form", "label": "新招用残疾人就业补贴申请表"},
                             {"code": "contract", "label": "劳动合同"}],
    ProgrammeKind.INTERNSHIP: [{"code": "application_form", "label": "就业见习补贴申请表"},
                               {"code": "agreement", "label": "见习协议"}],
    ProgrammeKind.NEW_BUSINESS: [{"code": "licence", "label": "营业执照"}],
    ProgrammeKind.SELF_EMPLOYMENT: [{"code": "licence", "label": "营业执照或经营证明"}],
    ProgrammeKind.ASSISTED_GRANT: [{"code": "application_form", "label": "辅助性就业机构补贴申请表"}],
}  # fmt: skip


class SubsidyError(ValueError):
    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("；".join(self.errors.values()))


APPLICATION_FLOW = Workflow(
    "subsidy_application",
    model="subsidies.Application",
    field="status",
    chain=lambda app: app.programme.chain_code,
    transitions=[
        Transition("submit", source=(S.DRAFT, S.RETURNED), target=S.SUBMITTED, label="提交审核", step=ChainStep.SUBMIT),
        Transition("approve", source=S.SUBMITTED, target=S.APPROVED, label="审核通过", step=ChainStep.APPROVE),
        Transition("return", source=S.SUBMITTED, target=S.RETURNED, label="退回修改", step=ChainStep.RETURN,
                   note_required=True),
        Transition("reject", source=S.SUBMITTED, target=S.REJECTED, label="不予通过", step=ChainStep.REJECT,
                   note_required=True),
        Transition("withdraw", source=(S.DRAFT, S.RETURNED), target=S.WITHDRAWN, label="撤回申请"),
        Transition("revoke", source=S.APPROVED, target=S.REJECTED, label="撤销（异议成立）", roles=STAFF_DECIDERS,
                   note_required=True),
    ],
)  # fmt: skip


# --- programmes -----------------------------------------------------------------------------------------


def create_programme(
    kind: str,
    year: int,
    *,
    actor: Any,
    budget: Decimal,
    window_start: date,
    window_end: date,
    notice_days: int = 5,
    name: str = "",
    stages: Sequence[tuple[str, str, int]] | None = None,
) -> Programme:
    if kind not in ProgrammeKind.values:
        raise SubsidyError({"kind": "请选择项目类型"})
    if window_end < window_start:
        raise SubsidyError({"window_end": "受理截止日期不能早于开始日期"})
    if budget < 0:
        raise SubsidyError({"budget": "预算不能为负数"})
    applicant = APPLICANT_OF[ProgrammeKind(kind)]
    code = f"subsidy_{kind}_{year}"
    with transaction.atomic():
        if Programme.objects.filter(kind=kind, year=year).exists():
            raise SubsidyError({"year": f"{year}年度已有该项目"})
        workflow.ensure_chain(code, f"{year}年{ProgrammeKind(kind).label}审核", stages or DEFAULT_CHAINS[applicant])
        prog = Programme.objects.create(
            kind=kind, year=year, name=name or str(ProgrammeKind(kind).label), applicant_kind=applicant,
            window_start=window_start, window_end=window_end, budget=budget, notice_days=notice_days,
            chain_code=code, required_documents=DEFAULT_DOCUMENTS[ProgrammeKind(kind)],
            exclusivity_group="",
        )  # fmt: skip
        audit.record(AuditAction.CREATE, actor=actor, obj=prog, changes={"budget": [None, str(budget)]})
    return prog


def set_budget(prog: Programme, budget: Decimal, *, actor: Any) -> Programme:
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=prog.pk)
        committed = committed_amount(locked)
        if budget < committed:
            raise SubsidyError({"budget": f"预算不能低于已承诺金额{committed}元"})
        before = locked.budget
        locked.budget = budget
        locked.save(update_fields=["budget"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes={"budget": [str(before), str(budget)]})
    prog.budget = budget
    return prog


def committed_amount(prog: Programme) -> Decimal:
    with unscoped():
        total = Application.objects.filter(programme=prog, status=S.APPROVED).aggregate(t=Sum("approved_amount"))["t"]
    return total or Decimal("0")


def paid_amount(prog: Programme) -> Decimal:
    with unscoped():
        total = PaymentItem.objects.filter(programme=prog, status=PaymentStatus.PAID).aggregate(t=Sum("amount"))["t"]
    return total or Decimal("0")


# --- applications ---------------------------------------------------------------------------------------


def _is_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_staff_role", False))


def _check_scope(actor: Any, district_id: int) -> None:
    if _is_staff(actor) and district_id not in actor.scope_district_ids():
        raise SubsidyError("该申请不在您的管辖区内")


def _claim(prog: Programme, data: dict[str, Any], employer: Any, person: Any, institution: Any) -> tuple[str, str]:
    kind = prog.kind
    if kind == ProgrammeKind.OVER_QUOTA_REWARD:
        return f"employer:{employer.pk}", str(prog.year)
    if kind == ProgrammeKind.NEW_HIRE:
        return (
            f"employer:{employer.pk}/person:{person.pk}",
            f"{data['contract_start'][:7]}-Y{data.get('contract_year', 1)}",
        )
    if kind == ProgrammeKind.INTERNSHIP:
        return f"employer:{employer.pk}/person:{person.pk}", data["start"][:7]
    if kind == ProgrammeKind.NEW_BUSINESS:
        return f"person:{person.pk}", str(data.get("uscc", "")).upper()
    if kind == ProgrammeKind.SELF_EMPLOYMENT:
        return f"person:{person.pk}", "once"
    return f"institution:{institution.pk}", str(prog.year)


def _validate_data(prog: Programme, data: dict[str, Any], person: Any, employer: Any) -> dict[str, Any]:
    """Normalise the programme-specific inputs; Chinese message per bad field."""
    errors: dict[str, str] = {}
    out = dict(data)

    def need_date(key: str, label: str, required: bool = True) -> None:
        value = out.get(key)
        if value in (None, ""):
            if required:
                errors[key] = f"请填写{label}"
            out[key] = None
            return
        try:
            out[key] = (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
        except ValueError:
            errors[key] = f"{label}格式应为YYYY-MM-DD"

    def need_money(key: str, label: str) -> None:
        try:
            amount = Decimal(str(out.get(key, "")).strip())
        except Exception:
            errors[key] = f"请填写{label}（数字）"
            return
        if amount < 0:
            errors[key] = f"{label}不能为负数"
        out[key] = str(amount)

    kind = prog.kind
    if prog.applicant_kind == ApplicantKind.EMPLOYER and employer is None:
        errors["employer"] = "请选择用人单位"
    if kind in (ProgrammeKind.NEW_HIRE, ProgrammeKind.INTERNSHIP, ProgrammeKind.NEW_BUSINESS,
                ProgrammeKind.SELF_EMPLOYMENT) and person is None:  # fmt: skip
        errors["person"] = "请选择残疾人（按残疾人证号或身份证号查找）"
    if kind == ProgrammeKind.NEW_HIRE:
        need_date("contract_start", "合同开始日期")
        need_date("contract_end", "合同结束日期", required=False)
        need_money("monthly_wage", "月工资")
        try:
            k = int(out.get("contract_year", 1))
        except (TypeError, ValueError):
            k = 0
        if k not in (1, 2, 3):
            errors["contract_year"] = "申请年度应为第1、2或3个合同年度"
        out["contract_year"] = k
        if not errors and out["contract_end"] and out["contract_end"] < out["contract_start"]:
            errors["contract_end"] = "合同结束日期不能早于开始日期"
    elif kind == ProgrammeKind.INTERNSHIP:
        need_date("start", "见习开始日期")
        need_date("end", "见习结束日期")
        need_date("graduated_on", "毕业日期", required=False)
        need_money("monthly_allowance", "见习生活补助")
        if not errors and out["end"] < out["start"]:
            errors["end"] = "见习结束日期不能早于开始日期"
    elif kind == ProgrammeKind.NEW_BUSINESS:
        uscc = str(out.get("uscc", "")).strip().upper()
        if len(uscc) != 18:
            errors["uscc"] = "请填写18位统一社会信用代码"
        out["uscc"] = uscc
        need_date("licence_date", "营业执照登记日期", required=False)
    elif kind == ProgrammeKind.SELF_EMPLOYMENT:
        need_date("started_on", "开始经营日期")
    if errors:
        raise SubsidyError(errors)
    return out


def _refresh(app: Application, on: date | None = None) -> facts.Evaluation:
    ev = facts.evaluate(app, on)
    app.decision = ev.as_json()
    app.eligible = ev.decision.eligible
    app.amount = ev.decision.amount
    return ev


def create_application(
    prog: Programme,
    *,
    actor: Any,
    data: dict[str, Any],
    employer: Any = None,
    person: Any = None,
    institution: Any = None,
    bank_account_name: str = "",
    bank_name: str = "",
    bank_account: str = "",
    on: date | None = None,
) -> Application:
    """A draft application (by the applicant, or by an officer on their behalf), evaluated at once."""
    if prog.status != ProgrammeStatus.OPEN:
        raise SubsidyError("该项目当前不受理申请")
    data = _validate_data(prog, data, person, employer)
    if prog.applicant_kind == ApplicantKind.INSTITUTION and institution is None:
        raise SubsidyError({"institution": "请选择辅助性就业机构"})
    payee = institution if prog.applicant_kind == ApplicantKind.INSTITUTION else (
        employer if prog.applicant_kind == ApplicantKind.EMPLOYER else person)  # fmt: skip
    district_id = payee.district_id
    _check_scope(actor, district_id)
    key, period = _claim(prog, data, employer, person, institution)
    app = Application(
        programme=prog, district_id=district_id, employer=employer, person=person,
        institution_id=institution.pk if institution is not None else None, beneficiary_name=payee.name,
        claim_key=key, period=period, data=data, entered_by=actor if getattr(actor, "pk", None) else None,
        on_behalf=_is_staff(actor), bank_account_name=bank_account_name or payee.name, bank_name=bank_name,
        bank_account_encrypted=facts.encrypt_account(bank_account),
        bank_account_masked=facts.bank_account_masked(bank_account) if bank_account else "",
    )  # fmt: skip
    _refresh(app, on)
    try:
        with transaction.atomic():
            app.save()
            audit.record(AuditAction.CREATE, actor=actor, obj=app,
                         changes={"programme": [None, str(prog)], "amount": [None, str(app.amount)],
                                  "on_behalf": [None, app.on_behalf]})  # fmt: skip
    except IntegrityError:
        raise SubsidyError(f"{app.beneficiary_name}在本项目该期间（{period}）已有申请，不能重复申请") from None
    return app


def _lock(app: Application) -> Application:
    return Application.objects.select_for_update().select_related("programme").get(pk=app.pk)


def update_application(
    app: Application, *, actor: Any, data: dict[str, Any] | None = None, bank_account: str | None = None,
    bank_name: str | None = None, on: date | None = None,
) -> Application:  # fmt: skip
    """Edit a draft or returned application; history is kept in the audit log."""
    with transaction.atomic(), unscoped():
        locked = _lock(app)
        if locked.status not in (S.DRAFT, S.RETURNED):
            raise SubsidyError("只有草稿或退回修改的申请可以修改")
        before = {"data": dict(locked.data), "amount": str(locked.amount), "bank": locked.bank_account_masked}
        if data is not None:
            locked.data = _validate_data(locked.programme, data, locked.person, locked.employer)
        if bank_account is not None:
            locked.bank_account_encrypted = facts.encrypt_account(bank_account)
            locked.bank_account_masked = facts.bank_account_masked(bank_account) if bank_account else ""
        if bank_name is not None:
            locked.bank_name = bank_name
        _refresh(locked, on)
        locked.save()
        after = {"data": dict(locked.data), "amount": str(locked.amount), "bank": locked.bank_account_masked}
        audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes=audit.diff(before, after))
    return locked


def add_attachment(app: Application, *, actor: Any, doc_type: str, file: UploadedFile | None) -> Attachment:
    codes = {d["code"] for d in app.programme.required_documents} | {"other"}
    if doc_type not in codes:
        raise SubsidyError({"doc_type": "请选择材料类型"})
    label = app.programme.document_label(doc_type) if doc_type != "other" else "其他材料"
    problem = document_problem(file, label)
    if problem:
        raise SubsidyError({"file": problem})
    assert file is not None
    digest = sha256_of(file)
    with transaction.atomic(), unscoped():
        locked = _lock(app)
        if locked.status not in (S.DRAFT, S.RETURNED):
            raise SubsidyError("已提交的申请不能再添加材料")
        att = Attachment(application=locked, doc_type=doc_type, filename=PurePath(file.name or "file").name[:200],
                         size=file.size or 0, sha256=digest,
                         uploaded_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
        att.file.save(att.filename, file, save=False)
        att.save()
        audit.record(AuditAction.CREATE, actor=actor, obj=att, changes={"doc_type": [None, doc_type],
                                                                        "file": [None, att.filename]})  # fmt: skip
    return att


def submit(app: Application, *, actor: Any, on: date | None = None) -> Application:
    """Submit (or resubmit after a return): window, documents, eligibility; then stage 1 of the chain."""
    on = on or timezone.localdate()
    with transaction.atomic(), unscoped():
        locked = _lock(app)
        prog = locked.programme
        first = locked.submitted_at is None
        if first and not (prog.window_start <= on <= prog.window_end):
            raise SubsidyError(f"不在受理期内（{prog.window_start:%Y-%m-%d}至{prog.window_end:%Y-%m-%d}）")
        have = set(locked.attachments.values_list("doc_type", flat=True))
        missing = [d["label"] for d in prog.required_documents if d["code"] not in have]
        if missing:
            raise SubsidyError({"documents": "请先上传：" + "、".join(missing)})
        ev = _refresh(locked, on)
        locked.save(update_fields=["decision", "eligible", "amount"])
        failed = ev.decision.failed
        if failed:
            raise SubsidyError(
                {"eligibility": "不符合申请条件：" + "；".join(f"{c.label}（{c.detail}）" for c in failed)}
            )
        APPLICATION_FLOW.apply(locked, "submit", actor=actor, submitted_at=timezone.now())
    return locked


def _claim_months(app: Application) -> None:
    months = [date.fromisoformat(m) for m in app.decision.get("months", [])]
    group = facts.parameters.exclusivity_group(app.programme.kind, timezone.localdate())
    if not months or not group or app.person_id is None:
        return
    try:
        with transaction.atomic():
            ClaimMonth.objects.bulk_create(
                [ClaimMonth(person_id=app.person_id, month=m, group=group, application=app) for m in months]
            )
    except IntegrityError:
        taken = facts.double_claims(app, tuple(months), group)
        raise TransitionNotAllowed(
            "同一人同一月不能重复享受同类补贴：" + "、".join(f"{m:%Y-%m}" for m in taken) + "已由其他补贴发放"
        ) from None


def decide(
    app: Application, decision: str, *, actor: Any, note: str = "", stage: Any = None, on: date | None = None
) -> Application:
    """Approve (the current stage; at the last stage the amount is committed against the budget and
    the person-months are claimed), return for correction, or reject.  Concurrent decisions on one
    application: the row lock serialises them and the second is refused with a message."""
    if decision not in ("approve", "return", "reject"):
        raise SubsidyError("未知的审核决定")
    _check_scope(actor, app.district_id)
    with transaction.atomic(), unscoped():
        prog = Programme.objects.select_for_update().get(pk=app.programme_id)  # serialises budget commits
        locked = _lock(app)
        if decision != "approve":
            fn = workflow.send_back if decision == "return" else workflow.reject
            fn(locked, actor=actor, note=note, stage=stage, decided_at=timezone.now())
            app.refresh_from_db()
            return locked
        progress = workflow.chain_progress(locked)
        final = progress is not None and progress.is_last_stage and locked.status == S.SUBMITTED
        changes: dict[str, Any] = {}
        if final:
            ev = _refresh(locked, on)
            if not ev.decision.eligible and not ev.decision.missing_documents:
                failed = "；".join(c.label for c in ev.decision.failed)
                raise TransitionNotAllowed(f"重新核验不符合条件，不能通过：{failed}")
            check = rules.budget_check(prog.budget, committed_amount(prog), locked.amount)
            if not check.fits:
                raise TransitionNotAllowed(f"超出项目预算，不能通过：{check.detail}，本申请{locked.amount}元")
            changes = {"approved_amount": locked.amount, "decided_at": timezone.now(), "decision": locked.decision,
                       "eligible": locked.eligible, "amount": locked.amount}  # fmt: skip
        workflow.approve(locked, actor=actor, note=note, stage=stage, **changes)
        if final:
            _claim_months(locked)
    app.refresh_from_db()
    return locked


@dataclass
class BulkResult:
    approved: list[Application] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


def bulk_approve(apps: Iterable[Application], *, actor: Any, note: str = "") -> BulkResult:
    """Approve each application of a filtered list at its current stage, with the same checks per item;
    each in its own transaction, so one refusal does not undo the others."""
    result = BulkResult()
    for app in apps:
        try:
            result.approved.append(decide(app, "approve", actor=actor, note=note))
        except (TransitionNotAllowed, SubsidyError) as exc:
            result.refused.append((app, str(exc)))
    return result


def withdraw(app: Application, *, actor: Any) -> Application:
    with unscoped():
        APPLICATION_FLOW.apply(app, "withdraw", actor=actor)
    return app


# --- public notice and objections -----------------------------------------------------------------------


def publish_notice(prog: Programme, *, actor: Any, starts_on: date | None = None) -> Notice:
    """Publish every approved application of the programme not yet publicised (names masked on the portal)."""
    if getattr(actor, "role", None) not in CITY_ROLES:
        raise SubsidyError("公示由市级管理员或审核员发布")
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic(), unscoped():
        Programme.objects.select_for_update().get(pk=prog.pk)
        pending = Application.objects.filter(programme=prog, status=S.APPROVED, notice__isnull=True)
        if not pending.exists():
            raise SubsidyError("没有待公示的审核通过名单")
        notice = Notice.objects.create(
            programme=prog, title=f"{prog.year}年{prog.name}拟发放名单公示（第{prog.notices.count() + 1}批）",
            starts_on=starts_on, ends_on=add_working_days(starts_on, prog.notice_days),
            published_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        ids = list(pending.values_list("pk", flat=True))
        pending.update(notice=notice)
        audit.record(AuditAction.CREATE, actor=actor, obj=notice, changes={"applications": [None, len(ids)]})
    return notice


def file_objection(app: Application, *, raised_by: str, contact: str, text: str, actor: Any = None) -> Objection:
    errors = {}
    if not raised_by.strip():
        errors["raised_by"] = "请填写异议人姓名"
    if len(text.strip()) < 5:
        errors["text"] = "请写明异议的事实和理由（至少5个字）"
    if errors:
        raise SubsidyError(errors)
    with transaction.atomic(), unscoped():
        locked = _lock(app)
        if locked.notice is None or locked.status != S.APPROVED:
            raise SubsidyError("该名单不在公示中")
        if timezone.localdate() > locked.notice.ends_on:
            raise SubsidyError(f"公示已于{locked.notice.ends_on:%Y-%m-%d}结束")
        obj = Objection.objects.create(application=locked, raised_by=raised_by.strip()[:60],
                                       contact=contact.strip()[:60], text=text.strip())  # fmt: skip
        audit.record(AuditAction.CREATE, actor=actor, obj=obj, changes={"raised_by": [None, obj.raised_by]})
    return obj


def resolve_objection(obj: Objection, *, actor: Any, upheld: bool, resolution: str) -> Objection:
    """Decide an objection; an upheld one revokes the approval (budget released, months freed)."""
    if not resolution.strip():
        raise SubsidyError({"resolution": "请填写处理意见"})
    _check_scope(actor, obj.application.district_id)
    with transaction.atomic(), unscoped():
        locked = Objection.objects.select_for_update().get(pk=obj.pk)
        if locked.status != ObjectionStatus.OPEN:
            raise SubsidyError("该异议已处理")
        locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        locked.resolution, locked.resolved_by, locked.resolved_at = resolution.strip(), actor, timezone.now()
        locked.save()
        audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes={"status": ["open", locked.status]})
        if upheld:
            app = _lock(locked.application)
            APPLICATION_FLOW.apply(app, "revoke", actor=actor, note=f"公示异议成立：{resolution.strip()}")
            ClaimMonth.objects.filter(application=app).delete()
    return locked


# --- payment --------------------------------------------------------------------------------------------


def payable(prog: Programme, on: date | None = None) -> Any:
    """Approved, publicised (notice ended), no open objection, no live payment, amount > 0."""
    on = on or timezone.localdate()
    live = PaymentItem.objects.exclude(status=PaymentStatus.FAILED).values("application_id")
    return (
        Application.objects.filter(programme=prog, status=S.APPROVED, notice__ends_on__lt=on, approved_amount__gt=0)
        .exclude(objections__status=ObjectionStatus.OPEN)
        .exclude(pk__in=live)
        .order_by("district__code", "pk")
    )


def _signature(batch: PaymentBatch, items: Sequence[PaymentItem]) -> str:
    canonical = "\n".join(f"{i.pk}|{i.claim_key}|{i.period}|{i.amount}" for i in items)
    return crypto.lookup_hash(f"{batch.reference}|{batch.total}|{batch.count}\n{canonical}")


def build_batch(prog: Programme, *, actor: Any, on: date | None = None) -> PaymentBatch:
    """A batch of every payable claim.  Idempotent: a claim already in a live payment is never added
    again (unique constraint on programme, claim and period); failed payments come back here."""
    if getattr(actor, "role", None) not in CITY_ROLES:
        raise SubsidyError("发放批次由市级管理员或审核员生成")
    with transaction.atomic(), unscoped():
        Programme.objects.select_for_update().get(pk=prog.pk)
        apps = list(payable(prog, on))
        if not apps:
            raise SubsidyError("没有可发放的申请（须审核通过、公示期满且无未处理异议）")
        batch = PaymentBatch.objects.create(
            programme=prog, reference=f"PAY{prog.year}{prog.pk:03d}-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(2)}",
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        items = PaymentItem.objects.bulk_create(
            [
                PaymentItem(
                    batch=batch,
                    application=a,
                    programme=prog,
                    claim_key=a.claim_key,
                    period=a.period,
                    amount=a.approved_amount or Decimal("0"),
                )
                for a in apps
            ]
        )
        batch.count = len(items)
        batch.total = sum((i.amount for i in items), Decimal("0"))
        batch.signature = _signature(batch, items)
        batch.save(update_fields=["count", "total", "signature"])
        audit.record(AuditAction.CREATE, actor=actor, obj=batch,
                     changes={"count": [None, batch.count], "total": [None, str(batch.total)]})  # fmt: skip
    return batch


BANK_HEADERS = ["明细号", "户名", "开户行", "账号", "金额", "用途", "所属区"]


def bank_file_rows(batch: PaymentBatch, *, actor: Any) -> list[list[Any]]:
    """Rows of the bank file (full account numbers: the export is audited with every payee)."""
    with unscoped():
        items = list(batch.items.select_related("application__district").order_by("pk"))
    rows = []
    for i in items:
        a = i.application
        account = crypto.decrypt(a.bank_account_encrypted) if a.bank_account_encrypted else ""
        rows.append([i.pk, a.bank_account_name, a.bank_name, account, f"{i.amount:.2f}",
                     f"{batch.programme.year}年{batch.programme.name}", a.district.name])  # fmt: skip
    audit.record_many(AuditAction.EXPORT, actor=actor, object_type="subsidies.application",
                      object_ids=[i.application_id for i in items], object_label=f"导出银行代发文件 {batch.reference}",
                      purpose="银行代发")  # fmt: skip
    return rows


def batch_summary(batch: PaymentBatch) -> str:
    """The signed batch summary (plain text): totals per district and the HMAC signature of the items."""
    with unscoped():
        items = list(batch.items.order_by("pk"))
        per = (
            batch.items.values("application__district__name")
            .annotate(n=Count("id"), t=Sum("amount"))
            .order_by("application__district__name")
        )
        lines = [
            f"发放批次：{batch.reference}",
            f"项目：{batch.programme}",
            f"笔数：{batch.count}  合计：{batch.total:.2f}元",
            *[f"  {row['application__district__name']}：{row['n']}笔 {row['t']:.2f}元" for row in per],
            f"签名（HMAC-SHA256）：{batch.signature}",
            f"校验：{'一致' if _signature(batch, items) == batch.signature else '不一致（批次明细已被改动）'}",
        ]
    return "\n".join(lines)


def submit_batch(batch: PaymentBatch, *, actor: Any) -> PaymentBatch:
    """Mark the batch as sent to the bank.  Submitting twice changes nothing (and pays no one twice)."""
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.BUILT:
            return locked
        locked.status, locked.submitted_at = BatchStatus.SUBMITTED, timezone.now()
        locked.save(update_fields=["status", "submitted_at"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes={"status": ["built", "submitted"]})
    batch.status, batch.submitted_at = locked.status, locked.submitted_at
    return locked


RESULT_SYNONYMS = {"成功": "paid", "已发放": "paid", "success": "paid", "失败": "failed", "failed": "failed"}
BANK_RETURN_SPEC = core_imports.ImportSpec(
    kind="subsidy_bank_return",
    title="银行回盘文件",
    columns=(
        core_imports.Column("item", "明细号", core_imports.integer(min_value=1), required=True),
        core_imports.Column("result", "结果", core_imports.choice({"paid": "成功", "failed": "失败"},
                                                                  synonyms=RESULT_SYNONYMS), required=True),
        core_imports.Column("reason", "失败原因", core_imports.text(200)),
        core_imports.Column("reference", "银行流水号", core_imports.text(60)),
        core_imports.Column("paid_on", "发放日期", core_imports.date_value()),
    ),
)  # fmt: skip


def apply_bank_return(batch: PaymentBatch, *, actor: Any, filename: str, data: bytes) -> ImportBatch:
    """Read the bank's return file (CSV/Excel; per-row error report; the same file twice is a no-op):
    paid items get their date and reference, failed ones free their claim for a later batch."""
    batch.refresh_from_db(fields=["status"])
    if batch.status == BatchStatus.BUILT:
        raise SubsidyError("批次尚未报送银行")
    submitted = core_imports.submit_import(spec=BANK_RETURN_SPEC, scope_key=f"batch:{batch.pk}", filename=filename,
                                           data=data, actor=actor)  # fmt: skip

    def handler(rows: list[core_imports.Row]) -> list[core_imports.Outcome]:
        out: list[core_imports.Outcome] = []
        with transaction.atomic(), unscoped():
            items = {i.pk: i for i in PaymentItem.objects.select_for_update().filter(
                batch=batch, pk__in=[r.values["item"] for r in rows])}  # fmt: skip
            for r in rows:
                item = items.get(r.values["item"])
                if item is None:
                    out.append([core_imports.Problem("明细号", "不是本批次的明细号")])
                    continue
                result = r.values["result"]
                if item.status == result:
                    out.append("unchanged")
                    continue
                if item.status != PaymentStatus.PENDING:
                    out.append(
                        [core_imports.Problem("结果", f"该明细已是“{item.get_status_display()}”，不能改为其他结果")]
                    )
                    continue
                item.status = result
                item.bank_reference = r.values["reference"] or ""
                item.failure_reason = (r.values["reason"] or "银行未说明原因") if result == "failed" else ""
                item.paid_on = (r.values["paid_on"] or timezone.localdate()) if result == "paid" else None
                item.save()
                audit.record(AuditAction.UPDATE, actor=actor, obj=item, changes={"status": ["pending", result]})
                out.append("updated")
            if not PaymentItem.objects.filter(batch=batch, status=PaymentStatus.PENDING).exists():
                PaymentBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.SETTLED, settled_at=timezone.now())
        return out

    if submitted.created:
        return core_imports.process_batch(submitted.batch, spec=BANK_RETURN_SPEC, handler=handler)
    return submitted.batch


# --- clawback -------------------------------------------------------------------------------------------


def record_clawback(app: Application, *, actor: Any, amount: Decimal, reason: str, on: date | None = None) -> Clawback:
    paid = app.payments.filter(status=PaymentStatus.PAID).aggregate(t=Sum("amount"))["t"] or Decimal("0")
    if amount <= 0 or amount > paid:
        raise SubsidyError({"amount": f"追回金额应大于0且不超过已发放的{paid}元"})
    if not reason.strip():
        raise SubsidyError({"reason": "请填写追回原因"})
    with transaction.atomic():
        try:
            cb = Clawback.objects.create(application=app, amount=amount, reason=reason.strip()[:300],
                                         detected_on=on or timezone.localdate(),
                                         created_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
        except IntegrityError:
            raise SubsidyError("已因同一原因登记过追回") from None
        audit.record(AuditAction.CREATE, actor=actor, obj=cb, changes={"amount": [None, str(amount)],
                                                                      "reason": [None, cb.reason]})  # fmt: skip
    return cb


def detect_clawbacks(*, actor: Any = None, on: date | None = None) -> list[Clawback]:
    """Paid claims whose condition lapsed: the new hire left the unit before the paid contract year
    ended; the new individual business closed within the year it was supported for.  Idempotent."""
    from ablework.employers import api as employers_api
    from ablework.people import api as people_api

    on = on or timezone.localdate()
    found: list[Clawback] = []
    with unscoped():
        paid = list(
            Application.objects.filter(payments__status=PaymentStatus.PAID)
            .select_related("programme")
            .annotate(paid_total=Sum("payments__amount", filter=Q(payments__status=PaymentStatus.PAID)))
        )
        hires = [a.person_id for a in paid if a.programme.kind == ProgrammeKind.NEW_HIRE and a.person_id]
        spells_of = people_api.employment_spells_many(hires)  # one query for every paid hire
        already = set(Clawback.objects.filter(application__in=paid).values_list("application_id", "reason"))
        for app in paid:
            reason = ""
            if app.programme.kind == ProgrammeKind.NEW_HIRE and app.person_id and app.employer_id:
                start = date.fromisoformat(app.data["contract_start"])
                k = int(app.data.get("contract_year", 1))
                period_end = rules.add_months(start, 12 * k) - date.resolution
                spells = [s for s in spells_of.get(app.person_id, []) if s.employer_id == app.employer_id]
                left = [s.end for s in spells if s.start <= start and s.end is not None and s.end < period_end]
                if left:
                    reason = f"新招用人员于{min(left):%Y-%m-%d}离职，未满补贴年度（至{period_end:%Y-%m-%d}）"
            elif app.programme.kind == ProgrammeKind.NEW_BUSINESS:
                reg = employers_api.business_registration(str(app.data.get("uscc", "")))
                if reg is not None and reg.status == "closed" and reg.closed_on is not None:
                    licence = reg.licence_date or date(app.programme.year, 1, 1)
                    if reg.closed_on < rules.add_months(licence, 12):
                        reason = f"个体工商户于{reg.closed_on:%Y-%m-%d}注销，经营不满一年"
            if not reason or (app.pk, reason) in already:
                continue
            found.append(record_clawback(app, actor=actor, amount=app.paid_total, reason=reason, on=on))
    return found


def settle_clawback(cb: Clawback, *, actor: Any, status: str, on: date | None = None) -> Clawback:
    if status not in (ClawbackStatus.RECOVERED, ClawbackStatus.WAIVED):
        raise SubsidyError("请选择处理结果")
    with transaction.atomic():
        locked = Clawback.objects.select_for_update().get(pk=cb.pk)
        if locked.status != ClawbackStatus.OPEN:
            raise SubsidyError("该追回记录已处理")
        locked.status, locked.recovered_on = status, on or timezone.localdate()
        locked.save(update_fields=["status", "recovered_on"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=locked, changes={"status": ["open", status]})
    return locked


def bank_return_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """A bank return file (for tests and the demo): 明细号, 结果, 失败原因, 银行流水号, 发放日期."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["明细号", "结果", "失败原因", "银行流水号", "发放日期"])
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")
