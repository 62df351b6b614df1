"""The generic import mechanism (core.imports) with a toy file format: reading Excel and CSV in the
encodings district federations produce, header aliases, cell parsers, batch dedup, progress, the error
report and the template.  The registry's own formats are tested in people/tests/test_imports.py."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from ablework.core import imports as im
from ablework.core.imports import CREATED, UNCHANGED, UPDATED, CellError, Column, ImportSpec, Problem, Row
from ablework.core.models import AuditLog, ImportBatch, Job

SPEC = ImportSpec(
    kind="test.things",
    title="测试数据",
    columns=(
        Column("name", "名称", im.text(10), required=True, aliases=("名字",), example="示例"),
        Column("code", "身份证号", im.resident_id(), as_text=True, example="120101199003070013"),
        Column("day", "日期", im.date_value(), example="2024-03-01"),
        Column("amount", "金额", im.decimal_amount()),
        Column("kind", "类别", im.choice({"a": "甲类", "b": "乙类"}), choices=("甲类", "乙类")),
        Column("flag", "是否有效", im.boolean()),
    ),
    notes=("测试说明",),
    chunk_size=2,
)


class Recorder:
    """A chunk handler that keeps names in memory: new → created, seen with another amount → updated."""

    def __init__(self) -> None:
        self.store: dict[str, Any] = {}
        self.chunks: list[int] = []

    def __call__(self, rows: list[Row]) -> list[Any]:
        self.chunks.append(len(rows))
        out: list[Any] = []
        for row in rows:
            name, amount = row.values["name"], row.values["amount"]
            if name == "拒绝":
                out.append([Problem("名称", "该名称不允许")])
            elif name not in self.store:
                self.store[name] = amount
                out.append(CREATED)
            elif self.store[name] != amount:
                self.store[name] = amount
                out.append(UPDATED)
            else:
                out.append(UNCHANGED)
        return out


def job_of(batch: ImportBatch) -> Job:
    assert batch.job_id is not None
    return Job.objects.get(pk=batch.job_id)


def xlsx(rows: list[list[Any]]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, date):
                ws.write_datetime(
                    i, j, datetime(value.year, value.month, value.day), wb.add_format({"num_format": "yyyy/m/d"})
                )
            elif isinstance(value, str):
                ws.write_string(i, j, value)
            elif value is not None:
                ws.write(i, j, value)
    wb.close()
    return buf.getvalue()


def run(data: bytes, handler: Any = None, user: Any = None, scope: str = "s1") -> ImportBatch:
    submitted = im.submit_import(spec=SPEC, scope_key=scope, filename="t.xlsx", data=data, actor=user)
    return im.process_batch(submitted.batch, spec=SPEC, handler=handler or Recorder())


GOOD = [
    ["名称", "身份证号", "日期", "金额", "类别", "是否有效"],
    ["甲", "120101199003070013", "2024-03-01", "12.5", "甲类", "是"],
]


# --- cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024.3.1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("20240301", date(2024, 3, 1)),
        (20240301.0, date(2024, 3, 1)),
        (45352.0, date(2024, 3, 1)),  # an Excel serial whose date format was lost
        (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
    ],
)
def test_dates_in_the_forms_spreadsheets_hold(cell: Any, expected: date) -> None:
    assert im.date_value()(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [("2024-02-30", "“2024-02-30”不是有效日期"), ("三月一日", "日期格式不正确：“三月一日”，应为如2024-03-01"),
     ("1800-01-01", "日期1800-01-01超出合理范围（1900-01-01至2100-12-31）")],
)  # fmt: skip
def test_bad_dates_say_why(cell: str, message: str) -> None:
    with pytest.raises(CellError) as err:
        im.date_value()(cell)
    assert str(err.value) == message


def test_numbers_money_booleans_and_code_lists() -> None:
    assert im.integer(0, 600)(36.0) == 36 and im.integer()("12") == 12
    with pytest.raises(CellError, match="应填写整数"):
        im.integer()(1.5)
    with pytest.raises(CellError, match="应在1至10之间"):
        im.integer(1, 10)(11)
    assert im.decimal_amount()("3,500.5元") == Decimal("3500.50") and im.decimal_amount()(4200.0) == Decimal("4200.00")
    with pytest.raises(CellError, match="最多2位小数"):
        im.decimal_amount()("1.005")
    with pytest.raises(CellError, match="不能小于0"):
        im.decimal_amount()("-1")
    assert im.boolean()("是") is True and im.boolean()("否") is False and im.boolean()(True) is True
    with pytest.raises(CellError, match="应填写“是”或“否”"):
        im.boolean()("也许")
    pick = im.choice({"urban": "城镇", "rural": "农村"}, synonyms={"城市": "urban"})
    assert pick("城镇") == "urban" and pick("rural") == "rural" and pick(" 城市 ") == "urban"
    with pytest.raises(CellError) as err:
        pick("郊区")
    assert str(err.value) == "“郊区”不在可选范围内，应为：城镇、农村"


def test_identifier_typed_as_a_number_is_refused() -> None:
    with pytest.raises(CellError, match="被Excel保存为数字"):
        im.resident_id()(1.2010119900307e17)
    assert im.resident_id()(" 11010519491231002x ").number == "11010519491231002X"
    assert im.text()(13800000000.0) == "13800000000"  # a phone typed as a number keeps its digits
    assert im.text()("'=1+2") == "=1+2"  # our own reports prefix formula-like text; read it back


# --- files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "utf-16"])
def test_csv_encodings(encoding: str) -> None:
    text = "名称,身份证号,日期\r\n单田芳,120101199003070013,2024-03-01\r\n"
    rows = list(im.read_rows(text.encode(encoding))())
    assert rows[1][0] == "单田芳" and rows[0] == ["名称", "身份证号", "日期"]


def test_tab_separated_and_unreadable_files() -> None:
    assert list(im.read_rows("名称\t日期\n甲\t2024-01-01\n".encode())())[1] == ["甲", "2024-01-01"]
    with pytest.raises(im.ImportFileError, match="文件为空"):
        im.read_rows(b"")
    with pytest.raises(im.ImportFileError, match="无法读取该Excel文件"):
        im.read_rows(b"PK\x03\x04 not really a zip")


def test_header_below_a_title_with_aliases_and_unknown_columns(db: Any) -> None:
    data = xlsx([["2024年和平区名单"], ["名字", "备注", "金额"], ["甲", "x", 3], [None, None, None], ["乙", "", "4"]])
    recorder = Recorder()
    batch = run(data, recorder)
    assert (batch.status, batch.total_rows, batch.created_rows) == ("done", 2, 2)
    assert recorder.store == {"甲": Decimal("3.00"), "乙": Decimal("4.00")}
    assert "以下列未识别，其内容未导入：备注" in job_of(batch).message


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["日期", "金额"], ["2024-01-01", "1"]], "缺少必需的列：名称（表头在第1行）"),
        ([["甲", "乙"], ["1", "2"]], "未找到表头行：请使用模板，第一行为列名（如“名称”“身份证号”“日期”）"),
        ([["名称", "名字"], ["a", "b"]], "第1行表头中“名称”列出现了两次（第1列和第2列）"),
    ],
)
def test_file_level_problems_fail_the_batch_with_a_message(db: Any, rows: list[list[str]], message: str) -> None:
    batch = run(xlsx(rows))
    assert batch.status == "failed" and batch.errors == [{"row": 0, "column": "", "message": message, "cells": []}]
    assert job_of(batch).message == message


# --- batches ----------------------------------------------------------------------------------------


def test_rows_chunks_counts_errors_and_progress(db: Any) -> None:
    rows: list[list[Any]] = [
        GOOD[0],
        GOOD[1],
        ["乙", "120101199003070014", "2024-02-30", "abc", "丙类", "是"],  # four bad cells
        ["拒绝", "", "", "", "", ""],  # refused by the handler
        ["", "", "2024-01-01", "", "", ""],  # name missing
        ["丙", "", date(2024, 5, 6), "=1+2", "", ""],
    ]
    recorder = Recorder()
    batch = run(xlsx(rows), recorder)
    assert recorder.chunks == [1, 1]  # chunks of two rows; a chunk with no valid row is not handed over
    assert (batch.total_rows, batch.created_rows, batch.error_rows) == (5, 1, 4)
    by_row = {e["row"]: e for e in batch.errors}
    assert by_row[3]["column"] == "身份证号、日期、金额、类别"
    assert by_row[3]["message"].startswith("身份证号校验位错误：应为3，实际为4；日期：“2024-02-30”不是有效日期；金额：")
    assert by_row[3]["cells"] == ["乙", "120101199003070014", "2024-02-30", "abc", "丙类", "是"]
    assert by_row[4]["message"] == "名称：该名称不允许"
    assert by_row[5]["message"] == "名称：必填，不能为空"
    assert by_row[6]["cells"][2:4] == ["2024-05-06", "=1+2"]
    job = job_of(batch)
    assert (job.status, job.done, job.total, job.percent) == ("done", 5, 5, 100)
    assert batch.finished_at is not None and batch.stored_path
    assert not (im._stored_file(batch)).exists()  # personal data is not kept once imported


def test_same_file_same_scope_is_one_batch(db: Any) -> None:
    data = xlsx(GOOD)
    first = im.submit_import(spec=SPEC, scope_key="s1", filename="a.xlsx", data=data, actor=None)
    im.process_batch(first.batch, spec=SPEC, handler=Recorder())
    again = im.submit_import(spec=SPEC, scope_key="s1", filename="b.xlsx", data=data, actor=None)
    assert again.created is False and again.batch.pk == first.batch.pk
    other_scope = im.submit_import(spec=SPEC, scope_key="s2", filename="a.xlsx", data=data, actor=None)
    assert other_scope.created is True
    assert ImportBatch.objects.count() == 2
    assert AuditLog.objects.filter(object_type="core.importbatch", action="create").count() == 2


def test_failed_batch_is_queued_again_and_a_done_batch_is_not_rerun(db: Any) -> None:
    def broken(rows: list[Row]) -> list[Any]:
        raise RuntimeError("database went away")

    data = xlsx(GOOD)
    submitted = im.submit_import(spec=SPEC, scope_key="s1", filename="a.xlsx", data=data, actor=None)
    failed = im.process_batch(submitted.batch, spec=SPEC, handler=broken)
    assert failed.status == "failed" and "导入中断（RuntimeError）" in job_of(failed).message
    retry = im.submit_import(spec=SPEC, scope_key="s1", filename="a.xlsx", data=data, actor=None)
    assert retry.created is True and retry.batch.pk == failed.pk and retry.batch.status == "pending"
    done = im.process_batch(retry.batch, spec=SPEC, handler=Recorder())
    assert (done.status, done.created_rows) == ("done", 1)
    recorder = Recorder()
    assert im.process_batch(done, spec=SPEC, handler=recorder).created_rows == 1 and recorder.chunks == []


def test_a_live_batch_is_not_run_twice_but_a_dead_one_is_taken_over(db: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    data = xlsx(GOOD)
    submitted = im.submit_import(spec=SPEC, scope_key="s1", filename="a.xlsx", data=data, actor=None)
    ImportBatch.objects.filter(pk=submitted.batch.pk).update(status="running")
    Job.objects.filter(pk=job_of(submitted.batch).pk).update(status="running", updated_at=timezone.now())
    recorder = Recorder()
    assert im.process_batch(submitted.batch, spec=SPEC, handler=recorder).status == "running"
    assert recorder.chunks == []  # another worker is on it
    assert im.submit_import(spec=SPEC, scope_key="s1", filename="a.xlsx", data=data, actor=None).created is False
    Job.objects.filter(pk=job_of(submitted.batch).pk).update(updated_at=timezone.now() - timedelta(hours=1))
    again = im.submit_import(spec=SPEC, scope_key="s1", filename="a.xlsx", data=data, actor=None)
    assert again.created is True and again.batch.pk == submitted.batch.pk
    assert im.process_batch(again.batch, spec=SPEC, handler=recorder).created_rows == 1


def test_error_report_and_template(db: Any) -> None:
    rows = [GOOD[0], ["拒绝", "", "", '=HYPERLINK("http://x")', "", ""], ["乙", "1", "", "", "", ""]]
    batch = run(xlsx(rows))
    report = CalamineWorkbook.from_filelike(io.BytesIO(im.report_xlsx(batch, SPEC))).get_sheet_by_index(0).to_python()
    assert report[0] == ["原行号", "名称", "身份证号", "日期", "金额", "类别", "是否有效", "错误原因"]
    assert [r[0] for r in report[1:]] == [2.0, 3.0]
    assert report[1][4] == '\'=HYPERLINK("http://x")'  # neutralised, never a live formula
    assert report[2][-1] == "身份证号长度应为18位，实际为1位"

    template = CalamineWorkbook.from_filelike(io.BytesIO(im.template_xlsx(SPEC)))
    assert template.sheet_names == ["数据", "填写说明"]
    sheet = template.get_sheet_by_index(0).to_python()
    assert sheet[0] == SPEC.headers and sheet[1][:3] == ["示例", "120101199003070013", "2024-03-01"]
    notes = template.get_sheet_by_index(1).to_python()
    assert notes[1][:2] == ["名称", "必填"] and notes[5][3] == "甲类、乙类"
    assert any("测试说明" in str(r[0]) for r in notes)
    # Uploaded unchanged, the template imports nothing: its example row is recognised.
    batch = run(im.template_xlsx(SPEC), scope="template")
    assert batch.created_rows == 0 and batch.errors[0]["message"].startswith("这是模板中的示例行")


def test_insert_rows_fills_defaults_and_adapts_values(db: Any) -> None:
    from ablework.core.models import District, PolicyParameter

    district = District.objects.get(code="120101")
    im.insert_rows(
        PolicyParameter,
        [{"key": "t", "district_id": district.pk, "valid_from": date(2024, 1, 1), "value": {"a": 1}, "source": "s"}],
    )
    p = PolicyParameter.objects.get(key="t")
    assert (p.valid_from, p.value, p.confirmed, p.note, p.valid_to) == (date(2024, 1, 1), {"a": 1}, False, "", None)
    assert p.updated_at is not None
    with pytest.raises(ValueError, match="unknown fields"):
        im.insert_rows(PolicyParameter, [{"nope": 1}])
