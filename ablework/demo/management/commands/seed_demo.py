"""``manage.py seed_demo --persons N --employers M --seed S [--if-empty] [--batch-size B] [--as-of D]``

Fills the registry with deterministic demo data (see ``ablework.demo.generators``): employers, then
persons with their certificates, employment history (some linked to the seeded employers), 四个一
service records, 就业困难 certifications, 公益性岗位 placements and college-student ledger entries.
City scale (500,000 persons, 300,000 employers) must load in well under two minutes, so rows are
written as plain column tuples: on PostgreSQL through ``COPY`` (one adapter function, ``_copy_rows``),
elsewhere through ``executemany`` in chunks.  Child rows need their parent's id before the
parent is written, so ids of persons, employment records and student records are taken up front
(``_IdBlock``: a block of the table's sequence on PostgreSQL, max(id)+1 under SQLite's write lock).
Large PostgreSQL loads drop and restore the tables' secondary indexes and foreign keys around the
COPY (``_PgBulkLoad``).

The whole load is one transaction: a failed run leaves nothing behind, so ``--if-empty`` never mistakes
a half-loaded database for a seeded one.  ``--as-of`` (default today) dates the records and the
derived status, which is therefore what ``people.actions.compute_status`` gives on that day.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from datetime import date, datetime
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from ablework.core import crypto
from ablework.core.identifiers import mask_resident_id
from ablework.core.models import District, Industry, PolicyParameter, Street
from ablework.core.policy import get_param
from ablework.core.scoping import unscoped
from ablework.demo.derived import ChunkInput, ChunkOutput, Deriver, Keys
from ablework.demo.generators import (
    DistrictInfo,
    EmployerPool,
    EmployerRef,
    EmployerSpec,
    PersonSpec,
    WorkingAgeBand,
    WorkingAgeTable,
    generate_employers,
    generate_persons,
)
from ablework.employers.models import Employer
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
from ablework.people.rules import WorkingAge

T = TypeVar("T")

# Explicit column lists: COPY fills nothing from model defaults, so every NOT NULL column without a
# database default must be here (tests/test_seed.py checks that against the models).
PERSON_COLUMNS = (
    "id", "name", "name_pinyin", "name_initials", "id_cipher", "id_hash", "id_masked", "sex", "birth_date",
    "district_id", "street_id", "community", "address", "tianjin_hukou", "urban_rural", "education", "phone",
    "guardian_name", "guardian_relation", "guardian_phone", "cert_kind", "disability_category",
    "disability_level", "military_level", "cert_suffix", "cert_hash", "cert_valid_until", "wants_job", "status",
    "status_since", "created_at", "updated_at",
)  # fmt: skip
CERTIFICATE_COLUMNS = (
    "person_id", "district_id", "kind", "number_hash", "number_masked", "number_cipher", "category", "level",
    "military_level", "suffix", "issued_on", "valid_until", "source", "created_at",
)  # fmt: skip
EMPLOYMENT_COLUMNS = (
    "id", "person_id", "district_id", "form", "employer_id", "employer_name", "employer_uscc", "start_date",
    "end_date", "contract_months", "on_establishment", "monthly_wage", "social_insurance", "source", "note",
    "created_at",
)  # fmt: skip
PLACEMENT_COLUMNS = (
    "person_id", "district_id", "post", "unit", "start_date", "end_date", "post_subsidy_monthly",
    "insurance_subsidy_monthly", "employment_record_id", "created_at",
)  # fmt: skip
SERVICE_COLUMNS = (
    "person_id", "district_id", "street_id", "kind", "service_type", "date", "unit", "outcome", "details",
    "follow_up_on", "created_at",
)  # fmt: skip
DIFFICULTY_COLUMNS = (
    "person_id", "district_id", "status", "registered_unemployed", "able_and_willing", "referral_failed",
    "applied_on", "criteria", "valid_from", "valid_until", "exit_reason", "created_at",
)  # fmt: skip
STUDENT_COLUMNS = (
    "id", "person_id", "district_id", "school", "major", "degree", "graduation_year", "status", "plan", "outcome",
    "created_at", "updated_at",
)  # fmt: skip
PLAN_ENTRY_COLUMNS = ("student_id", "district_id", "date", "service_type", "note", "outcome")
EMPLOYER_COLUMNS = ("uscc", "name", "kind", "district_id", "industry_id", "created_at", "updated_at")

# Parents before children, so the order also suits a database that checks foreign keys at once.
REGISTRY_TABLES: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Person, PERSON_COLUMNS),
    (Certificate, CERTIFICATE_COLUMNS),
    (EmploymentRecord, EMPLOYMENT_COLUMNS),
    (PublicWelfarePlacement, PLACEMENT_COLUMNS),
    (ServiceRecord, SERVICE_COLUMNS),
    (DifficultyCertification, DIFFICULTY_COLUMNS),
    (StudentRecord, STUDENT_COLUMNS),
    (StudentPlanEntry, PLAN_ENTRY_COLUMNS),
)
# Employers that employment records may link to: the first ones seeded (enough for every form).
EMPLOYER_POOL_SIZE = 50_000


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _use_copy() -> bool:
    # COPY needs psycopg 3's cursor.copy(); psycopg2 or any other backend takes the portable path.
    return connection.vendor == "postgresql" and hasattr(connection.cursor().cursor, "copy")


Table = tuple[type[models.Model], tuple[str, ...], list[tuple[Any, ...]]]  # model, columns, rows


def _copy_rows(raw: Any, tables: list[Table]) -> None:
    """PostgreSQL fast path: stream rows through ``COPY … FROM STDIN`` (psycopg 3 formats the values
    in C; no ORM objects, no SQL parameters).  ``raw`` is the psycopg connection under Django's, so
    this runs in ``_Writer``'s thread without touching Django's connection object."""
    qn = connection.ops.quote_name
    with raw.cursor() as cursor:
        for model, columns, rows in tables:
            sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)


class _Writer:
    """Writes chunks of rows.  PostgreSQL: ``COPY`` in a background thread on the same connection (so
    in the same transaction), so the server ingests chunk n while this thread generates chunk n+1; one
    chunk in flight.  Rule: while a chunk is in flight the main thread must not use the connection,
    so it calls ``wait()`` before any query (psycopg does not hold the connection's lock for the
    length of a COPY).  Elsewhere: ``executemany`` at once, in this thread."""

    def __init__(self, copy: bool) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._raw: Any = None
        if copy:
            connection.ensure_connection()
            self._raw = connection.connection
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="seed-demo-copy")

    def write(self, tables: list[Table]) -> None:
        if self._pool is None:
            for model, columns, rows in tables:
                _insert_rows(model, columns, rows)
            return
        self.wait()
        self._pending = self._pool.submit(_copy_rows, self._raw, tables)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()  # re-raises the COPY's error here

    def close(self, *, quiet: bool = False) -> None:
        """Wait for the last chunk; ``quiet`` when another error is on its way already."""
        try:
            if quiet:
                with suppress(Exception):
                    self.wait()
            else:
                self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


_PREPARED_FIELDS = (models.DateTimeField, models.DateField, models.DecimalField)


def _insert_rows(model: type[models.Model], columns: tuple[str, ...], chunk: list[tuple[Any, ...]]) -> None:
    """Portable path (SQLite and anything else): one ``executemany`` of plain INSERTs.  Values are
    prepared the way ``bulk_create`` would (``get_db_prep_save``) for the columns that need it (dates,
    timestamps, decimals); JSON arrives as text already.  Building a model instance per row, as
    ``bulk_create`` does, cost more than the insert itself.  (``core.imports.insert_rows`` does the
    same for imports but leaves the primary key to the database; here ids are chosen up front.)"""
    fields = [model._meta.get_field(c) for c in columns]
    prepare = [(i, f.get_db_prep_save) for i, f in enumerate(fields) if isinstance(f, _PREPARED_FIELDS)]
    rows: list[tuple[Any, ...]] = chunk
    if prepare:

        def prepared(row: tuple[Any, ...]) -> tuple[Any, ...]:
            values = list(row)
            for i, prep in prepare:
                values[i] = prep(values[i], connection)
            return tuple(values)

        rows = [prepared(row) for row in chunk]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Below this many rows a load keeps the indexes and foreign keys in place (see _PgBulkLoad).
BULK_LOAD_MIN_ROWS = 20_000
# From this many persons the pinyin, encryption and hashing run in a worker process (see derived.py).
PARALLEL_MIN_PERSONS = 20_000


class _PgBulkLoad:
    """PostgreSQL's own advice for populating a database ("Populating a Database" in its manual):
    drop the indexes and foreign keys of the tables being loaded, COPY, then put them back.  One sort
    per index and one join per foreign key are far cheaper than inserting every row into the random
    pages of the hash, name and pinyin indexes of ``people_person`` (with the pattern-ops twin of each
    indexed CharField) and queueing a deferred check per row and foreign key: at city scale that was
    most of the run.

    Exact: the statements come from ``pg_get_indexdef`` / ``pg_get_constraintdef``, so the same
    names and definitions return.  Unique and primary-key indexes stay (they also guard the load).
    Everything happens inside the seeding transaction: a failure rolls the drops back too; the tables
    are locked until the commit, which is fine for a seed."""

    def __init__(self, models_: Iterable[type[models.Model]]) -> None:
        self.tables = [m._meta.db_table for m in models_]
        self.indexes: list[str] = []
        self.foreign_keys: list[tuple[str, str, str]] = []

    def drop(self) -> None:
        qn = connection.ops.quote_name
        # Deferred checks still queued by an enclosing transaction would forbid the ALTER TABLEs: run
        # them now (SET CONSTRAINTS ALL IMMEDIATE, then back to DEFERRED).
        connection.check_constraints()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for table in self.tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                    self.foreign_keys.append((table, name, definition))
                # Indexes led by an integer column (ids, districts) take rows in key order or on a few
                # hot pages: cheap to keep up during the COPY, while the server waits for Python anyway.
                # Those led by text (hashes, names, pinyin) take every row on a random page: rebuilt.
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                    " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]"
                    " WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary"
                    " AND a.atttypid NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) ORDER BY i.relname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {qn(name)}")
                    self.indexes.append(definition)

    def restore(self) -> None:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:  # validated here, one query each
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")


class _IdBlock:
    """Ids for rows whose children are written before the database would have told us the id.  The
    caller holds a lock that keeps other writers out of the table (``_lock_id_tables``), so ids are
    counted here from the sequence's next value (PostgreSQL; ``finish`` moves the sequence past them:
    an INSERT elsewhere waits for the table lock before it evaluates its default) or from max(id)+1
    (SQLite, whose IMMEDIATE transaction excludes every other writer)."""

    def __init__(self, model: type[models.Model], use_sequence: bool) -> None:
        self.table = model._meta.db_table
        self.use_sequence = use_sequence
        if use_sequence:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [self.table])
                self.next = self.first = int(cursor.fetchone()[0])
        else:
            self.next = self.first = (model.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1  # type: ignore[attr-defined]

    def take(self, n: int) -> list[int]:
        start, self.next = self.next, self.next + n
        return list(range(start, start + n))

    def finish(self) -> None:
        if self.use_sequence and self.next > self.first:
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [self.table, self.next - 1])


def _lock_id_tables(models_: Iterable[type[models.Model]]) -> None:
    """PostgreSQL: keep other writers out of the tables whose ids ``_IdBlock`` hands out (readers are
    not blocked).  SQLite's IMMEDIATE transaction already excludes every other writer."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN EXCLUSIVE MODE")


def load_keys() -> Keys:
    """Settings read once: going through the lazy settings object for every row showed in the profile."""
    return Keys(settings.ABLEWORK_ID_CIPHER, settings.ABLEWORK_ID_ENCRYPTION_KEY, settings.ABLEWORK_ID_LOOKUP_KEY)


class RegistryRows:
    """Turns a chunk of ``PersonSpec`` into rows for every registry table (column order as above).

    Two steps, so the per-value work can run elsewhere (``ablework.demo.derived``): ``inputs`` lists
    what to encrypt, hash and transliterate, in the order ``build`` consumes the results."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._pinyin: dict[str, tuple[str, str]] = {}  # one pypinyin call per distinct name

    def inputs(self, specs: list[PersonSpec]) -> ChunkInput:
        data = ChunkInput()
        new_names: dict[str, None] = {}
        for p in specs:
            if p.name not in self._pinyin:
                new_names[p.name] = None
            data.encrypt.append(p.resident_id)
            data.hash.append(p.resident_id)
            for c in p.certificates:
                data.encrypt.append(c.number)
                data.hash.append(c.hash_key)
        data.names = list(new_names)
        return data

    def build(
        self,
        specs: list[PersonSpec],
        derived: ChunkOutput,
        person_ids: list[int],
        employment_ids: list[int],
        student_ids: list[int],
    ) -> dict[type[models.Model], list[tuple[Any, ...]]]:
        self._pinyin.update(zip(derived.names, derived.pinyin, strict=True))
        now, as_json, pinyin = self.now, json.dumps, self._pinyin
        ciphers, hashes = iter(derived.ciphers), iter(derived.hashes)
        persons: list[tuple[Any, ...]] = []
        certs: list[tuple[Any, ...]] = []
        jobs: list[tuple[Any, ...]] = []
        placements: list[tuple[Any, ...]] = []
        services: list[tuple[Any, ...]] = []
        difficulties: list[tuple[Any, ...]] = []
        students: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        next_job, next_student = iter(employment_ids), iter(student_ids)
        for pid, p in zip(person_ids, specs, strict=True):
            district = p.district_pk
            masked = mask_resident_id(p.resident_id)
            id_cipher, id_hash = next(ciphers), next(hashes)
            cert_hash = ""
            for c in p.certificates:
                cert_hash = next(hashes)
                if c.kind == "cdpf":
                    number_masked = f"{masked}{c.category}{c.level}{c.suffix}"
                else:  # as people.actions.add_certificate masks a free-text number
                    n = c.number
                    number_masked = n[:2] + "*" * (len(n) - 4) + n[-2:] if len(n) > 4 else "****"
                certs.append((
                    pid, district, c.kind, cert_hash, number_masked, next(ciphers), c.category, c.level,
                    c.military_level, c.suffix, c.issued_on, c.valid_until, "import", now,
                ))  # fmt: skip
            # cert_hash is now the current (last) certificate's, as the copy on Person must be.
            py, initials = pinyin[p.name]
            persons.append((
                pid, p.name, py, initials, id_cipher, id_hash, masked, p.sex, p.birth_date, district, p.street_pk,
                p.community, p.address, p.tianjin_hukou, p.urban_rural, p.education, p.phone, p.guardian_name,
                p.guardian_relation, p.guardian_phone, p.cert_kind, p.disability_category, p.disability_level,
                p.military_level, p.cert_suffix, cert_hash, p.cert_valid_until, p.wants_job, p.status,
                p.status_since, now, now,
            ))  # fmt: skip
            for e in p.employment:
                eid = next(next_job)
                jobs.append((
                    eid, pid, district, e.form, e.employer_pk, e.employer_name, e.employer_uscc, e.start_date,
                    e.end_date, e.contract_months, e.on_establishment, e.monthly_wage, e.social_insurance, e.source,
                    e.note, now,
                ))  # fmt: skip
                if (pl := e.placement) is not None:
                    placements.append((
                        pid, district, pl.post, pl.unit, pl.start_date, pl.end_date, pl.post_subsidy_monthly,
                        pl.insurance_subsidy_monthly, eid, now,
                    ))  # fmt: skip
            for s in p.services:
                services.append((
                    pid, district, p.street_pk, s.kind, s.service_type, s.date, s.unit, s.outcome, as_json(s.details),
                    s.follow_up_on, now,
                ))  # fmt: skip
            if (d := p.difficulty) is not None:
                difficulties.append((
                    pid, district, d.status, True, True, True, d.applied_on, as_json(d.criteria), d.valid_from,
                    d.valid_until, "", now,
                ))  # fmt: skip
            if (st := p.student) is not None:
                sid = next(next_student)
                students.append((
                    sid, pid, district, st.school, st.major, st.degree, st.graduation_year, st.status, st.plan,
                    st.outcome, now, now,
                ))  # fmt: skip
                for en in st.entries:
                    entries.append((sid, district, en.date, en.service_type, en.note, en.outcome))
        return {
            Person: persons,
            Certificate: certs,
            EmploymentRecord: jobs,
            PublicWelfarePlacement: placements,
            ServiceRecord: services,
            DifficultyCertification: difficulties,
            StudentRecord: students,
            StudentPlanEntry: entries,
        }


def employer_row(e: EmployerSpec, now: datetime) -> tuple[Any, ...]:
    return (e.uscc, e.name, e.kind, e.district_pk, e.industry_pk, now, now)


def load_districts() -> list[DistrictInfo]:
    streets: dict[int, list[tuple[int, str]]] = {}
    for pk, district_id, name in Street.objects.order_by("code").values_list("pk", "district_id", "name"):
        streets.setdefault(district_id, []).append((pk, name))
    return [
        DistrictInfo(
            pk=d.pk,
            code=d.code,
            name=d.name,
            street_pks=tuple(pk for pk, _ in streets.get(d.pk, ())),
            street_names=tuple(name for _, name in streets.get(d.pk, ())),
            agricultural=d.is_agricultural,
        )
        for d in District.objects.order_by("code")
    ]


def load_working_age() -> WorkingAgeTable:
    """Every city-wide row of ``working_age`` at once; the table picks per birth date in Python."""
    rows = PolicyParameter.objects.filter(key="working_age", district__isnull=True)
    return WorkingAgeTable(
        WorkingAgeBand(r.valid_from, r.valid_to, WorkingAge.from_param(r.value)) for r in rows.order_by("valid_from")
    )


def load_employer_pool() -> EmployerPool:
    rows = Employer.objects.order_by("id").values_list("pk", "uscc", "name", "kind", "district_id")
    return EmployerPool(EmployerRef(*row) for row in rows[:EMPLOYER_POOL_SIZE])


class Command(BaseCommand):
    help = "生成演示数据：用人单位、残疾人及其证件、就业记录、四个一服务等（同一种子结果相同）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=2000, help="残疾人人数")
        parser.add_argument("--employers", type=int, default=500, help="用人单位数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--if-empty", action="store_true", help="已有残疾人数据时什么也不做")
        parser.add_argument("--batch-size", type=int, default=5000, help="每批写入的行数")
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None, help="记录日期与就业状态的基准日（YYYY-MM-DD，默认今天）"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        persons, employers, seed, batch = opts["persons"], opts["employers"], opts["seed"], opts["batch_size"]
        if persons < 0 or employers < 0 or batch < 1:
            raise CommandError("--persons 与 --employers 不能为负数，--batch-size 至少为 1")
        as_of: date = opts["as_of"] or timezone.localdate()
        with unscoped():
            if opts["if_empty"] and Person.objects.exists():
                self.stdout.write(f"已有 {Person.objects.count()} 名残疾人的数据，未生成演示数据（--if-empty）。")
                return
            districts = load_districts()
            if not districts:
                raise CommandError("没有区划参考数据：请先运行 manage.py migrate 或 load_reference")
            industry_pks = list(Industry.objects.filter(level="大类").order_by("code").values_list("pk", flat=True))
            working_age = load_working_age()
            min_wage = get_param("min_wage_monthly", on=as_of, default="2320").decimal
            difficulty = get_param("difficulty_certification", on=as_of, default={"validity_months": 36}).value
            # Appending to a populated database: skip IDs and codes that already exist there.  An
            # empty table (the usual case) costs nothing here.
            taken_hashes = set(Person.objects.values_list("id_hash", flat=True))
            taken_codes = set(Employer.objects.values_list("uscc", flat=True))

            def id_taken(number: str) -> bool:
                return crypto.lookup_hash(number) in taken_hashes

            copy = _use_copy()
            now = timezone.now()
            started = time.perf_counter()
            written = dict.fromkeys((m for m, _ in REGISTRY_TABLES), 0)
            show = None if opts["verbosity"] >= 1 else True  # None: a bar on a terminal only, not in logs
            bulk = _PgBulkLoad([Employer, *(m for m, _ in REGISTRY_TABLES)])
            with transaction.atomic(), tqdm(total=persons + employers, unit="行", file=sys.stderr, disable=show) as bar:
                if copy and persons + employers >= BULK_LOAD_MIN_ROWS:
                    bulk.drop()
                writer = _Writer(copy)
                try:
                    # Employers first: employment records link to them.
                    employer_rows = (
                        employer_row(e, now)
                        for e in generate_employers(
                            employers,
                            seed,
                            districts,
                            industry_pks,
                            is_taken=taken_codes.__contains__ if taken_codes else None,
                        )
                    )
                    for chunk in _chunks(employer_rows, batch):
                        writer.write([(Employer, EMPLOYER_COLUMNS, chunk)])
                        bar.update(len(chunk))
                    writer.wait()  # the queries below need the connection
                    pool = load_employer_pool()
                    _lock_id_tables((Person, EmploymentRecord, StudentRecord))
                    ids = {m: _IdBlock(m, copy) for m in (Person, EmploymentRecord, StudentRecord)}
                    people = generate_persons(
                        persons,
                        seed,
                        districts,
                        is_taken=id_taken if taken_hashes else None,
                        as_of=as_of,
                        working_age=working_age,
                        employers=pool,
                        min_wage=min_wage,
                        difficulty_months=int(difficulty.get("validity_months", 36)),
                    )
                    builder = RegistryRows(now)

                    def write(specs: list[PersonSpec], derived: Callable[[], ChunkOutput]) -> None:
                        tables = builder.build(
                            specs,
                            derived(),
                            ids[Person].take(len(specs)),
                            ids[EmploymentRecord].take(sum(len(p.employment) for p in specs)),
                            ids[StudentRecord].take(sum(p.student is not None for p in specs)),
                        )
                        batch_tables = [(m, c, tables[m]) for m, c in REGISTRY_TABLES if tables[m]]
                        writer.write(batch_tables)
                        for model, _, table_rows in batch_tables:
                            written[model] += len(table_rows)
                        bar.update(len(specs))

                    # Three stages in flight: the worker derives chunk n+1 (pinyin, ciphers, hashes)
                    # and the server ingests chunk n-1 while this thread generates and assembles.
                    with Deriver(load_keys(), parallel=persons >= PARALLEL_MIN_PERSONS) as deriver:
                        pending: tuple[list[PersonSpec], Callable[[], ChunkOutput]] | None = None
                        for specs in _chunks(people, batch):
                            job = (specs, deriver.submit(builder.inputs(specs)))
                            if pending is not None:
                                write(*pending)
                            pending = job
                        if pending is not None:
                            write(*pending)
                except LookupError as exc:  # a birth date without a working_age parameter
                    writer.close(quiet=True)
                    raise CommandError(str(exc)) from exc
                except BaseException:
                    writer.close(quiet=True)
                    raise
                writer.close()
                for block in ids.values():
                    block.finish()
                bulk.restore()
            elapsed = time.perf_counter() - started
            total_persons, total_employers = Person.objects.count(), Employer.objects.count()
        rows = persons + employers + sum(v for m, v in written.items() if m is not Person)
        rate = rows / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"已生成 {persons} 名残疾人、{employers} 家用人单位，用时 {elapsed:.1f} 秒（共 {rows:,} 行，{rate:,.0f} 行/秒，"
            f"{'COPY' if copy else 'executemany'}）。库中现有残疾人 {total_persons} 名、用人单位 {total_employers} 家。\n"
            f"其中证件 {written[Certificate]} 张、就业记录 {written[EmploymentRecord]} 条、四个一服务记录 "
            f"{written[ServiceRecord]} 条、就业困难认定 {written[DifficultyCertification]} 条、公益性岗位 "
            f"{written[PublicWelfarePlacement]} 个、高校学生 {written[StudentRecord]} 名（帮扶记录 "
            f"{written[StudentPlanEntry]} 条），基准日 {as_of:%Y-%m-%d}。"
        )
