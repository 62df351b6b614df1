"""Fixtures of the annual-review tests: the 2022 campaign (declared in 2023, window 03-01 → 10-31 from
the stored parameter), units of 和平 and 河西, their users, registered persons with certificates."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.apps import apps

from ablework.core import crypto
from ablework.core.models import District
from ablework.employers.api import Employer
from ablework.quota import actions
from ablework.quota.models import Campaign
from ablework.quota.tests.helpers import YEAR
from conftest import make_resident_id, make_uscc

_serial = itertools.count(500)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Users log in with force_login; Argon2 for each made user would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign(db: Any) -> Campaign:
    return actions.create_campaign(actor=None, data_year=YEAR)


@pytest.fixture
def make_employer(db: Any) -> Callable[..., Employer]:
    def _make(district_code: str = "120101", name: str = "", kind: str = "enterprise", **kw: Any) -> Employer:
        n = next(_serial)
        return Employer.objects.create(
            uscc=make_uscc(region=district_code),
            name=name or f"测试单位{n}",
            kind=kind,
            district=District.objects.get(code=district_code),
            **kw,
        )

    return _make


@pytest.fixture
def employer_user(make_user: Any) -> Callable[[Employer], Any]:
    """A login of the unit (role employer_user, its organisation linked by ``external_ref``)."""

    def _make(employer: Employer) -> Any:
        user = make_user("employer_user")
        org = user.organisation
        org.external_ref, org.name = str(employer.pk), employer.name
        org.save(update_fields=["external_ref", "name"])
        return user

    return _make


@pytest.fixture
def registered(make_person: Any) -> Callable[..., str]:
    """A person in the registry with a 残疾人证 (category 4); returns the certificate number."""
    certificate = apps.get_model("people", "Certificate")  # test data only: quota code goes through people.api

    def _make(
        district_code: str = "120101",
        level: int = 4,
        *,
        name: str = "张三",
        birth: date = date(1980, 5, 5),
        valid_until: date | None = None,
        male: bool = True,
    ) -> str:
        rid = make_resident_id(region=district_code, birth=birth, male=male, serial=next(_serial))
        person = make_person(district_code, name=name, category=4, level=level, resident_id=rid)
        number = f"{rid}4{level}"
        certificate.objects.create(
            person=person, district=person.district, kind="cdpf", category=4, level=level,
            number_hash=crypto.lookup_hash("CERT:" + number), number_masked=number[:6] + "****",
            issued_on=date(2015, 1, 1), valid_until=valid_until,
        )  # fmt: skip
        return number

    return _make
