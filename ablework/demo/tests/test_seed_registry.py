"""seed_demo's registry is consistent with the registry's own rules and realistic enough to demo:
statuses agree with a recompute, the current-certificate copy agrees with the certificate history,
child rows carry the person's district, and every page of the registry has something to show.

One seed of 3,000 persons + 600 employers is shared by the module (seeding per test would cost
seconds each); the tests only read it.  Runs on SQLite (executemany) and PostgreSQL (COPY)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ablework.core import crypto
from ablework.core.pinyin import name_initials, name_pinyin
from ablework.core.scoping import unscoped
from ablework.demo.generators import DUPLICATE_EVERY
from ablework.employers.models import Employer
from ablework.people import actions, rules
from ablework.people.enums import (
    DifficultyStatus,
    Education,
    EmploymentForm,
    EmploymentStatus,
    RecordSource,
    ServiceKind,
    ServiceType,
    StudentStatus,
)
from ablework.people.models import (
    Certificate,
    DifficultyCertification,
    EmploymentRecord,
    Person,
    PublicWelfarePlacement,
    ServiceRecord,
    StudentPlanEntry,
    StudentRecord,
)

pytestmark = pytest.mark.django_db

PERSONS, EMPLOYERS = 3000, 600


def _wipe() -> None:
    """Empty the seeded tables, children first.  Plain DELETEs: the ORM's cascade collector would also
    visit every other app's tables that point at persons or employers."""
    with connection.cursor() as cursor:
        for model in (StudentPlanEntry, StudentRecord, PublicWelfarePlacement, DifficultyCertification,
                      ServiceRecord, EmploymentRecord, Certificate, Person, Employer):  # fmt: skip
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name from the models


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Seed once for the module (committed), remove it afterwards so other modules start empty."""
    with django_db_blocker.unblock():
        from ablework.core.models import District
        from ablework.core.reference import load_reference_data

        if not District.objects.exists():
            load_reference_data()
        _wipe()
        out = StringIO()
        call_command("seed_demo", persons=PERSONS, employers=EMPLOYERS, seed=2, batch_size=700, stdout=out, verbosity=0)
        try:
            yield out.getvalue()
        finally:
            _wipe()


@pytest.fixture(scope="module")
def people(seeded: str, django_db_blocker: Any) -> list[Person]:
    with django_db_blocker.unblock(), unscoped():
        return list(Person.objects.select_related("district", "street").order_by("id"))


def test_stored_status_agrees_with_a_recompute(people: list[Person]) -> None:
    sample = people[:: len(people) // 200][:200]
    assert len(sample) == 200
    with unscoped():
        mismatched = [
            (p.pk, p.status, actions.compute_status(p)) for p in sample if actions.compute_status(p) != p.status
        ]
    assert mismatched == []
    # Every status occurs, in plausible proportions.
    counts = Counter(p.status for p in people)
    assert set(counts) == set(EmploymentStatus.values)
    working = len(people) - counts[EmploymentStatus.NOT_WORKING_AGE]
    assert 0.35 < counts[EmploymentStatus.EMPLOYED] / working < 0.55  # ~45 % of working age employed
    assert all(p.status_since is not None and p.status_since <= timezone.localdate() for p in people)


def test_every_person_has_a_certificate_and_the_current_copy_matches(people: list[Person]) -> None:
    today = timezone.localdate()
    with unscoped():
        history: dict[int, list[Certificate]] = defaultdict(list)
        for cert in Certificate.objects.order_by("-issued_on", "-id"):
            history[cert.person_id].append(cert)
    assert set(history) == {p.pk for p in people}
    for p in people:
        certs = history[p.pk]
        # The rule of people.actions.refresh_current_certificate: the newest valid one, else the newest.
        valid = [c for c in certs if c.revoked_on is None and (c.valid_until is None or c.valid_until >= today)]
        current = (valid or certs)[0]
        copy = (p.cert_kind, p.disability_category, p.disability_level, p.military_level, p.cert_suffix, p.cert_hash,
                p.cert_valid_until)  # fmt: skip
        assert copy == (current.kind, current.category, current.level, current.military_level, current.suffix,
                        current.number_hash, current.valid_until)  # fmt: skip
        number = crypto.decrypt(current.number_cipher)
        if current.kind == "cdpf":
            # The number holds the person's own ID; the hash is people.actions.cert_lookup_hash's.
            assert crypto.lookup_hash(number[:18]) == p.id_hash
            assert p.cert_hash == actions.cert_lookup_hash(number)
            assert current.number_masked == f"{p.id_masked}{current.category}{current.level}{current.suffix}"
        else:
            assert p.cert_hash == crypto.lookup_hash("MIL:" + number)
            assert p.disability_category is None and 1 <= (p.military_level or 0) <= 10
        for older in certs[1:]:
            assert older.valid_until is not None and current.issued_on is not None
            assert older.valid_until < current.issued_on
    with_history = sum(len(history[p.pk]) > 1 for p in people) / len(people)
    military = sum(p.cert_kind == "military" for p in people) / len(people)
    lapsed = sum(p.cert_valid_until is not None and p.cert_valid_until < today for p in people) / len(people)
    assert 0.06 < with_history < 0.14
    assert 0.015 < military < 0.05
    assert 0.01 < lapsed < 0.06


def test_child_rows_carry_the_persons_district(people: list[Person]) -> None:
    district = {p.pk: p.district_id for p in people}
    street = {p.pk: p.street_id for p in people}
    with unscoped():
        for model in (Certificate, EmploymentRecord, ServiceRecord, DifficultyCertification, PublicWelfarePlacement,
                      StudentRecord):  # fmt: skip
            rows = list(model.objects.values_list("person_id", "district_id"))  # type: ignore[attr-defined]
            assert rows, model
            assert all(district[pid] == d for pid, d in rows), model
        assert all(street[pid] == s for pid, s in ServiceRecord.objects.values_list("person_id", "street_id"))
        entries = StudentPlanEntry.objects.values_list("student__person_id", "district_id")
        assert entries and all(district[pid] == d for pid, d in entries)


def test_names_are_searchable_by_pinyin(people: list[Person]) -> None:
    for p in people[:300]:
        assert (p.name_pinyin, p.name_initials) == (name_pinyin(p.name), name_initials(p.name))
    assert all(p.name_pinyin.isascii() and p.name_initials for p in people)


def test_guardians_for_minors_and_severe_intellectual_or_mental_disability(people: list[Person]) -> None:
    today = timezone.localdate()
    for p in people:
        needs = rules.age_on(p.birth_date, today) < 18 or (
            p.disability_category in (5, 6) and p.disability_level in (1, 2)
        )
        assert bool(p.guardian_name) == needs, p.pk
        if needs:
            assert p.guardian_relation and len(p.guardian_phone) == 11
    assert sum(bool(p.guardian_name) for p in people) > 50


def test_employment_records(people: list[Person]) -> None:
    by_pk = {p.pk: p for p in people}
    with unscoped():
        records = list(EmploymentRecord.objects.all())
        employers = {e.pk: e for e in Employer.objects.all()}
        placements = list(PublicWelfarePlacement.objects.select_related("employment_record"))
    assert {r.form for r in records} == set(EmploymentForm.values)
    forms = Counter(r.form for r in records)
    assert forms.most_common(1)[0][0] == EmploymentForm.QUOTA
    assert {r.source for r in records} == set(RecordSource.values)
    for r in records:
        assert r.start_date <= timezone.localdate() and (r.end_date is None or r.end_date >= r.start_date)
        if r.form == EmploymentForm.RURAL:
            assert by_pk[r.person_id].urban_rural == "rural"
        if r.employer_id is not None:  # linked to a seeded employer by id and credit code
            e = employers[r.employer_id]
            assert (r.employer_uscc, r.employer_name) == (e.uscc, e.name)
    linked = [(employers[r.employer_id], by_pk[r.person_id]) for r in records if r.employer_id is not None]
    assert len(linked) > 100 and any(e.district_id == p.district_id for e, p in linked)
    # Every 公益性岗位 record has its placement, with the same person, unit and period.
    pwp = {r.pk for r in records if r.form == EmploymentForm.PUBLIC_WELFARE}
    assert {pl.employment_record_id for pl in placements} == pwp and pwp
    for pl in placements:
        er = pl.employment_record
        assert er is not None
        assert (pl.person_id, pl.unit, pl.start_date, pl.end_date) == (er.person_id, er.employer_name, er.start_date,
                                                                       er.end_date)  # fmt: skip
        assert pl.post_subsidy_monthly > 0 and pl.insurance_subsidy_monthly > 0


def test_four_services_partially_done_with_rates_varying_by_district(people: list[Person]) -> None:
    year_start = date(timezone.localdate().year, 1, 1)
    with unscoped():
        services = list(ServiceRecord.objects.all())
    assert {s.kind for s in services} == set(ServiceKind.values)
    assert {s.service_type for s in services if s.kind == ServiceKind.SERVICE} <= set(ServiceType.values)
    done: dict[int, set[str]] = defaultdict(set)
    for s in services:
        assert s.unit and s.outcome and s.details
        if s.date >= year_start:
            done[s.person_id].add(s.kind)
    # Only unemployed persons of working age get services; employed ones have none this year.
    assert all(by.status in ("wants_work", "no_wish", "unknown") for by in people if by.pk in done)
    unemployed = [p for p in people if p.status in ("wants_work", "no_wish", "unknown")]
    # The stated wish comes with an info check; nobody who was never asked has a wish recorded.
    asked = {s.person_id for s in services if s.kind == ServiceKind.INFO_CHECK}
    assert all(p.pk in asked for p in unemployed if p.wants_job is not None)
    assert all(p.wants_job is None for p in unemployed if p.pk not in asked)
    # Completion per district: info checks this year among the unemployed of working age.
    rates = {}
    for d in {p.district_id for p in unemployed}:
        pop = [p for p in unemployed if p.district_id == d]
        if len(pop) >= 40:
            rates[d] = sum(ServiceKind.INFO_CHECK in done[p.pk] for p in pop) / len(pop)
    assert len(rates) >= 8
    assert min(rates.values()) > 0.25 and max(rates.values()) < 0.97
    assert max(rates.values()) - min(rates.values()) > 0.15  # the comparison has something to compare
    wanting = [p for p in unemployed if p.status == "wants_work"]
    all_four = sum(set(rules.FOUR_SERVICES) <= done[p.pk] for p in wanting) / len(wanting)
    assert 0.15 < all_four < 0.85


def test_difficulty_certifications_and_students(people: list[Person]) -> None:
    by_pk = {p.pk: p for p in people}
    today = timezone.localdate()
    with unscoped():
        certs = list(DifficultyCertification.objects.all())
        students = list(StudentRecord.objects.prefetch_related("entries"))
    assert {c.status for c in certs} == {DifficultyStatus.APPROVED, DifficultyStatus.SUBMITTED}
    for c in certs:
        p = by_pk[c.person_id]
        assert p.status == "wants_work" and p.tianjin_hukou
        if c.status == DifficultyStatus.APPROVED:
            assert c.valid_from is not None and c.valid_until is not None
            assert c.applied_on < c.valid_from <= today <= c.valid_until
    assert 0.005 < len(students) / len(people) < 0.02
    for s in students:
        p = by_pk[s.person_id]
        assert s.status in StudentStatus.values and s.degree in Education.values and s.plan
        assert 18 <= rules.age_on(p.birth_date, today) <= 25 and p.education == s.degree
        assert (s.status == StudentStatus.EMPLOYED) == (p.status == "employed")
        if s.status == StudentStatus.IN_SCHOOL:
            assert s.graduation_year >= today.year
        assert s.entries.all()


def test_duplicate_candidates_same_name_and_birth_date_different_id(people: list[Person]) -> None:
    groups: dict[tuple[str, date], list[Person]] = defaultdict(list)
    for p in people:
        groups[(p.name, p.birth_date)].append(p)
    pairs = [g for g in groups.values() if len(g) > 1]
    assert len(pairs) >= PERSONS // DUPLICATE_EVERY
    assert all(len({p.id_hash for p in g}) == len(g) for g in pairs)


def test_output_reports_every_table(seeded: str) -> None:
    assert f"{PERSONS} 名残疾人" in seeded and f"{EMPLOYERS} 家用人单位" in seeded
    for word in ("证件", "就业记录", "四个一服务记录", "就业困难认定", "公益性岗位", "高校学生"):
        assert word in seeded
