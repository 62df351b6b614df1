"""Notify a user: an inbox row always, plus e-mail and SMS when the user has an address/phone.

``notify()`` is called from actions inside their transaction; e-mail and SMS leave only after commit,
through the ``deliver_notification`` task, so a rolled-back action sends nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ablework.core.enums import Channel
from ablework.core.models import Notification
from ablework.core.sms import get_backend


def notify(
    user: Any, *, subject: str, body: str, link: str = "", channels: tuple[str, ...] = ("inbox", "email", "sms")
) -> list[Notification]:
    created = []
    for channel in channels:
        if channel == Channel.EMAIL and not getattr(user, "email", ""):
            continue
        if channel == Channel.SMS and not getattr(user, "phone", ""):
            continue
        n = Notification.objects.create(
            recipient=user,
            channel=channel,
            subject=subject,
            body=body,
            link=link,
            sent_at=timezone.now() if channel == Channel.INBOX else None,
        )
        created.append(n)
        if channel != Channel.INBOX:
            from ablework.core.tasks import deliver_notification

            transaction.on_commit(partial(deliver_notification.enqueue, n.pk))
    return created


def deliver(notification_id: int) -> None:
    """Send one e-mail/SMS notification; idempotent (a sent one is not sent again)."""
    with transaction.atomic():
        n = Notification.objects.select_for_update().select_related("recipient").get(pk=notification_id)
        if n.sent_at is not None:
            return
        try:
            if n.channel == Channel.EMAIL:
                send_mail(n.subject, n.body, None, [n.recipient.email])
            elif n.channel == Channel.SMS:
                get_backend().send(n.recipient.phone, f"【天津残联】{n.subject}：{n.body}")
        except Exception as exc:
            n.error = str(exc)[:300]
            n.save(update_fields=["error"])
            raise
        n.sent_at = timezone.now()
        n.error = ""
        n.save(update_fields=["sent_at", "error"])
