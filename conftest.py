"""Shared pytest fixtures: reference data, personas of two districts, person/employer makers."""

from __future__ import annotations

import importlib
import itertools
import random
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from ablework.core import crypto
from ablework.core.identifiers import resident_id_check_char, uscc_check_char

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def reference_data(db: Any) -> None:
    """Reference data comes from a migration; transactional tests flush it, so reload when missing."""
    from ablework.core.models import District
    from ablework.core.reference import load_reference_data

    if not District.objects.exists():
        load_reference_data()


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _sqlite_audit_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end with a flush; on SQLite that is a DELETE, which the audit log's append-only
    trigger refuses (PostgreSQL truncates, which row triggers do not see).  Empty the audit table with the
    trigger lifted just before the flush, and put the trigger back at once."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so our teardown runs before its flush
    yield
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    guard = importlib.import_module("ablework.core.migrations.0002_reference_data_and_audit_guard")
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER IF EXISTS core_auditlog_no_delete")
        cur.execute("DELETE FROM core_auditlog")
        for sql in guard.SQLITE_UP:
            if "no_delete" in sql:
                cur.execute(sql)


@pytest.fixture(autouse=True)
def _fast_password_hasher(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 costs about a second per user made on these two cores; tests that are not about
    password storage use MD5.  ``@pytest.mark.real_password_hasher`` keeps the production setting."""
    if request.node.get_closest_marker("real_password_hasher") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_FILE_PATH = tmp_path / "email"
    settings.ABLEWORK_SMS_FILE_PATH = tmp_path / "sms"


def make_resident_id(
    region: str = "120101", birth: date | None = None, male: bool = True, serial: int | None = None
) -> str:
    if serial is None:
        serial = next(_counter)
    birth = birth or date(1970 + serial % 30, 1 + serial % 12, 1 + serial % 28)
    serial = serial if serial is not None else next(_counter)
    seq = f"{serial % 100:02d}{1 if male else 2}"  # odd last digit of the sequence = male
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + resident_id_check_char(first17)


def make_uscc(prefix: str = "91", region: str = "120101") -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(random.choice(alphabet) for _ in range(9))
    first17 = f"{prefix}{region}{body}"
    return first17 + uscc_check_char(first17)


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from ablework.accounts.models import Organisation, User
    from ablework.core.models import District

    def _make(
        role: str, district_code: str | None = None, username: str | None = None, password: str = "Test-pass-2026!"
    ) -> Any:
        district = District.objects.get(code=district_code) if district_code else None
        kind = {"city_admin": "city", "city_reviewer": "city", "street_worker": "street"}.get(
            role, "district" if district else "department"
        )
        if role in ("employer_user",):
            kind = "employer"
        org = Organisation.objects.create(kind=kind, name=f"{kind}-{district_code or 'city'}", district=district)
        user = User(username=username or f"{role}-{next(_counter)}", role=role, organisation=org)
        user.set_password(password)
        user.save()
        return user

    return _make


@pytest.fixture
def city_admin(make_user: Callable[..., Any]) -> Any:
    return make_user("city_admin")


@pytest.fixture
def hp_officer(make_user: Callable[..., Any]) -> Any:
    """District officer of 和平区 (120101)."""
    return make_user("district_officer", "120101")


@pytest.fixture
def hx_officer(make_user: Callable[..., Any]) -> Any:
    """District officer of 河西区 (120103)."""
    return make_user("district_officer", "120103")


@pytest.fixture
def make_person(db: Any) -> Callable[..., Any]:
    from ablework.core.identifiers import parse_resident_id
    from ablework.core.models import District
    from ablework.people.models import Person

    def _make(district_code: str = "120101", name: str = "张三", category: int = 4, level: int = 2, **kw: Any) -> Any:
        rid = parse_resident_id(
            kw.pop("resident_id", None) or make_resident_id(region=district_code, serial=next(_counter))
        )
        from ablework.core.pinyin import name_initials, name_pinyin

        return Person.objects.create(
            name=name,
            name_pinyin=name_pinyin(name),
            name_initials=name_initials(name),
            id_cipher=crypto.encrypt(rid.number),
            id_hash=crypto.lookup_hash(rid.number),
            id_masked=rid.masked,
            sex=rid.sex,
            birth_date=rid.birth_date,
            district=District.objects.get(code=district_code),
            disability_category=category,
            disability_level=level,
            **kw,
        )

    return _make
