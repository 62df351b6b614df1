"""跨省通办 adapter: the HTTP adapter against a loopback server, and the in-memory double."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ablework.exchange import crossprovince as cp


@pytest.fixture
def national() -> Any:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            answer = (
                {"counted": True, "province": "河北省", "unit_name": "廊坊某公司", "unit_uscc": "91131000X"}
                if body["id_hash"] == "h-counted"
                else {"counted": False}
            )
            raw = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/certification/counted", seen
    httpd.shutdown()
    httpd.server_close()


def test_http_adapter_against_loopback(national: Any, settings: Any) -> None:
    url, seen = national
    settings.ABLEWORK_CROSS_PROVINCE_URL = url
    adapter = cp.get_adapter()
    assert isinstance(adapter, cp.HttpCrossProvinceAdapter)
    hit = adapter.counted_elsewhere(id_hash="h-counted", id_masked="120101********0011", data_year=2024)
    assert (hit.counted, hit.province, hit.unit_name) == (True, "河北省", "廊坊某公司")
    miss = adapter.counted_elsewhere(id_hash="h-other", id_masked="x", data_year=2024)
    assert miss.counted is False
    assert seen[0] == {"id_hash": "h-counted", "id_masked": "120101********0011", "data_year": 2024}


def test_unreachable_service_is_not_a_no() -> None:
    adapter = cp.HttpCrossProvinceAdapter("http://127.0.0.1:9/none", timeout=2)
    with pytest.raises(cp.CrossProvinceUnavailable, match="无应答"):
        adapter.counted_elsewhere(id_hash="h", id_masked="m", data_year=2024)


def test_not_configured_means_no_adapter(settings: Any, monkeypatch: Any) -> None:
    settings.ABLEWORK_CROSS_PROVINCE_URL = ""
    monkeypatch.delenv("ABLEWORK_CROSS_PROVINCE_URL", raising=False)
    assert cp.get_adapter() is None


def test_in_memory_double() -> None:
    double = cp.InMemoryCrossProvince({("h1", 2024): ("北京市", "某单位", "911101")})
    assert double.counted_elsewhere(id_hash="h1", id_masked="", data_year=2024).province == "北京市"
    assert double.counted_elsewhere(id_hash="h1", id_masked="", data_year=2023).counted is False
    assert double.questions == [("h1", 2024), ("h1", 2023)]


@pytest.mark.django_db
def test_check_year_keeps_conflicts_and_unanswered(registered: Any, make_employer: Any, client: Any,
                                                   city_admin: Any) -> None:  # fmt: skip
    from datetime import date
    from decimal import Decimal

    from ablework.core.models import AuditLog
    from ablework.core.scoping import unscoped
    from ablework.exchange.models import CrossProvinceCheck
    from ablework.quota.models import Campaign, Declaration, DeclaredEmployee

    unit = make_employer()
    campaign, _ = Campaign.objects.get_or_create(
        data_year=2024, defaults={"declaration_start": date(2025, 3, 1), "declaration_end": date(2025, 10, 31)}
    )
    a, _, _ = registered()
    b, _, _ = registered()
    c, _, _ = registered()
    with unscoped():
        decl = Declaration.objects.create(employer=unit, campaign=campaign, staff_count=Decimal("50"),
                                          total_wages=Decimal("1"), status="certified")  # fmt: skip
        for p in (a, b, c):
            DeclaredEmployee.objects.create(
                declaration=decl, person=p, id_hash=p.id_hash, id_masked=p.id_masked, cert_hash=p.cert_hash,
                cert_masked="x", category=4, level=2, name=p.name, monthly_wage=Decimal("4000"),
                social_insurance_months=12, review_outcome="accepted",
            )  # fmt: skip

    class Flaky(cp.InMemoryCrossProvince):
        def counted_elsewhere(self, *, id_hash: str, id_masked: str, data_year: int) -> cp.CrossProvinceAnswer:
            if id_hash == c.id_hash:
                raise cp.CrossProvinceUnavailable("跨省通办服务无应答：timeout")
            return super().counted_elsewhere(id_hash=id_hash, id_masked=id_masked, data_year=data_year)

    double = Flaky({(a.id_hash, 2024): ("河北省", "廊坊某公司", "91131000MA0000000X")})
    summary = cp.check_year(2024, adapter=double)
    assert (summary.asked, summary.counted_elsewhere, summary.unavailable) == (3, 1, 1)
    rows = {r.person_id: r for r in CrossProvinceCheck.objects.all()}
    assert rows[a.pk].counted is True and rows[a.pk].province == "河北省" and rows[a.pk].employer_id == unit.pk
    assert rows[b.pk].counted is False
    assert rows[c.pk].counted is None and "无应答" in rows[c.pk].error
    assert AuditLog.objects.filter(object_type="people.person", purpose__contains="跨省").exists()
    from ablework.quota.models import CountedElsewhere

    # the answer is handed to the annual review (its validation warns the reviewer)
    assert list(CountedElsewhere.objects.values_list("id_hash", "province")) == [(a.id_hash, "河北省")]
    # Again: refreshed, not duplicated; a "no" withdraws the earlier answer; "unavailable" changes nothing.
    cp.check_year(2024, adapter=cp.InMemoryCrossProvince())
    assert CrossProvinceCheck.objects.count() == 3 and CrossProvinceCheck.objects.filter(counted=True).count() == 0
    assert not CountedElsewhere.objects.exists()

    client.force_login(city_admin)
    cp.check_year(2024, adapter=double)
    page = client.get("/exchange/cross-province/?year=2024").content.decode()
    assert "外省单位已计入" in page and "廊坊某公司" in page
