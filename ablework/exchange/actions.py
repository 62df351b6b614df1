"""Every write of the data exchange: API clients and keys, feed deliveries (push and file).

Keys: ``awk_<8 chars>_<secret>``; only the SHA-256 of the whole key is stored, and the first 12
characters (``awk_`` + 8) as the prefix shown to officers.  A key is shown once, when issued.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ablework.core import audit
from ablework.core import imports as core_imports
from ablework.core.enums import AuditAction, JobStatus
from ablework.core.imports import CREATED, UNCHANGED, UPDATED, ImportFileError, Outcome, Problem, Row
from ablework.exchange import safety
from ablework.exchange.enums import BatchStatus, Channel, Department, FeedKind, Scope
from ablework.exchange.feeds import SPECS, WRITERS, ParsedRow, clean_text, parse_mapping
from ablework.exchange.models import ApiClient, ApiKey, FeedBatch

__all__ = [
    "ExchangeError",
    "FeedResult",
    "create_client",
    "hash_key",
    "receive_feed",
    "receive_feed_file",
    "revoke_client",
    "rotate_key",
    "update_client",
]

MAX_PUSH_ROWS = 5000
MAX_REJECTIONS_KEPT = 10_000


class ExchangeError(ValueError):
    """A request that cannot be carried out; ``str(err)`` is the Chinese reason."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = "awk_" + secrets.token_hex(4)
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def _issue_key(client: ApiClient, actor: Any) -> str:
    for _ in range(3):
        prefix, key = _new_key()
        try:
            with transaction.atomic():
                ApiKey.objects.create(client=client, prefix=prefix, key_hash=hash_key(key), created_by=_user(actor))
            return key
        except IntegrityError:  # pragma: no cover - a prefix collision (1 in 4 billion)
            continue
    raise ExchangeError("生成密钥失败，请重试")  # pragma: no cover


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _clean_scopes(scopes: Sequence[str]) -> list[str]:
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise ExchangeError(f"未知的权限范围：{'、'.join(unknown)}")
    return sorted(set(scopes))


def _check_rate(rate: str) -> str:
    import re

    if not re.fullmatch(r"\d{1,6}/(s|sec|m|min|h|hour|d|day)", rate.strip()):
        raise ExchangeError("访问频率上限格式应为“次数/单位”，如 600/min、10/s、10000/day")
    return rate.strip()


def create_client(
    *, actor: Any, name: str, department: str, scopes: Sequence[str], rate: str = "600/min", contact: str = ""
) -> tuple[ApiClient, str]:
    """Register a partner and issue its first key; returns the client and the key (shown once)."""
    name = name.strip()
    if not name:
        raise ExchangeError("请填写接入单位名称")
    if department not in Department.values:
        raise ExchangeError("请选择所属部门")
    if ApiClient.objects.filter(name=name).exists():
        raise ExchangeError("已有同名的接入单位")
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, department=department, scopes=_clean_scopes(scopes), rate=_check_rate(rate),
            contact=contact.strip()[:100], created_by=_user(actor),
        )  # fmt: skip
        key = _issue_key(client, actor)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=client,
            changes={"department": department, "scopes": client.scopes, "rate": client.rate},
            purpose="新增接口接入单位",
        )
    return client, key


def update_client(client: ApiClient, *, actor: Any, scopes: Sequence[str], rate: str) -> ApiClient:
    before = {"scopes": client.scopes, "rate": client.rate}
    with transaction.atomic():
        client.scopes, client.rate = _clean_scopes(scopes), _check_rate(rate)
        client.save(update_fields=["scopes", "rate"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=client,
                     changes=audit.diff(before, {"scopes": client.scopes, "rate": client.rate}))  # fmt: skip
    return client


def rotate_key(client: ApiClient, *, actor: Any) -> str:
    """Issue a new key and revoke every earlier one at once (the partner switches to the new key)."""
    if not client.is_active:
        raise ExchangeError("该接入单位已停用，不能生成新密钥")
    with transaction.atomic():
        now = timezone.now()
        old = list(client.keys.filter(revoked_at__isnull=True).values_list("prefix", flat=True))
        client.keys.filter(revoked_at__isnull=True).update(revoked_at=now)
        key = _issue_key(client, actor)
        audit.record(AuditAction.UPDATE, actor=actor, obj=client, object_label=f"{client.name} 更换密钥",
                     changes={"revoked_keys": old, "new_key": key[:12]})  # fmt: skip
    return key


def revoke_client(client: ApiClient, *, actor: Any) -> ApiClient:
    """Stop a client: every key is revoked and it can no longer call the API."""
    with transaction.atomic():
        now = timezone.now()
        client.keys.filter(revoked_at__isnull=True).update(revoked_at=now)
        client.is_active, client.revoked_at = False, now
        client.save(update_fields=["is_active", "revoked_at"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=client, object_label=f"{client.name} 停用",
                     changes={"is_active": [True, False]})  # fmt: skip
    return client


# --- feeds --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedResult:
    batch: FeedBatch
    duplicate: bool  # the same (kind, source, batch id) was received before: nothing was done now


def _tally(batch: FeedBatch, outcomes: list[tuple[int, str, Outcome, list[str]]]) -> None:
    for index, row_key, outcome, cells in outcomes:
        if outcome == CREATED:
            batch.created_rows += 1
        elif outcome == UPDATED:
            batch.updated_rows += 1
        elif outcome == UNCHANGED:
            batch.unchanged_rows += 1
        else:
            assert isinstance(outcome, list)
            batch.rejected_rows += 1
            if len(batch.rejections) < MAX_REJECTIONS_KEPT:
                batch.rejections.append(
                    {"row": index, "row_key": row_key, "message": core_imports.error_reason(outcome), "cells": cells}
                )


def claim_batch(kind: str, source: str, batch_id: str, **fields: Any) -> tuple[FeedBatch, bool]:
    try:
        with transaction.atomic():
            return FeedBatch.objects.create(kind=kind, source=source, batch_id=batch_id, **fields), True
    except IntegrityError:
        return FeedBatch.objects.get(kind=kind, source=source, batch_id=batch_id), False


def receive_feed(*, client: ApiClient, actor: Any, kind: str, batch_id: str, rows: list[Any]) -> FeedResult:
    """Process a pushed delivery: parse every row, store the valid ones through the domain app, keep a
    rejection for each invalid one.  The same batch id again returns the first result untouched."""
    if kind not in FeedKind.values:
        raise ExchangeError("未知的数据类别")
    if not 1 <= len(rows) <= MAX_PUSH_ROWS:
        raise ExchangeError(f"每批应有1至{MAX_PUSH_ROWS}行数据")
    source = client.department
    batch, created = claim_batch(kind, source, batch_id, channel=Channel.API, client=client)
    if not created:
        return FeedResult(batch, duplicate=True)
    spec, writer = SPECS[kind], WRITERS[kind]
    parsed: list[ParsedRow] = []
    results: list[tuple[int, str, Outcome, list[str]]] = []
    seen_keys: set[str] = set()
    for i, data in enumerate(rows):
        got = parse_mapping(spec, i, data)
        key = clean_text(str(data.get("row_key") or ""))[:100] if isinstance(data, dict) else ""
        if isinstance(got, list):
            results.append((i, key, got, []))
            continue
        got.row_key = got.row_key or f"{batch_id}:{i + 1}"
        if got.row_key in seen_keys:
            results.append((i, got.row_key, [Problem("行标识", "同一批次中行标识重复")], []))
            continue
        seen_keys.add(got.row_key)
        parsed.append(got)
    written = writer(parsed, source, batch_id, batch.received_at) if parsed else []
    results.extend((r.index, r.row_key, o, []) for r, o in zip(parsed, written, strict=True))
    results.sort(key=lambda t: t[0])
    batch.received_rows = len(rows)
    _tally(batch, results)
    batch.status, batch.finished_at = BatchStatus.DONE, timezone.now()
    with transaction.atomic():
        batch.save()
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=batch,
            object_label=f"接收{batch.get_kind_display()}数据 {batch_id}"[:200],
            changes=_counts(batch),
            purpose=f"数据共享接口：{client.name}",
        )
    return FeedResult(batch, duplicate=False)


def _counts(batch: FeedBatch) -> dict[str, int]:
    return {
        "received": batch.received_rows,
        "created": batch.created_rows,
        "updated": batch.updated_rows,
        "unchanged": batch.unchanged_rows,
        "rejected": batch.rejected_rows,
    }


def receive_feed_file(
    *,
    kind: str,
    source: str,
    batch_id: str,
    filename: str,
    data: bytes,
    actor: Any,
    client: ApiClient | None = None,
) -> FeedResult:
    """Import an uploaded file of a feed with ``core.imports`` (header mapping, per-row report, same
    file imported once).  The file is checked first (size, zip bomb, encoding, huge rows): a bad file
    raises ``ExchangeError`` and changes nothing.  Processed at once (the files partners send are a
    month of one department: the bulk path for millions of rows is ``bench/si_import.py``)."""
    if kind not in FeedKind.values:
        raise ExchangeError("未知的数据类别")
    filename = clean_text(filename)[:200] or "file"
    try:
        safety.check_upload(data)
    except ImportFileError as exc:
        raise ExchangeError(str(exc)) from None
    existing = FeedBatch.objects.filter(kind=kind, source=source, batch_id=batch_id).first()
    if existing is not None:
        return FeedResult(existing, duplicate=True)
    spec, writer = SPECS[kind], WRITERS[kind]
    try:
        rows = core_imports.read_rows(data)  # unreadable at all: say so before anything is stored
        next(iter(rows()), None)
    except ImportFileError as exc:
        raise ExchangeError(str(exc)) from None
    except Exception as exc:  # a reader failing on a damaged file (csv.Error, calamine errors)
        raise ExchangeError(f"无法读取该文件（{exc.__class__.__name__}），请确认文件未损坏") from None
    batch, created = claim_batch(kind, source, batch_id, channel=Channel.FILE, client=client, uploaded_by=_user(actor))
    if not created:
        return FeedResult(batch, duplicate=True)
    submitted = core_imports.submit_import(
        spec=spec, scope_key=f"{source}:{batch_id}"[:40], filename=filename, data=data, actor=actor
    )
    received_at = batch.received_at

    def handler(rows: list[Row]) -> list[Outcome]:
        parsed = []
        for r in rows:
            key = r.values.get("row_key") or f"{batch_id}:{r.number}"
            parsed.append(ParsedRow(index=r.number, row_key=key, values=r.values))
        return writer(parsed, source, batch_id, received_at)

    imported = core_imports.process_batch(submitted.batch, spec=spec, handler=handler)
    batch.import_batch = imported
    batch.received_rows = imported.total_rows
    batch.created_rows, batch.updated_rows = imported.created_rows, imported.updated_rows
    batch.unchanged_rows, batch.rejected_rows = imported.unchanged_rows, imported.error_rows
    batch.rejections = [
        {"row": e.get("row"), "row_key": "", "message": e.get("message", ""), "cells": e.get("cells", [])}
        for e in imported.errors[:MAX_REJECTIONS_KEPT]
    ]
    failed = imported.status == JobStatus.FAILED
    if failed and not (imported.created_rows or imported.updated_rows):
        # Nothing was stored (no header, a column missing, …): the batch id stays free for the fixed file.
        FeedBatch.objects.filter(pk=batch.pk).delete()
        message = imported.errors[0]["message"] if imported.errors else "导入失败"
        raise ExchangeError(str(message))
    batch.status = BatchStatus.FAILED if failed else BatchStatus.DONE
    batch.message = (imported.errors[0]["message"] if failed and imported.errors else "")[:300]
    batch.finished_at = timezone.now()
    with transaction.atomic():
        batch.save()
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=batch,
            object_label=f"导入{batch.get_kind_display()}文件 {filename}"[:200],
            changes=_counts(batch) | {"status": batch.status},
            purpose=f"数据共享文件：{client.name if client else source}",
        )
    return FeedResult(batch, duplicate=False)
