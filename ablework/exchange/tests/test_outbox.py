"""Credit-platform push through the outbox, against a loopback HTTP server started by the test."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ablework.core.scoping import unscoped
from ablework.exchange import outbox
from ablework.exchange.models import OutboxMessage
from ablework.quota.models import CreditEvent

pytestmark = pytest.mark.django_db


class CreditServer:
    """Fails the first ``failures`` requests with 503; then answers 201 with a receipt, or 409 for an
    idempotency key it has seen before."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        self.seen: set[str] = set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers["Idempotency-Key"]
                server.requests.append({"key": key, "body": body, "auth": self.headers.get("Authorization")})
                if server.failures > 0:
                    server.failures -= 1
                    self._answer(503, {"error": "busy"})
                elif key in server.seen:
                    self._answer(409, {"ref": f"CP-{body['id']}-dup"})
                else:
                    server.seen.add(key)
                    self._answer(201, {"ref": f"CP-{body['id']}-{body['operation']}"})

            def _answer(self, code: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/credit/records"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> CreditServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(settings: Any) -> Iterator[CreditServer]:
    with CreditServer(failures=2) as s:
        settings.ABLEWORK_CREDIT_PUSH_URL = s.url
        settings.ABLEWORK_CREDIT_PUSH_TOKEN = "loopback-token"
        yield s


@pytest.fixture
def pending_event(make_employer: Any) -> CreditEvent:
    unit = make_employer()
    with unscoped():
        return CreditEvent.objects.create(
            employer=unit, data_year=2024, kind="LEVY_UNPAID_AFTER_DEADLINE", severity="general", status="pending_push",
            queued_at=timezone.now(), notice_sent_at=timezone.now(), decision_number="津残联告〔2025〕1号",
        )  # fmt: skip


def _event(pk: int) -> CreditEvent:
    with unscoped():
        return CreditEvent.objects.get(pk=pk)


def test_reaches_the_platform_after_two_failures(server: CreditServer, pending_event: CreditEvent) -> None:
    assert outbox.enqueue_credit_events() == 1
    assert outbox.enqueue_credit_events() == 0  # keyed: no second message
    t0 = timezone.now()

    first = outbox.deliver_due(now=t0)
    assert first.retried and not first.sent
    msg = OutboxMessage.objects.get()
    assert (msg.status, msg.attempts, msg.last_status_code) == ("retry", 1, 503)
    assert msg.next_attempt_at == t0 + timedelta(seconds=60)
    assert outbox.deliver_due(now=t0 + timedelta(seconds=30)).retried == []  # not due yet

    second = outbox.deliver_due(now=t0 + timedelta(seconds=61))
    assert second.retried == [msg.pk]
    msg.refresh_from_db()
    assert msg.next_attempt_at == t0 + timedelta(seconds=61 + 120)  # back-off doubles

    third = outbox.deliver_due(now=t0 + timedelta(seconds=200))
    assert third.sent == [msg.pk]
    msg.refresh_from_db()
    assert (msg.status, msg.attempts, msg.remote_ref) == ("sent", 3, f"CP-{pending_event.pk}-add")
    event = _event(pending_event.pk)
    assert event.status == "pushed" and event.push_ref == f"CP-{pending_event.pk}-add"
    # Every attempt carried the same idempotency key, the payload and the token.
    assert {r["key"] for r in server.requests} == {f"credit:{pending_event.pk}:add"}
    assert len(server.requests) == 3
    assert server.requests[-1]["body"]["uscc"] == pending_event.employer.uscc
    assert server.requests[-1]["auth"] == "Bearer loopback-token"
    # Nothing left to send; enqueue does not bring it back.
    assert outbox.enqueue_credit_events() == 0
    assert outbox.deliver_due(now=t0 + timedelta(days=1)).sent == []


def test_a_duplicate_at_the_platform_counts_as_delivered(server: CreditServer, pending_event: CreditEvent) -> None:
    server.failures = 0
    server.seen.add(f"credit:{pending_event.pk}:add")  # e.g. our earlier attempt got through but the answer was lost
    outbox.enqueue_credit_events()
    report = outbox.deliver_due()
    assert len(report.sent) == 1
    assert _event(pending_event.pk).status == "pushed"
    assert OutboxMessage.objects.get().last_status_code == 409


def test_withdrawal_is_pushed_the_same_way(server: CreditServer, pending_event: CreditEvent) -> None:
    server.failures = 0
    outbox.push_credit_events()
    with unscoped():
        CreditEvent.objects.filter(pk=pending_event.pk).update(status="withdrawal_pending", withdrawn_at=timezone.now())
    outbox.push_credit_events()
    ops = list(OutboxMessage.objects.order_by("id").values_list("operation", "status"))
    assert ops == [("add", "sent"), ("withdraw", "sent")]
    assert server.requests[-1]["body"]["operation"] == "withdraw"
    assert server.requests[-1]["body"]["cleared_on"]
    assert _event(pending_event.pk).status == "withdrawal_pushed"


def test_unreachable_platform_ends_dead_then_file_fallback(settings: Any, pending_event: CreditEvent, tmp_path) -> None:
    settings.ABLEWORK_CREDIT_PUSH_URL = "http://127.0.0.1:9/nothing"  # discard port: connection refused
    outbox.enqueue_credit_events()
    now = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver_due(now=now)
        now += outbox.BACKOFF_CAP
    msg = OutboxMessage.objects.get()
    assert (msg.status, msg.attempts) == ("dead", outbox.MAX_ATTEMPTS)
    assert msg.last_error.startswith("连接失败")
    assert _event(pending_event.pk).status == "pending_push"

    target = tmp_path / "credit.xlsx"
    call_command("push_credit_events", "--export", str(target), stdout=io.StringIO())
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert sheet[0] == outbox.EXPORT_HEADERS
    assert sheet[1][0] == f"credit:{pending_event.pk}:add" and sheet[1][2] == pending_event.employer.uscc
    msg.refresh_from_db()
    assert msg.status == "exported"
    event = _event(pending_event.pk)
    assert event.status == "pushed" and event.push_ref == "file:credit.xlsx"


def test_backoff_is_capped() -> None:
    assert outbox.backoff(1) == timedelta(minutes=1)
    assert outbox.backoff(3) == timedelta(minutes=4)
    assert outbox.backoff(20) == timedelta(hours=6)
