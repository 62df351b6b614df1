"""Thin task wrappers around employers actions (architecture §3)."""

from __future__ import annotations

from django_tasks import task

from ablework.employers import imports


@task()
def run_employer_import_task(batch_id: int) -> None:
    """Import one uploaded units file; idempotent."""
    imports.run_employer_import(batch_id)
