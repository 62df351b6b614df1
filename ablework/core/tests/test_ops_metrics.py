"""``/core/metrics`` (Prometheus text format) and the JSON log formatter."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from ablework.core import audit
from ablework.core.context import RequestContext, reset_request_context, set_request_context
from ablework.core.logging import JsonFormatter
from ablework.core.models import AuditLog, ImportBatch, Job

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "metrics-token-for-tests-0123456789"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def token(settings: Any) -> str:
    settings.ABLEWORK_METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.mark.django_db
def test_metrics_need_the_token_or_a_city_user(client: Client, token: str, hp_officer: Any, city_admin: Any) -> None:
    assert client.get("/core/metrics").status_code == 403
    assert client.get("/core/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/core/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    client.force_login(hp_officer)
    assert client.get("/core/metrics").status_code == 403
    client.force_login(city_admin)
    response = client.get("/core/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=0.0.4")


@pytest.mark.django_db
def test_an_empty_token_setting_never_matches(client: Client, settings: Any) -> None:
    settings.ABLEWORK_METRICS_TOKEN = ""
    assert client.get("/core/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_read_the_database(
    client: Client, token: str, hp_officer: Any, make_person: Any
) -> None:
    auth: Any = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    before = samples(client.get("/core/metrics", **auth).content.decode())
    key = ("ablework_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "people:list")))
    client.force_login(hp_officer)
    for _ in range(3):
        assert client.get("/people/").status_code == 200
    assert client.get("/people/999999/").status_code == 404
    job = Job.objects.create(kind="import:test", label="测试", status="running")
    ImportBatch.objects.create(kind="test", scope_key="x", filename="a.xlsx", sha256="0" * 64, job=job, status="failed")
    with transaction.atomic():
        audit.record("read", actor=hp_officer, object_type="people.person", object_id="1", purpose="指标测试")
    after = samples(client.get("/core/metrics", **auth).content.decode())
    assert after[key] - before.get(key, 0) == 3
    assert (
        after[("ablework_http_requests_total", (("method", "GET"), ("status", "404"), ("view", "people:detail")))] >= 1
    )
    count_key = ("ablework_http_request_duration_seconds_count", (("view", "people:list"),))
    assert after[count_key] - before.get(count_key, 0) == 3
    assert after[("ablework_import_batches", (("status", "failed"),))] >= 1
    assert after[("ablework_jobs", (("status", "running"),))] >= 1
    assert after[("ablework_audit_rows", ())] == AuditLog.objects.count() > before[("ablework_audit_rows", ())]


@pytest.mark.django_db
def test_task_queue_depth_counts_waiting_tasks(client: Client, token: str) -> None:
    from ablework.core.tasks import deliver_notification

    with transaction.atomic():
        deliver_notification.enqueue(999999)
        deliver_notification.enqueue(999998)
    text = client.get("/core/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    assert samples(text)[("ablework_task_queue_depth", (("queue", "default"), ("status", "ready")))] == 2


@pytest.mark.django_db
def test_unknown_paths_share_one_label(client: Client, token: str) -> None:
    assert client.get("/no/such/page-123").status_code == 404
    text = client.get("/core/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    assert "page-123" not in text
    assert (
        samples(text)[("ablework_http_requests_total", (("method", "GET"), ("status", "404"), ("view", "unresolved")))]
        >= 1
    )


# --- JSON logs --------------------------------------------------------------------------------------------


def test_json_formatter_writes_one_object_per_line_with_context_and_extras(hp_officer: Any) -> None:
    formatter = JsonFormatter()
    record = logging.LogRecord("ablework.request", logging.INFO, __file__, 1, "GET %s %s", ("people:list", 200), None)
    record.view, record.duration_ms = "people:list", 12.5
    token = set_request_context(RequestContext(user=hp_officer, ip="10.0.0.7"))
    try:
        line = formatter.format(record)
    finally:
        reset_request_context(token)
    data = json.loads(line)
    assert "\n" not in line
    assert data["msg"] == "GET people:list 200" and data["level"] == "INFO" and data["logger"] == "ablework.request"
    assert data["view"] == "people:list" and data["duration_ms"] == 12.5
    assert data["user_id"] == hp_officer.pk and data["ip"] == "10.0.0.7" and data["ts"].endswith("Z")


def test_json_formatter_keeps_the_traceback_in_one_line() -> None:
    try:
        raise ValueError("坏数据")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "失败", None, sys.exc_info())
    data = json.loads(JsonFormatter().format(record))
    assert data["msg"] == "失败" and "ValueError: 坏数据" in data["exc"]


def test_log_format_json_is_switched_on_by_the_environment() -> None:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('ablework.ops').warning('你好 %s', 'json', extra={'batch': 7})"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    line = json.loads(out.stderr.strip().splitlines()[-1])
    assert line["msg"] == "你好 json" and line["batch"] == 7 and line["level"] == "WARNING"
    bad = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env={**env, "LOG_FORMAT": "xml"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode != 0 and "LOG_FORMAT must be plain or json" in bad.stderr


@pytest.mark.django_db
def test_request_lines_are_logged_when_asked(client: Client, settings: Any, caplog: Any, hp_officer: Any) -> None:
    settings.ABLEWORK_LOG_REQUESTS = True
    client.force_login(hp_officer)
    with caplog.at_level(logging.INFO, logger="ablework.request"):
        client.get("/people/")
    lines = [r for r in caplog.records if r.name == "ablework.request"]
    assert lines and lines[-1].view == "people:list" and lines[-1].status == 200  # type: ignore[attr-defined]
    assert lines[-1].user_id == hp_officer.pk  # type: ignore[attr-defined]
