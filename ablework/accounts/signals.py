"""Login, logout and failed logins go to the audit log (the one place signals are used: Django
emits them from its own auth views, which we do not wrap)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from ablework.core import audit
from ablework.core.middleware import client_ip


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(audit.AuditAction.LOGIN, actor=user, obj=user, ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            audit.record(audit.AuditAction.LOGOUT, actor=user, obj=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record(
            audit.AuditAction.LOGIN_FAILED,
            actor=None,
            object_type="accounts.user",
            object_label=str(credentials.get("username", ""))[:150],
            ip=client_ip(request) if request else None,
        )
