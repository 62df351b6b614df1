"""Social-insurance facts from partner feeds: the set-based writer and ``si_paid_months``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from ablework.core.scoping import unscoped
from ablework.people import api
from ablework.people.models import SIContribution

UNIT_A = "91120101MA05XXXX0A"
UNIT_B = "91120103MA05YYYY0B"

pytestmark = pytest.mark.django_db


def _rows(person_id: int, months: list[date], unit: str = UNIT_A) -> list[api.SIRow]:
    return [
        api.SIRow(person_id=person_id, month=m, employer_uscc=unit, row_key=f"{person_id}-{m:%Y%m}-{unit}",
                  base=Decimal("4000.00"), amount=Decimal("640.00"))
        for m in months
    ]  # fmt: skip


def test_record_then_again_is_a_noop(make_person) -> None:
    p = make_person()
    months = [date(2025, m, 1) for m in range(1, 7)]
    first = datetime(2025, 7, 2, 8, 0, tzinfo=UTC)
    assert api.record_si_contributions(_rows(p.pk, months), source="人社", batch_id="B1", received_at=first) == (6, 0)
    again = api.record_si_contributions(
        _rows(p.pk, months), source="医保", batch_id="B2", received_at=datetime(2025, 8, 1, tzinfo=UTC)
    )
    assert again == (0, 6)
    with unscoped():
        stored = list(SIContribution.objects.filter(person=p).values_list("batch_id", "source", "district_id"))
    assert len(stored) == 6
    # The first report keeps its provenance; the district is the person's.
    assert {s[:2] for s in stored} == {("B1", "人社")}
    assert {s[2] for s in stored} == {p.district_id}


def test_duplicates_inside_one_delivery_and_unknown_persons_are_skipped(make_person) -> None:
    p = make_person()
    rows = _rows(p.pk, [date(2025, 1, 1)]) * 2 + _rows(999_999, [date(2025, 1, 1)])
    assert api.record_si_contributions(rows, source="人社", batch_id="B1") == (1, 2)


def test_months_are_normalised_to_the_first_day(make_person) -> None:
    p = make_person()
    api.record_si_contributions(_rows(p.pk, [date(2025, 3, 17)]), source="人社", batch_id="B1")
    facts = api.si_paid_months(p, start=date(2025, 3, 31), end=date(2025, 3, 31))
    assert facts.months == frozenset({date(2025, 3, 1)})


def test_si_paid_months_window_employer_and_freshness(make_person) -> None:
    p = make_person()
    old = datetime(2025, 2, 1, tzinfo=UTC)
    new = datetime(2025, 6, 1, tzinfo=UTC)
    api.record_si_contributions(_rows(p.pk, [date(2025, 1, 1)]), source="人社", batch_id="B1", received_at=old)
    api.record_si_contributions(
        _rows(p.pk, [date(2025, 4, 1), date(2025, 5, 1)], unit=UNIT_B), source="医保", batch_id="B2", received_at=new
    )
    all_units = api.si_paid_months(p, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert all_units.months == frozenset({date(2025, 1, 1), date(2025, 4, 1), date(2025, 5, 1)})
    assert all_units.as_of == new
    assert all_units.source == "人社、医保"

    unit_a = api.si_paid_months(p.pk, start=date(2025, 1, 1), end=date(2025, 12, 31), employer_uscc=UNIT_A.lower())
    assert unit_a.months == frozenset({date(2025, 1, 1)})
    assert unit_a.as_of == old
    assert unit_a.source == "人社"

    # Nothing in the window: the feed still covers the person, so as_of says how fresh that is.
    empty = api.si_paid_months(p, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert empty.months == frozenset()
    assert empty.as_of == new


def test_si_paid_months_of_a_person_never_reported(make_person) -> None:
    p = make_person()
    facts = api.si_paid_months(p, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert facts == api.SIFacts(months=frozenset(), as_of=None, source="")


def test_staged_path_matches_by_id_hash(make_person) -> None:
    p = make_person()
    q = make_person(district_code="120103")
    lines = [
        (p.id_hash, date(2025, 1, 1), UNIT_A, Decimal("4000"), None, "r1"),
        (q.id_hash, date(2025, 1, 1), UNIT_A, None, Decimal("10.5"), "r2"),
        ("0" * 64, date(2025, 1, 1), UNIT_A, None, None, "r3"),
    ]
    assert api.record_si_contributions_staged(lines, source="人社", batch_id="S1") == (3, 2, 1)
    assert api.record_si_contributions_staged(lines, source="人社", batch_id="S1") == (3, 0, 1)
    assert api.si_paid_months(q, start=date(2025, 1, 1), end=date(2025, 1, 31)).months == {date(2025, 1, 1)}


def test_freshness_against_the_policy_parameter(make_person) -> None:
    p = make_person()
    assert api.si_paid_months(p, start=date(2025, 1, 1), end=date(2025, 12, 31)).is_stale(date(2025, 6, 1))
    received = datetime(2025, 5, 10, 4, 0, tzinfo=UTC)
    api.record_si_contributions(_rows(p.pk, [date(2025, 4, 1)]), source="人社", batch_id="B1", received_at=received)
    facts = api.si_paid_months(p, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert facts.age_days(date(2025, 6, 1)) == 22
    assert not facts.is_stale(date(2025, 6, 1))
    assert facts.is_stale(date(2025, 9, 1))  # more than 75 days (feed_fact_max_age.si_days, 待确认)


def test_facts_are_district_scoped(make_person) -> None:
    from ablework.core.models import District
    from ablework.core.scoping import district_scope

    hp = make_person("120101")
    hx = make_person("120103")
    api.record_si_contributions(_rows(hp.pk, [date(2025, 1, 1)]) + _rows(hx.pk, [date(2025, 1, 1)]),
                                source="人社", batch_id="B1")  # fmt: skip
    with district_scope([District.objects.get(code="120103").pk]):
        visible = set(SIContribution.objects.values_list("person_id", flat=True))
    assert visible == {hx.pk}


def test_person_page_shows_the_shared_contribution_months(make_person, client, hp_officer) -> None:  # type: ignore[no-untyped-def]
    person = make_person("120101", name="社保展示")
    api.record_si_contributions(
        [{"person_id": person.pk, "month": date(2025, m, 1), "employer_uscc": "91120101MA05L8XK2R", "row_key": f"{m}"}
         for m in (1, 2, 3)],
        source="人社", batch_id="show-1",
    )  # fmt: skip
    client.force_login(hp_officer)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "社会保险缴费（部门共享数据）" in page and "2025-03" in page and "人社（批次show-1）" in page
    other = make_person("120101", name="无社保")
    assert "尚无人社、医保部门共享的缴费记录" in client.get(f"/people/{other.pk}/").content.decode()
