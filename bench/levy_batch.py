"""Benchmark of the levy batch (issue 4: 300,000 employers with 150,000 disabled employees, end to end —
load, compute, store — in ≤ 30 s on PostgreSQL), beside one set-based SQL statement doing the same
arithmetic on the same data.

1. Fresh PostgreSQL database ``ablework_bench_levy`` (dropped and re-created on
   ``BENCH_PG_SERVER``), ``manage.py migrate``.
2. Generate, with ``COPY``: the 2022 campaign; ``BENCH_LEVY_EMPLOYERS`` (300,000) employers of all kinds in
   the 16 districts, each with a declaration (85 % certified — 3 % of those late —, 7 % submitted, 3 %
   returned, 5 % drafts; a fifth give twelve month-end figures, a tenth a decimal average); and
   ``BENCH_LEVY_PERSONS`` (150,000) disabled employees on them, whose weights make up each certified
   declaration's accepted count; plus 1 % more employers without any declaration.  ``ANALYZE``.
3. ``manage.py levy_batch 2022 --sql-check --json`` in a child process: the batch (read the declarations
   in chunks, compute each with ``rules.compute_levy``, store the new rows with COPY + one upsert per
   chunk, audit), then ``quota.batch.levy_sql_check``: one ``INSERT … SELECT`` computing every row in
   exact SQL ``numeric``, timed, and a column-by-column comparison with the stored rows.
4. The same command again: the idempotent re-run (everything "unchanged", nothing written).
5. Drop the database (``BENCH_KEEP_DB=1`` keeps it).

Prints the seconds of each step, the ratio batch ÷ SQL and the number of rows that differ; writes
bench/results/levy_batch.json.  Exits with status 1 when a row differs or the batch is over 30 s.
``python bench/levy_batch.py`` or through ``make bench`` (bench/run.py).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "levy_batch.json"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "ablework_bench_levy"
BUDGET_SECONDS = 30.0
YEAR = 2022
SEED = 4

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
KINDS = (("enterprise", 80), ("soe", 5), ("agency", 3), ("institution", 6), ("social_org", 4), ("individual", 2))
STATUSES = (("certified", 85), ("submitted", 7), ("returned", 3), ("draft", 5))


def uscc(n: int, district_code: str) -> str:
    """A valid unified social credit code (GB 32100), unique for each n."""
    body = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        body = USCC_ALPHABET[r] + body
    first17 = f"91{district_code}{body}"
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    x = rng.randrange(100)
    for value, share in table:
        if x < share:
            return value
        x -= share
    return table[-1][0]


# --- database ---------------------------------------------------------------------------------------


def fresh_database() -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DB)))
    return f"{PG_SERVER}/{PG_DB}"


def drop_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB)))


def manage(args: list[str], url: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    # A fixed interpreter and argument list, no shell.
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"manage.py {' '.join(args)} failed with exit code {proc.returncode}:\n{proc.stdout}")
    return seconds, proc.stdout


def generate(url: str, employers: int, persons: int, seed: int = SEED) -> dict[str, int]:
    """Write the campaign, employers, declarations and declared employees with COPY; returns counts."""
    import psycopg

    rng = random.Random(seed)
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn:
        districts = conn.execute("SELECT id, code FROM core_district ORDER BY code").fetchall()
        if conn.execute("SELECT count(*) FROM employers_employer").fetchone() != (0,):
            sys.exit("the bench database is not empty")
        campaign_row = conn.execute(
            "INSERT INTO quota_campaign (data_year, declaration_start, declaration_end, levy_start, levy_end, status,"
            " window_sources, created_at) VALUES (%s, %s, %s, %s, %s, 'closed', '{}', %s) RETURNING id",
            (YEAR, date(2023, 3, 1), date(2023, 10, 31), date(2023, 9, 1), date(2023, 10, 31), now),
        ).fetchone()
        assert campaign_row is not None
        campaign_id = campaign_row[0]

        # Declarations first in memory: the persons decide the certified counts.
        decls: list[list[Any]] = []
        for i in range(1, employers + 1):
            staff = max(1, int(math.exp(rng.uniform(0.5, 8.3))))
            monthly = None
            if i % 5 == 0:
                months = [max(0, staff + rng.randint(-staff // 10 - 1, staff // 10 + 1)) for _ in range(12)]
                if sum(months) == 0:
                    months[0] = 1
                monthly = json.dumps([str(m) for m in months])
                staff_dec = (Decimal(sum(months)) / 12).quantize(Decimal("0.0001"))
            elif i % 10 == 1:
                staff_dec = Decimal(rng.randint(staff * 10000, staff * 10000 + 9999)) / 10000
            else:
                staff_dec = Decimal(staff)
            per_head = rng.choice((rng.randint(40_000, 150_000), rng.randint(150_000, 400_000)))
            wages = (staff_dec * per_head + Decimal(rng.randint(0, 99)) / 100).quantize(Decimal("0.01"))
            status = pick(rng, STATUSES)
            late = status == "certified" and rng.random() < 0.03
            decls.append([i, staff_dec, monthly, wages, status, late, 0])
        # Persons: on declarations drawn in proportion to size (larger units employ more).
        weights = [float(d[1]) for d in decls]
        cum: list[float] = []
        acc = 0.0
        for w in weights:
            acc += w
            cum.append(acc)
        import bisect

        person_rows = []
        for p in range(1, persons + 1):
            d = decls[bisect.bisect_left(cum, rng.random() * acc)]
            kind = "military" if rng.random() < 0.05 else "cdpf"
            level = rng.randint(1, 8) if kind == "military" else rng.randint(1, 4)
            weight = 2 if (kind == "cdpf" and level <= 2) or (kind == "military" and level <= 3) else 1
            certified = d[4] == "certified"
            if certified and not d[5]:
                d[6] += weight
            person_rows.append((p, d[0], certified, kind, level, weight))

        with conn.cursor() as cur:
            with cur.copy(
                "COPY employers_employer (id, uscc, name, kind, agency_level, is_school, district_id, address,"
                " legal_representative, status, deregistration_reason, created_at, updated_at) FROM STDIN"
            ) as copy:
                for i in range(1, employers + employers // 100 + 1):
                    district_id, code = districts[i % len(districts)]
                    kind = pick(rng, KINDS)
                    copy.write_row((i, uscc(i, code), f"基准单位{i}", kind, "", False, district_id, "", "", "active", "",
                                    now, now))  # fmt: skip
            with cur.copy(
                "COPY quota_declaration (id, employer_id, campaign_id, staff_count, monthly_staff, total_wages, status,"
                " submitted_at, late, persons_weighted, accepted_count, created_at, updated_at) FROM STDIN"
            ) as copy:
                for i, staff_dec, monthly, wages, status, late, weighted in decls:
                    certified = status == "certified"
                    count = (0 if late else weighted) if certified else None
                    copy.write_row((i, i, campaign_id, staff_dec, monthly, wages, status,
                                    None if status == "draft" else now, late, weighted if certified else None, count,
                                    now, now))  # fmt: skip
            with cur.copy(
                "COPY quota_declaredemployee (id, declaration_id, id_hash, id_masked, cert_kind, cert_hash, cert_masked,"
                " category, level, name, contract_start, contract_months, on_establishment, monthly_wage,"
                " social_insurance_months, in_post, bank_wage, weight, review_outcome, review_reason, validation,"
                " created_at, updated_at) FROM STDIN"
            ) as copy:
                for p, decl_id, certified, kind, level, weight in person_rows:
                    h = hashlib.sha256(f"ID{p}".encode()).hexdigest()
                    c = hashlib.sha256(f"CERT{p}".encode()).hexdigest()
                    copy.write_row((p, decl_id, h, f"120101********{p % 10000:04d}", kind, c, f"1201{p % 100:02d}****",
                                    4 if kind == "cdpf" else None, level, f"职工{p}", date(2021, 1, 1), 36, False,
                                    Decimal(5000), 12, True, True, weight if certified else None,
                                    "accepted" if certified else "pending", "", "{}", now, now))  # fmt: skip
            for table in ("employers_employer", "quota_declaration", "quota_declaredemployee"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")
        counts = {}
        for table in ("employers_employer", "quota_declaration", "quota_declaredemployee"):
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - our own table names
            assert row is not None
            counts[table] = row[0]
    return counts


def baseline(url: str, rows: int) -> float:
    """COPY ``rows`` trivial rows into a fresh table: this machine's speed right now, so that figures from
    a loaded or another machine can be read as ratios (as bench/run.py does)."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE bench_baseline (id bigint PRIMARY KEY, label text NOT NULL, n smallint NOT NULL)")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY bench_baseline (id, label, n) FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((i, f"row-{i}", i % 16))
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_baseline")
        conn.commit()
    return seconds


# --- run ---------------------------------------------------------------------------------------------


def pg_available() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable at {PG_SERVER}: {exc}", file=sys.stderr)
        return False
    return True


def main() -> int:
    employers = int(os.environ.get("BENCH_LEVY_EMPLOYERS", "300000"))
    persons = int(os.environ.get("BENCH_LEVY_PERSONS", "150000"))
    if not pg_available():
        print("levy batch benchmark skipped: it measures PostgreSQL")
        return 0
    url = fresh_database()
    try:
        print(f"[levy] migrate {PG_DB} …", file=sys.stderr)
        manage(["migrate", "--noinput", "-v", "0"], url)
        print(f"[levy] generate {employers:,} employers, {persons:,} persons (COPY) …", file=sys.stderr)
        started = time.perf_counter()
        counts = generate(url, employers, persons)
        generate_seconds = time.perf_counter() - started
        print(f"[levy] levy_batch {YEAR} --sql-check …", file=sys.stderr)
        wall, out = manage(["levy_batch", str(YEAR), "--sql-check", "--json"], url)
        first = json.loads(out.strip().splitlines()[-1])
        print("[levy] levy_batch again (idempotent re-run) …", file=sys.stderr)
        rerun_wall, out = manage(["levy_batch", str(YEAR), "--json"], url)
        rerun = json.loads(out.strip().splitlines()[-1])
        base = baseline(url, employers)
        load = os.getloadavg()[0]
    finally:
        if os.environ.get("BENCH_KEEP_DB") != "1":
            drop_database()

    sql = first["sql"]
    batch_seconds = first["seconds"]
    ratio = batch_seconds / sql["seconds"] if sql["seconds"] else None
    rows = [
        ("generate data (COPY, not part of the target)", f"{generate_seconds:.1f} s"),
        ("batch: load, compute, store (in the command)", f"{batch_seconds:.1f} s"),
        (
            "  of which read / compute / write",
            " / ".join(f"{first['phases'][k]:.1f}" for k in ("read", "compute", "write")) + " s",
        ),
        ("command wall time (Django start, batch, SQL check)", f"{wall:.1f} s"),
        ("one set-based SQL statement (INSERT … SELECT)", f"{sql['seconds']:.2f} s"),
        ("ratio batch ÷ SQL", f"{ratio:.1f}×" if ratio else "-"),
        (
            "rows compared / differing / on one side only",
            f"{sql['compared']:,} / {sql['mismatches']} / {sql['missing']}",
        ),
        ("differing rows per column", ", ".join(f"{c} {n}" for c, n in sql["by_column"].items()) or "-"),
        ("baseline: COPY of as many trivial rows", f"{base:.2f} s (batch = {batch_seconds / base:.0f}× baseline)"),
        ("load average (1 min) at the end", f"{load:.1f} on {os.cpu_count()} CPUs"),
        (
            "re-run (idempotent): seconds, written rows",
            f"{rerun['seconds']:.1f} s, {rerun['created'] + rerun['updated']}",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"\nlevy batch, {counts['quota_declaration']:,} declarations, {counts['quota_declaredemployee']:,} persons,"
          f" {first['undeclared']:,} employers without a declaration")  # fmt: skip
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v}")
    for example in sql["examples"]:
        print("  differs:", json.dumps(example, ensure_ascii=False))
    report = {
        "benchmark": "levy_batch",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "budget_seconds": BUDGET_SECONDS,
        "counts": counts,
        "generate_seconds": round(generate_seconds, 2),
        "batch": first,
        "batch_command_wall_seconds": round(wall, 2),
        "sql_seconds": sql["seconds"],
        "ratio_batch_to_sql": round(ratio, 2) if ratio else None,
        "rerun": rerun,
        "rerun_command_wall_seconds": round(rerun_wall, 2),
        "baseline_seconds": round(base, 3),
        "ratio_batch_to_baseline": round(batch_seconds / base, 1) if base else None,
        "loadavg_1min": round(load, 2),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS.relative_to(ROOT)}")
    failed = False
    if sql["mismatches"] or sql["missing"]:
        print("FAIL: the batch and the SQL statement disagree", file=sys.stderr)
        failed = True
    if rerun["created"] or rerun["updated"]:
        print("FAIL: the re-run wrote rows", file=sys.stderr)
        failed = True
    if batch_seconds > BUDGET_SECONDS:
        print(f"FAIL: the batch took longer than {BUDGET_SECONDS:.0f} s", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
