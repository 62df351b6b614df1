"""seed_demo: deterministic, valid, exact counts, idempotent with --if-empty (small sizes: seconds).
The registry's realism and consistency (statuses, certificates, child rows) are in test_seed_registry.py."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max, Min, Model
from django.db.models.fields import NOT_PROVIDED

from ablework.core import crypto
from ablework.core.identifiers import parse_resident_id, parse_uscc
from ablework.core.models import PolicyParameter
from ablework.core.scoping import ScopeError, unscoped
from ablework.demo.generators import DistrictInfo, generate_employers, generate_persons
from ablework.demo.management.commands import seed_demo
from ablework.demo.management.commands.seed_demo import EMPLOYER_COLUMNS, REGISTRY_TABLES
from ablework.employers.models import Employer
from ablework.people import actions
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

KIND_PREFIX = {
    "enterprise": "91",
    "soe": "91",
    "agency": "11",
    "institution": "12",
    "social_org": "51",
    "individual": "92",
}


def seed(**opts: Any) -> str:
    out = StringIO()
    args = [f"--{k.replace('_', '-')}={v}" for k, v in opts.items() if v is not True]
    args += [f"--{k.replace('_', '-')}" for k, v in opts.items() if v is True]
    call_command("seed_demo", *args, stdout=out, verbosity=0)
    return out.getvalue()


def person_snapshot() -> list[tuple[str, str, str]]:
    with unscoped():
        return [(p.name, p.id_hash, crypto.decrypt(p.id_cipher)) for p in Person.objects.order_by("id")]


def employer_snapshot() -> list[tuple[str, str, str]]:
    with unscoped():
        return list(Employer.objects.order_by("id").values_list("uscc", "name", "kind"))


def registry_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the seed wrote about persons, with database ids replaced by the person's lookup hash
    (ids differ between runs; ciphertexts too, by their random nonce)."""
    with unscoped():
        key = dict(Person.objects.values_list("id", "id_hash"))
        skip = {"id", "id_cipher", "created_at", "updated_at", "merged_into"}
        person_fields = [f.attname for f in Person._meta.concrete_fields if f.name not in skip]
        out = {"person": list(Person.objects.order_by("id").values_list(*person_fields))}
        children: list[tuple[str, type[Model], tuple[str, ...]]] = [
            ("certificate", Certificate, ("kind", "number_hash", "number_masked", "category", "level",
                                          "military_level", "suffix", "issued_on", "valid_until")),
            ("employment", EmploymentRecord, ("form", "employer_uscc", "employer_name", "start_date", "end_date",
                                              "contract_months", "monthly_wage", "social_insurance", "source")),
            ("service", ServiceRecord, ("kind", "service_type", "date", "unit", "outcome", "details")),
            ("difficulty", DifficultyCertification, ("status", "applied_on", "valid_from", "valid_until")),
            ("placement", PublicWelfarePlacement, ("post", "unit", "start_date", "end_date",
                                                   "insurance_subsidy_monthly")),
            ("student", StudentRecord, ("school", "major", "degree", "graduation_year", "status", "plan")),
        ]  # fmt: skip
        for label, model, fields in children:
            rows = model.objects.order_by("id").values_list("person_id", *fields)  # type: ignore[attr-defined]
            out[label] = [(key[r[0]], *r[1:]) for r in rows]
        out["plan_entry"] = list(
            StudentPlanEntry.objects.order_by("id").values_list("student__person__id_hash", "date", "note")
        )
    return out


def wipe() -> None:
    """Empty the seeded tables, children first.  Plain DELETEs: the ORM's cascade collector would also
    visit every other app's tables that point at persons or employers."""
    with connection.cursor() as cursor:
        for model in (StudentPlanEntry, StudentRecord, PublicWelfarePlacement, DifficultyCertification,
                      ServiceRecord, EmploymentRecord, Certificate, Person, Employer):  # fmt: skip
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name from the models


def test_counts_are_exact_and_output_reports_them() -> None:
    out = seed(persons=137, employers=61, seed=3, batch_size=50)
    with unscoped():
        assert Person.objects.count() == 137
        assert Employer.objects.count() == 61
    assert "137" in out and "61" in out and "行/秒" in out
    # PostgreSQL takes the COPY adapter, everything else the portable executemany path.
    assert ("COPY" in out) == (connection.vendor == "postgresql")


def ciphers() -> list[str]:
    with unscoped():
        return list(Person.objects.order_by("id").values_list("id_cipher", flat=True))


def test_same_seed_gives_identical_people_and_employers() -> None:
    seed(persons=500, employers=40, seed=7, batch_size=33)
    first_p, first_e, first_c, first_r = person_snapshot(), employer_snapshot(), ciphers(), registry_snapshot()
    wipe()
    # A different batch size must not change the data: batching is only how rows are written.
    seed(persons=500, employers=40, seed=7, batch_size=1000)
    second_p, second_e, second_c, second_r = person_snapshot(), employer_snapshot(), ciphers(), registry_snapshot()
    assert first_p == second_p  # names, lookup hashes and decrypted ID numbers
    assert first_e == second_e
    # Every column of every registry table (statuses, certificates, employment, 四个一, students …).
    assert first_r == second_r
    assert all(first_r[k] for k in ("certificate", "employment", "service", "placement", "student", "plan_entry"))
    # Only the stored ciphertext differs (fresh random nonce per encryption): the IDs are never in clear.
    assert all(c.startswith(("A1:", "S1:")) for c in second_c)
    assert all(a != b for a, b in zip(first_c, second_c, strict=True))
    assert all(i not in c for c, (_, _, i) in zip(second_c, second_p, strict=True))


def test_different_seed_gives_different_data() -> None:
    seed(persons=100, employers=30, seed=1)
    one_p, one_e = person_snapshot(), employer_snapshot()
    wipe()
    seed(persons=100, employers=30, seed=2)
    two_p, two_e = person_snapshot(), employer_snapshot()
    assert {i for _, _, i in one_p}.isdisjoint({i for _, _, i in two_p})
    assert [n for n, _, _ in one_p] != [n for n, _, _ in two_p]
    assert {u for u, _, _ in one_e}.isdisjoint({u for u, _, _ in two_e})


def test_persons_do_not_depend_on_the_number_of_employers() -> None:
    # Separate streams: more employers change which employer a record names, nothing else.
    seed(persons=300, employers=0, seed=4)
    alone = registry_snapshot()
    wipe()
    seed(persons=300, employers=60, seed=4)
    linked = registry_snapshot()
    assert alone["person"] == linked["person"]
    assert alone["service"] == linked["service"] and alone["certificate"] == linked["certificate"]
    # Without employers nothing is linked; with them some records carry a seeded credit code.
    assert not any(uscc for _, _, uscc, *_ in alone["employment"])
    assert any(uscc for _, _, uscc, *_ in linked["employment"])


def test_every_person_row_is_valid_and_consistent_with_its_id() -> None:
    seed(persons=300, employers=0, seed=11)
    with unscoped():
        people = list(Person.objects.select_related("district", "street"))
    assert len({p.id_hash for p in people}) == 300
    for p in people:
        number = crypto.decrypt(p.id_cipher)
        rid = parse_resident_id(number)
        assert p.id_hash == crypto.lookup_hash(number)
        assert p.id_masked == rid.masked and "*" in p.id_masked
        assert rid.region_code == p.district.code
        assert p.sex == rid.sex
        assert p.birth_date == rid.birth_date
        assert p.street is None or p.street.district_id == p.district_id
        if p.cert_kind == "military":
            # 残疾军人证: level 1–10, and no 残疾人证 category or level.
            assert p.disability_category is None and p.disability_level is None
            assert p.military_level is not None and 1 <= p.military_level <= 10
        else:
            assert p.disability_category is not None and p.disability_level is not None
            assert 1 <= p.disability_category <= 7 and 1 <= p.disability_level <= 4
            assert p.military_level is None
        assert p.phone == "" or (len(p.phone) == 11 and p.phone[0] == "1" and p.phone[1] in "3456789")
        assert 2 <= len(p.name) <= 4
        assert p.community and p.address.startswith(p.district.name)
        assert p.urban_rural in ("urban", "rural") and p.education
    # Every district has streets in the reference data, so every person gets one.
    assert all(p.street_id for p in people)
    # Spread over the city, physical disability the commonest, both sexes, mostly working age.
    assert len({p.district_id for p in people}) >= 10
    assert Counter(p.disability_category for p in people).most_common(1)[0][0] == 4
    # Only the 涉农区 have rural residents.
    assert {p.district.is_agricultural for p in people if p.urban_rural == "rural"} == {True}
    sexes = Counter(p.sex for p in people)
    assert sexes["M"] > 90 and sexes["F"] > 90
    ages = [2026 - p.birth_date.year for p in people]
    assert sum(16 <= a <= 76 for a in ages) / len(ages) > 0.85


def test_every_employer_has_a_valid_credit_code_matching_kind_and_district() -> None:
    seed(persons=0, employers=250, seed=5)
    with unscoped():
        employers = list(Employer.objects.select_related("district", "industry"))
    assert len(employers) == 250
    for e in employers:
        code = parse_uscc(e.uscc)
        assert code.warnings == ()  # the organisation-code check digit is valid too
        assert e.uscc[:2] == KIND_PREFIX[e.kind]
        assert code.region_code == e.district.code
        assert e.industry is not None and e.industry.level == "大类"
        assert e.name
    kinds = Counter(e.kind for e in employers)
    assert kinds.most_common(1)[0][0] == "enterprise"
    assert len({e.district_id for e in employers}) >= 8
    assert len({e.industry_id for e in employers}) >= 40


def test_if_empty_is_a_no_op_the_second_time() -> None:
    seed(persons=50, employers=20, seed=1, if_empty=True)
    before = person_snapshot(), employer_snapshot()
    out = seed(persons=80, employers=30, seed=9, if_empty=True)
    assert (person_snapshot(), employer_snapshot()) == before
    assert "--if-empty" in out


def test_without_if_empty_a_second_run_appends_without_clashes() -> None:
    seed(persons=40, employers=15, seed=1)
    # Same seed again would regenerate the same IDs; the command must redraw instead of failing.
    seed(persons=40, employers=15, seed=1)
    with unscoped():
        assert Person.objects.count() == 80
        assert Person.objects.values("id_hash").distinct().count() == 80
        assert Employer.objects.values("uscc").distinct().count() == 30


def test_records_are_dated_and_statuses_derived_on_the_as_of_day() -> None:
    as_of = date(2026, 3, 1)
    out = seed(persons=300, employers=30, seed=6, as_of=as_of.isoformat())
    assert "2026-03-01" in out
    with unscoped():
        people = list(Person.objects.all())
        assert all(actions.compute_status(p, as_of) == p.status for p in people)
        services = ServiceRecord.objects.aggregate(first=Min("date"), last=Max("date"))
        assert date(2025, 1, 1) <= services["first"] and services["last"] <= as_of
        assert EmploymentRecord.objects.aggregate(m=Max("start_date"))["m"] <= as_of
        assert Certificate.objects.aggregate(m=Max("issued_on"))["m"] <= as_of


@pytest.mark.parametrize(("model", "columns"), [*REGISTRY_TABLES, (Employer, EMPLOYER_COLUMNS)])
def test_copy_column_lists_cover_every_required_column(model: type[Model], columns: tuple[str, ...]) -> None:
    """COPY fills nothing from model defaults: a NOT NULL column without a database default that is
    missing from the list makes the PostgreSQL load fail (as it did when people.0002 added columns)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    required = {a for a, f in fields.items() if not f.null and not f.primary_key and f.db_default is NOT_PROVIDED}
    assert required - set(columns) == set()
    assert set(columns) - set(fields) == set()


def test_person_table_stays_scoped_after_seeding() -> None:
    seed(persons=5, employers=5, seed=1)
    with pytest.raises(ScopeError):
        Person.objects.count()


def test_generator_ids_are_unique_at_scale_without_a_database() -> None:
    # Two districts and a narrow population force many candidate clashes; none may get through.
    districts = [DistrictInfo(pk=1, code="120101", name="和平区"), DistrictInfo(pk=2, code="120102", name="河东区")]
    ids = [p.resident_id for p in generate_persons(20_000, 4, districts)]
    assert len(set(ids)) == len(ids)
    # The cached check characters agree with the core parser.
    assert all(parse_resident_id(i).number == i for i in ids[::10])
    codes = [e.uscc for e in generate_employers(5_000, 4, districts, [])]
    assert len(set(codes)) == len(codes)


SEEDED_TABLES = [m._meta.db_table for m, _ in REGISTRY_TABLES] + [Employer._meta.db_table]


def schema_snapshot() -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Indexes and foreign keys of the seeded tables (PostgreSQL catalog)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1, 2",
            [SEEDED_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [SEEDED_TABLES],
        )
        constraints = cursor.fetchall()
    return indexes, constraints


def test_large_run_paths_give_the_same_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """City-scale runs derive pinyin, ciphertexts and hashes in a worker process and, on PostgreSQL,
    drop and restore the indexes and foreign keys around the COPY.  Forced on a small seed here: the
    data is the same as on the plain path, and the schema is exactly as before."""
    postgres = connection.vendor == "postgresql"
    before = schema_snapshot() if postgres else None
    seed(persons=250, employers=40, seed=8)
    plain = registry_snapshot()
    wipe()
    monkeypatch.setattr(seed_demo, "PARALLEL_MIN_PERSONS", 1)
    monkeypatch.setattr(seed_demo, "BULK_LOAD_MIN_ROWS", 1)
    seed(persons=250, employers=40, seed=8)
    assert registry_snapshot() == plain
    if postgres:
        assert before is not None and len(before[0]) > 40 and len(before[1]) > 40
        assert schema_snapshot() == before


def test_a_failed_run_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seed_demo, "BULK_LOAD_MIN_ROWS", 1)
    postgres = connection.vendor == "postgresql"
    before = schema_snapshot() if postgres else None
    PolicyParameter.objects.filter(key="working_age").delete()
    with pytest.raises(CommandError, match="working_age"):
        seed(persons=50, employers=20, seed=1)
    with unscoped():
        assert not Person.objects.exists() and not Employer.objects.exists() and not Certificate.objects.exists()
    if postgres:  # the dropped indexes and foreign keys came back with the rollback
        assert schema_snapshot() == before
