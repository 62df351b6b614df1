from __future__ import annotations

from django_tasks import task

from ablework.core import notifications


@task()
def deliver_notification(notification_id: int) -> None:
    notifications.deliver(notification_id)
