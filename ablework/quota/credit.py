"""Writes of the credit events (失信信息, policy-rules §13) and of the levy payments they rest on.

This module is the ``actions`` of §13 (kept apart from ``actions.py``, which the annual review owns):
every write locks, checks, saves and audits in one transaction; reads are in ``credit_queries``.

Due process — a workflow (``core.workflow``) over ``CreditEvent.status``::

    detected ─send_notice─▶ notified ─file_objection─▶ objected ─uphold_objection─▶ closed
                              │  ▲                        └─reject_objection─▶ objection_rejected
                              │  └──────return_push─────┐                         │
                              └──────propose_push──────▶ review ◀──propose_push───┘
                                                          └─approve_push─▶ pending_push (待推送) ─mark_pushed─▶ pushed
    any state before the push ─withdraw─▶ withdrawn;   pushed ─withdraw_pushed─▶ withdrawal_pending ─▶ withdrawal_pushed

- **Pre-notice (预先告知)**: ``send_pre_notice`` records the date, sets the rectification and objection
  deadlines from the parameter ``credit_due_process`` (working days by default) and notifies every
  account of the unit (``core.notifications.notify``: inbox, plus e-mail/SMS where known).
- **Objection**: the unit (or an officer recording a paper objection) files text and an optional
  document before the objection deadline; a district officer upholds it (closed, never pushed) or
  rejects it, with reasons; the unit is told either way.
- **Push**: only after the rectification period (and the objection period, unless an objection was
  decided) has passed, a district officer proposes the push (chain "推送审核"); another district officer
  approves it → ``pending_push``.  Maker-checker: the workflow refuses the proposer, and
  ``push_maker_refusal`` refuses whoever registered the event (for an event found by an unattended
  scan, the officer who sent the pre-notice opened the case and counts as its maker).  The push itself
  belongs to the data-exchange issue: ``api.credit_events_ready_to_push()`` and
  ``api.mark_credit_event_pushed()``.
- **Withdrawal (撤销)**: an officer withdraws an event when the unit complies; recording a payment
  (``record_levy_payment``) that clears what the unit owes withdraws its payment-related events at
  once.  Before the push the event simply leaves the queue; after it, a withdrawal record is queued
  (``withdrawal_pending``) for the credit platform (信用修复).

**Payments.**  The tax bureau collects the levy (R4.5) and no tax feed is connected yet, so payments
are ``LevyPayment`` rows recorded by an officer from the receipt (a partner feed can write the same rows
later).  What a unit owes for a year is the certified ``LevyResult.levy_due``; ``facts["total_due"]``
keeps it on the event (for a manually registered event without a certified result, the amount the
officer entered plus what was already paid).  Late fees (R4.6) are not part of the test of compliance.

**Detection** (``detect_credit_events``, set-based, idempotent): after the levy window of the data
year (``Campaign.levy_end`` plus ``levy_grace_days``), every certified declaration whose levy is due
(ratio unmet, not exempt) and not fully paid becomes a ``RATIO_UNMET_AND_UNPAID`` event.  The other
kinds (unpaid after a deadline set by the tax bureau, refused after an order, false declaration) rest
on decisions the platform does not hold yet and are registered by an officer (``create_credit_event``).
Severity and the platform code come from the parameter ``credit_event_mapping``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ablework.accounts.enums import OrgKind, Role
from ablework.accounts.models import User
from ablework.core import audit, workflow
from ablework.core.enums import AuditAction
from ablework.core.files import document_problem
from ablework.core.notifications import notify
from ablework.core.policy import ParamValue, PolicyParameterMissing, get_param
from ablework.core.scoping import unscoped
from ablework.core.workflow import ChainStep, Transition, TransitionNotAllowed, Workflow, add_working_days
from ablework.quota.enums import (
    CREDIT_OPEN_STATES,
    PAYMENT_KINDS,
    CreditEventKind,
    CreditEventState,
    CreditSeverity,
    DeclarationStatus,
)
from ablework.quota.models import Campaign, CreditEvent, LevyPayment, LevyResult

__all__ = [
    "CREDIT_FLOW",
    "PUSH_CHAIN",
    "CreditError",
    "CreditScan",
    "DueProcess",
    "PaymentResult",
    "approve_push",
    "create_credit_event",
    "decide_objection",
    "detect_credit_events",
    "due_process",
    "ensure_push_chain",
    "file_objection",
    "levy_owed",
    "mark_credit_event_pushed",
    "mark_withdrawal_pushed",
    "outstanding",
    "paid_total",
    "propose_push",
    "push_maker_refusal",
    "record_levy_payment",
    "return_push",
    "send_pre_notice",
    "today",
    "withdraw_credit_event",
]

S = CreditEventState
PUSH_CHAIN = "credit_push"
PUSH_CHAIN_NAME = "失信信息推送审核"
PUSH_STAGE = "推送审核"
DEFAULT_PUSH_REVIEW_DAYS = 5
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
OFFICER = {Role.DISTRICT_OFFICER}

CREDIT_FLOW = Workflow(
    "credit_event",
    model="quota.CreditEvent",
    field="status",
    chain=PUSH_CHAIN,
    transitions=[
        Transition("send_notice", source=S.DETECTED, target=S.NOTIFIED, label="发送预先告知", roles=OFFICER),
        Transition("file_objection", source=S.NOTIFIED, target=S.OBJECTED, label="提出异议",
                   roles={Role.EMPLOYER_USER, Role.DISTRICT_OFFICER}),
        Transition("uphold_objection", source=S.OBJECTED, target=S.CLOSED, label="异议成立（不予推送）",
                   roles=OFFICER, note_required=True),
        Transition("reject_objection", source=S.OBJECTED, target=S.OBJECTION_REJECTED, label="异议不成立",
                   roles=OFFICER, note_required=True),
        Transition("propose_push", source=(S.NOTIFIED, S.OBJECTION_REJECTED), target=S.REVIEW, label="提请推送",
                   roles=OFFICER, step=ChainStep.SUBMIT),
        Transition("approve_push", source=S.REVIEW, target=S.PENDING_PUSH, label="同意推送", step=ChainStep.APPROVE),
        Transition("return_push", source=S.REVIEW, target=S.NOTIFIED, label="退回", step=ChainStep.RETURN,
                   note_required=True),
        # Withdrawal may follow a payment recorded by anyone entitled to record it (or a partner feed):
        # the views restrict the manual withdrawal to district officers.
        Transition("withdraw", source=tuple(sorted(CREDIT_OPEN_STATES)), target=S.WITHDRAWN, label="撤销",
                   note_required=True),
        Transition("withdraw_pushed", source=S.PUSHED, target=S.WITHDRAWAL_PENDING, label="撤销（推送撤销记录）",
                   note_required=True),
        # Set by the data-exchange issue through ``api``.
        Transition("mark_pushed", source=S.PENDING_PUSH, target=S.PUSHED, label="已推送至信用平台"),
        Transition("pushed_after_withdrawal", source=S.WITHDRAWN, target=S.WITHDRAWAL_PENDING,
                   label="撤销前已推送（推送撤销记录）"),
        Transition("mark_withdrawal_pushed", source=S.WITHDRAWAL_PENDING, target=S.WITHDRAWAL_PUSHED,
                   label="撤销记录已推送"),
    ],
)  # fmt: skip


class CreditError(ValueError):
    """A write refused by a rule of §13.  ``errors`` maps a form field to its message where the problem
    belongs to one field; ``str(err)`` is all messages, in Chinese."""

    def __init__(self, message: str | dict[str, str]) -> None:
        self.errors: dict[str, str] = dict(message) if isinstance(message, dict) else {}
        super().__init__("；".join(self.errors.values()) if isinstance(message, dict) else message)


def today() -> date:
    return timezone.localdate()


def _at(on: date | None) -> datetime:
    """Now, or noon of ``on`` when that is another day (a caller replaying a past day, e.g. a test)."""
    if on is None or on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time(12)))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _require_officer(actor: Any, what: str) -> None:
    if getattr(actor, "role", None) != Role.DISTRICT_OFFICER:
        raise TransitionNotAllowed(f"{what}须由区级经办员办理")


def _lock(event: CreditEvent) -> CreditEvent:
    return CreditEvent._base_manager.select_for_update().select_related("employer__district").get(pk=event.pk)


def _plain(value: Any) -> Any:
    """``facts`` as JSON: decimals and dates as strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, date)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


def _sync(event: CreditEvent, locked: CreditEvent) -> CreditEvent:
    for f in CreditEvent._meta.concrete_fields:
        setattr(event, f.attname, getattr(locked, f.attname))
    return event


# --- parameters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueProcess:
    """Parameter ``credit_due_process``: periods counted from the day of the pre-notice."""

    rectification_days: int
    objection_days: int
    working_days: bool
    levy_grace_days: int
    review_days: int
    param: ParamValue

    def deadline(self, start: date, days: int) -> date:
        return add_working_days(start, days) if self.working_days else start + timedelta(days=days)

    def ref(self) -> dict[str, Any]:
        return {"key": self.param.key, "value": self.param.value, "source": self.param.source,
                "confirmed": self.param.confirmed}  # fmt: skip


def due_process(on: date) -> DueProcess:
    try:
        pv = get_param("credit_due_process", on=on)
    except PolicyParameterMissing as exc:
        raise CreditError(str(exc)) from None
    value = pv.value if isinstance(pv.value, dict) else {}
    try:
        return DueProcess(
            rectification_days=int(value["rectification_days"]),
            objection_days=int(value["objection_days"]),
            working_days=bool(value.get("working_days", True)),
            levy_grace_days=int(value.get("levy_grace_days", 0)),
            review_days=int(value.get("review_days", DEFAULT_PUSH_REVIEW_DAYS)),
            param=pv,
        )
    except (KeyError, TypeError, ValueError):
        raise CreditError(
            "政策参数“credit_due_process”应包含整数 rectification_days 和 objection_days，请由市级管理员更正"
        ) from None


def _classify(kind: str, on: date) -> tuple[str, str, dict[str, Any]]:
    """(severity, platform code, parameter reference) of ``kind`` from ``credit_event_mapping``; the
    value per kind is a severity, or ``{"severity": ..., "code": ...}``."""
    try:
        pv = get_param("credit_event_mapping", on=on)
    except PolicyParameterMissing as exc:
        raise CreditError(str(exc)) from None
    entry = pv.value.get(kind) if isinstance(pv.value, dict) else None
    severity, code = (entry.get("severity"), str(entry.get("code") or "")) if isinstance(entry, dict) else (entry, "")
    if severity not in CreditSeverity.values:
        raise CreditError(
            f"政策参数“credit_event_mapping”没有为“{CreditEventKind(kind).label}”配置失信等级"
            "（general 或 serious），请由市级管理员维护"
        )
    ref = {"key": pv.key, "value": entry, "source": pv.source, "confirmed": pv.confirmed}
    return str(severity), code, ref


def ensure_push_chain(on: date | None = None) -> None:
    """The one-stage chain "推送审核" by a district officer (idempotent)."""
    try:
        days = due_process(on or today()).review_days
    except CreditError:
        days = DEFAULT_PUSH_REVIEW_DAYS
    workflow.ensure_chain(PUSH_CHAIN, PUSH_CHAIN_NAME, [(PUSH_STAGE, Role.DISTRICT_OFFICER, days)])


# --- what a unit owes -----------------------------------------------------------------------------


def paid_total(employer_id: int, data_year: int) -> Decimal:
    with unscoped():
        total = LevyPayment.objects.filter(employer_id=employer_id, data_year=data_year).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0)


def levy_owed(employer_id: int, data_year: int) -> Decimal | None:
    """The levy due on the unit's certified declaration of the year (None: no certified result)."""
    with unscoped():
        due = (
            LevyResult.objects.filter(
                declaration__employer_id=employer_id,
                declaration__campaign__data_year=data_year,
                declaration__status=DeclarationStatus.CERTIFIED,
                error="",
            )
            .values_list("levy_due", flat=True)
            .first()
        )
    return due


def outstanding(event: CreditEvent) -> Decimal | None:
    """What the unit still owes for the event's year (None when the event rests on no amount)."""
    total = (event.facts or {}).get("total_due")
    if total in (None, ""):
        return None
    return Decimal(str(total)) - paid_total(event.employer_id, event.data_year)


def _employer_users(employer_id: int) -> list[Any]:
    return list(
        User.objects.filter(
            role=Role.EMPLOYER_USER,
            is_active=True,
            organisation__kind=OrgKind.EMPLOYER,
            organisation__external_ref=str(employer_id),
        ).order_by("id")
    )


def _tell_unit(event: CreditEvent, subject: str, body: str) -> int:
    users = _employer_users(event.employer_id)
    link = reverse("quota:credit_detail", args=[event.pk])
    for u in users:
        notify(u, subject=subject, body=body, link=link)
    return len(users)


def _money(raw: Any, field_name: str, label: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise CreditError({field_name: f"{label}应为金额，如 12345.67"}) from None
    if not value.is_finite() or value <= 0:
        raise CreditError({field_name: f"{label}应大于0"})
    if value != value.quantize(Decimal("0.01")):
        raise CreditError({field_name: f"{label}最多保留两位小数"})
    return value


# --- detection and registration -------------------------------------------------------------------


@dataclass(frozen=True)
class CreditScan:
    data_year: int
    deadline: date
    created: list[int] = field(default_factory=list)
    already: int = 0  # units owing that already have an event of this kind for the year


def detect_credit_events(data_year: int, *, actor: Any, on: date | None = None) -> CreditScan:
    """Find every unit of ``data_year`` whose certified levy is due and not fully paid after the levy
    window (plus ``levy_grace_days``), and register a ``RATIO_UNMET_AND_UNPAID`` event for each one
    that has none yet.  City-wide, set-based (one query, one insert, one audit entry), idempotent.
    Raises ``CreditError`` before the window has passed or without a campaign / levy window."""
    on = on or today()
    kind = CreditEventKind.RATIO_UNMET_AND_UNPAID
    dp = due_process(on)
    with unscoped():
        campaign = Campaign.objects.filter(data_year=data_year).first()
        if campaign is None:
            raise CreditError(f"{data_year}年度没有年审批次")
        if campaign.levy_end is None:
            raise CreditError(f"{data_year}年度年审批次没有保障金缴纳截止日期，无法判断是否逾期")
        deadline = campaign.levy_end + timedelta(days=dp.levy_grace_days)
        if on <= deadline:
            raise CreditError(f"{data_year}年度保障金缴纳期至{deadline:%Y-%m-%d}，届满后才能核查")
        severity, code, mapping = _classify(kind, on)
        paid = Subquery(
            LevyPayment._base_manager.filter(employer_id=OuterRef("declaration__employer_id"), data_year=data_year)
            .order_by()
            .values("employer_id")
            .annotate(s=Sum("amount"))
            .values("s")[:1],
            output_field=MONEY,
        )
        existing = CreditEvent._base_manager.filter(
            employer_id=OuterRef("declaration__employer_id"), data_year=data_year, kind=kind
        )
        rows = list(
            LevyResult._base_manager.filter(
                data_year=data_year,
                declaration__campaign__data_year=data_year,
                declaration__status=DeclarationStatus.CERTIFIED,
                error="",
                exempt=False,
                levy_due__gt=0,
                shortfall__gt=0,
            )
            .annotate(paid=Coalesce(paid, Value(Decimal("0.00")), output_field=MONEY), has_event=Exists(existing))
            .filter(paid__lt=F("levy_due"))
            .order_by("declaration__employer_id")
            .values(
                "declaration__employer_id", "levy_due", "paid", "weighted_count", "required", "shortfall", "has_event"
            )
        )
        fresh = [r for r in rows if not r["has_event"]]
        events = [
            CreditEvent(
                employer_id=r["declaration__employer_id"],
                data_year=data_year,
                kind=kind,
                severity=severity,
                platform_code=code,
                amount_owed=r["levy_due"] - r["paid"],
                created_by=_user(actor),
                description=(
                    f"{data_year}年度安排残疾人就业未达比例（应安排{r['required'].normalize()}人，"
                    f"已安排{r['weighted_count'].normalize()}人），应缴保障金{r['levy_due']}元，"
                    f"缴纳期届满（{deadline:%Y-%m-%d}）时已缴{r['paid']}元"
                ),
                facts={
                    "source": "detection",
                    "levy_due": r["levy_due"],
                    "paid_at_detection": r["paid"],
                    "total_due": r["levy_due"],
                    "levy_deadline": deadline,
                    "required": r["required"],
                    "weighted_count": r["weighted_count"],
                    "shortfall": r["shortfall"],
                    "mapping": mapping,
                    "due_process": dp.ref(),
                },
            )
            for r in fresh
        ]
        for e in events:
            e.facts = _plain(e.facts)
        with transaction.atomic():
            created = CreditEvent.objects.bulk_create(events)
            ids = [e.pk for e in created]
            if ids:
                audit.record_many(
                    AuditAction.CREATE,
                    actor=actor,
                    object_type="quota.creditevent",
                    object_ids=ids,
                    object_label=f"{data_year}年度失信事件核查：新发现{len(ids)}条",
                    changes={"data_year": [None, data_year], "kind": [None, kind], "deadline": [None, deadline]},
                    purpose="失信事件核查（未按比例安排且未缴纳保障金）",
                )
    return CreditScan(data_year, deadline, ids, len(rows) - len(fresh))


def create_credit_event(
    employer: Any,
    *,
    actor: Any,
    data_year: int,
    kind: str,
    description: str,
    amount_owed: Any = None,
    decision_number: str = "",
    on: date | None = None,
) -> CreditEvent:
    """Register an event found outside the scan (an order the unit ignored, a false declaration…).

    For the payment kinds the amount owed is the certified levy less what was paid, or — without a
    certified result — the amount the officer enters.  Raises ``CreditError`` (one event per unit,
    year and kind; nothing owed; missing facts) or ``TransitionNotAllowed`` (not a district officer)."""
    _require_officer(actor, "登记失信事件")
    on = on or today()
    description = (description or "").strip()
    if kind not in CreditEventKind.values:
        raise CreditError({"kind": "请选择失信情形"})
    if not description:
        raise CreditError({"description": "请说明事实和依据（如责令限期缴纳通知书文号、虚假申报情况）"})
    if not 2000 <= int(data_year) <= on.year:
        raise CreditError({"data_year": f"数据年度应在2000至{on.year}之间"})
    amount = _money(amount_owed, "amount_owed", "欠缴金额") if amount_owed not in (None, "") else None
    severity, code, mapping = _classify(kind, on)
    with transaction.atomic(), unscoped():
        if CreditEvent.objects.filter(employer_id=employer.pk, data_year=data_year, kind=kind).exists():
            raise CreditError(f"该单位{data_year}年度已有“{CreditEventKind(kind).label}”失信事件")
        facts: dict[str, Any] = {"source": "officer", "mapping": mapping}
        if kind in PAYMENT_KINDS:
            paid = paid_total(employer.pk, data_year)
            owed = levy_owed(employer.pk, data_year)
            if owed is None and amount is None:
                raise CreditError({"amount_owed": "该单位该年度没有已认定的保障金计算结果，请填写欠缴金额"})
            total = owed if owed is not None else (amount or Decimal(0)) + paid
            if total - paid <= 0:
                raise CreditError(f"该单位{data_year}年度保障金已缴清（已缴{paid}元），不构成该情形")
            amount = amount if amount is not None else total - paid
            facts.update({"total_due": total, "paid_at_detection": paid, "levy_due": owed})
        event = CreditEvent.objects.create(
            employer=employer, data_year=data_year, kind=kind, severity=severity, platform_code=code,
            amount_owed=amount, description=description, decision_number=(decision_number or "").strip()[:60],
            created_by=_user(actor), facts=_plain(facts),
        )  # fmt: skip
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=event,
            changes={"kind": [None, kind], "data_year": [None, data_year], "amount_owed": [None, amount],
                     "severity": [None, severity]},
            purpose="登记失信事件",
        )  # fmt: skip
    return event


# --- due process ----------------------------------------------------------------------------------


def send_pre_notice(
    event: CreditEvent, *, actor: Any, decision_number: str = "", on: date | None = None
) -> CreditEvent:
    """预先告知: record the date, set the rectification and objection deadlines (``credit_due_process``)
    and notify every account of the unit.  Raises ``TransitionNotAllowed`` (state, role) or ``CreditError``."""
    on = on or today()
    dp = due_process(on)
    rect, objection = dp.deadline(on, dp.rectification_days), dp.deadline(on, dp.objection_days)
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        number = (decision_number or "").strip()[:60] or locked.decision_number
        facts = {**(locked.facts or {}), "due_process": dp.ref()}
        users = _employer_users(locked.employer_id)
        CREDIT_FLOW.apply(
            locked, "send_notice", actor=actor,
            note=f"整改期限至{rect:%Y-%m-%d}，异议期限至{objection:%Y-%m-%d}；告知单位账户{len(users)}个",
            notice_sent_at=_at(on), notice_sent_by=_user(actor), rectification_due=rect, objection_due=objection,
            notice_recipients=len(users), decision_number=number, facts=_plain(facts),
        )  # fmt: skip
        amount = f"，欠缴金额{locked.amount_owed}元" if locked.amount_owed is not None else ""
        _tell_unit(
            locked,
            "失信信息预先告知",
            f"{locked.employer.name}：经核查，贵单位{locked.data_year}年度存在“{locked.get_kind_display()}”情形{amount}"
            f"{'（' + number + '）' if number else ''}。依据规定，拟将该信息推送至天津市信用信息共享平台。"
            f"请于{rect:%Y-%m-%d}前整改（如足额缴纳残疾人就业保障金）；如有异议，请于{objection:%Y-%m-%d}前"
            "登录平台在“失信信息”中提出异议并提交证明材料。",
        )
    return _sync(event, locked)


def _check_file(upload: UploadedFile) -> None:
    problem = document_problem(upload, "证明材料")
    if problem:
        raise CreditError({"file": problem})


def file_objection(
    event: CreditEvent, *, actor: Any, text: str, file: UploadedFile | None = None, on: date | None = None
) -> CreditEvent:
    """The unit's objection (异议) to a pre-notice: text (required) and a document (optional, PDF/JPG/PNG
    ≤ 10 MB), once, before the objection deadline.  The officer who sent the notice is told."""
    on = on or today()
    text = (text or "").strip()
    if not text:
        raise CreditError({"text": "请填写异议理由"})
    if len(text) > 2000:
        raise CreditError({"text": "异议理由不能超过2000字"})
    if file is not None:
        _check_file(file)
    objection_field = CreditEvent._meta.get_field("objection_file")
    stored = ""
    try:
        with transaction.atomic(), unscoped():
            locked = _lock(event)
            if locked.status == S.NOTIFIED:
                if locked.objection_at is not None:
                    raise CreditError("本事件已提出过异议并已处理，不能再次提出")
                if locked.objection_due is not None and on > locked.objection_due:
                    raise CreditError(f"异议期限已于{locked.objection_due:%Y-%m-%d}届满")
            filename = PurePath(file.name or "file").name[:200] if file is not None else ""
            if file is not None:
                stored = objection_field.storage.save(objection_field.generate_filename(locked, filename), file)  # type: ignore[attr-defined]
            CREDIT_FLOW.apply(
                locked, "file_objection", actor=actor, note=text[:500],
                objection_text=text, objection_filename=filename, objection_at=_at(on), objection_by=_user(actor),
            )  # fmt: skip
            if stored:
                # Not through ``apply``: the audit entry records the file's name, not the storage object.
                CreditEvent._base_manager.filter(pk=locked.pk).update(objection_file=stored)
                locked.objection_file.name = stored
            if locked.notice_sent_by_id:
                notify(
                    locked.notice_sent_by,
                    subject="失信事件收到异议",
                    body=f"{locked.employer.name}对{locked.data_year}年度“{locked.get_kind_display()}”提出异议，请审查处理。",
                    link=reverse("quota:credit_detail", args=[locked.pk]),
                    channels=("inbox",),
                )
    except Exception:
        if stored:
            objection_field.storage.delete(stored)  # type: ignore[attr-defined]
        raise
    return _sync(event, locked)


def decide_objection(event: CreditEvent, *, actor: Any, upheld: bool, note: str) -> CreditEvent:
    """异议成立 (closed: never pushed) or 异议不成立 (the push may be proposed once the rectification
    period has passed); the reasons (``note``) are required and sent to the unit."""
    note = (note or "").strip()
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        name = "uphold_objection" if upheld else "reject_objection"
        CREDIT_FLOW.apply(locked, name, actor=actor, note=note, objection_decided_at=timezone.now())
        outcome = "异议成立，该信息不予推送" if upheld else "异议不成立"
        tail = "" if upheld else (
            f"请于{locked.rectification_due:%Y-%m-%d}前整改，逾期将提请推送至信用平台。" if locked.rectification_due else ""
        )  # fmt: skip
        _tell_unit(
            locked,
            "失信事件异议处理结果",
            f"{locked.employer.name}：贵单位对{locked.data_year}年度“{locked.get_kind_display()}”提出的异议，"
            f"经审查{outcome}。理由：{note}。{tail}",
        )
    return _sync(event, locked)


def push_maker_refusal(event: CreditEvent, actor: Any) -> str | None:
    """Why ``actor`` may not decide on the push because they registered the event (None: they did not).
    The workflow separately refuses the officer who proposed the push."""
    uid = getattr(actor, "pk", None)
    maker = event.created_by_id or event.notice_sent_by_id
    if uid is not None and maker == uid:
        return "您登记了该失信事件，不能审核本人登记事件的推送，须由其他人员办理"
    return None


def _check_still_owed(event: CreditEvent) -> None:
    if event.kind in PAYMENT_KINDS:
        left = outstanding(event)
        if left is not None and left <= 0:
            raise CreditError("该单位已足额缴纳，应撤销该事件，不能推送")


def propose_push(event: CreditEvent, *, actor: Any, note: str = "", on: date | None = None) -> CreditEvent:
    """提请推送, once the rectification period has passed and — unless an objection was decided — the
    objection period too, and while the unit still owes (payment kinds).  Starts the "推送审核" round."""
    on = on or today()
    ensure_push_chain(on)
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        if locked.status in (S.NOTIFIED, S.OBJECTION_REJECTED):
            if (
                locked.status == S.NOTIFIED
                and locked.objection_at is None
                and locked.objection_due
                and on <= locked.objection_due
            ):
                raise CreditError(f"异议期限至{locked.objection_due:%Y-%m-%d}，届满后才能提请推送")
            if locked.rectification_due and on <= locked.rectification_due:
                raise CreditError(f"整改期限至{locked.rectification_due:%Y-%m-%d}，届满后才能提请推送")
            _check_still_owed(locked)
        CREDIT_FLOW.apply(locked, "propose_push", actor=actor, note=(note or "").strip())
    return _sync(event, locked)


def _check_decider(event: CreditEvent, actor: Any) -> None:
    reason = push_maker_refusal(event, actor)
    if reason:
        raise TransitionNotAllowed(reason)


def approve_push(event: CreditEvent, *, actor: Any, note: str = "", stage: Any = None) -> CreditEvent:
    """同意推送 → 待推送 (queued for the credit platform).  Refused to the proposer (workflow), to the
    officer who registered the event, and when the unit has paid meanwhile."""
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        _check_decider(locked, actor)
        if locked.status == S.REVIEW:
            _check_still_owed(locked)
        CREDIT_FLOW.apply(
            locked, "approve_push", actor=actor, note=(note or "").strip(), stage=stage,
            queued_at=timezone.now(), approved_by=_user(actor),
        )  # fmt: skip
        _tell_unit(
            locked,
            "失信信息将推送至信用平台",
            f"{locked.employer.name}：贵单位{locked.data_year}年度“{locked.get_kind_display()}”经预先告知、整改期届满，"
            "已列入天津市信用信息共享平台推送队列。整改（如足额缴纳保障金）后将予以撤销并推送信用修复信息。",
        )
    return _sync(event, locked)


def return_push(event: CreditEvent, *, actor: Any, note: str, stage: Any = None) -> CreditEvent:
    """退回 the proposal (reasons required); the event is back in the rectification state."""
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        _check_decider(locked, actor)
        CREDIT_FLOW.apply(locked, "return_push", actor=actor, note=(note or "").strip(), stage=stage)
    return _sync(event, locked)


def _withdraw(locked: CreditEvent, actor: Any, reason: str) -> None:
    if locked.status in CREDIT_OPEN_STATES:
        name = "withdraw"
    elif locked.status == S.PUSHED:
        name = "withdraw_pushed"
    else:
        raise CreditError(f"当前状态为“{locked.get_status_display()}”，不能撤销")
    was_notified = locked.notice_sent_at is not None
    CREDIT_FLOW.apply(
        locked, name, actor=actor, note=reason, withdrawn_at=timezone.now(), withdrawal_reason=reason[:300]
    )
    if was_notified:
        repair = "，并将向信用平台推送撤销（信用修复）信息" if name == "withdraw_pushed" else ""
        _tell_unit(
            locked,
            "失信事件已撤销",
            f"{locked.employer.name}：贵单位{locked.data_year}年度“{locked.get_kind_display()}”已撤销{repair}。原因：{reason}",
        )


def withdraw_credit_event(event: CreditEvent, *, actor: Any, reason: str) -> CreditEvent:
    """撤销 (the unit complied, or the event was wrong): before the push it leaves the queue; after the
    push a withdrawal record is queued.  Reasons required; district officers only."""
    _require_officer(actor, "撤销失信事件")
    reason = (reason or "").strip()
    if not reason:
        raise CreditError({"note": "请填写撤销原因（如单位已足额缴纳保障金）"})
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        _withdraw(locked, actor, reason)
    return _sync(event, locked)


@dataclass(frozen=True)
class PaymentResult:
    payment: LevyPayment
    outstanding: Decimal | None  # what is still owed for the year (None: no amount known)
    withdrawn: list[CreditEvent]


def record_levy_payment(
    employer: Any,
    *,
    actor: Any,
    data_year: int,
    amount: Any,
    paid_on: date,
    reference: str = "",
    on: date | None = None,
) -> PaymentResult:
    """Record a levy payment from the tax receipt.  When the unit has then paid all it owes for the
    year, its payment-related events are withdrawn (a withdrawal record is queued for pushed ones)."""
    on = on or today()
    value = _money(amount, "amount", "缴纳金额")
    if paid_on > on:
        raise CreditError({"paid_on": "缴纳日期不能晚于今天"})
    if not 2000 <= int(data_year) <= on.year:
        raise CreditError({"data_year": f"数据年度应在2000至{on.year}之间"})
    withdrawn: list[CreditEvent] = []
    with transaction.atomic(), unscoped():
        payment = LevyPayment.objects.create(
            employer=employer, data_year=data_year, amount=value, paid_on=paid_on,
            reference=(reference or "").strip()[:60], recorded_by=_user(actor),
        )  # fmt: skip
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=payment,
            changes={"data_year": [None, data_year], "amount": [None, value], "paid_on": [None, paid_on],
                     "reference": [None, payment.reference]},
            purpose="登记保障金缴纳",
        )  # fmt: skip
        events = list(
            CreditEvent.objects.select_for_update()
            .select_related("employer")
            .filter(
                employer_id=employer.pk,
                data_year=data_year,
                kind__in=sorted(PAYMENT_KINDS),
                status__in=[*sorted(CREDIT_OPEN_STATES), S.PUSHED],
            )
            .order_by("id")
        )
        for ev in events:
            left = outstanding(ev)
            if left is not None and left <= 0:
                _withdraw(
                    ev, actor, f"单位已足额缴纳{data_year}年度残疾人就业保障金（{paid_on:%Y-%m-%d}缴纳{value}元）"
                )
                withdrawn.append(ev)
        owed = levy_owed(employer.pk, data_year)
        left_total = owed - paid_total(employer.pk, data_year) if owed is not None else None
    return PaymentResult(payment, left_total, withdrawn)


# --- for the data-exchange issue (through ``api``) ------------------------------------------------


def mark_credit_event_pushed(event: CreditEvent, *, actor: Any, push_ref: str = "") -> CreditEvent:
    """The record of a queued event reached the credit platform.  If the event was withdrawn while the
    push was in flight, the withdrawal record is queued instead of losing it."""
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        name = "pushed_after_withdrawal" if locked.status == S.WITHDRAWN and locked.queued_at else "mark_pushed"
        CREDIT_FLOW.apply(locked, name, actor=actor, pushed_at=timezone.now(), push_ref=(push_ref or "")[:100])
    return _sync(event, locked)


def mark_withdrawal_pushed(event: CreditEvent, *, actor: Any, push_ref: str = "") -> CreditEvent:
    """The withdrawal (信用修复) record of a pushed event reached the credit platform."""
    with transaction.atomic(), unscoped():
        locked = _lock(event)
        CREDIT_FLOW.apply(
            locked, "mark_withdrawal_pushed", actor=actor,
            withdrawal_pushed_at=timezone.now(), withdrawal_push_ref=(push_ref or "")[:100],
        )  # fmt: skip
    return _sync(event, locked)
