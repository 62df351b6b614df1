"""Fixtures of the reports tests: an annual review of 2022 with certified declarations in 和平 and 河西
and their stored levy (computed by the real levy batch), plus a city reviewer."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.employers.api import Employer
from ablework.quota import actions as quota_actions
from ablework.quota import batch
from ablework.quota.enums import DeclarationStatus
from ablework.quota.models import Declaration
from conftest import make_uscc

YEAR = 2022
_serial = itertools.count(800)


@pytest.fixture
def make_employer(db: Any) -> Callable[..., Employer]:
    def _make(district_code: str = "120101", kind: str = "enterprise", **kw: Any) -> Employer:
        n = next(_serial)
        return Employer.objects.create(
            uscc=make_uscc(region=district_code),
            name=kw.pop("name", f"报表测试单位{n}"),
            kind=kind,
            district=District.objects.get(code=district_code),
            **kw,
        )

    return _make


# (district, kind, staff, wages, accepted): below, at and above the 1.5 % ratio; a small enterprise;
# an institution; one with twelve month-end figures is added separately.
UNITS = [
    ("120101", "enterprise", "200", "20000000", "0"),
    ("120101", "enterprise", "300", "45000000", "3"),
    ("120101", "enterprise", "1000", "100000000", "20"),  # over quota: 5 persons over
    ("120101", "enterprise", "25", "2000000", "0"),  # small-enterprise exemption
    ("120101", "institution", "67", "6030000", "0"),
    ("120103", "enterprise", "200", "20000000", "2"),
    ("120103", "soe", "500", "80000000", "7"),
    ("120103", "enterprise", "150", "12000000", "3"),
]


@pytest.fixture
def review(db: Any, make_employer: Callable[..., Employer]) -> list[Declaration]:
    """Certified declarations of 2022 with their stored ``LevyResult`` (levy batch)."""
    campaign = quota_actions.create_campaign(actor=None, data_year=YEAR)
    decls = []
    with unscoped():
        for district, kind, staff, wages, accepted in UNITS:
            decls.append(
                Declaration.objects.create(
                    employer=make_employer(
                        district, kind, **({"establishment_size": 67} if kind == "institution" else {})
                    ),
                    campaign=campaign,
                    staff_count=Decimal(staff),
                    total_wages=Decimal(wages),
                    status=DeclarationStatus.CERTIFIED,
                    accepted_count=Decimal(accepted),
                    persons_weighted=Decimal(accepted),
                )
            )
        decls.append(
            Declaration.objects.create(
                employer=make_employer("120101"),
                campaign=campaign,
                staff_count=Decimal("100.5"),
                total_wages=Decimal("10050000"),
                status=DeclarationStatus.CERTIFIED,
                accepted_count=Decimal(1),
                persons_weighted=Decimal(1),
                monthly_staff=["100"] * 6 + ["101"] * 6,
            )
        )
        # A draft: not in the simulation (only certified declarations are).
        Declaration.objects.create(
            employer=make_employer("120101"), campaign=campaign, staff_count=Decimal(300),
            total_wages=Decimal(30000000), status=DeclarationStatus.DRAFT,
        )  # fmt: skip
    batch.compute_levy_batch(YEAR, actor=None)
    return decls


@pytest.fixture
def city_reviewer(make_user: Any) -> Any:
    return make_user("city_reviewer")
