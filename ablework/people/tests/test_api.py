"""people.api: how other programmes find and read a person."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ablework.core.models import District
from ablework.people import actions, api
from conftest import make_resident_id

pytestmark = pytest.mark.django_db


def test_find_by_certificate_and_facts_on_a_date(hp_officer: Any) -> None:
    rid = make_resident_id(region="120101", birth=date(1980, 5, 5), serial=3)
    person = actions.register_person(
        actor=hp_officer, resident_id=rid, name="李四", district=District.objects.get(code="120101")
    ).person
    actions.add_certificate(
        person, actor=hp_officer, number=rid + "41", issued_on=date(2010, 1, 1), valid_until=date(2020, 1, 1)
    )
    actions.add_certificate(person, actor=hp_officer, number=rid + "42B1", issued_on=date(2020, 6, 1))

    assert api.find_person_by_certificate(rid + "42") == person  # suffix ignored
    assert api.find_person_by_certificate(rid + "41") == person  # an older certificate still identifies
    assert api.find_person_by_certificate("bad") is None
    assert api.find_person_by_resident_id(rid.lower()) == person

    facts_2015 = api.person_facts(person, date(2015, 3, 1))
    assert (facts_2015.level, facts_2015.cert_valid, facts_2015.working_age) == (1, True, True)
    gap = api.person_facts(person, date(2020, 3, 1))  # between expiry and reissue
    assert (gap.cert_valid, gap.level) == (False, None)
    assert api.person_facts(person, date(2025, 3, 1)).level == 2
