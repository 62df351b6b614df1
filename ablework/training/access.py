"""Who may see or change training and blind-massage records.  Deny by default; 404 for missing and forbidden.

City and district staff see their district scope; city administrators and district officers change
records; street workers enrol persons and record completion (they meet trainees on site)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.accounts.enums import Role

EDIT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})
RECORD_ROLES = EDIT_ROLES | {Role.STREET_WORKER}


def _auth(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can_list(user: Any) -> bool:
    return _auth(user) and bool(getattr(user, "is_staff_role", False))


def can_edit(user: Any) -> bool:
    return _auth(user) and getattr(user, "role", None) in EDIT_ROLES


def can_record(user: Any) -> bool:
    return _auth(user) and getattr(user, "role", None) in RECORD_ROLES


def access_object(user: Any, qs: Any, pk: int) -> Any:
    """``qs`` is a scoped queryset made inside the request's scope."""
    if not can_list(user):
        raise Http404
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj
