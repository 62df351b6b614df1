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
