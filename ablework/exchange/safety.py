"""Checks on an uploaded feed file before anything is read into the database.

``core.imports`` already recognises the format by content, decodes UTF-8/UTF-16/GB18030 (and says so
when it cannot) and neutralises formula cells in its reports.  What a partner's file can add: a zip
bomb (an .xlsx is a zip archive), a CSV line of megabytes, thousands of columns.  Each gets a clear
Chinese message and the file is refused whole.
"""

from __future__ import annotations

import io
import zipfile

from ablework.core.imports import ImportFileError, decode_text

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_ZIP_ENTRIES = 500
MAX_LINE_CHARS = 20_000
MAX_COLUMNS = 200

__all__ = ["check_upload"]


def check_upload(data: bytes) -> None:
    if not data:
        raise ImportFileError("文件为空")
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"文件大小超过{MAX_BYTES // (1024 * 1024)}MB上限，请分成几个文件上传")
    if data.startswith(b"PK\x03\x04"):
        _check_zip(data)
        return
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return  # legacy .xls: read by calamine, no compression
    try:
        text = decode_text(data)
    except UnicodeDecodeError:  # a UTF-16 byte-order mark followed by bytes that are not UTF-16
        raise ImportFileError(
            "无法识别文件的文字编码：请上传Excel文件（.xlsx），或另存为UTF-8或GB18030（GBK）编码的CSV文件"
        ) from None
    for number, line in enumerate(io.StringIO(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(f"第{number}行超过{MAX_LINE_CHARS}个字符，文件内容异常，请检查后重新导出")
        if line.count(",") + line.count("\t") >= MAX_COLUMNS:
            raise ImportFileError(f"第{number}行超过{MAX_COLUMNS}列，文件内容异常，请检查后重新导出")


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportFileError("Excel文件已损坏，无法读取") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ImportFileError("Excel文件结构异常（包含的部件过多），拒绝导入")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED or total > MAX_RATIO * max(len(data), 1) + 1024 * 1024:
        raise ImportFileError("Excel文件解压后异常庞大（疑似压缩炸弹），拒绝导入")
