"""Inbound feeds by API push and by file: idempotent by batch id and row key, per-row rejections,
provenance on every fact, malformed files refused whole."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from ablework.core.models import AuditLog
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.exchange.enums import Scope
from ablework.exchange.models import FeedBatch
from ablework.people import api as people_api
from ablework.people.models import Certificate, SIContribution
from ablework.quota.models import LevyPayment
from conftest import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db
UNIT = make_uscc()
BIZ = make_uscc("92")


def _si_rows(rid: str) -> list[dict]:
    return [
        {"resident_id": rid, "month": "2025-03", "employer_uscc": UNIT, "base": "4000", "amount": "640.00",
         "row_key": "r1"},
        {"resident_id": rid, "month": "202504", "employer_uscc": UNIT, "row_key": "r2"},
        {"resident_id": make_resident_id(region="110101"), "month": "2025-03", "employer_uscc": UNIT, "row_key": "r3"},
        {"resident_id": "123", "month": "2025-13", "employer_uscc": UNIT, "row_key": "r4"},
    ]  # fmt: skip


def test_si_push_twice_is_a_noop(api, make_client, registered) -> None:
    _client, key = make_client(Scope.FEEDS_SI, department="人社")
    person, rid, _ = registered()
    r = api(key).post("/api/v1/feeds/si", {"batch_id": "HRSS-2025-04", "rows": _si_rows(rid)}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["created_rows"], body["rejected_rows"], body["duplicate"]) == (2, 2, False)
    reasons = {x["row_key"]: x["message"] for x in body["rejections"]}
    assert "不是本平台登记的残疾人" in reasons["r3"]
    assert "身份证号" in reasons["r4"] and "缴费月份" in reasons["r4"]
    with unscoped():
        facts = list(SIContribution.objects.filter(person=person).values_list("month", "source", "batch_id", "row_key"))
    assert sorted(facts) == [
        (date(2025, 3, 1), "人社", "HRSS-2025-04", "r1"),
        (date(2025, 4, 1), "人社", "HRSS-2025-04", "r2"),
    ]

    audits = AuditLog.objects.count()
    again = api(key).post("/api/v1/feeds/si", {"batch_id": "HRSS-2025-04", "rows": _si_rows(rid)}, format="json")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["created_rows"] == 2
    assert FeedBatch.objects.count() == 1
    with unscoped():
        assert SIContribution.objects.count() == 2
    assert AuditLog.objects.count() == audits + 1  # only the call itself

    # The same rows in a new batch: nothing new, each row unchanged.
    third = api(key).post("/api/v1/feeds/si", {"batch_id": "HRSS-2025-04b", "rows": _si_rows(rid)[:2]}, format="json")
    assert (third.json()["created_rows"], third.json()["unchanged_rows"]) == (0, 2)
    si = people_api.si_paid_months(person, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert si.months == {date(2025, 3, 1), date(2025, 4, 1)} and si.source == "人社"


def test_push_validation_of_the_envelope(api, make_client) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    r = api(key).post("/api/v1/feeds/si", {"batch_id": "bad id!", "rows": []}, format="json")
    assert r.status_code == 400
    assert set(r.json()["details"]) == {"batch_id", "rows"}
    r = api(key).post("/api/v1/feeds/si", {"batch_id": "B1", "rows": [{"x": 1}]}, format="json")
    assert r.status_code == 201
    assert "无法识别的字段" in r.json()["rejections"][0]["message"]


def test_duplicate_row_keys_inside_a_batch(api, make_client, registered) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    _, rid, _ = registered()
    rows = [{"resident_id": rid, "month": "2025-03", "employer_uscc": UNIT, "row_key": "same"}] * 2
    body = api(key).post("/api/v1/feeds/si", {"batch_id": "B1", "rows": rows}, format="json").json()
    assert (body["created_rows"], body["rejected_rows"]) == (1, 1)
    assert body["rejections"][0]["message"] == "行标识：同一批次中行标识重复"


def test_business_push_and_formula_text(api, make_client) -> None:
    _, key = make_client(Scope.FEEDS_BUSINESS, department="市场监管")
    rows = [
        {"uscc": BIZ, "name": "小张便利店", "kind": "个体工商户", "licence_date": "2025-03-01",
         "operator_id": make_resident_id(), "status": "存续", "row_key": "m1"},
        {"uscc": BIZ.replace("1X", "2W"), "name": "=HYPERLINK(\"x\")", "row_key": "m2"},
    ]  # fmt: skip
    body = api(key).post("/api/v1/feeds/business-registrations", {"batch_id": "M1", "rows": rows}, format="json")
    body = body.json()
    assert (body["created_rows"], body["rejected_rows"]) == (1, 1)
    assert "疑似公式" in body["rejections"][0]["message"]
    facts = employers_api.business_registration(BIZ)
    assert facts is not None and facts.source == "市场监管" and facts.status == "open"
    assert len(facts.operator_id_hash) == 64


def test_levy_push_records_payment_with_provenance(api, make_client, make_employer) -> None:
    _, key = make_client(Scope.FEEDS_LEVY, department="税务")
    unit = make_employer()
    rows = [
        {"uscc": unit.uscc, "data_year": 2024, "amount": "12000.00", "paid_on": "2025-06-30", "reference": "T1",
         "row_key": "t1"},
        {"uscc": make_uscc(), "data_year": 2024, "amount": "1", "paid_on": "2025-06-30", "row_key": "t2"},
    ]  # fmt: skip
    body = api(key).post("/api/v1/feeds/levy-payments", {"batch_id": "T1", "rows": rows}, format="json").json()
    assert (body["created_rows"], body["rejected_rows"]) == (1, 1)
    again = api(key).post("/api/v1/feeds/levy-payments", {"batch_id": "T2", "rows": rows[:1]}, format="json").json()
    assert again["unchanged_rows"] == 1
    with unscoped():
        pay = LevyPayment.objects.get(employer=unit)
    assert (pay.amount, pay.source, pay.batch_id, pay.row_key) == (Decimal("12000.00"), "税务", "T1", "t1")
    assert pay.received_at is not None


def test_military_certificate_push(api, make_client, make_person) -> None:
    _, key = make_client(Scope.FEEDS_MILITARY, department="退役军人")
    rid = make_resident_id()
    person = make_person(resident_id=rid)
    rows = [{"resident_id": rid, "number": "津军残字第000123号", "military_level": 6, "issued_on": "2020-01-01",
             "row_key": "v1"}]  # fmt: skip
    body = api(key).post("/api/v1/feeds/military-certificates", {"batch_id": "V1", "rows": rows}, format="json")
    assert body.json()["created_rows"] == 1
    body = api(key).post("/api/v1/feeds/military-certificates", {"batch_id": "V2", "rows": rows}, format="json")
    assert body.json()["unchanged_rows"] == 1
    with unscoped():
        cert = Certificate.objects.get(person=person, kind="military")
        person.refresh_from_db()
    assert (cert.feed_source, cert.feed_batch, cert.feed_row_key, cert.military_level) == ("退役军人", "V1", "v1", 6)
    assert cert.source == "partner" and cert.received_at is not None
    assert person.cert_kind == "military" and person.military_level == 6


def _upload(api, key, kind: str, batch_id: str, data: bytes, name: str = "si.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api(key).post(
        f"/api/v1/feeds/{kind}/files", {"batch_id": batch_id, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )  # fmt: skip


def test_si_file_upload_gb18030_twice(api, make_client, registered) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    person, rid, _ = registered()
    csv_text = (
        f"身份证号,缴费月份,缴费单位统一社会信用代码,缴费金额\n{rid},2025-05,{UNIT},640\n{rid},2025-06,{UNIT},abc\n"
    )
    data = csv_text.encode("gb18030")
    r = _upload(api, key, "si", "F1", data)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["created_rows"], body["rejected_rows"]) == (1, 1)
    assert body["rejections"][0]["row"] == 3 and "缴费金额" in body["rejections"][0]["message"]
    with unscoped():
        fact = SIContribution.objects.get(person=person)
    assert (fact.batch_id, fact.row_key, fact.amount) == ("F1", "F1:2", Decimal("640.00"))
    again = _upload(api, key, "si", "F1", data)
    assert again.status_code == 200 and again.json()["duplicate"] is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00" + bytes(range(128, 256)) * 3, "编码"),
        ("身份证号,缴费月份\n".encode() + b"1," + b"x" * 30_000 + b"\n", "超过20000个字符"),
        (b"", "空文件"),
        ("姓名,年龄\n张三,3\n".encode(), "未找到表头行"),
        ("身份证号,缴费月份\n1,2\n".encode(), "缺少必需的列"),
    ],
    ids=["encoding", "huge-row", "empty", "no-header", "missing-column"],
)
def test_malformed_files_change_nothing(api, make_client, data: bytes, message: str) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    r = _upload(api, key, "si", "BAD", data)
    assert r.status_code == 400
    assert message in r.json()["details"]["file"][0] or message in str(r.json())
    assert FeedBatch.objects.count() == 0
    with unscoped():
        assert SIContribution.objects.count() == 0


def test_zip_bomb_is_refused(api, make_client) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (150 * 1024 * 1024))
    r = _upload(api, key, "si", "BOMB", buf.getvalue(), name="bomb.xlsx")
    assert r.status_code == 400
    assert "压缩炸弹" in r.json()["details"]["file"][0]
    assert FeedBatch.objects.count() == 0


def test_batches_list_is_cursor_paginated_and_own_only(api, make_client, registered) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    _, other = make_client(Scope.FEEDS_SI)
    _, rid, _ = registered()
    for i in range(3):
        api(key).post("/api/v1/feeds/si", {"batch_id": f"L{i}", "rows": _si_rows(rid)[:1]}, format="json")
    api(other).post("/api/v1/feeds/si", {"batch_id": "X", "rows": _si_rows(rid)[:1]}, format="json")
    page = api(key).get("/api/v1/feeds/batches?page_size=2").json()
    assert [b["batch_id"] for b in page["results"]] == ["L2", "L1"]
    assert "cursor=" in page["next"]
    rest = api(key).get(page["next"]).json()
    assert [b["batch_id"] for b in rest["results"]] == ["L0"]
    detail = api(key).get("/api/v1/feeds/batches/si/L0")
    assert detail.status_code == 200 and detail.json()["created_rows"] in (0, 1)
    assert api(other).get("/api/v1/feeds/batches/si/L0").status_code == 404


def test_nul_and_broken_unicode_are_rejected_not_crashing(api, make_client) -> None:
    _, key = make_client(Scope.FEEDS_BUSINESS)
    rows = [{"uscc": BIZ, "name": "a\x00b", "row_key": "k\x00"}, {"\x00bad": 1}]
    r = api(key).post("/api/v1/feeds/business-registrations", {"batch_id": "NUL", "rows": rows}, format="json")
    assert r.status_code == 201
    messages = [x["message"] for x in r.json()["rejections"]]
    assert "含有空字符" in messages[0] and "无法识别的字段" in messages[1]
    assert api(key).get("/api/v1/employers/%00/annual-reviews").status_code in (403, 404)
