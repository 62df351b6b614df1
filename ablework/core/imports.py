"""Bulk import of spreadsheets: the one mechanism every app uses (architecture §4 "Imports and exports").

A domain app declares an ``ImportSpec`` — columns with Chinese headers, accepted aliases and a parser
per cell — and a *chunk handler* that writes the valid rows of one chunk and says, for each of them,
``created`` / ``updated`` / ``unchanged`` or why it was rejected.  This module does everything else:

- reading Excel (.xlsx/.xlsm/.xls/.ods, python-calamine) and CSV (UTF-8 with or without BOM, UTF-16
  with BOM, and GB18030 — what Excel on a Chinese Windows writes), recognised by content, not by name;
- finding the header row (a title line above it is allowed), mapping headers and aliases to columns;
- parsing each cell into a value or a Chinese message; a rejected row keeps its original cells;
- the ``ImportBatch`` record: the same file (sha256) of the same kind and scope is imported once —
  uploading it again returns the earlier batch and changes nothing;
- progress on ``Job`` (done / total) after every chunk, shown as a progress bar;
- the error report (.xlsx: rejected rows with their original cells and a 错误原因 column, formula
  cells neutralised) and the blank template (.xlsx: headers, one example row, a 填写说明 sheet).

Nothing a user uploaded is dropped silently: every non-blank row is counted as created, updated,
unchanged or rejected with a reason, and columns that are not recognised are named in the summary.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from python_calamine import CalamineError, CalamineWorkbook

from ablework.core import audit
from ablework.core.enums import JobStatus
from ablework.core.files import neutralise, xlsx_bytes
from ablework.core.identifiers import (
    USCC,
    DisabilityCert,
    ResidentId,
    parse_disability_cert,
    parse_resident_id,
    parse_uscc,
)
from ablework.core.models import ImportBatch, Job
from ablework.core.scoping import unscoped

__all__ = [
    "CREATED",
    "REPORT_REASON_HEADER",
    "REPORT_ROW_HEADER",
    "UNCHANGED",
    "UPDATED",
    "CellError",
    "ChunkHandler",
    "Column",
    "ImportFileError",
    "ImportSpec",
    "Outcome",
    "Problem",
    "Row",
    "Submitted",
    "boolean",
    "choice",
    "date_value",
    "decimal_amount",
    "disability_cert",
    "error_reason",
    "file_sha256",
    "insert_rows",
    "integer",
    "process_batch",
    "read_rows",
    "report_rows",
    "report_xlsx",
    "resident_id",
    "submit_import",
    "template_xlsx",
    "text",
    "uscc",
]

logger = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
REPORT_ROW_HEADER = "原行号"
REPORT_REASON_HEADER = "错误原因"
MAX_ROWS = 200_000
STALE_AFTER = timedelta(minutes=30)  # a running batch whose progress has not moved for this long is dead
_HEADER_SCAN_ROWS = 20


class CellError(ValueError):
    """A cell that cannot be read; ``str(err)`` is the Chinese reason shown in the report."""


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, no header row, a required column missing)."""


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``parser`` receives the non-blank cell as read (``str``, ``float``, ``bool``, ``date``, ``datetime``)
    and returns the value or raises ``ValueError`` (``CellError``, ``IdentifierError``) with a Chinese
    message.  A blank cell is ``None`` and never reaches the parser.
    """

    key: str
    header: str
    parser: Parser = field(default_factory=lambda: text())
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()  # the code list printed in the notes sheet
    as_text: bool = False  # formatted as text in the template (identifiers: Excel would round them)


@dataclass(frozen=True)
class Problem:
    """Why a row was rejected: the column (header text, empty for the whole row) and the reason."""

    column: str
    message: str


Outcome = str | list[Problem]  # CREATED / UPDATED / UNCHANGED, or the problems of a rejected row


@dataclass
class Row:
    """A row whose cells all parsed: ``values`` by column key (``None`` for a blank cell)."""

    number: int  # the row number the user sees in the spreadsheet (1-based)
    values: dict[str, Any]
    raw: list[Any]  # original cells in the order of ``ImportSpec.columns``

    @property
    def cells(self) -> list[str]:
        return [cell_text(v) for v in self.raw]


ChunkHandler = Callable[[list[Row]], list[Outcome]]


def check_then_write(
    rows: list[Row],
    check: Callable[[int, Row], Any],
    write: Callable[[list[Any]], Mapping[int, Outcome]],
) -> list[Outcome]:
    """The body of a set-based chunk handler: ``check(i, row)`` returns the row's problems (a list) or a
    prepared value; ``write(prepared)`` stores them all and returns ``{i: outcome}``.  When another
    import or an officer created one of the keys meanwhile, ``write`` fails on the unique constraint
    and runs once more (it reads the existing rows again and updates instead)."""
    outcomes: list[Outcome | None] = [None] * len(rows)
    prepared: list[Any] = []
    for i, row in enumerate(rows):
        got = check(i, row)
        if isinstance(got, list):
            outcomes[i] = got
        else:
            prepared.append(got)
    results: Mapping[int, Outcome] = {}
    for attempt in range(2):
        try:
            with unscoped():
                results = write(prepared)
            break
        except IntegrityError:
            if attempt:
                raise
    for i, outcome in results.items():
        outcomes[i] = outcome
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]


def scope_label(district_names: Sequence[str]) -> str:
    """How an error message names the uploader's districts: up to three by name, else a count."""
    return "、".join(district_names) if len(district_names) <= 3 else f"{len(district_names)}个区"


def _norm_header(value: Any) -> str:
    text_ = cell_text(value)
    text_ = text_.replace("（", "(").replace("）", ")").replace("＊", "*").replace("：", "").replace(":", "")
    return re.sub(r"[\s*]", "", text_).lower()


@dataclass(frozen=True)
class ImportSpec:
    """What an import file of one kind looks like.  ``kind`` names it in ``ImportBatch.kind``."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()
    chunk_size: int = 2000

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def header_of(self, key: str) -> str:
        return self.column(key).header

    def header_map(self) -> dict[str, str]:
        """Normalised header or alias → column key."""
        out: dict[str, str] = {}
        for c in self.columns:
            for name in (c.header, *c.aliases):
                out[_norm_header(name)] = c.key
        return out

    @cached_property
    def example_cells(self) -> list[str]:
        return [c.example for c in self.columns] if any(c.example for c in self.columns) else []


# --- cell values ------------------------------------------------------------------------------------

_STRIP = " \t\r\n\x0b\x0c\u00a0\u3000\u200b\u200c\u200d\ufeff"
_QUOTE_PREFIXED = re.compile(r"^'[=+\-@\t\r|]")


def _clean_str(value: str) -> str:
    s = value.strip(_STRIP)
    # Our own reports and exports prefix formula-like text with a quote (files.neutralise); a
    # corrected report uploaded again must read back the value the user typed.
    if s[:1] == "'" and _QUOTE_PREFIXED.match(s):
        s = s[1:]
    return s


def cell_text(value: Any) -> str:
    """The text a user sees in a cell: whole numbers without ``.0``, dates as ``YYYY-MM-DD``."""
    if type(value) is str:
        return _clean_str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _clean_str(value)
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_STRIP))


# --- parsers ----------------------------------------------------------------------------------------


def text(max_length: int | None = None) -> Parser:
    def parse(value: Any) -> str:
        s = cell_text(value)
        if max_length is not None and len(s) > max_length:
            raise CellError(f"不能超过{max_length}个字（现有{len(s)}个）")
        return s

    return parse


def integer(min_value: int | None = None, max_value: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError("应填写整数")
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(f"应填写整数，实际为{cell_text(value)}")
            n = int(value)
        else:
            s = cell_text(value)
            if not re.fullmatch(r"[+-]?\d+(\.0+)?", s):
                raise CellError(f"应填写整数，实际为“{s}”")
            n = int(s.split(".")[0])
        if (min_value is not None and n < min_value) or (max_value is not None and n > max_value):
            raise CellError(f"应在{min_value}至{max_value}之间，实际为{n}")
        return n

    return parse


def decimal_amount(max_digits: int = 10, places: int = 2, min_value: Decimal | None = Decimal(0)) -> Parser:
    """A money amount: ``3500``, ``3,500.50``, ``3500元``; at most ``places`` decimals (no rounding)."""
    quantum = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise CellError("应填写金额（数字）")
        raw = repr(value) if isinstance(value, float) else cell_text(value)
        s = raw.replace(",", "").replace("，", "").removesuffix("元").strip()
        try:
            amount = Decimal(s)
        except InvalidOperation:
            raise CellError(f"应填写金额（数字），实际为“{cell_text(value)}”") from None
        if not amount.is_finite():
            raise CellError(f"应填写金额（数字），实际为“{cell_text(value)}”")
        if amount != amount.quantize(quantum):
            raise CellError(f"金额最多{places}位小数，实际为{cell_text(value)}")
        amount = amount.quantize(quantum)
        if min_value is not None and amount < min_value:
            raise CellError(f"不能小于{min_value}")
        if len(amount.as_tuple().digits) > max_digits:
            raise CellError("金额过大")
        return amount

    return parse


_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXCEL_EPOCH = date(1899, 12, 30)


def date_value(earliest: date = date(1900, 1, 1), latest: date = date(2100, 12, 31)) -> Parser:
    """A date: an Excel date cell, ``2024-03-01``, ``2024/3/1``, ``2024.3.1``, ``2024年3月1日``,
    ``20240301``, or an Excel serial number (a date cell whose format was lost)."""

    def parse(value: Any) -> date:
        if isinstance(value, datetime):
            d = value.date()
        elif isinstance(value, date):
            d = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if float(value).is_integer() and 10_000 <= value <= 99_999:
                d = _EXCEL_EPOCH + timedelta(days=int(value))
            elif float(value).is_integer() and 10_000_000 <= value <= 99_999_999:
                d = _date_from_text(str(int(value)))
            else:
                raise CellError(f"日期格式不正确：“{cell_text(value)}”，应为如2024-03-01")
        else:
            d = _date_from_text(cell_text(value))
        if not earliest <= d <= latest:
            raise CellError(f"日期{d:%Y-%m-%d}超出合理范围（{earliest:%Y-%m-%d}至{latest:%Y-%m-%d}）")
        return d

    return parse


def _date_from_text(s: str) -> date:
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(s)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise CellError(f"“{s}”不是有效日期") from None
    raise CellError(f"日期格式不正确：“{s}”，应为如2024-03-01")


_TRUE = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "已缴纳", "缴纳"})
_FALSE = frozenset({"否", "无", "n", "no", "false", "0", "×", "✗", "未缴纳", "不缴纳"})


def boolean() -> Parser:
    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        s = cell_text(value).lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise CellError(f"应填写“是”或“否”，实际为“{cell_text(value)}”")

    return parse


def choice(options: Mapping[str, str], *, synonyms: Mapping[str, str] | None = None) -> Parser:
    """One of a code list: ``options`` maps the stored value to its Chinese label; a cell may hold the
    label, the stored value or one of ``synonyms`` (label-like text → stored value)."""
    lookup: dict[str, str] = {}
    for value, label in options.items():
        lookup[_norm_header(label)] = value
        lookup[_norm_header(value)] = value
    for alias, value in (synonyms or {}).items():
        lookup[_norm_header(alias)] = value
    allowed = "、".join(options.values())
    direct = {**{label: value for value, label in options.items()}, **dict(synonyms or {})}

    def parse(value: Any) -> str:
        got = direct.get(value) if type(value) is str else None
        if got is not None:
            return got
        key = _norm_header(value)
        if key not in lookup:
            raise CellError(f"“{cell_text(value)}”不在可选范围内，应为：{allowed}")
        return lookup[key]

    return parse


def _identifier_text(value: Any, what: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit number typed into a number cell has lost
        # its last digits, so it must not be guessed back.
        raise CellError(f"{what}被Excel保存为数字，末几位可能已丢失；请把该列设置为“文本”格式后重新填写")
    return cell_text(value).replace(" ", "")


def resident_id() -> Parser:
    def parse(value: Any) -> ResidentId:
        return parse_resident_id(_identifier_text(value, "身份证号"))

    return parse


def disability_cert() -> Parser:
    def parse(value: Any) -> DisabilityCert:
        return parse_disability_cert(_identifier_text(value, "残疾人证号"))

    return parse


def uscc() -> Parser:
    def parse(value: Any) -> USCC:
        return parse_uscc(_identifier_text(value, "统一社会信用代码"))

    return parse


# --- reading files ----------------------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_spreadsheet(data: bytes) -> bool:
    return data.startswith((_ZIP, _OLE))


def decode_text(data: bytes) -> str:
    """CSV bytes → text: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            "无法识别文件的文字编码：请上传Excel文件（.xlsx），或另存为UTF-8或GB18030（GBK）编码的CSV文件"
        ) from None


def _csv_rows(text_: str) -> Iterator[list[str]]:
    if "\x00" in text_:
        raise ImportFileError("文件不是表格文件：请上传Excel文件（.xlsx/.xls）或CSV文件")
    first = text_.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    return csv.reader(io.StringIO(text_, newline=""), delimiter=delimiter)


def read_rows(data: bytes) -> Callable[[], Iterator[Sequence[Any]]]:
    """A factory of row iterators over the first sheet (Excel) or the CSV text.  Called more than
    once: once to count the rows for the progress bar, once to import them."""
    if not data:
        raise ImportFileError("文件为空")
    if _is_spreadsheet(data):
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = book.get_sheet_by_index(0)
        except (CalamineError, ValueError, OSError) as exc:
            raise ImportFileError(
                f"无法读取该Excel文件（{exc.__class__.__name__}）：请确认文件未损坏、未加密"
            ) from None
        return lambda: iter(sheet.iter_rows())
    text_ = decode_text(data)
    return lambda: _csv_rows(text_)


@dataclass
class _Layout:
    header_row: int  # 1-based row number of the header row
    index: dict[str, int]  # column key → position in the file row
    unknown: list[str]


def _locate_header(spec: ImportSpec, rows: Iterable[Sequence[Any]]) -> _Layout:
    names = spec.header_map()
    ignorable = {_norm_header(REPORT_ROW_HEADER), _norm_header(REPORT_REASON_HEADER)}
    required = {c.key for c in spec.columns if c.required}
    best: tuple[int, int, Sequence[Any]] | None = None
    for number, cells in enumerate(rows, start=1):
        if number > _HEADER_SCAN_ROWS:
            break
        hits = {names[_norm_header(c)] for c in cells if _norm_header(c) in names}
        if required <= hits and hits:
            best = (number, len(hits), cells)
            break
        if hits and (best is None or len(hits) > best[1]):
            best = (number, len(hits), cells)
    if best is None:
        raise ImportFileError(f"未找到表头行：请使用模板，第一行为列名（如“{'”“'.join(spec.headers[:3])}”）")
    number, _, cells = best
    index: dict[str, int] = {}
    unknown: list[str] = []
    for pos, cell in enumerate(cells):
        key = names.get(_norm_header(cell))
        if key is None:
            if not _blank(cell) and _norm_header(cell) not in ignorable:
                unknown.append(cell_text(cell))
            continue
        if key in index:
            raise ImportFileError(
                f"第{number}行表头中“{spec.header_of(key)}”列出现了两次（第{index[key] + 1}列和第{pos + 1}列）"
            )
        index[key] = pos
    missing = [c.header for c in spec.columns if c.required and c.key not in index]
    if missing:
        raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（表头在第{number}行）")
    return _Layout(number, index, unknown)


def _parse_row(
    spec: ImportSpec, positions: list[int | None], number: int, cells: Sequence[Any]
) -> Row | tuple[int, list[Problem], list[Any]]:
    width = len(cells)
    raw = [cells[p] if p is not None and p < width else None for p in positions]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for c, value in zip(spec.columns, raw, strict=True):
        if value is None or (type(value) is str and not value.strip(_STRIP)):
            values[c.key] = None
            if c.required:
                problems.append(Problem(c.header, "必填，不能为空"))
            continue
        try:
            values[c.key] = c.parser(value)
        except ValueError as exc:
            problems.append(Problem(c.header, str(exc)))
    example = spec.example_cells
    if example and cell_text(raw[0]) == example[0] and [cell_text(v) for v in raw] == example:
        problems = [Problem("", "这是模板中的示例行，未导入（请删除该行后再导入）")]
    if problems:
        return (number, problems, raw)
    return Row(number=number, values=values, raw=raw)


def error_reason(problems: Sequence[Problem]) -> str:
    """``身份证号：校验位错误…；发证日期：…`` (the column is not repeated when the message names it)."""
    parts = []
    for p in problems:
        parts.append(p.message if not p.column or p.message.startswith(p.column) else f"{p.column}：{p.message}")
    return "；".join(parts)


# --- batches ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    batch: ImportBatch
    created: bool  # False: the same file was imported before; ``batch`` is that earlier batch


def _store(data: bytes) -> str:
    suffix = ".xlsx" if data.startswith(_ZIP) else ".xls" if data.startswith(_OLE) else ".csv"
    relative = f"imports/{uuid.uuid4().hex}{suffix}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def _stored_file(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.stored_path


def _discard_file(batch: ImportBatch) -> None:
    # The upload holds personal data in clear text: it is kept only until the import has run.
    if batch.stored_path:
        _stored_file(batch).unlink(missing_ok=True)


def submit_import(*, spec: ImportSpec, scope_key: str, filename: str, data: bytes, actor: Any) -> Submitted:
    """Register an uploaded file as an ``ImportBatch`` with its ``Job`` and keep the file until it
    has been processed (``process_batch``).

    The same bytes of the same kind and scope give the earlier batch back (``created`` False) and
    nothing else happens — unless that batch failed or its worker died (no progress for
    ``STALE_AFTER``), in which case it is queued again.  The upload
    itself is audited (file name, kind, size, sha256).
    """
    sha = file_sha256(data)
    earlier = ImportBatch.objects.filter(kind=spec.kind, scope_key=scope_key, sha256=sha).select_related("job").first()
    if earlier is not None and not _retryable(earlier):
        return Submitted(earlier, created=False)
    stored = _store(data)
    label = f"导入{spec.title}：{filename}"[:200]
    if earlier is not None:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=earlier.pk)
            if not _retryable(batch):  # somebody queued it again meanwhile
                Path(settings.MEDIA_ROOT, stored).unlink(missing_ok=True)
                return Submitted(batch, created=False)
            _discard_file(batch)
            before = batch.status
            batch.job = Job.objects.create(kind=f"import:{spec.kind}"[:60], label=label, created_by=_user(actor))
            batch.stored_path, batch.status = stored, JobStatus.PENDING
            batch.save(update_fields=["job", "stored_path", "status"])
            audit.record(
                audit.AuditAction.UPDATE,
                actor=actor,
                obj=batch,
                object_label=f"重新导入 {filename}"[:200],
                changes={"status": [before, JobStatus.PENDING]},
            )
        return Submitted(batch, created=True)
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=f"import:{spec.kind}"[:60], label=label, created_by=_user(actor))
            batch = ImportBatch.objects.create(
                kind=spec.kind,
                scope_key=scope_key,
                filename=filename[:255],
                sha256=sha,
                uploaded_by=_user(actor),
                job=job,
                stored_path=stored,
            )
            audit.record(
                audit.AuditAction.CREATE,
                actor=actor,
                obj=batch,
                object_label=f"上传导入文件 {filename}"[:200],
                changes={
                    "kind": spec.kind,
                    "filename": filename,
                    "bytes": len(data),
                    "sha256": sha,
                    "scope": scope_key,
                },
            )
    except IntegrityError:
        # The same file was submitted at the same moment by someone else: theirs is the batch.
        Path(settings.MEDIA_ROOT, stored).unlink(missing_ok=True)
        return Submitted(ImportBatch.objects.get(kind=spec.kind, scope_key=scope_key, sha256=sha), created=False)
    return Submitted(batch, created=True)


# --- resuming after a worker died -------------------------------------------------------------------------

_RESUMERS: dict[str, Callable[[int], Any]] = {}


def register_resumer(kinds: Iterable[str], enqueue: Callable[[int], Any]) -> None:
    """An app whose imports run in the task worker says how to queue one batch again (by id)."""
    for kind in kinds:
        _RESUMERS[kind] = enqueue


def resume_stale_imports(*, stale: timedelta = STALE_AFTER) -> list[int]:
    """Queue again every unfinished batch whose progress has not moved for ``stale`` (its worker was killed
    or the machine restarted) and whose uploaded file is still there; returns their ids.

    Safe to run at any time (a timer, or at worker start with ``stale=0`` when that worker is the only one):
    a queued batch is put back to pending with fresh progress, so a later call with the stale limit leaves
    it alone, and ``process_batch`` is idempotent (a second copy of the task finds the batch claimed or
    done; rows already committed come out unchanged).  Kinds imported inline
    (in the request) have no resumer and are left alone: their uploader sees the failure and uploads again."""
    cutoff = timezone.now() - stale
    resumed: list[int] = []
    candidates = ImportBatch.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exclude(stored_path="")
    for batch in candidates.select_related("job"):
        enqueue = _RESUMERS.get(batch.kind)
        last = batch.job.updated_at if batch.job is not None else batch.created_at
        if enqueue is None or last > cutoff or not _stored_file(batch).exists():
            continue
        with transaction.atomic():
            moved = ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(status=JobStatus.PENDING)
            if not moved:
                continue  # somebody else resumed or finished it meanwhile
            if batch.job_id:
                Job.objects.filter(pk=batch.job_id).update(
                    status=JobStatus.PENDING, message="上次处理中断，已重新排队", updated_at=timezone.now()
                )
            transaction.on_commit(functools.partial(enqueue, batch.pk))
        resumed.append(batch.pk)
    return resumed


_JOB_RESUMERS: list[tuple[str, Callable[[Job], Any]]] = []


def register_job_resumer(kind_prefix: str, enqueue: Callable[[Job], Any]) -> None:
    """A long task tracked by a ``Job`` (other than an import) says how to queue it again after its worker
    died; its body must be idempotent (the levy batch is: rows are keyed, unchanged ones are skipped)."""
    _JOB_RESUMERS.append((kind_prefix, enqueue))


def resume_stale_jobs(*, stale: timedelta = STALE_AFTER) -> list[int]:
    """Queue again the registered jobs left pending or running without progress for ``stale``; their ids."""
    cutoff = timezone.now() - stale
    resumed: list[int] = []
    for job in Job.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING], updated_at__lte=cutoff):
        enqueue = next((fn for prefix, fn in _JOB_RESUMERS if job.kind.startswith(prefix)), None)
        if enqueue is None:
            continue
        with transaction.atomic():
            moved = Job.objects.filter(pk=job.pk, status=job.status, updated_at=job.updated_at).update(
                status=JobStatus.PENDING, message="上次处理中断，已重新排队", updated_at=timezone.now()
            )
            if moved:
                transaction.on_commit(functools.partial(enqueue, job))
                resumed.append(job.pk)
    return resumed


def _retryable(batch: ImportBatch) -> bool:
    """A failed batch, or one whose progress has not moved for ``STALE_AFTER`` (its worker died),
    may be submitted again; a finished or live one may not."""
    if batch.status == JobStatus.FAILED:
        return True
    if batch.status == JobStatus.DONE:
        return False
    last = batch.job.updated_at if batch.job is not None else batch.created_at
    return last < timezone.now() - STALE_AFTER


def _claim(batch: ImportBatch) -> bool:
    """Mark the batch running unless it is finished or another worker is on it (fresh progress)."""
    live = Q(status=JobStatus.RUNNING, job__updated_at__gte=timezone.now() - STALE_AFTER)
    return bool(
        ImportBatch.objects.filter(pk=batch.pk)
        .exclude(status=JobStatus.DONE)
        .exclude(live)
        .update(status=JobStatus.RUNNING)
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@dataclass
class _Tally:
    total: int = 0
    done: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, number: int, problems: Sequence[Problem], raw: Sequence[Any]) -> None:
        self.errors.append(
            {
                "row": number,
                "column": "、".join(dict.fromkeys(p.column for p in problems if p.column)),
                "message": error_reason(problems),
                "cells": [cell_text(v) for v in raw],
            }
        )


def _save_progress(batch: ImportBatch, tally: _Tally, **extra: Any) -> None:
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        total_rows=tally.total,
        created_rows=tally.created,
        updated_rows=tally.updated,
        unchanged_rows=tally.unchanged,
        error_rows=len(tally.errors),
        **extra,
    )
    if batch.job_id:
        Job.objects.filter(pk=batch.job_id).update(total=tally.total, done=tally.done, updated_at=now)


def _summary(tally: _Tally, unknown: list[str]) -> str:
    lines = [
        f"共{tally.total}行：新增{tally.created}行，更新{tally.updated}行，无变化{tally.unchanged}行，"
        f"未导入{len(tally.errors)}行。"
    ]
    if tally.errors:
        lines.append("未导入的行及原因见错误报告。")
    if unknown:
        lines.append(f"以下列未识别，其内容未导入：{'、'.join(unknown)}。")
    return "\n".join(lines)


def _finish(batch: ImportBatch, tally: _Tally, status: str, message: str) -> None:
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=status,
        errors=tally.errors,
        finished_at=now,
        total_rows=tally.total,
        created_rows=tally.created,
        updated_rows=tally.updated,
        unchanged_rows=tally.unchanged,
        error_rows=len(tally.errors),
    )
    if batch.job_id:
        Job.objects.filter(pk=batch.job_id).update(
            status=status, total=tally.total, done=tally.done, message=message, updated_at=now
        )
    batch.refresh_from_db()


def process_batch(batch: ImportBatch, *, spec: ImportSpec, handler: ChunkHandler) -> ImportBatch:
    """Import the stored file of ``batch``, chunk by chunk; each chunk is committed by ``handler``
    (in its own transaction), so valid rows are kept even when others fail.

    Idempotent: a finished batch, or one another worker is running (progress within
    ``STALE_AFTER``), is returned unchanged; a pending, failed or dead one is processed from the
    start — the handler's writes are keyed (create or update), so rows already committed come out
    ``unchanged``.  A file that cannot be read fails the batch with a message; an unexpected error
    is logged and fails it too.  The uploaded file is deleted afterwards either way.
    """
    if not _claim(batch):
        return ImportBatch.objects.get(pk=batch.pk)
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.job_id:
        Job.objects.filter(pk=batch.job_id).update(status=JobStatus.RUNNING, message="", updated_at=timezone.now())
    tally = _Tally()
    try:
        try:
            data = _stored_file(batch).read_bytes()
        except OSError:
            raise ImportFileError("上传的文件已不在服务器上，请重新上传") from None
        rows = read_rows(data)
        layout = _locate_header(spec, rows())
        tally.total = sum(
            1 for n, cells in enumerate(rows(), start=1) if n > layout.header_row and not _is_blank_row(cells)
        )
        if tally.total > MAX_ROWS:
            raise ImportFileError(f"文件共有{tally.total}行数据，超过单个文件{MAX_ROWS}行的上限，请分成几个文件导入")
        _save_progress(batch, tally)
        positions = [layout.index.get(c.key) for c in spec.columns]
        for chunk in _chunks(_data_rows(rows(), layout.header_row), spec.chunk_size):
            parsed: list[Row] = []
            for number, cells in chunk:
                result = _parse_row(spec, positions, number, cells)
                if isinstance(result, Row):
                    parsed.append(result)
                else:
                    tally.reject(*result)
            outcomes = handler(parsed) if parsed else []
            if len(outcomes) != len(parsed):  # pragma: no cover - a handler bug
                raise RuntimeError("chunk handler returned the wrong number of outcomes")
            for row, outcome in zip(parsed, outcomes, strict=True):
                if outcome == CREATED:
                    tally.created += 1
                elif outcome == UPDATED:
                    tally.updated += 1
                elif outcome == UNCHANGED:
                    tally.unchanged += 1
                else:
                    assert isinstance(outcome, list)
                    tally.reject(row.number, outcome, row.raw)
            tally.done += len(chunk)
            _save_progress(batch, tally)
        tally.errors.sort(key=lambda e: e["row"])
        _finish(batch, tally, JobStatus.DONE, _summary(tally, layout.unknown))
    except ImportFileError as exc:
        tally.errors = [{"row": 0, "column": "", "message": str(exc), "cells": []}]
        _finish(batch, tally, JobStatus.FAILED, str(exc))
    except Exception as exc:
        logger.exception("import batch %s failed", batch.pk)
        tally.errors.sort(key=lambda e: e["row"])
        _finish(
            batch,
            tally,
            JobStatus.FAILED,
            f"导入中断（{exc.__class__.__name__}）：已完成的部分已保存，可重新上传同一文件继续。",
        )
    finally:
        # The upload holds personal data in clear text: it is not kept once the batch has run.  A
        # failed batch is retried by uploading the file again.
        _discard_file(batch)
    return batch


def _is_blank_row(cells: Sequence[Any]) -> bool:
    return all(_blank(c) for c in cells)


def _data_rows(rows: Iterator[Sequence[Any]], header_row: int) -> Iterator[tuple[int, Sequence[Any]]]:
    for number, cells in enumerate(rows, start=1):
        if number > header_row and not _is_blank_row(cells):
            yield number, cells


def _chunks(items: Iterator[tuple[int, Sequence[Any]]], size: int) -> Iterator[list[tuple[int, Sequence[Any]]]]:
    chunk: list[tuple[int, Sequence[Any]]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- fast inserts -----------------------------------------------------------------------------------


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert plain rows (``attname`` → value) with one ``executemany``: the write path of large
    imports, where building and compiling one ORM instance per row costs more than the import itself.

    Fields missing from a row take their model default; ``auto_now``/``auto_now_add`` fields take
    now.  Dates, datetimes, decimals and JSON are adapted by the database backend's own operations,
    so the statement is portable.  No signals are sent and nothing is returned: callers that need the
    new primary keys read them back by a unique key.
    """
    if not rows:
        return
    ops = connection.ops
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults: list[Any] = []
    adapters: list[Callable[[Any], Any] | None] = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            defaults.append(now if (f.auto_now or f.auto_now_add) else f.get_default())
            adapters.append(ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            defaults.append(f.get_default())
            adapters.append(ops.adapt_datefield_value)
        elif isinstance(f, models.DecimalField):
            defaults.append(f.get_default())
            adapters.append(
                partial(ops.adapt_decimalfield_value, max_digits=f.max_digits, decimal_places=f.decimal_places)
            )
        elif isinstance(f, models.JSONField):
            defaults.append(f.get_default())
            adapters.append(partial(f.get_db_prep_save, connection=connection))
        else:
            defaults.append(f.get_default())
            adapters.append(None)
    names = [f.attname for f in fields]
    unknown = set(rows[0]) - set(names)
    if unknown:
        raise ValueError(f"unknown fields for {model.__name__}: {sorted(unknown)}")
    # Defaults are adapted once; only the values a row brings are adapted per row.
    plan = [
        (name, adapt(default) if adapt is not None and default is not None else default)
        for name, default, adapt in zip(names, defaults, adapters, strict=True)
    ]
    to_adapt = [(i, names[i], adapt) for i, adapt in enumerate(adapters) if adapt is not None]
    params: list[list[Any]] = []
    for row in rows:
        values = [row.get(name, default) for name, default in plan]
        for i, name, adapt in to_adapt:
            if name in row and values[i] is not None:
                values[i] = adapt(values[i])
        params.append(values)
    qn = ops.quote_name
    # Table and column names come from the model's metadata, quoted; values are parameters.
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- report and template ----------------------------------------------------------------------------


def report_rows(batch: ImportBatch, spec: ImportSpec) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the error report: original row number, the original cells in the
    template's column order, and the reason."""
    headers = [REPORT_ROW_HEADER, *spec.headers, REPORT_REASON_HEADER]
    rows: list[list[Any]] = []
    width = len(spec.columns)
    for e in batch.errors:
        cells = list(e.get("cells") or [])
        cells = (cells + [""] * width)[:width]
        rows.append([e.get("row") or "", *cells, e.get("message", "")])
    return headers, rows


def report_xlsx(batch: ImportBatch, spec: ImportSpec) -> bytes:
    """The rejected rows as .xlsx (formula-like text neutralised by ``files.xlsx_bytes``).  With the
    two extra columns removed — or even left in, they are ignored — it can be corrected and uploaded."""
    headers, rows = report_rows(batch, spec)
    return xlsx_bytes(headers, rows, sheet="未导入的行")


def template_xlsx(spec: ImportSpec) -> bytes:
    """A blank template: the header row, one example row, and a 填写说明 sheet for every column."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    data = wb.add_worksheet("数据")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    as_text = wb.add_format({"num_format": "@"})
    for i, c in enumerate(spec.columns):
        width = max(10, len(c.header) * 2 + 2, len(c.example) + 2)
        data.set_column(i, i, width, as_text if c.as_text else None)
        data.write_string(0, i, c.header, required if c.required else bold)
        if c.example:
            data.write_string(1, i, str(neutralise(c.example)), as_text if c.as_text else None)
    data.freeze_panes(1, 0)
    notes = wb.add_worksheet("填写说明")
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 60)
    notes.set_column(3, 4, 36)
    head = ["列名", "是否必填", "填写说明", "可填写的值", "也可识别的列名"]
    notes.write_row(0, 0, head, bold)
    for r, c in enumerate(spec.columns, start=1):
        notes.write_row(
            r, 0, [c.header, "必填" if c.required else "选填", c.help, "、".join(c.choices), "、".join(c.aliases)], wrap
        )
    line = len(spec.columns) + 2
    general = (
        "第2行为示例，导入时会被识别并跳过，请删除后填写实际数据。",
        "身份证号、证件号码等列已设为文本格式，请勿改为数字格式（Excel会丢失末几位）。",
        "日期可写作2024-03-01、2024/3/1、2024年3月1日或20240301，也可使用Excel日期格式。",
        "同一文件重复上传不会重复导入；修改后的文件再次上传时，按身份证号更新已有记录，不会产生重复人员。",
        "有错误的行不会导入，其余行照常导入；错误报告列出每一行的原因，修改后可再次上传。",
        *spec.notes,
    )
    notes.write_string(line, 0, "说明", bold)
    for i, note in enumerate(general, start=1):
        notes.write_string(line + i, 0, f"{i}. {note}")
    wb.close()
    return buf.getvalue()
