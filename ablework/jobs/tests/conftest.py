"""Fixtures of the jobs tests: employers, an open posting, persons with a need registration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.employers.api import Employer
from ablework.jobs import actions
from conftest import make_uscc


@pytest.fixture
def make_employer(db: Any) -> Callable[..., Employer]:
    def _make(district_code: str = "120101", name: str = "和平测试公司") -> Employer:
        with unscoped():
            return Employer.objects.create(
                uscc=make_uscc(region=district_code), name=name, kind="enterprise",
                district=District.objects.get(code=district_code),
            )  # fmt: skip

    return _make


@pytest.fixture
def employer_user(make_user: Any) -> Callable[[Employer], Any]:
    def _make(employer: Employer) -> Any:
        user = make_user("employer_user")
        org = user.organisation
        org.external_ref, org.name = str(employer.pk), employer.name
        org.save(update_fields=["external_ref", "name"])
        return user

    return _make


def posting_data(**kw: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "title": "行政文员", "occupation": "office", "work_time": "full", "hours_note": "", "wage_min": None,
        "wage_max": None, "headcount": 2, "requirements": "会使用电脑", "address": "南京路1号",
        "accessibility": ["step_free", "accessible_toilet"], "accommodations": ["workstation"], "categories": [4],
        "source": "ordinary", "relaxed_conditions": "", "fair": None, "valid_from": today - timedelta(days=1),
        "valid_until": today + timedelta(days=60), "contact": "", "district": None,
    }  # fmt: skip
    data.update(kw)
    return data


@pytest.fixture
def make_posting(city_admin: Any) -> Callable[..., Any]:
    def _make(employer: Employer, *, publish: bool = True, **kw: Any) -> Any:
        posting = actions.save_posting(None, actor=city_admin, employer=employer, data=posting_data(**kw))
        if publish:
            actions.set_posting_status(posting, "publish", actor=city_admin)
        return posting

    return _make


@pytest.fixture
def register_need(city_admin: Any) -> Callable[..., Any]:
    """Write a 就业需求登记 (and optionally an assessment) for a person, and set the derived status."""

    def _make(person: Any, *, jobs: tuple[str, ...] = ("office",), needs: tuple[str, ...] = (), mobility: int = 1,
              areas: tuple[str, ...] = (), work_time: str = "full") -> Any:  # fmt: skip
        service = apps.get_model("people", "ServiceRecord")  # test data only
        with unscoped():
            service.objects.create(
                person=person, district_id=person.district_id, kind="need_registration", date=date(2026, 1, 5),
                unit="测试", details={"wants_job": True, "desired_jobs": list(jobs), "work_time": work_time,
                                      "areas": list(areas), "accommodations": list(needs)},
            )  # fmt: skip
            service.objects.create(
                person=person, district_id=person.district_id, kind="ability_assessment", date=date(2026, 1, 5),
                unit="测试", details={"abilities": {"mobility": mobility}, "suitable_jobs": list(jobs),
                                      "accommodations": [], "conclusion": "open"},
            )  # fmt: skip
            type(person).objects.filter(pk=person.pk).update(status="wants_work", wants_job=True)
        person.status = "wants_work"
        return person

    return _make


@pytest.fixture
def person_user(make_user: Any) -> Callable[[Any], Any]:
    def _make(person: Any) -> Any:
        user = make_user("person")
        apps.get_model("people", "PortalLink").objects.create(person=person, user=user, relation="本人")
        return user

    return _make
