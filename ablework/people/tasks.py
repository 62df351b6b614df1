"""Thin task wrappers around people.actions (architecture §3)."""

from __future__ import annotations

from django_tasks import task

from ablework.people import actions


@task()
def refresh_statuses() -> int:
    """Daily: persons enter or leave working age on birthdays, with no write to their record."""
    return actions.refresh_statuses()


@task()
def run_people_import_task(batch_id: int) -> None:
    """Import one uploaded registry file (persons or employment records); idempotent."""
    actions.run_people_import(batch_id)


@task()
def expire_difficulty_certifications() -> int:
    """Daily: 就业困难人员认定 whose validity has ended become expired (set-based, idempotent)."""
    return actions.expire_difficulty_certifications()
