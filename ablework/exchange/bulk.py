"""The bulk path for very large social-insurance files (a month of the whole city: a million rows).

``core.imports`` holds a file in memory and caps it at 200,000 rows, which suits an officer's upload;
the 人社/医保 monthly file is read here as a stream instead: validate each row with the same column
parsers as the feed (``feeds.SI_SPEC``), compute the ID lookup hash, and hand the valid rows to
``people.api.record_si_contributions_staged`` (PostgreSQL: COPY into a staging table, match persons by
the hash index, one ``INSERT … SELECT … ON CONFLICT DO NOTHING``).  Memory stays flat whatever the file
size.  Idempotent twice over: the same (source, batch id) is processed once, and a row whose
(person, month, unit) is stored is skipped, so re-importing the file under another batch id inserts
nothing.  The batch, its counts and the first 10,000 rejections are kept on a ``FeedBatch``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from ablework.core import audit, crypto
from ablework.core.enums import AuditAction
from ablework.core.identifiers import USCC
from ablework.core.imports import ImportFileError, error_reason
from ablework.core.imports import Problem as _Problem
from ablework.core.imports import _norm_header as norm_header  # the same header matching as core imports
from ablework.exchange.actions import MAX_REJECTIONS_KEPT, ExchangeError, FeedResult, claim_batch
from ablework.exchange.enums import BatchStatus, Channel, FeedKind
from ablework.exchange.feeds import SI_SPEC
from ablework.exchange.models import FeedBatch
from ablework.exchange.safety import MAX_LINE_CHARS
from ablework.people import api as people_api

__all__ = ["import_si_file"]

csv.field_size_limit(MAX_LINE_CHARS)
_MISSING = object()
MEMO_LIMIT = 400_000  # distinct cells remembered per column (≈ 100 MB at most for the ID column)


def _open_text(path: Path) -> io.TextIOWrapper:
    head = path.open("rb").read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            head.decode("utf-8-sig")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 4096th byte is not an encoding error.
            encoding = "utf-8-sig" if exc.start >= len(head) - 4 else "gb18030"
    return open(path, encoding=encoding, errors="strict", newline="")  # closed by the caller


class _Rows:
    """Validated rows of the file as staging tuples; rejections are collected on the side."""

    def __init__(self, reader: Iterator[list[str]], batch_id: str) -> None:
        self.reader = reader
        self.batch_id = batch_id
        self.total = 0
        self.rejected = 0
        self.rejections: list[dict[str, Any]] = []

    def _reject(self, number: int, problems: list[_Problem], cells: list[str]) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REJECTIONS_KEPT:
            self.rejections.append({"row": number, "row_key": "", "message": error_reason(problems),
                                    "cells": cells[:10]})  # fmt: skip

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        header = next(self.reader, None)
        if header is None:
            raise ImportFileError("文件为空")
        names = SI_SPEC.header_map()
        index = {names[norm_header(h)]: i for i, h in enumerate(header) if norm_header(h) in names}
        missing = [c.header for c in SI_SPEC.columns if c.required and c.key not in index]
        if missing:
            raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（表头在第1行）")
        columns: list[tuple[Any, int | None, dict[str, Any]]] = [(c, index.get(c.key), {}) for c in SI_SPEC.columns]
        lookup = crypto.lookup_hash
        keys = [c.key for c in SI_SPEC.columns]
        positions = [index.get(k) for k in keys]
        fast = all(p is not None for p in positions[:5]) and keys[:6] == [
            "resident_id", "month", "employer_uscc", "base", "amount", "row_key"
        ]  # fmt: skip
        memos = [m for _, _, m in columns]
        p_rid, p_month, p_unit, p_base, p_amount = [p or 0 for p in positions[:5]] if fast else [0, 0, 0, 0, 0]
        p_key = positions[5]
        m_rid, m_month, m_unit, m_base, m_amount = memos[:5]
        absent: Any = _MISSING
        batch_id = self.batch_id
        for number, cells in enumerate(self.reader, start=2):
            # Fast path: every cell of the row was seen (and parsed without error) before.  A month file
            # repeats each ID five times and a few hundred amounts and months a million times.
            if fast and p_key is None:
                try:
                    h = m_rid.get(cells[p_rid], absent)
                    mo = m_month.get(cells[p_month], absent)
                    u = m_unit.get(cells[p_unit], absent)
                    b = m_base.get(cells[p_base], absent)
                    a = m_amount.get(cells[p_amount], absent)
                except IndexError:
                    h = absent
                if (
                    h is not absent and mo is not absent and u is not absent and b is not absent
                    and a is not absent and type(h) is tuple and type(mo) is date and type(u) is USCC
                    and not isinstance(b, ValueError) and not isinstance(a, ValueError)
                ):  # fmt: skip
                    self.total += 1
                    yield (h[1], mo, u.code, b, a, f"{batch_id}:{number}")
                    continue
            if not any(cells):
                continue
            self.total += 1
            values: dict[str, Any] = {}
            problems: list[_Problem] = []
            width = len(cells)
            for c, pos, memo in columns:
                cell = cells[pos] if pos is not None and pos < width else ""
                raw = cell.strip()
                if not raw:
                    values[c.key] = None
                    if c.required:
                        problems.append(_Problem(c.header, "必填，不能为空"))
                    elif len(memo) < MEMO_LIMIT:
                        memo[cell] = None
                    continue
                got = memo.get(cell, absent)
                if got is absent:
                    try:
                        got = c.parser(raw)
                        if c.key == "resident_id":
                            got = (got, lookup(got.number))
                    except ValueError as exc:
                        got = exc
                    if len(memo) < MEMO_LIMIT:
                        memo[cell] = got
                if isinstance(got, ValueError):
                    problems.append(_Problem(c.header, str(got)))
                else:
                    values[c.key] = got
            if problems:
                self._reject(number, problems, cells)
                continue
            yield (
                values["resident_id"][1],
                values["month"],
                values["employer_uscc"].code,
                values["base"],
                values["amount"],
                values["row_key"] or f"{batch_id}:{number}",
            )


def import_si_file(
    path: Path | str, *, source: str, batch_id: str, actor: Any = None, timings: dict[str, float] | None = None
) -> FeedResult:
    """Import a large SI file (CSV) end to end; see the module docstring.  ``timings`` (when given)
    receives the seconds of reading+validating+staging and of matching+merging (PostgreSQL)."""
    path = Path(path)
    existing = FeedBatch.objects.filter(kind=FeedKind.SI, source=source, batch_id=batch_id).first()
    if existing is not None:
        return FeedResult(existing, duplicate=True)
    batch, created = claim_batch(FeedKind.SI, source, batch_id, channel=Channel.FILE, uploaded_by=None)
    if not created:
        return FeedResult(batch, duplicate=True)
    try:
        with _open_text(path) as handle:
            rows = _Rows(csv.reader(handle), batch_id)
            unmatched_keys: list[str] = []
            staged, inserted, unmatched = people_api.record_si_contributions_staged(
                rows, source=source, batch_id=batch_id, received_at=batch.received_at,
                unmatched_keys_out=unmatched_keys, timings_out=timings,
            )  # fmt: skip
    except (ImportFileError, UnicodeDecodeError, csv.Error) as exc:
        FeedBatch.objects.filter(pk=batch.pk).delete()
        message = str(exc) if isinstance(exc, ImportFileError) else f"无法读取该文件（{exc.__class__.__name__}）"
        raise ExchangeError(message) from None
    batch.received_rows = rows.total
    batch.created_rows = inserted
    batch.rejected_rows = rows.rejected + unmatched
    batch.unchanged_rows = staged - inserted - unmatched
    batch.rejections = rows.rejections + [
        {"row": None, "row_key": k, "message": "身份证号：该身份证号不是本平台登记的残疾人，未保存", "cells": []}
        for k in unmatched_keys[: max(0, MAX_REJECTIONS_KEPT - len(rows.rejections))]
    ]
    batch.status, batch.finished_at = BatchStatus.DONE, timezone.now()
    with transaction.atomic():
        batch.save()
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=batch,
            object_label=f"批量导入社保缴费数据 {path.name}"[:200],
            changes={
                "received": batch.received_rows,
                "created": inserted,
                "unchanged": batch.unchanged_rows,
                "rejected": batch.rejected_rows,
            },
            purpose=f"数据共享文件：{source}",
        )
    return FeedResult(batch, duplicate=False)
