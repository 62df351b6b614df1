"""``manage.py seed_demo --persons N --employers M --seed S [--if-empty] [--batch-size B]``

Fills the registry with deterministic demo data (see ``ablework.demo.generators``).  City scale
(500,000 persons, 300,000 employers) must load in minutes, so rows are written as plain column tuples:
on PostgreSQL through ``COPY`` (one adapter function, ``_copy_rows``), elsewhere through the ORM's
``bulk_create`` in chunks.  The whole load is one transaction: a failed run leaves nothing behind, so
``--if-empty`` never mistakes a half-loaded database for a seeded one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from ablework.core import crypto
from ablework.core.identifiers import mask_resident_id
from ablework.core.models import District, Industry, Street
from ablework.core.scoping import unscoped
from ablework.demo.generators import DistrictInfo, EmployerSpec, PersonSpec, generate_employers, generate_persons
from ablework.employers.models import Employer
from ablework.people.models import Person

PERSON_COLUMNS = (
    "name", "id_cipher", "id_hash", "id_masked", "sex", "birth_date", "district_id", "street_id", "phone",
    "disability_category", "disability_level", "cert_suffix", "created_at", "updated_at",
)  # fmt: skip
EMPLOYER_COLUMNS = ("uscc", "name", "kind", "district_id", "industry_id", "created_at", "updated_at")


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _use_copy() -> bool:
    # COPY needs psycopg 3's cursor.copy(); psycopg2 or any other backend takes the portable path.
    return connection.vendor == "postgresql" and hasattr(connection.cursor().cursor, "copy")


def _copy_rows(model: type[models.Model], columns: tuple[str, ...], chunk: list[tuple[Any, ...]]) -> None:
    """PostgreSQL fast path: stream one chunk through ``COPY … FROM STDIN`` (psycopg 3 formats the
    values in C; no ORM objects, no SQL parameters)."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in chunk:
            copy.write_row(row)


def _bulk_rows(model: type[models.Model], columns: tuple[str, ...], chunk: list[tuple[Any, ...]]) -> None:
    """Portable path (SQLite and anything else): ORM ``bulk_create``."""
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in chunk])  # type: ignore[attr-defined]


def person_rows(specs: Iterable[PersonSpec], now: datetime) -> Iterator[tuple[Any, ...]]:
    # Keys read once: going through the lazy settings object for every row showed in the profile.
    cipher, key, lookup_key = (
        settings.ABLEWORK_ID_CIPHER,
        settings.ABLEWORK_ID_ENCRYPTION_KEY,
        settings.ABLEWORK_ID_LOOKUP_KEY,
    )
    for p in specs:
        yield (
            p.name,
            crypto.encrypt(p.resident_id, cipher=cipher, key=key),
            crypto.lookup_hash(p.resident_id, key=lookup_key),
            mask_resident_id(p.resident_id),
            p.sex,
            p.birth_date,
            p.district_pk,
            p.street_pk,
            p.phone,
            p.disability_category,
            p.disability_level,
            p.cert_suffix,
            now,
            now,
        )


def employer_row(e: EmployerSpec, now: datetime) -> tuple[Any, ...]:
    return (e.uscc, e.name, e.kind, e.district_pk, e.industry_pk, now, now)


def load_districts() -> list[DistrictInfo]:
    streets: dict[int, list[int]] = {}
    for pk, district_id in Street.objects.order_by("code").values_list("pk", "district_id"):
        streets.setdefault(district_id, []).append(pk)
    return [
        DistrictInfo(pk=d.pk, code=d.code, name=d.name, street_pks=tuple(streets.get(d.pk, ())))
        for d in District.objects.order_by("code")
    ]


class Command(BaseCommand):
    help = "生成演示数据：残疾人与用人单位（同一种子结果相同）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=2000, help="残疾人人数")
        parser.add_argument("--employers", type=int, default=500, help="用人单位数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--if-empty", action="store_true", help="已有残疾人数据时什么也不做")
        parser.add_argument("--batch-size", type=int, default=5000, help="每批写入的行数")

    def handle(self, *args: Any, **opts: Any) -> None:
        persons, employers, seed, batch = opts["persons"], opts["employers"], opts["seed"], opts["batch_size"]
        if persons < 0 or employers < 0 or batch < 1:
            raise CommandError("--persons 与 --employers 不能为负数，--batch-size 至少为 1")
        with unscoped():
            if opts["if_empty"] and Person.objects.exists():
                self.stdout.write(f"已有 {Person.objects.count()} 名残疾人的数据，未生成演示数据（--if-empty）。")
                return
            districts = load_districts()
            if not districts:
                raise CommandError("没有区划参考数据：请先运行 manage.py migrate 或 load_reference")
            industry_pks = list(Industry.objects.filter(level="大类").order_by("code").values_list("pk", flat=True))
            # Appending to a populated database: skip IDs and codes that already exist there.  An
            # empty table (the usual case) costs nothing here.
            taken_hashes = set(Person.objects.values_list("id_hash", flat=True))
            taken_codes = set(Employer.objects.values_list("uscc", flat=True))

            def id_taken(number: str) -> bool:
                return crypto.lookup_hash(number) in taken_hashes

            write_rows = _copy_rows if _use_copy() else _bulk_rows
            now = timezone.now()
            started = time.perf_counter()
            show = None if opts["verbosity"] >= 1 else True  # None: a bar on a terminal only, not in logs
            with transaction.atomic(), tqdm(total=persons + employers, unit="行", file=sys.stderr, disable=show) as bar:
                people = generate_persons(persons, seed, districts, is_taken=id_taken if taken_hashes else None)
                for chunk in _chunks(person_rows(people, now), batch):
                    write_rows(Person, PERSON_COLUMNS, chunk)
                    bar.update(len(chunk))
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
                    write_rows(Employer, EMPLOYER_COLUMNS, chunk)
                    bar.update(len(chunk))
            elapsed = time.perf_counter() - started
            total_persons, total_employers = Person.objects.count(), Employer.objects.count()
        rate = (persons + employers) / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"已生成 {persons} 名残疾人、{employers} 家用人单位，用时 {elapsed:.1f} 秒（{rate:,.0f} 行/秒，"
            f"{'COPY' if write_rows is _copy_rows else 'bulk_create'}）。库中现有残疾人 {total_persons} 名、用人单位 {total_employers} 家。"
        )
