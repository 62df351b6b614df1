"""Thin task wrappers around the quota actions (architecture §3): ids in, the action does the work."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ablework.quota import batch


@task()
def run_levy_batch_task(job_id: int, data_year: int) -> dict[str, Any] | None:
    """The levy of every employer of ``data_year`` (``batch.run_levy_batch``); idempotent, progress in the job."""
    from django.conf import settings

    chunk = int(getattr(settings, "ABLEWORK_LEVY_CHUNK", batch.DEFAULT_CHUNK) or batch.DEFAULT_CHUNK)
    summary = batch.run_levy_batch(job_id, data_year, chunk_size=chunk)
    return summary.as_dict() if summary is not None else None
