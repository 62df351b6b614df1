"""Fixtures of the subsidy tests: programmes open in 2025, units, persons with certificates, reviewers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from ablework.core.models import District
from ablework.employers.api import Employer
from ablework.subsidies import actions
from ablework.subsidies.models import Programme
from conftest import make_uscc

YEAR = 2025
PDF = b"%PDF-1.4 test document"
_serial = itertools.count(1)


def pdf(name: str = "form.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def make_employer(db: Any) -> Callable[..., Employer]:
    def _make(district_code: str = "120101", name: str = "", **kw: Any) -> Employer:
        n = next(_serial)
        return Employer.objects.create(
            uscc=make_uscc(region=district_code),
            name=name or f"补贴测试单位{n}",
            kind=kw.pop("kind", "enterprise"),
            district=District.objects.get(code=district_code),
            **kw,
        )

    return _make


@pytest.fixture
def make_holder(make_person: Callable[..., Any]) -> Callable[..., Any]:
    """A registered person with a valid 残疾人证 of the given level."""

    def _make(district_code: str = "120101", level: int = 2, birth_year: int = 1990, **kw: Any) -> Any:
        from conftest import make_resident_id

        rid = make_resident_id(region=district_code, birth=date(birth_year, 5, 1))
        person = make_person(district_code, level=level, resident_id=rid, **kw)
        apps.get_model("people", "Certificate").objects.create(
            person=person, district=person.district, kind="cdpf", category=4, level=level,
            issued_on=date(2015, 1, 1), valid_until=date(2035, 1, 1),
        )  # fmt: skip
        return person

    return _make


@pytest.fixture
def programme(db: Any, city_admin: Any) -> Callable[..., Programme]:
    def _make(kind: str, budget: str = "1000000", **kw: Any) -> Programme:
        return actions.create_programme(
            kind, kw.pop("year", YEAR), actor=city_admin, budget=Decimal(budget),
            window_start=kw.pop("window_start", date(2025, 1, 1)), window_end=kw.pop("window_end", date(2027, 12, 31)),
            **kw,
        )  # fmt: skip

    return _make


@pytest.fixture
def reviewers(make_user: Callable[..., Any]) -> dict[str, Any]:
    """One user per stage role of 和平区 and the city, plus a second district reviewer."""
    return {
        "street": make_user("street_worker", "120101"),
        "officer": make_user("district_officer", "120101"),
        "reviewer": make_user("district_reviewer", "120101"),
        "reviewer2": make_user("district_reviewer", "120101"),
        "city": make_user("city_reviewer"),
        "hx_reviewer": make_user("district_reviewer", "120103"),
    }


@pytest.fixture(autouse=True)
def _unscoped() -> Any:
    """Tests read the scoped tables directly; scoping itself is tested with explicit scopes."""
    from ablework.core.scoping import unscoped

    with unscoped():
        yield
