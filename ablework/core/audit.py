"""The audit log: append-only and hash-chained, written in the caller's transaction.

``record()`` must run inside ``transaction.atomic``; it locks the chain head so that appends are
serialised and the chain has no forks.  Reads and exports of personal data are recorded with
``record_read()``.  ``verify_chain()`` recomputes every hash (``manage.py verify_audit``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from ablework.core.context import current_request_context
from ablework.core.enums import AuditAction
from ablework.core.models import AuditChainHead, AuditLog, AuditSubject

__all__ = [
    "AuditAction",
    "access_entries",
    "diff",
    "history_for",
    "record",
    "record_many",
    "record_read",
    "verify_chain",
]

GENESIS = "0" * 64
_HASHED = (
    "seq", "at", "actor_id", "actor_label", "role", "action", "object_type", "object_id",
    "object_label", "district_code", "changes", "ip", "purpose",
)  # fmt: skip


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """``{field: [old, new]}`` for changed fields (all of ``after`` when ``before`` is empty)."""
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _jsonable(before.get(key)), _jsonable(after.get(key))
        if old != new:
            out[key] = [old, new]
    return out


def _canonical(row: Mapping[str, Any]) -> bytes:
    return json.dumps({k: _jsonable(row[k]) for k in _HASHED}, sort_keys=True, ensure_ascii=False).encode()


def compute_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(row)).hexdigest()


def _row_of(entry: AuditLog) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        # Normalise to UTC microseconds: identical on SQLite and PostgreSQL round-trips.
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "district_code": entry.district_code,
        "changes": entry.changes,
        "ip": entry.ip,
        "purpose": entry.purpose,
    }


def object_type_of(obj: Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _district_code_of(obj: Model | None) -> str:
    if obj is None:
        return ""
    code = getattr(obj, "audit_district_code", None)
    if callable(code):
        return str(code() or "")
    return ""


def record(
    action: str,
    *,
    actor: Any = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    changes: Mapping[str, Any] | None = None,
    purpose: str = "",
    district_code: str = "",
    ip: str | None = None,
) -> AuditLog:
    """Append one audit entry.  Call inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside transaction.atomic() with the change it records")
    ctx = current_request_context()
    if actor is None and ctx is not None:
        actor = ctx.user
    if ip is None and ctx is not None:
        ip = ctx.ip
    if not purpose and ctx is not None:
        purpose = ctx.purpose
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    entry = AuditLog(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "get_username", lambda: "")() if actor is not None else "") or "系统",
        role=str(getattr(actor, "role", "") or ""),
        action=str(action),
        object_type=object_type or (object_type_of(obj) if obj is not None else ""),
        object_id=str(object_id or (obj.pk if obj is not None else "")),
        object_label=(object_label or (str(obj) if obj is not None else ""))[:200],
        district_code=district_code or _district_code_of(obj),
        changes=_jsonable(dict(changes or {})),
        ip=ip,
        purpose=purpose[:200],
        prev_hash=head.last_hash,
    )
    entry.hash = compute_hash(head.last_hash, _row_of(entry))
    entry.save(force_insert=True)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


def record_read(obj: Model, *, actor: Any, purpose: str = "", action: str = AuditAction.READ) -> AuditLog:
    """Log a read (or unmasking, or export) of a personal record in its own small transaction."""
    with transaction.atomic():
        return record(action, actor=actor, obj=obj, purpose=purpose)


def record_many(
    action: str,
    *,
    actor: Any,
    object_type: str,
    object_ids: Iterable[int | str],
    object_label: str = "",
    changes: Mapping[str, Any] | None = None,
    purpose: str = "",
    district_code: str = "",
    per_object: Mapping[Any, Mapping[str, Any]] | None = None,
) -> AuditLog:
    """One entry for a read, export or bulk change of many records (a search result page, an export file).

    The hashed ``changes`` hold the count and a SHA-256 digest of the sorted ids, so the list of
    subjects cannot be altered unnoticed; ``AuditSubject`` rows index the ids for per-record access
    logs ("who saw my record") and histories.  ``per_object`` holds each record's own before/after
    for a bulk change (shown in that record's history).  Runs in its own transaction when none is open.
    """
    ids = sorted({str(i) for i in object_ids})
    digest = hashlib.sha256(",".join(ids).encode()).hexdigest()
    with transaction.atomic():
        entry = record(
            action,
            actor=actor,
            object_type=object_type,
            object_label=object_label or f"{len(ids)}条记录",
            changes=dict(changes or {})
            | {"subjects": len(ids), "subjects_sha256": digest}
            | ({"per_object": {str(k): v for k, v in per_object.items()}} if per_object else {}),
            purpose=purpose,
            district_code=district_code,
        )
        AuditSubject.objects.bulk_create(
            [AuditSubject(entry=entry, object_type=object_type, object_id=i) for i in ids], batch_size=2000
        )
    return entry


def subjects_digest(entry: AuditLog) -> str:
    ids = sorted(AuditSubject.objects.filter(entry=entry).values_list("object_id", flat=True))
    return hashlib.sha256(",".join(ids).encode()).hexdigest()


def access_entries(object_type: str, object_id: int | str) -> QuerySet[AuditLog]:
    """Every entry that touched this record: directly, or as one of many (search, export)."""
    oid = str(object_id)
    many = AuditSubject.objects.filter(object_type=object_type, object_id=oid).values("entry_id")
    return AuditLog.objects.filter(Q(object_type=object_type, object_id=oid) | Q(pk__in=many))


def history_for(obj: Model) -> list[AuditLog]:
    """The changes to one record, oldest first: its own entries and the bulk changes that included it
    (with ``changes`` narrowed, in memory only, to this record's part)."""
    key = str(obj.pk)
    entries = list(
        access_entries(object_type_of(obj), key)
        .exclude(action__in=[AuditAction.READ, AuditAction.EXPORT])
        .order_by("seq")
    )
    for entry in entries:
        if "subjects_sha256" in entry.changes:
            own = entry.changes.get("per_object", {}).get(key)
            entry.changes = own or {"批量操作": [None, entry.object_label]}
    return entries


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def _iter_chain(chunk: int = 5000) -> Iterator[AuditLog]:
    last = 0
    while True:
        batch = list(AuditLog.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def verify_chain(max_problems: int = 20) -> VerifyResult:
    """Recompute the chain; report altered rows, gaps (deleted rows) and a truncated tail."""
    problems: list[str] = []
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in _iter_chain():
        checked += 1
        if entry.seq != expected_seq:
            problems.append(f"第{expected_seq}至{entry.seq - 1}条记录缺失（已被删除）")
            expected_seq = entry.seq
        if entry.prev_hash != prev_hash:
            problems.append(f"第{entry.seq}条记录的前序哈希与链不符")
        if compute_hash(entry.prev_hash, _row_of(entry)) != entry.hash:
            problems.append(f"第{entry.seq}条记录内容已被篡改")
        elif "subjects_sha256" in entry.changes and subjects_digest(entry) != entry.changes["subjects_sha256"]:
            problems.append(f"第{entry.seq}条记录涉及的对象清单已被篡改")
        prev_hash, expected_seq = entry.hash, entry.seq + 1
        if len(problems) >= max_problems:
            break
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and len(problems) < max_problems:
        if head.last_seq != expected_seq - 1 or (checked and head.last_hash != prev_hash):
            problems.append(
                f"链尾不符：应有{head.last_seq}条，实际最后一条为第{expected_seq - 1}条（末尾记录被删除或篡改）"
            )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
