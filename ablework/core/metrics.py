"""Prometheus metrics: ``GET /core/metrics`` in the Prometheus text format (docs/operations.md, monitoring).

* ``ablework_http_requests_total{view,method,status}`` and ``ablework_http_request_duration_seconds{view}``
  (histogram), counted by ``MetricsMiddleware`` per URL name (never per raw path: bounded label values);
* read from the database at scrape time: ``ablework_task_queue_depth{queue,status}`` (django-tasks database
  backend: READY/RUNNING), ``ablework_import_batches{status}``, ``ablework_jobs{status}`` and
  ``ablework_audit_rows`` (the audit chain's last sequence number, no table scan).

Access: ``Authorization: Bearer <METRICS_TOKEN>`` (setting ``ABLEWORK_METRICS_TOKEN``, compared in constant
time), or a logged-in city role / superuser.  Anyone else gets 403.

Under gunicorn each worker process counts its own requests: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory (the systemd unit in docs/operations.md does) and the scrape adds up every worker's figures.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_MULTIPROC = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
_REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "ablework_http_requests",
    "HTTP requests answered, by URL name, method and status code",
    ["view", "method", "status"],
    registry=None if _MULTIPROC else _REGISTRY,
)
LATENCY = Histogram(
    "ablework_http_request_duration_seconds",
    "Time to answer a request, by URL name",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None if _MULTIPROC else _REGISTRY,
)

request_logger = logging.getLogger("ablework.request")


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match is not None and match.view_name else "unresolved")[:80]


class MetricsMiddleware:
    """Counts and times every request (outermost middleware, so redirects and errors are counted too);
    with ``LOG_REQUESTS=1`` also writes one log line per request (JSON with ``LOG_FORMAT=json``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        view = view_label(request)
        REQUESTS.labels(view=view, method=request.method or "", status=str(response.status_code)).inc()
        LATENCY.labels(view=view).observe(seconds)
        if getattr(settings, "ABLEWORK_LOG_REQUESTS", False):
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s",
                request.method,
                view,
                response.status_code,
                extra={
                    "view": view,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": getattr(user, "pk", None),
                },
            )
        return response


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (a handful of grouped counts)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        from ablework.core.models import AuditChainHead, ImportBatch, Job

        queue = GaugeMetricFamily(
            "ablework_task_queue_depth", "Background tasks waiting or running", labels=["queue", "status"]
        )
        for row in (
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
            .values("queue_name", "status")
            .annotate(n=Count("id"))
        ):
            queue.add_metric([row["queue_name"], row["status"].lower()], row["n"])
        yield queue
        batches = GaugeMetricFamily("ablework_import_batches", "Import batches by status", labels=["status"])
        for row in ImportBatch.objects.values("status").annotate(n=Count("id")):
            batches.add_metric([row["status"]], row["n"])
        yield batches
        jobs = GaugeMetricFamily(
            "ablework_jobs", "Long jobs (imports, batch computations) by status", labels=["status"]
        )
        for row in Job.objects.values("status").annotate(n=Count("id")):
            jobs.add_metric([row["status"]], row["n"])
        yield jobs
        head = AuditChainHead.objects.filter(id=1).values_list("last_seq", flat=True).first()
        yield GaugeMetricFamily("ablework_audit_rows", "Rows in the hash-chained audit log", value=head or 0)


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "ABLEWORK_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
        return True
    user: Any = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and (user.is_superuser or getattr(user, "is_city", False)))


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    if _MULTIPROC:
        from prometheus_client import multiprocess

        requests_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests_registry)  # type: ignore[no-untyped-call]
    else:
        requests_registry = _REGISTRY
    database = CollectorRegistry(auto_describe=True)
    database.register(DatabaseCollector())
    body = generate_latest(requests_registry) + generate_latest(database)
    return HttpResponse(body, content_type=CONTENT_TYPE)
