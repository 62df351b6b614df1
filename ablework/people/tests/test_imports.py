"""Bulk import of persons and employment records: validation with reasons, district scope, same file
no-op, updates by ID number, CSV encodings, the pages over HTTP, the task worker, and a bounded scale."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from ablework.core import audit, crypto
from ablework.core.identifiers import resident_id_check_char
from ablework.core.models import AuditLog, District, ImportBatch, Job, Street
from ablework.core.scoping import unscoped
from ablework.people import actions
from ablework.people.actions.imports import EMPLOYMENT, PERSONS, person_spec
from ablework.people.enums import EmploymentStatus, RecordSource
from ablework.people.models import Certificate, EmploymentRecord, Person
from conftest import make_uscc

HEAD = [
    "姓名",
    "身份证号",
    "残疾人证号",
    "残疾军人证号",
    "伤残等级",
    "发证日期",
    "有效期至",
    "户籍区",
    "街道",
    "社区/村",
    "联系电话",
]
EMP_HEAD = [
    "身份证号",
    "姓名",
    "就业形式",
    "单位名称",
    "统一社会信用代码",
    "开始日期",
    "结束日期",
    "合同期限（月）",
    "月工资",
    "是否缴纳社保",
]


def rid(n: int, region: str = "120101", birth: date | None = None, male: bool = True) -> str:
    """A valid resident ID, unique per ``n`` (up to 500 per birth date)."""
    birth = birth or date(1975, 1, 1) + timedelta(days=n // 500)
    first17 = f"{region}{birth:%Y%m%d}{(n % 500) * 2 + (1 if male else 0):03d}"
    return first17 + resident_id_check_char(first17)


def bad_check(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:17] + last


def job_of(batch: ImportBatch) -> Job:
    assert batch.job_id is not None
    return Job.objects.get(pk=batch.job_id)


def xlsx(headers: list[str], rows: list[list[Any]], title: str | None = None) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("人员")
    start = 0
    if title:
        ws.write(0, 0, title)
        start = 1
    ws.write_row(start, 0, headers)
    for i, row in enumerate(rows, start=start + 1):
        for j, value in enumerate(row):
            if isinstance(value, date):
                ws.write_datetime(i, j, value, wb.add_format({"num_format": "yyyy-mm-dd"}))
            elif value is not None:
                ws.write(i, j, value)
    wb.close()
    return buf.getvalue()


def read_xlsx(data: bytes, sheet: int = 0) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(sheet).to_python()


A, B, C = rid(1), rid(2), rid(3, male=False)
OTHER = rid(4)


def mixed_rows() -> list[list[Any]]:
    """Three good rows and one bad row of each kind the issue names (rows 2–4 good, 5–10 bad)."""
    return [
        [
            "张三",
            A,
            A + "42",
            "",
            "",
            date(2019, 5, 20),
            date(2029, 5, 19),
            "和平区",
            "劝业场街道",
            "华安街社区",
            "13800000001",
        ],
        ["单田芳", B, B + "51B1", "", "", "2020/3/1", "", "120101", "120101002", "", ""],
        ["李四", C, "", "军2019-0042", 6, "", "", "和平", "", "", ""],
        ["王五", bad_check(rid(5)), "", "", "", "", "", "和平区", "", "", ""],  # bad ID check digit
        ["赵六", rid(6), OTHER + "42", "", "", "", "", "和平区", "", "", ""],  # certificate of another person
        ["钱七", rid(7), rid(7) + "42", "", "", "2020-13-01", "", "和平区", "", "", ""],  # bad date
        ["孙八", rid(8), rid(8) + "42", "", "", "", "", "火星区", "", "", ""],  # unknown district
        ["周九", rid(9), rid(9) + "42", "", "", "", "", "和平区", "大营门街道", "", ""],  # street of 河西区
        ["吴十", rid(10, "120103"), rid(10, "120103") + "42", "", "", "", "", "河西区", "", "", ""],  # other district
    ]


def import_file(actor: Any, data: bytes, kind: str = PERSONS, filename: str = "名单.xlsx") -> Any:
    return actions.start_people_import(actor=actor, kind=kind, filename=filename, data=data, inline=True)


def reasons(batch: ImportBatch) -> dict[int, str]:
    return {e["row"]: e["message"] for e in batch.errors}


def person(number: str) -> Person:
    with unscoped():
        return Person.objects.select_related("district", "street").get(id_hash=crypto.lookup_hash(number))


# --- persons ----------------------------------------------------------------------------------------


def test_mixed_file_commits_valid_rows_and_reports_each_bad_row(hp_officer: Any) -> None:
    batch = import_file(hp_officer, xlsx(HEAD, mixed_rows())).batch
    assert batch.status == "done"
    assert (batch.total_rows, batch.created_rows, batch.updated_rows, batch.unchanged_rows, batch.error_rows) == (
        9, 3, 0, 0, 6,
    )  # fmt: skip
    why = reasons(batch)
    assert sorted(why) == [5, 6, 7, 8, 9, 10]
    assert "身份证号校验位错误" in why[5]
    assert "残疾人证号中的身份证号与本行身份证号不一致" in why[6]
    assert why[7] == "发证日期：“2020-13-01”不是有效日期"
    assert why[8] == "户籍区：未知的区：“火星区”，应填写天津市的区名或6位区划代码"
    assert why[9] == "街道“大营门街道”属于河西区，不属于和平区"
    assert why[10] == "户籍区：河西区不在您的管辖范围（和平区）内，本行未导入"
    errors = {e["row"]: e for e in batch.errors}
    assert errors[10]["column"] == "户籍区" and errors[10]["cells"][:2] == ["吴十", rid(10, "120103")]
    with unscoped():
        assert Person.objects.count() == 3 and Certificate.objects.count() == 3
    assert job_of(batch).done == 9


def test_imported_person_equals_register_person(hp_officer: Any) -> None:
    """The set-based path gives what register_person + add_certificate give row by row."""
    import_file(hp_officer, xlsx(HEAD, mixed_rows()[:3]))
    imported = person(B)
    hp = District.objects.get(code="120101")
    street = Street.objects.get(code="120101002")
    twin_id = B[:14] + "995" + resident_id_check_char(B[:14] + "995")  # same birth date and sex
    with unscoped():
        twin = actions.register_person(
            actor=hp_officer, resident_id=twin_id, name="单田芳", district=hp, street=street
        ).person
        actions.add_certificate(twin, actor=hp_officer, number=twin_id + "51B1", issued_on=date(2020, 3, 1))
        twin.refresh_from_db()
    for field in ("name", "name_pinyin", "name_initials", "sex", "birth_date", "district_id", "street_id", "status",
                  "status_since", "cert_kind", "disability_category", "disability_level", "cert_suffix",
                  "cert_valid_until", "military_level", "tianjin_hukou"):  # fmt: skip
        assert getattr(imported, field) == getattr(twin, field), field
    assert imported.name_pinyin == "shantianfang" and imported.name_initials == "stf"
    assert imported.cert_hash == actions.cert_lookup_hash(B + "51") and crypto.decrypt(imported.id_cipher) == B
    military = person(C)
    assert military.cert_kind == "military" and military.military_level == 6 and military.sex == "F"
    with unscoped():
        cert = Certificate.objects.get(person=military)
    assert cert.source == RecordSource.IMPORT and cert.number_masked == "军2******42"


def test_same_file_again_is_the_same_batch_and_changes_nothing(hp_officer: Any) -> None:
    data = xlsx(HEAD, mixed_rows())
    first = import_file(hp_officer, data)
    audit_count = AuditLog.objects.count()
    again = import_file(hp_officer, data)
    assert again.created is False and again.batch.pk == first.batch.pk
    assert ImportBatch.objects.count() == 1 and AuditLog.objects.count() == audit_count
    with unscoped():
        assert Person.objects.count() == 3


def test_same_rows_in_a_new_file_are_unchanged_without_audit_noise(hp_officer: Any) -> None:
    import_file(hp_officer, xlsx(HEAD, mixed_rows()))
    before = set(AuditLog.objects.values_list("pk", flat=True))
    second = import_file(
        hp_officer, xlsx(HEAD, mixed_rows(), title="和平区残疾人名单（复核）"), filename="复核.xlsx"
    ).batch
    assert (second.created_rows, second.updated_rows, second.unchanged_rows, second.error_rows) == (0, 0, 3, 6)
    new_entries = AuditLog.objects.exclude(pk__in=before)
    assert [e.object_type for e in new_entries] == ["core.importbatch"]  # the upload, nothing per person


def test_edited_file_updates_by_id_without_duplicates(hp_officer: Any) -> None:
    import_file(hp_officer, xlsx(HEAD, mixed_rows()[:3]))
    rows = mixed_rows()[:3]
    rows[0][10] = "13900000009"  # new phone
    rows[0][8] = ""  # blank: keeps the street
    rows[1][5], rows[1][6] = date(2024, 6, 1), date(2034, 5, 31)  # a new certificate
    rows[1][2] = B + "42"
    second = import_file(hp_officer, xlsx(HEAD, rows), filename="名单（修改）.xlsx").batch
    assert (second.created_rows, second.updated_rows, second.unchanged_rows, second.error_rows) == (0, 2, 1, 0)
    with unscoped():
        assert Person.objects.count() == 3
        assert Certificate.objects.filter(person=person(B)).count() == 2
    a = person(A)
    assert a.phone == "13900000009" and a.street is not None and a.street.name == "劝业场街道"
    b = person(B)  # the newest valid certificate is now the current one
    assert (b.disability_category, b.disability_level, b.cert_suffix, b.cert_valid_until) == (
        4,
        2,
        "",
        date(2034, 5, 31),
    )
    entry = AuditLog.objects.get(action="update", object_type="people.person")
    assert entry.changes["batch"] == second.pk and entry.district_code == "120101"
    assert entry.changes["per_object"][str(a.pk)] == {"phone": ["13800000001", "13900000009"]}
    assert "certificate" in entry.changes["per_object"][str(b.pk)]
    # Each person's own history shows the bulk change, narrowed to that person's fields.
    history = audit.history_for(a)
    assert [h.action for h in history] == ["create", "update"]
    assert history[-1].changes == {"phone": ["13800000001", "13900000009"]}
    assert audit.verify_chain().ok


def test_person_registered_in_another_district_is_not_touched(hp_officer: Any, make_person: Any) -> None:
    other = make_person("120103", name="河西人", resident_id=rid(20, "120103"))
    rows = [["河西人", rid(20, "120103"), rid(20, "120103") + "42", "", "", "", "", "和平区", "", "", "13800000000"]]
    batch = import_file(hp_officer, xlsx(HEAD, rows)).batch
    assert batch.error_rows == 1 and "管辖范围以外的区登记" in batch.errors[0]["message"]
    with unscoped():
        other.refresh_from_db()
    assert other.district.code == "120103" and other.phone == ""


def test_city_admin_imports_every_district_and_can_move_a_person(city_admin: Any, make_person: Any) -> None:
    moved = make_person("120103", name="迁入人", resident_id=rid(21, "120103"))
    rows = [*mixed_rows(), ["迁入人", rid(21, "120103"), "", "", "", "", "", "和平区", "", "", ""]]
    batch = import_file(city_admin, xlsx(HEAD, rows)).batch
    assert (batch.created_rows, batch.updated_rows, batch.error_rows) == (4, 1, 5)  # 河西 row 10 accepted too
    assert person(rid(21, "120103")).district.code == "120101"
    with unscoped():
        assert Certificate.objects.filter(person=moved).count() == 0


def test_new_person_needs_a_certificate_and_duplicate_rows_are_reported(hp_officer: Any) -> None:
    rows: list[list[Any]] = [
        ["甲", rid(30), "", "", "", "", "", "和平区", "", "", ""],
        ["乙", rid(31), rid(31) + "11", "", "", "", "", "和平区", "", "", ""],
        ["乙", rid(31), rid(31) + "11", "", "", "", "", "和平区", "", "", ""],
        ["丙", rid(32), rid(32) + "11", "", "", date(2020, 1, 1), date(2019, 1, 1), "和平区", "", "", ""],
        ["丁", rid(33), "", "军-1", "", "", "", "和平区", "", "", ""],
    ]
    batch = import_file(hp_officer, xlsx(HEAD, rows)).batch
    why = reasons(batch)
    assert batch.created_rows == 1
    assert why[2] == "残疾人证号：新登记人员须填写残疾人证号，或残疾军人证号及伤残等级"
    assert why[4] == "身份证号：与本文件第3行的身份证号重复，本行未导入"
    assert why[5] == "有效期至不能早于发证日期"
    assert why[6] == "伤残等级：填写残疾军人证号时须填写伤残等级（1至10级）"


def test_gb18030_csv_from_excel_on_windows(hp_officer: Any) -> None:
    lines = [",".join(HEAD)] + [",".join(str(c) for c in r) for r in mixed_rows()[:3]]
    data = "\r\n".join(lines).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    batch = import_file(hp_officer, data, filename="名单.csv").batch
    assert (batch.created_rows, batch.error_rows) == (3, 0)
    assert person(B).name == "单田芳" and person(A).community == "华安街社区"


def test_utf8_bom_csv_with_aliases_and_a_numeric_id_cell(hp_officer: Any) -> None:
    head = "名字,身份证号码,残疾证号,区,手机号"
    data = ("\ufeff" + head + f"\r\n张三,{A},{A}42,和平区,13800000001\r\n").encode()
    batch = import_file(hp_officer, data, filename="a.csv").batch
    assert (batch.created_rows, batch.error_rows) == (1, 0)
    numeric = xlsx(HEAD, [["李四", int(B), B + "42", "", "", "", "", "和平区", "", "", ""]])
    failed = import_file(hp_officer, numeric, filename="b.xlsx").batch
    assert "被Excel保存为数字" in failed.errors[0]["message"]


def test_missing_column_fails_the_whole_file_with_a_message(hp_officer: Any) -> None:
    batch = import_file(hp_officer, xlsx(["姓名", "户籍区"], [["张三", "和平区"]])).batch
    assert batch.status == "failed" and batch.errors[0]["message"].startswith("缺少必需的列：身份证号")
    assert "缺少必需的列" in job_of(batch).message


def test_template_round_trip_skips_the_example_row(hp_officer: Any) -> None:
    from ablework.core.imports import template_xlsx

    data = template_xlsx(person_spec())
    sheet = read_xlsx(data)
    assert sheet[0][:3] == ["姓名", "身份证号", "残疾人证号"] and sheet[1][1] == "120101199003070013"
    notes = read_xlsx(data, 1)
    assert notes[0][:2] == ["列名", "是否必填"] and any("城镇、农村" in str(r) for r in notes)
    batch = import_file(hp_officer, data, filename="模板.xlsx").batch
    assert batch.created_rows == 0 and batch.errors[0]["message"].startswith("这是模板中的示例行")


# --- employment records -----------------------------------------------------------------------------


@pytest.fixture
def registered(hp_officer: Any) -> Any:
    import_file(hp_officer, xlsx(HEAD, mixed_rows()[:3]))
    return hp_officer


def test_employment_import_creates_updates_and_derives_status(registered: Any, make_person: Any) -> None:
    officer = registered
    code = make_uscc()
    stranger = make_person("120103", resident_id=rid(40, "120103"))
    rows: list[list[Any]] = [
        [A, "张三", "按比例就业", "天津甲公司", code, date(2023, 3, 1), "", 36, 4200, "是"],
        [B, "", "灵活就业", "", "", "2022-01-01", "2022-12-31", "", "", ""],
        [C, "李四", "乱填的", "", "", "2022-01-01", "", "", "", ""],
        [A, "张冠李戴", "集中就业", "某厂", "", "2021-01-01", "", "", "", ""],
        [rid(40, "120103"), "", "灵活就业", "", "", "2022-01-01", "", "", "", ""],
        [B, "", "按比例就业", "某公司", "91120101MA05X0001X", "2022-01-01", "", "", "", ""],
        [B, "", "灵活就业", "", "", "2022-01-01", "", "", "3500.555", ""],
        [C, "", "集中就业", "", "", "2022-01-01", "", "", "", ""],
    ]
    batch = import_file(officer, xlsx(EMP_HEAD, rows), kind=EMPLOYMENT, filename="就业.xlsx").batch
    why = reasons(batch)
    assert (batch.created_rows, batch.error_rows) == (2, 6)
    assert why[4].startswith("就业形式：“乱填的”不在可选范围内，应为：按比例就业、集中就业")
    assert why[5] == "姓名“张冠李戴”与该身份证号登记的姓名不一致"
    assert why[6] == "身份证号：未在您管辖的区找到该身份证号的登记人员，请先导入或登记人员信息"
    assert why[7].startswith("统一社会信用代码校验位错误")
    assert why[8] == "月工资：金额最多2位小数，实际为3500.555"
    assert why[9] == "单位名称：按比例就业、集中就业须填写单位名称或统一社会信用代码"
    a = person(A)
    assert a.status == EmploymentStatus.EMPLOYED
    with unscoped():
        rec = EmploymentRecord.objects.get(person=a)
        assert stranger.employment_records.count() == 0
    assert (rec.employer_uscc, rec.contract_months, rec.monthly_wage, rec.social_insurance, rec.source) == (
        code, 36, Decimal("4200.00"), True, RecordSource.IMPORT,
    )  # fmt: skip
    entry = AuditLog.objects.get(object_type="people.employmentrecord", action="create")
    assert entry.changes["batch"] == batch.pk and len(entry.changes["records"]) == 2

    # The same rows in a new file: unchanged.  An end date added: updated, status re-derived.
    again = import_file(officer, xlsx(EMP_HEAD, rows[:2], title="复核"), kind=EMPLOYMENT, filename="就业2.xlsx").batch
    assert (again.created_rows, again.updated_rows, again.unchanged_rows) == (0, 0, 2)
    rows[0][6] = date(2024, 1, 31)
    ended = import_file(officer, xlsx(EMP_HEAD, rows[:1]), kind=EMPLOYMENT, filename="就业3.xlsx").batch
    assert (ended.created_rows, ended.updated_rows) == (0, 1)
    with unscoped():
        assert EmploymentRecord.objects.filter(person=a).count() == 1
    assert person(A).status != EmploymentStatus.EMPLOYED


# --- pages ------------------------------------------------------------------------------------------


def test_upload_report_and_download_over_http(client: Any, hp_officer: Any, hx_officer: Any) -> None:
    client.force_login(hp_officer)
    page = client.get("/people/imports/").content.decode()
    assert "批量导入" in page and "残疾人证号" in page and "统一社会信用代码" in page
    template = client.get("/people/imports/template/people.persons.xlsx")
    assert template.status_code == 200 and read_xlsx(template.content)[0][0] == "姓名"

    upload = io.BytesIO(xlsx(HEAD, mixed_rows()))
    upload.name = "和平区名单.xlsx"
    response = client.post("/people/imports/", {"kind": PERSONS, "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/imports/batches/{batch.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert (
        "导入完成" in detail
        and "共9行：新增3行，更新0行，无变化0行，未导入6行" in detail
        and 'data-count="created">3<' in detail
        and 'data-count="error">6<' in detail
    )
    assert "河西区不在您的管辖范围" in detail and "progress-w-100" in detail
    polled = client.get(response["Location"], headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true" and "<html" not in polled.content.decode()  # finished: reload once

    report = client.get(f"/people/imports/batches/{batch.pk}/report.xlsx")
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_xlsx(report.content)
    assert sheet[0][0] == "原行号" and sheet[0][-1] == "错误原因" and sheet[0][1:3] == ["姓名", "身份证号"]
    assert [int(r[0]) for r in sheet[1:]] == [5, 6, 7, 8, 9, 10]
    assert sheet[6][1:3] == ["吴十", rid(10, "120103")] and "不在您的管辖范围" in sheet[6][-1]
    assert sheet[3][6] == "2020-13-01"  # the original cell, as typed
    assert AuditLog.objects.filter(action="export", object_type="core.importbatch", actor=hp_officer).count() == 1

    upload.seek(0)
    again = client.post("/people/imports/", {"kind": PERSONS, "file": upload}, follow=True).content.decode()
    assert "此前已导入" in again and ImportBatch.objects.count() == 1
    assert "和平区名单.xlsx" in client.get("/people/imports/batches/").content.decode()

    client.force_login(hx_officer)  # another district sees neither the batch nor its report
    assert client.get(f"/people/imports/batches/{batch.pk}/").status_code == 404
    assert client.get(f"/people/imports/batches/{batch.pk}/report.xlsx").status_code == 404
    assert "和平区名单.xlsx" not in client.get("/people/imports/batches/").content.decode()


def test_only_officers_may_import(client: Any, make_user: Any) -> None:
    for role, district in (("street_worker", "120101"), ("district_reviewer", "120101"), ("employer_user", None)):
        client.force_login(make_user(role, district))
        assert client.get("/people/imports/").status_code == 404
        assert client.get("/people/imports/template/people.persons.xlsx").status_code == 404
    client.force_login(make_user("city_admin"))
    assert "批量导入" in client.get("/people/imports/").content.decode()


def test_rejected_upload_type(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    upload = io.BytesIO(b"%PDF-1.4")
    upload.name = "名单.pdf"
    response = client.post("/people/imports/", {"kind": PERSONS, "file": upload})
    assert response.status_code == 200 and "只能上传Excel文件" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_large_file_is_imported_by_the_task_worker(client: Any, hp_officer: Any) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        submitted = actions.start_people_import(
            actor=hp_officer, kind=PERSONS, filename="大文件.xlsx", data=xlsx(HEAD, mixed_rows()), inline=False
        )
    assert submitted.batch.status == "pending" and DBTaskResult.objects.count() == 1
    client.force_login(hp_officer)
    waiting = client.get(f"/people/imports/batches/{submitted.batch.pk}/").content.decode()
    assert "排队中" in waiting and 'hx-trigger="every 2s"' in waiting  # the bar polls until done
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    batch = ImportBatch.objects.get(pk=submitted.batch.pk)
    assert (batch.status, batch.created_rows, batch.error_rows) == ("done", 3, 6)
    job = job_of(batch)
    assert (job.status, job.done, job.total, job.percent) == ("done", 9, 9, 100)


# --- scale ------------------------------------------------------------------------------------------


def test_two_thousand_rows_in_a_bounded_number_of_queries(hp_officer: Any, django_assert_max_num_queries: Any) -> None:
    rows: list[list[Any]] = []
    for n in range(2000):
        number = rid(1000 + n)
        rows.append([f"测试{n}", number, number + "42", "", "", date(2020, 1, 1), "", "和平区", "", "", ""])
    rows[100][1] = bad_check(rows[100][1])
    data = xlsx(HEAD, rows)
    with django_assert_max_num_queries(200):
        batch = import_file(hp_officer, data).batch
    assert (batch.created_rows, batch.error_rows) == (1999, 1)
    with django_assert_max_num_queries(60):
        again = import_file(hp_officer, xlsx(HEAD, rows, title="again"), filename="again.xlsx").batch
    assert (again.unchanged_rows, again.error_rows) == (1999, 1)
