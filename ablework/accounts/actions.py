from __future__ import annotations

from typing import Any

from django.db import transaction

from ablework.accounts.models import Organisation, User
from ablework.core import audit


def create_user(
    *,
    username: str,
    password: str,
    role: str,
    organisation: Organisation | None,
    actor: Any,
    display_name: str = "",
    email: str = "",
    phone: str = "",
) -> User:
    """Create a user with a role in an organisation; audited.  Password rules are the caller's form's job."""
    with transaction.atomic():
        user = User(
            username=username, role=role, organisation=organisation, display_name=display_name, email=email, phone=phone
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=user,
            changes={
                "username": [None, username],
                "role": [None, role],
                "organisation": [None, str(organisation or "")],
            },
        )
    return user


def confirm_totp_device(device: Any, *, actor: Any) -> None:
    """Mark a freshly verified TOTP device as the user's second factor; audited."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=actor, changes={"totp": [False, True]})
