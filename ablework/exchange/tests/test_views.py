"""Officer pages: API clients (city administrator only), batches and reports, outbox, exports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ablework.core.models import AuditLog
from ablework.exchange.models import ApiClient, ApiKey, FeedBatch
from conftest import make_uscc

pytestmark = pytest.mark.django_db


def test_clients_page_is_for_the_city_admin_only(client, city_admin, hp_officer, make_user) -> None:
    client.force_login(hp_officer)
    assert client.get("/exchange/clients/").status_code == 403
    reviewer = make_user("city_reviewer")
    client.force_login(reviewer)
    assert client.get("/exchange/clients/").status_code == 403
    assert client.get("/exchange/batches/").status_code == 200  # city roles see the batches
    client.force_login(city_admin)
    assert client.get("/exchange/clients/").status_code == 200


def test_create_rotate_revoke_from_the_page(client, city_admin) -> None:
    client.force_login(city_admin)
    r = client.post("/exchange/clients/", {"name": "市人社局", "department": "人社", "scopes": ["feeds:si"],
                                           "rate": "600/min", "contact": ""})  # fmt: skip
    assert r.status_code == 200
    key = r.context["issued"]["key"]
    assert key.startswith("awk_") and key in r.content.decode()
    c = ApiClient.objects.get(name="市人社局")
    assert c.scopes == ["feeds:si"]
    r = client.post(f"/exchange/clients/{c.pk}/rotate")
    new_key = r.context["issued"]["key"]
    assert new_key != key and ApiKey.objects.filter(client=c, revoked_at__isnull=True).count() == 1
    client.post(f"/exchange/clients/{c.pk}/revoke")
    c.refresh_from_db()
    assert not c.is_active and not ApiKey.objects.filter(client=c, revoked_at__isnull=True).exists()
    assert AuditLog.objects.filter(object_type="exchange.apiclient", object_id=str(c.pk)).count() >= 3


def test_form_errors_are_chinese(client, city_admin) -> None:
    client.force_login(city_admin)
    r = client.post("/exchange/clients/", {"name": "", "department": "人社", "rate": "fast"})
    assert "格式应为“次数/单位”" in r.content.decode()


def test_upload_page_and_rejection_report(client, city_admin, registered) -> None:
    client.force_login(city_admin)
    _, rid, _ = registered()
    unit = make_uscc()
    data = f"身份证号,缴费月份,缴费单位统一社会信用代码\n{rid},2025-05,{unit}\n{rid},2025-99,{unit}\n".encode()
    r = client.post("/exchange/batches/upload", {"kind": "si", "source": "人社", "batch_id": "UI-1",
                                                  "file": SimpleUploadedFile("si.csv", data)})  # fmt: skip
    batch = FeedBatch.objects.get(batch_id="UI-1")
    assert r.status_code == 302 and r["Location"] == f"/exchange/batches/{batch.pk}/"
    assert (batch.created_rows, batch.rejected_rows, batch.uploaded_by_id) == (1, 1, city_admin.pk)
    page = client.get(f"/exchange/batches/{batch.pk}/").content.decode()
    assert "缴费月份" in page
    report = client.get(f"/exchange/batches/{batch.pk}/report.xlsx")
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert AuditLog.objects.filter(action="export", object_type="exchange.feedbatch").exists()
    listing = client.get("/exchange/batches/?kind=si").content.decode()
    assert "UI-1" in listing
    assert client.get("/exchange/batches/?export=xlsx").status_code == 200
    bad = client.post("/exchange/batches/upload", {"kind": "si", "source": "人社", "batch_id": "UI-2",
                                                    "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00\xd8")})  # fmt: skip
    assert bad.status_code == 200 and "编码" in bad.content.decode()
    assert not FeedBatch.objects.filter(batch_id="UI-2").exists()


def test_outbox_and_exports_pages(client, city_admin, hp_officer, make_user) -> None:
    client.force_login(city_admin)
    assert client.get("/exchange/outbox/").status_code == 200
    assert client.get("/exchange/outbox/?export=xlsx").content[:2] == b"PK"
    assert AuditLog.objects.filter(action="export", object_type="exchange.outboxmessage").exists()
    r = client.post("/exchange/outbox/export")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    reviewer = make_user("city_reviewer")
    client.force_login(reviewer)
    r = client.post("/exchange/exports/", {"what": "national", "fmt": "xlsx"})
    assert "仅" in r.content.decode() or "只有市级管理员" in r.content.decode()
    r = client.post("/exchange/exports/", {"what": "tax", "data_year": "2024", "fmt": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    client.force_login(hp_officer)
    assert client.get("/exchange/outbox/").status_code == 403
