"""Thin task wrappers (``django_tasks``, database backend)."""

from __future__ import annotations

from django_tasks import task

from ablework.exchange import outbox


@task()
def push_credit_events() -> dict[str, int]:
    """Queue new credit records and deliver every due one (idempotent: safe to run at any time)."""
    report = outbox.push_credit_events()
    return {"sent": len(report.sent), "retried": len(report.retried), "dead": len(report.dead)}
