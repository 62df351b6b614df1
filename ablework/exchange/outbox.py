"""Outbound delivery to the credit platform (天津市信用信息共享平台, policy-rules §13) through an outbox.

1. ``enqueue_credit_events()`` copies every record the annual review has queued
   (``quota.api.credit_events_ready_to_push()``: new records and withdrawal records) into an
   ``OutboxMessage`` keyed ``credit:<event id>:<operation>`` — created once, whatever the number of
   runs.
2. ``deliver_due()`` POSTs each due message as JSON to ``ABLEWORK_CREDIT_PUSH_URL`` with the header
   ``Idempotency-Key`` (the same on every attempt, so the platform can drop a repeat).  A 2xx answer —
   or 409, "already have it" — is success: the message is ``sent`` and the event is marked pushed
   (``quota.api.mark_credit_event_pushed``) with the platform's receipt number.  Anything else (an
   error status, a timeout, a refused connection) schedules a retry with exponential back-off; after
   ``MAX_ATTEMPTS`` the message is ``dead`` and waits for an officer.
3. ``export_file()``: the fallback when the platform cannot be reached — the undelivered records as a
   spreadsheet to hand over by the agreed offline channel; ``mark_exported`` then records them as
   delivered (receipt ``file:<name>``).

Runs from the task ``push_credit_events`` and the command ``manage.py push_credit_events``.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.core.files import xlsx_bytes
from ablework.exchange.enums import OutboxStatus, OutboxTarget
from ablework.exchange.models import OutboxMessage
from ablework.quota import api as quota_api

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=60)
BACKOFF_CAP = timedelta(hours=6)
TIMEOUT_SECONDS = 10

__all__ = [
    "DeliveryReport",
    "backoff",
    "deliver_due",
    "enqueue_credit_events",
    "export_file",
    "mark_exported",
    "push_credit_events",
]


def push_url() -> str:
    return str(getattr(settings, "ABLEWORK_CREDIT_PUSH_URL", "") or os.environ.get("ABLEWORK_CREDIT_PUSH_URL", ""))


def push_token() -> str:
    return str(getattr(settings, "ABLEWORK_CREDIT_PUSH_TOKEN", "") or os.environ.get("ABLEWORK_CREDIT_PUSH_TOKEN", ""))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def idempotency_key(payload: dict[str, Any]) -> str:
    return f"credit:{payload['id']}:{payload['operation']}"


def enqueue_credit_events() -> int:
    """Outbox messages for the records waiting to be pushed; returns how many were new."""
    new = 0
    for payload in quota_api.credit_events_ready_to_push():
        key = idempotency_key(payload)
        if OutboxMessage.objects.filter(idempotency_key=key).exists():
            continue
        try:
            with transaction.atomic():
                OutboxMessage.objects.create(
                    target=OutboxTarget.CREDIT, operation=payload["operation"], object_id=str(payload["id"]),
                    idempotency_key=key, payload=payload, next_attempt_at=timezone.now(),
                )  # fmt: skip
            new += 1
        except IntegrityError:  # another run created it meanwhile
            continue
    return new


@dataclass
class SendResult:
    ok: bool
    status: int | None
    ref: str = ""
    error: str = ""


Sender = Callable[[OutboxMessage], SendResult]


def http_send(message: OutboxMessage) -> SendResult:
    url = push_url()
    if not url:
        return SendResult(False, None, error="未配置信用平台推送地址（ABLEWORK_CREDIT_PUSH_URL）")
    body = json.dumps(message.payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.idempotency_key}
    if push_token():
        headers["Authorization"] = f"Bearer {push_token()}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - configured URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(64 * 1024)
            return SendResult(True, response.status, ref=_ref(raw))
    except urllib.error.HTTPError as exc:
        raw = exc.read(64 * 1024) if exc.fp else b""
        if exc.code == 409:  # the platform already has this idempotency key
            return SendResult(True, 409, ref=_ref(raw) or "duplicate")
        return SendResult(False, exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return SendResult(False, None, error=f"连接失败：{reason}"[:300])


def _ref(raw: bytes) -> str:
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(data.get("ref") or data.get("receipt") or "")[:100] if isinstance(data, dict) else ""


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)


def _due(now: datetime) -> Any:
    return OutboxMessage.objects.filter(
        Q(status__in=[OutboxStatus.PENDING, OutboxStatus.RETRY]),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
    ).order_by("created_at", "id")


def deliver_due(*, now: datetime | None = None, sender: Sender | None = None, limit: int = 500) -> DeliveryReport:
    """Try every due message once.  A message is claimed by moving its ``next_attempt_at`` forward
    first, so two workers never send the same one at the same time (and if they did, the idempotency
    key makes the second a no-op at the platform)."""
    now = now or timezone.now()
    send = sender or http_send
    report = DeliveryReport()
    for message in list(_due(now)[:limit]):
        lease = now + timedelta(seconds=TIMEOUT_SECONDS * 3)
        claimed = (
            OutboxMessage.objects.filter(pk=message.pk, status=message.status, next_attempt_at=message.next_attempt_at)
            .update(next_attempt_at=lease)
        )  # fmt: skip
        if not claimed:
            continue
        result = send(message)
        message.attempts += 1
        message.last_status_code = result.status
        if result.ok:
            _delivered(message, result.ref or f"{message.idempotency_key}")
            report.sent.append(message.pk)
            continue
        message.last_error = result.error[:300]
        if message.attempts >= MAX_ATTEMPTS:
            message.status, message.next_attempt_at = OutboxStatus.DEAD, None
            report.dead.append(message.pk)
        else:
            message.status, message.next_attempt_at = OutboxStatus.RETRY, now + backoff(message.attempts)
            report.retried.append(message.pk)
        message.save(update_fields=["attempts", "last_status_code", "last_error", "status", "next_attempt_at"])
    return report


def _delivered(message: OutboxMessage, ref: str, *, exported: bool = False) -> None:
    from ablework.core.workflow import TransitionNotAllowed

    now = timezone.now()
    with transaction.atomic():
        message.status = OutboxStatus.EXPORTED if exported else OutboxStatus.SENT
        message.remote_ref = ref[:100]
        message.next_attempt_at = None
        if exported:
            message.exported_at = now
        else:
            message.sent_at = now
        try:
            quota_api.mark_credit_event_pushed(int(message.object_id), actor=None, push_ref=ref)
        except TransitionNotAllowed as exc:
            # The event moved on meanwhile (withdrawn before the push was taken): the platform got the
            # record all the same; a withdrawal record follows through the outbox.
            message.last_error = f"已送达，但事件状态已变化：{exc}"[:300]
        message.save()
        audit.record(
            AuditAction.UPDATE,
            actor=None,
            object_type="quota.creditevent",
            object_id=message.object_id,
            object_label=f"失信信息推送（{message.operation}）{'文件报送' if exported else '已送达'}",
            changes={"idempotency_key": message.idempotency_key, "ref": ref, "attempts": message.attempts},
            purpose="信用平台推送",
        )


def push_credit_events(*, sender: Sender | None = None) -> DeliveryReport:
    enqueue_credit_events()
    return deliver_due(sender=sender)


# --- file fallback ------------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "幂等键", "操作", "统一社会信用代码", "单位名称", "失信情形", "事项编码", "失信等级", "数据年度",
    "欠缴金额（元）", "决定书文号", "决定日期", "告知日期", "认定机关", "信用修复日期",
]  # fmt: skip


def undelivered() -> Any:
    return OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.RETRY, OutboxStatus.DEAD]
    ).order_by("created_at", "id")


def export_file() -> tuple[bytes, list[int]]:
    """The undelivered records as .xlsx (formula-like text neutralised) and their ids."""
    rows, ids = [], []
    for m in undelivered():
        p = m.payload
        rows.append([
            m.idempotency_key, "撤销" if m.operation == "withdraw" else "新增", p.get("uscc"), p.get("unit_name"),
            p.get("event_type_label"), p.get("platform_code"), p.get("severity"), p.get("data_year"),
            p.get("amount_owed"), p.get("decision_number"), p.get("decision_date"), p.get("notice_date"),
            p.get("issuing_agency"), p.get("cleared_on"),
        ])  # fmt: skip
        ids.append(m.pk)
    return xlsx_bytes(EXPORT_HEADERS, rows, sheet="失信信息"), ids


def mark_exported(ids: list[int], *, filename: str, actor: Any) -> int:
    """Record that these messages were handed over as the file ``filename``."""
    done = 0
    for m in OutboxMessage.objects.filter(pk__in=ids, status__in=[OutboxStatus.PENDING, OutboxStatus.RETRY,
                                                                  OutboxStatus.DEAD]):  # fmt: skip
        _delivered(m, f"file:{filename}", exported=True)
        done += 1
    with transaction.atomic():
        audit.record(AuditAction.EXPORT, actor=actor, object_type="exchange.outboxmessage",
                     object_label=f"失信信息文件报送 {filename}", changes={"messages": done})  # fmt: skip
    return done
