"""Fixtures of the assisted-employment tests: institutions of 和平/河西/涉农区, registry persons with certificates."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from ablework.assisted.models import Agreement, Institution, MonthlyRecord, Participant
from ablework.core.models import District
from ablework.core.scoping import unscoped
from conftest import make_resident_id

_serial = itertools.count(700)


@pytest.fixture(autouse=True)
def _unscoped_setup() -> Iterator[None]:
    """Test set-up writes city-wide; views run in their own request scope (the middleware's)."""
    with unscoped():
        yield


@pytest.fixture
def make_institution(db: Any) -> Callable[..., Institution]:
    def _make(district_code: str = "120101", kind: str = "institution", **kw: Any) -> Institution:
        n = next(_serial)
        kw.setdefault("name", f"测试机构{n}")
        kw.setdefault("capacity", 30)
        return Institution.objects.create(district=District.objects.get(code=district_code), kind=kind, **kw)

    return _make


@pytest.fixture
def registered(make_person: Any) -> Callable[..., Any]:
    """A registry person with one certificate (test data: app code goes through people.api)."""
    certificate = apps.get_model("people", "Certificate")

    def _make(
        district_code: str = "120101",
        category: int | None = 5,
        level: int | None = 2,
        *,
        military_level: int | None = None,
        birth: date = date(1990, 5, 5),
        male: bool = True,
        valid_until: date | None = None,
        name: str = "李四",
    ) -> Any:
        rid = make_resident_id(region=district_code, birth=birth, male=male, serial=next(_serial))
        person = make_person(district_code, name=name, category=category or 4, level=level or 1, resident_id=rid)
        if military_level is not None:
            certificate.objects.create(
                person=person, district=person.district, kind="military", military_level=military_level,
                issued_on=date(2010, 1, 1), valid_until=valid_until,
            )  # fmt: skip
        else:
            certificate.objects.create(
                person=person, district=person.district, kind="cdpf", category=category, level=level,
                issued_on=date(2010, 1, 1), valid_until=valid_until,
            )  # fmt: skip
        return person

    return _make


@pytest.fixture
def place(db: Any) -> Callable[..., Participant]:
    """Place a person with an agreement and monthly records (written directly: test data)."""

    def _make(
        inst: Institution,
        person: Any,
        *,
        joined: date = date(2024, 1, 1),
        agreement: tuple[date, date | None] | None = (date(2024, 1, 1), date(2024, 12, 31)),
        insurance: Decimal | None = Decimal("60"),
        months: dict[int, tuple[str, bool]] | None = None,
        year: int = 2024,
        eligible: bool = True,
    ) -> Participant:
        part = Participant.objects.create(
            institution=inst, district=inst.district, person=person, joined_on=joined, eligible=eligible
        )
        if agreement is not None:
            Agreement.objects.create(
                participant=part, district=inst.district, signed_with="guardian", guardian_name="王五",
                start_date=agreement[0], end_date=agreement[1], accident_insurance=insurance is not None,
                insurance_amount=insurance,
            )  # fmt: skip
        for month, (pay, bank) in (months or {}).items():
            MonthlyRecord.objects.create(
                participant=part, district=inst.district, month=date(year, month, 1), hours=Decimal("80"),
                pay=Decimal(pay), paid_by_bank=bank,
            )  # fmt: skip
        return part

    return _make
