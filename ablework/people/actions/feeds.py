"""Writes of facts that partner departments report (人社/医保 social insurance, 退役军人 certificates).

Set-based and keyed: a row whose key is already stored is skipped, so a feed delivered twice (or a
file uploaded twice) changes nothing.  Every fact keeps its provenance (source, batch, row key,
received at).  The callers (``exchange``) audit the batch as a whole.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ablework.core import crypto
from ablework.core.imports import insert_rows
from ablework.core.scoping import unscoped
from ablework.people.actions.registry import refresh_current_certificate
from ablework.people.enums import CertificateKind, RecordSource
from ablework.people.models import Certificate, Person, SIContribution

__all__ = [
    "MilitaryCertRow",
    "SIRow",
    "first_of_month",
    "person_ids_by_id_hash",
    "record_military_certificates",
    "record_si_contributions",
    "record_si_contributions_detailed",
    "record_si_contributions_staged",
]


MAX_UNMATCHED_KEYS = 10_000


def first_of_month(d: date) -> date:
    return d.replace(day=1)


@dataclass(frozen=True)
class SIRow:
    """One contribution month as a feed reports it (the person already matched)."""

    person_id: int
    month: date
    employer_uscc: str
    row_key: str
    base: Decimal | None = None
    amount: Decimal | None = None


def person_ids_by_id_hash(hashes: Iterable[str]) -> dict[str, int]:
    """``{id_hash: person_id}`` for the registered (not merged-away) persons among ``hashes``."""
    wanted = list(set(hashes))
    out: dict[str, int] = {}
    with unscoped():
        for i in range(0, len(wanted), 5000):
            part = wanted[i : i + 5000]
            out.update(Person.objects.filter(id_hash__in=part, merged_into__isnull=True).values_list("id_hash", "id"))
    return out


def record_si_contributions(
    rows: Iterable[SIRow | Mapping[str, Any]],
    *,
    source: str,
    batch_id: str,
    received_at: datetime | None = None,
) -> tuple[int, int]:
    """Store contribution months; return ``(inserted, skipped)``.

    A row whose (person, month, employer code) is already stored — by this feed or an earlier one, or
    twice in ``rows`` — is skipped and keeps its first provenance.  One query reads the keys that
    exist, one ``executemany`` inserts the rest; a concurrent writer's rows make the insert fail on
    the unique constraint, and the chunk is then read and written once more.
    """
    inserted = record_si_contributions_detailed(rows, source=source, batch_id=batch_id, received_at=received_at)
    return sum(inserted), len(inserted) - sum(inserted)


def record_si_contributions_detailed(
    rows: Iterable[SIRow | Mapping[str, Any]],
    *,
    source: str,
    batch_id: str,
    received_at: datetime | None = None,
) -> list[bool]:
    """Like ``record_si_contributions``; says for each row whether it was inserted."""
    items = [r if isinstance(r, SIRow) else SIRow(**dict(r)) for r in rows]
    if not items:
        return []
    received_at = received_at or timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic(), unscoped():
                return _write_si(items, source=source, batch_id=batch_id, received_at=received_at)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _write_si(items: list[SIRow], *, source: str, batch_id: str, received_at: datetime) -> list[bool]:
    person_ids = sorted({r.person_id for r in items})
    districts: dict[int, int] = {}
    existing: set[tuple[int, date, str]] = set()
    months = {first_of_month(r.month) for r in items}
    for i in range(0, len(person_ids), 2000):
        part = person_ids[i : i + 2000]
        districts.update(Person.objects.filter(pk__in=part).values_list("id", "district_id"))
        existing.update(
            SIContribution.objects.filter(person_id__in=part, month__in=months).values_list(
                "person_id", "month", "employer_uscc"
            )
        )
    new: list[dict[str, Any]] = []
    inserted: list[bool] = []
    for r in items:
        key = (r.person_id, first_of_month(r.month), r.employer_uscc.strip().upper())
        if key in existing or r.person_id not in districts:
            inserted.append(False)
            continue
        inserted.append(True)
        existing.add(key)
        new.append(
            {
                "person_id": r.person_id,
                "district_id": districts[r.person_id],
                "month": key[1],
                "employer_uscc": key[2],
                "base": r.base,
                "amount": r.amount,
                "source": source,
                "batch_id": batch_id,
                "row_key": r.row_key[:100],
                "received_at": received_at,
            }
        )
    for i in range(0, len(new), 5000):
        insert_rows(SIContribution, new[i : i + 5000])
    return inserted


def record_si_contributions_staged(
    lines: Iterable[Sequence[Any]],
    *,
    source: str,
    batch_id: str,
    received_at: datetime | None = None,
    unmatched_keys_out: list[str] | None = None,
    timings_out: dict[str, float] | None = None,
) -> tuple[int, int, int]:
    """PostgreSQL fast path for very large files: ``lines`` are validated tuples
    ``(id_hash, month, employer_uscc, base, amount, row_key)``.  They are copied into a temporary
    staging table, matched to persons by the ID lookup hash and merged with one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING``.  Returns ``(staged, inserted, unmatched)``; rows
    already stored count as neither inserted nor unmatched.  The row keys of unmatched rows (at most
    ``MAX_UNMATCHED_KEYS``) are appended to ``unmatched_keys_out`` when given.  Falls back to ``record_si_contributions``
    on other databases."""
    received_at = received_at or timezone.now()
    if connection.vendor != "postgresql":
        buffered = list(lines)
        ids = person_ids_by_id_hash(line[0] for line in buffered)
        if unmatched_keys_out is not None:
            unmatched_keys_out.extend([line[5] for line in buffered if line[0] not in ids][:MAX_UNMATCHED_KEYS])
        rows = [
            SIRow(person_id=ids[h], month=m, employer_uscc=u, base=b, amount=a, row_key=k)
            for h, m, u, b, a, k in buffered
            if h in ids
        ]
        inserted, _ = record_si_contributions(rows, source=source, batch_id=batch_id, received_at=received_at)
        return len(buffered), inserted, len(buffered) - len(rows)
    table = SIContribution._meta.db_table
    person_table = Person._meta.db_table
    t_start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS si_stage")  # left over when the outer transaction goes on
        # The match (hash join) and the key-order sort of a million rows fit in memory with this.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            "CREATE TEMP TABLE si_stage (id_hash text, month date, employer_uscc text, base numeric, "
            "amount numeric, row_key text) ON COMMIT DROP"
        )
        staged = 0
        with cursor.copy("COPY si_stage FROM STDIN") as copy:  # type: ignore[attr-defined]
            buf = io.StringIO()
            text: dict[Any, str] = {None: "\\N"}  # months and amounts repeat: format each once
            for h, m, u, b, a, k in lines:
                tm = text.get(m) or text.setdefault(m, m.isoformat())
                tb = text.get(b) or text.setdefault(b, _n(b))
                ta = text.get(a) or text.setdefault(a, _n(a))
                buf.write(f"{h}\t{tm}\t{u}\t{tb}\t{ta}\t{_tsv(k)}\n")
                staged += 1
                if staged % 20000 == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        t_staged = time.perf_counter()
        cursor.execute("ANALYZE si_stage")
        cursor.execute(
            f"SELECT s.row_key FROM si_stage s LEFT JOIN {person_table} p "  # noqa: S608 - model table names
            "ON p.id_hash = s.id_hash AND p.merged_into_id IS NULL WHERE p.id IS NULL"
        )
        unmatched_keys = [r[0] for r in cursor.fetchall()]
        unmatched = len(unmatched_keys)
        if unmatched_keys_out is not None:
            unmatched_keys_out.extend(unmatched_keys[:MAX_UNMATCHED_KEYS])
        cursor.execute(
            f"INSERT INTO {table} (person_id, district_id, month, employer_uscc, base, amount, source, "  # noqa: S608
            "batch_id, row_key, received_at) "
            # No DISTINCT: ON CONFLICT DO NOTHING also skips a key repeated inside the file (no sort).
            "SELECT p.id, p.district_id, s.month, s.employer_uscc, "
            "s.base, s.amount, %s, %s, left(s.row_key, 100), %s "
            f"FROM si_stage s JOIN {person_table} p ON p.id_hash = s.id_hash AND p.merged_into_id IS NULL "
            # In key order: the unique index is then filled left to right instead of at random.
            "ORDER BY p.id, s.month, s.employer_uscc "
            "ON CONFLICT (person_id, month, employer_uscc) DO NOTHING",
            [source, batch_id, received_at],
        )
        inserted = cursor.rowcount
    if timings_out is not None:
        timings_out.update(read_and_stage=t_staged - t_start, match_and_merge=time.perf_counter() - t_staged)
    return staged, inserted, unmatched


def _n(value: Decimal | None) -> str:
    return "\\N" if value is None else str(value)


_TSV_SPECIAL = frozenset("\\\t\n\r")


def _tsv(value: str) -> str:
    if _TSV_SPECIAL.isdisjoint(value):
        return value
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


@dataclass(frozen=True)
class MilitaryCertRow:
    """A 残疾军人证 as 退役军人事务局 reports it (the holder already matched)."""

    person_id: int
    number: str
    military_level: int
    row_key: str
    issued_on: date | None = None
    valid_until: date | None = None


def record_military_certificates(
    rows: Iterable[MilitaryCertRow], *, source: str, batch_id: str, received_at: datetime | None = None
) -> dict[str, str]:
    """Store each certificate unless this feed's row key is stored already (or the person holds the
    same number with the same issue date).  Returns ``{row_key: "created" | "unchanged"}``.  The
    newest valid certificate becomes the person's current one."""
    received_at = received_at or timezone.now()
    out: dict[str, str] = {}
    items = list(rows)
    with transaction.atomic(), unscoped():
        known = set(
            Certificate.objects.filter(feed_source=source, feed_row_key__in=[r.row_key for r in items]).values_list(
                "feed_row_key", flat=True
            )
        )
        persons = Person.objects.in_bulk({r.person_id for r in items})
        touched: set[int] = set()
        for r in items:
            number = r.number.strip()
            number_hash = crypto.lookup_hash("MIL:" + number)
            if (
                r.row_key in known
                or Certificate.objects.filter(
                    person_id=r.person_id, number_hash=number_hash, issued_on=r.issued_on
                ).exists()
            ):
                out[r.row_key] = "unchanged"
                continue
            person = persons[r.person_id]
            masked = (number[:2] + "*" * max(0, len(number) - 4) + number[-2:]) if len(number) > 4 else "****"
            Certificate.objects.create(
                person=person,
                district_id=person.district_id,
                kind=CertificateKind.MILITARY,
                number_hash=number_hash,
                number_masked=masked,
                number_cipher=crypto.encrypt(number),
                military_level=r.military_level,
                issued_on=r.issued_on,
                valid_until=r.valid_until,
                source=RecordSource.PARTNER,
                feed_source=source,
                feed_batch=batch_id,
                feed_row_key=r.row_key,
                received_at=received_at,
            )
            known.add(r.row_key)
            touched.add(person.pk)
            out[r.row_key] = "created"
        for pk in touched:
            refresh_current_certificate(persons[pk], timezone.localdate())
    return out
