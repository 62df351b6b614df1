from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.apps import apps

from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.training.models import Course, Provider
from conftest import make_resident_id

_serial = itertools.count(800)


@pytest.fixture(autouse=True)
def _unscoped_setup() -> Iterator[None]:
    with unscoped():
        yield


@pytest.fixture
def make_course(db: Any) -> Callable[..., Course]:
    def _make(district_code: str = "120101", start: date = date(2024, 3, 1), end: date = date(2024, 4, 30),
              capacity: int = 20, **kw: Any) -> Course:  # fmt: skip
        d = District.objects.get(code=district_code)
        n = next(_serial)
        provider = Provider.objects.create(district=d, name=f"培训学校{n}", kind="federation_base")
        return Course.objects.create(
            district=d, provider=provider, name=kw.pop("name", f"培训班{n}"), occupation="中式面点师",
            start_date=start, end_date=end, capacity=capacity, length_class="medium", year=start.year, **kw,
        )  # fmt: skip

    return _make


@pytest.fixture
def person_with_id(make_person: Any) -> Callable[..., tuple[Any, str]]:
    def _make(district_code: str = "120101", name: str = "周八") -> tuple[Any, str]:
        rid = make_resident_id(region=district_code, birth=date(1991, 2, 2), serial=next(_serial))
        return make_person(district_code, name=name, resident_id=rid), rid

    return _make


@pytest.fixture
def employ(db: Any) -> Callable[..., Any]:
    """An employment record in the registry (test data; app code reads it through people.api)."""
    record = apps.get_model("people", "EmploymentRecord")

    def _make(person: Any, start: date, end: date | None = None, form: str = "quota") -> Any:
        return record.objects.create(person=person, district=person.district, form=form, start_date=start,
                                     end_date=end, employer_name="某公司")  # fmt: skip

    return _make
