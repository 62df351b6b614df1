"""District scoping that fails closed (django-scopes).

Models holding district data use ``DistrictScopedManager`` (``objects``).  A query on them outside a
scope raises ``ScopeError``.  Each request runs inside ``scope(district=<ids>)`` computed from the
user (``user.scope_district_ids()``): every district for city roles, their own for district and street
roles, none for anyone else.  Management commands and tasks state their scope explicitly, or use
``unscoped()`` where a city-wide job is intended.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.exceptions import ScopeError

__all__ = ["DistrictScopedManager", "ScopeError", "district_scope", "scope_for_user", "unscoped"]


def DistrictScopedManager(field: str = "district", manager_class: type[models.Manager] = models.Manager) -> Any:
    return ScopedManager(_manager_class=manager_class, district=field)


def district_ids_for(user: Any) -> list[int]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    fn = getattr(user, "scope_district_ids", None)
    return list(fn()) if callable(fn) else []


@contextmanager
def scope_for_user(user: Any) -> Iterator[None]:
    # A list, never None: None would mean "no filter" in django-scopes.
    with scope(district=district_ids_for(user)):
        yield


@contextmanager
def district_scope(district_ids: list[int]) -> Iterator[None]:
    with scope(district=list(district_ids)):
        yield


unscoped = scopes_disabled
