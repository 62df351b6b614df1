"""Import of units from Excel/CSV through ``core.imports``: the registration rules per row, kind from
the code, updates keyed by the credit code (a blank cell changes nothing), contacts, district scope,
the same file once, the unit's history, and the pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from ablework.core.models import AuditLog, ImportBatch
from ablework.core.scoping import unscoped
from ablework.employers import queries
from ablework.employers.imports import start_employer_import
from ablework.employers.models import Employer, EmployerContact
from ablework.employers.tests.factories import code, make_employer

pytestmark = pytest.mark.django_db

HEAD = [
    "统一社会信用代码",
    "单位名称",
    "单位类型",
    "机关层级",
    "编制数",
    "中小学或幼儿园",
    "税务登记区",
    "行业",
    "联系人",
    "联系电话",
]


def xlsx(rows: list[list[Any]], headers: list[str] = HEAD) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("单位")
    ws.write_row(0, 0, headers)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if value is not None and value != "":
                ws.write(i, j, value)
    wb.close()
    return buf.getvalue()


def run(actor: Any, data: bytes, filename: str = "单位.xlsx") -> ImportBatch:
    return start_employer_import(actor=actor, filename=filename, data=data, inline=True).batch


def errors_by_row(batch: ImportBatch) -> dict[int, str]:
    return {e["row"]: e["message"] for e in batch.errors}


AGENCY, INST, FIRM, SOCIAL = code("11"), code("12"), code("91"), code("51")


def test_rows_are_checked_like_the_form(hp_officer: Any) -> None:
    bad = code("91")
    batch = run(
        hp_officer,
        xlsx(
            [
                [AGENCY, "和平区民政局", "", "区级", 52, "", "和平区", "S92", "李明", "022-23456789"],  # kind from code
                [INST, "和平区某小学", "事业单位", "", 80, "是", "120101", "P83", "", ""],
                [FIRM, "天津某科技有限公司", "", "", "", "", "和平", "65", "王芳", "13800000001"],
                [SOCIAL, "和平区助残协会", "社会团体", "", "", "", "和平区", "", "", ""],
                [code("11"), "缺层级的局", "机关", "", "", "", "和平区", "", "", ""],  # row 6
                [code("91"), "带编制的公司", "企业", "", 30, "是", "和平区", "", "", ""],  # row 7
                [
                    bad[:17] + ("0" if bad[17] != "0" else "1"),
                    "校验位错",
                    "企业",
                    "",
                    "",
                    "",
                    "和平区",
                    "",
                    "",
                    "",
                ],  # 8
                [code("91", "120103"), "河西公司", "企业", "", "", "", "河西区", "", "", ""],  # row 9: other district
                [code("31"), "某律师事务所", "", "", "", "", "和平区", "", "", ""],  # row 10: kind unknown
                [code("91"), "坏电话公司", "企业", "", "", "", "和平区", "", "赵六", "123"],  # row 11
                [FIRM, "重复行", "企业", "", "", "", "和平区", "", "", ""],  # row 12: same code as row 4
                [code("91"), "未知行业", "企业", "", "", "", "和平区", "Z99", "", ""],  # row 13
            ]
        ),
    )
    assert (batch.status, batch.created_rows, batch.error_rows) == ("done", 4, 8)
    errors = errors_by_row(batch)
    assert (
        errors[6]
        == "机关层级：机关须选择层级（市级、区级或乡镇（街道）级）；编制数：机关、事业单位须填写编制数（核定编制人数）"
    )
    assert "只有机关、事业单位填写编制数，企业不填写" in errors[7] and "只适用于事业单位" in errors[7]
    assert "统一社会信用代码校验位错误" in errors[8]
    assert errors[9] == "税务登记区：河西区不在您的管辖范围（和平区）内，本行未导入"
    assert errors[10] == "单位类型：无法从统一社会信用代码判断单位类型，请填写“单位类型”"
    assert errors[11].startswith("联系电话格式不正确：应为11位手机号")
    assert errors[12] == "统一社会信用代码：与本文件第4行的统一社会信用代码重复，本行未导入"
    assert errors[13].startswith("行业：未知的行业：“Z99”")
    with unscoped():
        units = {e.uscc: e for e in Employer.objects.select_related("industry")}
    assert set(units) == {AGENCY, INST, FIRM, SOCIAL}
    assert (units[AGENCY].kind, units[AGENCY].agency_level, units[AGENCY].establishment_size) == (
        "agency",
        "district",
        52,
    )
    assert units[INST].is_school and units[INST].industry.code == "P83"  # type: ignore[union-attr]
    assert (units[FIRM].kind, units[FIRM].industry.code) == ("enterprise", "I65")  # type: ignore[union-attr]
    assert units[SOCIAL].kind == "social_org"
    contact = EmployerContact.objects.get(employer=units[FIRM])
    assert (contact.name, contact.phone, contact.is_primary) == ("王芳", "13800000001", True)
    report = CalamineWorkbook.from_filelike(io.BytesIO(_report(batch))).get_sheet_by_index(0).to_python()
    assert report[0][0] == "原行号" and report[0][-1] == "错误原因" and len(report) == 9


def _report(batch: ImportBatch) -> bytes:
    from ablework.core.imports import report_xlsx
    from ablework.employers.imports import employer_spec

    return report_xlsx(batch, employer_spec())


def test_updates_by_code_blank_cells_change_nothing_and_history_shows_it(hp_officer: Any) -> None:
    e = make_employer("120101", kind="institution", name="旧名称中心", establishment_size=70, address="老地址")
    EmployerContact.objects.create(employer=e, name="李明", phone="13800000001", is_primary=True)
    batch = run(
        hp_officer,
        xlsx(
            [
                [e.uscc, "新名称中心", "", "", 90, "", "和平区", "", "李明", "022-23456789"],
                [FIRM, "某公司", "国企", "", "", "", "和平区", "", "", ""],
            ]
        ),
    )
    assert (batch.created_rows, batch.updated_rows, batch.error_rows) == (1, 1, 0)
    e.refresh_from_db()
    assert (e.name, e.establishment_size, e.address, e.kind) == ("新名称中心", 90, "老地址", "institution")
    assert EmployerContact.objects.get(employer=e).phone == "022-23456789"
    history = queries.history_for_employer(e)
    change = history[-1].changes
    assert change["name"] == ["旧名称中心", "新名称中心"] and change["establishment_size"] == [70, 90]
    assert change[f"contact[{EmployerContact.objects.get(employer=e).pk}].phone"] == ["13800000001", "022-23456789"]
    assert change["batch"][1] == f"导入批次{batch.pk}"
    with unscoped():
        soe = Employer.objects.get(uscc=FIRM)
    assert soe.kind == "soe"
    entries = AuditLog.objects.filter(object_type="employers.employer", object_id=f"import-{batch.pk}")
    assert {(x.action, x.district_code) for x in entries} == {("create", "120101"), ("update", "120101")}

    again = run(
        hp_officer, xlsx([[e.uscc, "新名称中心", "", "", 90, "", "和平区", "", "李明", "022-23456789"]]), "再次.xlsx"
    )
    assert (again.updated_rows, again.unchanged_rows) == (0, 1)  # a changed file with nothing new
    assert not AuditLog.objects.filter(object_id=f"import-{again.pk}").exists()


def test_same_file_twice_is_imported_once(hp_officer: Any) -> None:
    data = xlsx([[FIRM, "某公司", "企业", "", "", "", "和平区", "", "", ""]])
    first = run(hp_officer, data)
    second = start_employer_import(actor=hp_officer, filename="又一次.xlsx", data=data, inline=True)
    assert not second.created and second.batch.pk == first.pk
    with unscoped():
        assert Employer.objects.count() == 1


def test_a_unit_registered_in_another_district_is_not_touched(hp_officer: Any) -> None:
    hx = make_employer("120103", name="河西单位")
    batch = run(hp_officer, xlsx([[hx.uscc, "改成和平", "企业", "", "", "", "和平区", "", "", ""]]))
    assert (
        errors_by_row(batch)[2] == "统一社会信用代码：该单位已在河西区登记为“河西单位”，不在您的管辖范围内，本行未导入"
    )
    hx.refresh_from_db()
    assert (hx.name, hx.district.code) == ("河西单位", "120103")


def test_kind_change_in_a_file_clears_what_no_longer_applies(city_admin: Any) -> None:
    e = make_employer("120101", kind="institution", establishment_size=70, is_school=True)
    batch = run(city_admin, xlsx([[e.uscc, e.name, "企业", "", "", "", "和平区", "", "", ""]]))
    assert batch.updated_rows == 1
    e.refresh_from_db()
    assert (e.kind, e.establishment_size, e.is_school) == ("enterprise", None, False)


def test_import_pages(client: Any, hp_officer: Any, hx_officer: Any) -> None:
    client.force_login(hp_officer)
    page = client.get("/employers/import/").content.decode()
    assert "导入用人单位" in page and "统一社会信用代码" in page
    template = client.get("/employers/import/template.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(template.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == ["统一社会信用代码", "单位名称", "单位类型"]
    upload = io.BytesIO(
        xlsx(
            [
                [FIRM, "某公司", "企业", "", "", "", "和平区", "", "", ""],
                [code("91"), "", "企业", "", "", "", "和平区", "", "", ""],
            ]
        )
    )
    upload.name = "和平单位.xlsx"
    response = client.post("/employers/import/", {"file": upload}, follow=True)
    text = response.content.decode()
    assert "导入完成" in text and "单位名称：必填，不能为空" in text
    batch = ImportBatch.objects.get()
    report = client.get(f"/employers/import/batches/{batch.pk}/report.xlsx")
    assert report.status_code == 200
    assert AuditLog.objects.filter(action="export", object_type="core.importbatch").count() == 1
    bad = io.BytesIO(b"%PDF-1.4")
    bad.name = "单位.pdf"
    assert "只能上传Excel文件" in client.post("/employers/import/", {"file": bad}).content.decode()
    client.force_login(hx_officer)
    assert client.get(f"/employers/import/batches/{batch.pk}/").status_code == 404
    assert client.get(f"/employers/import/batches/{batch.pk}/report.xlsx").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_large_file_goes_to_the_task_worker(hp_officer: Any) -> None:
    from django.core.management import call_command
    from django.db import transaction

    with transaction.atomic():
        submitted = start_employer_import(
            actor=hp_officer,
            filename="大文件.xlsx",
            data=xlsx([[FIRM, "某公司", "企业", "", "", "", "和平区", "", "", ""]]),
            inline=False,
        )
    assert submitted.batch.status == "pending"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    batch = ImportBatch.objects.get(pk=submitted.batch.pk)
    assert (batch.status, batch.created_rows) == ("done", 1)


def test_two_thousand_rows_in_a_bounded_number_of_queries(hp_officer: Any, django_assert_max_num_queries: Any) -> None:
    rows = [
        [code("91"), f"批量单位{n}", "企业", "", "", "", "和平区", "", f"联系人{n}", "13800000001"] for n in range(2000)
    ]
    data = xlsx(rows)
    with django_assert_max_num_queries(100):
        batch = run(hp_officer, data)
    assert batch.created_rows == 2000
    assert EmployerContact.objects.count() == 2000
