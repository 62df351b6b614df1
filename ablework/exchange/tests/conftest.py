"""Fixtures of the data-exchange tests: partner clients with keys, registered persons, employers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from ablework.core.models import District
from ablework.exchange import actions
from ablework.exchange.enums import Scope
from conftest import make_resident_id, make_uscc

_serial = itertools.count(700)


@pytest.fixture(autouse=True)
def _clear_throttle_cache() -> None:
    cache.clear()


@pytest.fixture
def make_client(db: Any) -> Callable[..., tuple[Any, str]]:
    def _make(*scopes: str, department: str = "人社", rate: str = "1000/min", name: str = "") -> tuple[Any, str]:
        return actions.create_client(
            actor=None, name=name or f"接入单位{next(_serial)}", department=department,
            scopes=list(scopes), rate=rate,
        )  # fmt: skip

    return _make


@pytest.fixture
def api() -> Callable[[str], APIClient]:
    def _make(key: str = "") -> APIClient:
        c = APIClient()
        if key:
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return c

    return _make


@pytest.fixture
def registered(make_person: Any) -> Callable[..., tuple[Any, str, str]]:
    """A registered person with a valid 残疾人证; returns (person, resident id, certificate number)."""
    from ablework.people.actions import add_certificate

    def _make(district_code: str = "120101", level: int = 2, valid_until: date | None = None) -> tuple[Any, str, str]:
        rid = make_resident_id(region=district_code, birth=date(1980, 5, 5), serial=next(_serial))
        person = make_person(district_code, category=4, level=level, resident_id=rid)
        number = f"{rid}4{level}"
        add_certificate(person, actor=None, number=number, issued_on=date(2015, 1, 1), valid_until=valid_until)
        person.refresh_from_db()
        return person, rid, number

    return _make


@pytest.fixture
def make_employer(db: Any) -> Callable[..., Any]:
    from ablework.employers.models import Employer

    def _make(district_code: str = "120101", name: str = "") -> Any:
        return Employer.objects.create(
            uscc=make_uscc(region=district_code), name=name or f"测试单位{next(_serial)}", kind="enterprise",
            district=District.objects.get(code=district_code),
        )  # fmt: skip

    return _make


ALL_FEEDS = (Scope.FEEDS_SI, Scope.FEEDS_BUSINESS, Scope.FEEDS_LEVY, Scope.FEEDS_MILITARY)
