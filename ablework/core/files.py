"""Exports (CSV / Excel) with formula neutralisation.  Imports with per-row error reports build on
the same module in the registry issue."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import escape_uri_path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterable[str]:
        yield "\ufeff"  # BOM so that Excel opens UTF-8 Chinese correctly
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow([neutralise(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "数据") -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, list(headers), bold)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, [neutralise(v) for v in row])
    wb.close()
    return buf.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(headers, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _disposition(filename)
    return response


# --- uploaded documents ----------------------------------------------------------------------------------

# Documents people attach (forms, contracts, certificates): PDF or image, checked by content, ≤ 10 MB.
ALLOWED_DOCUMENTS = {".pdf": b"%PDF", ".png": b"\x89PNG", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def document_problem(upload: Any, label: str) -> str | None:
    """Why an uploaded document is refused (in Chinese), or None when it is acceptable.

    The extension must be PDF/JPG/PNG, the size 1 byte … 10 MB, and the first bytes must be that
    format's signature, so a renamed executable or spreadsheet is refused.  The file is rewound."""
    if upload is None:
        return f"请上传{label}"
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_DOCUMENTS:
        return f"{label}应为PDF、JPG或PNG文件，收到“{suffix or '无扩展名'}”"
    if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
        return f"{label}不能超过10MB"
    if upload.size == 0:
        return f"{label}是空文件"
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(ALLOWED_DOCUMENTS[suffix]):
        return f"{label}的内容与扩展名“{suffix}”不符，请上传原始的PDF或图片文件"
    return None


def sha256_of(upload: Any) -> str:
    """Hex SHA-256 of an uploaded file's content (rewound afterwards)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
