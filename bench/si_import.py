"""Benchmark of the social-insurance bulk import (issue 7: a 1,000,000-row file imported end to end —
validate, stage, match by the ID lookup hash, merge — in ≤ 90 s on PostgreSQL with peak memory ≤ 1.5 GB;
re-import is a no-op), beside a plain COPY of the same file.

1. Fresh PostgreSQL database ``ablework_bench_si`` (dropped and re-created on ``BENCH_PG_SERVER``),
   ``manage.py migrate``.
2. ``BENCH_SI_PERSONS`` (200,000) registered persons written with COPY (real encrypted ID and keyed
   hash, the 16 districts); ``ANALYZE``.
3. The file (var/bench_si.csv, UTF-8): ``BENCH_SI_ROWS`` (1,000,000) rows, five months of each person
   with one of 20,000 employers, of which every 200th row has the ID of a person who is not registered
   and every 1,000th an impossible month (both must be rejected with a reason).
4. Baseline: ``COPY … FROM STDIN (FORMAT csv)`` of the same file into a plain five-column text table.
5. ``manage.py import_si_file FILE --batch-id BENCH-1`` in a child process (wall time and its own
   peak RSS from ``os.wait4``): the end-to-end import of ``ablework.exchange.bulk``.
6. The same file again under another batch id (``BENCH-2``): must insert nothing; and under the first
   batch id again: returns the earlier batch at once.
7. Drop the database (``BENCH_KEEP_DB=1`` keeps it).

Prints each step, the ratio import ÷ COPY and the peak memory; writes bench/results/si_import.json.
Exits with status 1 when a budget is missed or the counts are wrong.  ``python bench/si_import.py`` or
through ``make bench`` (bench/run.py).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "si_import.json"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "ablework_bench_si"
PERSONS = int(os.environ.get("BENCH_SI_PERSONS", "200000"))
ROWS = int(os.environ.get("BENCH_SI_ROWS", "1000000"))
BUDGET_SECONDS = 90.0
BUDGET_MB = 1536.0
FILE = ROOT / "var" / "bench_si.csv"
DISTRICTS = ("120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111", "120112",
             "120113", "120114", "120115", "120116", "120117", "120118", "120119")  # fmt: skip
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def resident_id(region: str, birth: date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def uscc(n: int) -> str:
    body = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        body = USCC_ALPHABET[r] + body
    first17 = f"91120101{body}"
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def person_id_number(i: int) -> str:
    # Unique for each i below 16 × 20,000: district and birth date differ; odd sequence = male.
    return resident_id(DISTRICTS[i % 16], date(1966, 1, 1) + timedelta(days=i // 16), 11)


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


def child_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"})
    return env


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    started = time.perf_counter()
    # A fixed interpreter and argument list, no shell: nothing untrusted reaches the command line.
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"manage.py {' '.join(args)} failed with exit code {code}:\n{out}")
    return seconds, usage.ru_maxrss / 1024, out


def seed_persons(url: str) -> float:
    """COPY the persons (every NOT NULL column without a database default gets a neutral value)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from ablework.core import crypto

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT code, id FROM core_district")
        district_ids = dict(cur.fetchall())
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'people_person' "
            "AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id' ORDER BY ordinal_position"
        )
        required = cur.fetchall()
        now = datetime.now(UTC).isoformat()
        neutral = {"boolean": "f", "integer": "0", "smallint": "0", "jsonb": "{}", "date": "2020-01-01",
                   "timestamp with time zone": now}  # fmt: skip
        names = [c for c, _ in required]
        with cur.copy(f"COPY people_person ({', '.join(names)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for i in range(PERSONS):
                rid = person_id_number(i)
                known = {
                    "name": f"测试{i}",
                    "id_cipher": crypto.encrypt(rid),
                    "id_hash": crypto.lookup_hash(rid),
                    "id_masked": rid[:6] + "********" + rid[-4:],
                    "sex": "M",
                    "birth_date": f"{rid[6:10]}-{rid[10:12]}-{rid[12:14]}",
                    "district_id": str(district_ids[rid[:6]]),
                    "cert_kind": "cdpf",
                    "status": "unknown_wish",
                }
                row = [known.get(c, neutral.get(t, "")) for c, t in required]
                copy.write("\t".join(row) + "\n")
        cur.execute("ANALYZE people_person")
    return time.perf_counter() - started


def write_file() -> dict[str, int]:
    FILE.parent.mkdir(parents=True, exist_ok=True)
    unmatched = invalid = 0
    with FILE.open("w", encoding="utf-8", newline="") as f:
        f.write("身份证号,缴费月份,缴费单位统一社会信用代码,缴费基数,缴费金额\n")
        units = [uscc(n) for n in range(20_000)]
        ids = [person_id_number(i) for i in range(PERSONS)]
        for i in range(ROWS):
            person = (i // 5) % PERSONS
            month = f"2025-{i % 5 + 1:02d}"
            rid = ids[person]
            if i % 1000 == 999:
                month, invalid = "2025-13", invalid + 1
            elif i % 200 == 199:
                rid, unmatched = resident_id("110101", date(1970, 1, 1) + timedelta(days=i % 9000), 21), unmatched + 1
            f.write(f"{rid},{month},{units[person % 20_000]},4200.00,672.00\n")
    return {"unmatched": unmatched, "invalid": invalid, "bytes": FILE.stat().st_size}


def plain_copy(url: str) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_si_plain")
        conn.execute("CREATE TABLE bench_si_plain (a text, b text, c text, d text, e text)")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY bench_si_plain FROM STDIN (FORMAT csv, HEADER true)") as copy,
            FILE.open("rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_si_plain")
    return seconds


def count_facts(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM people_sicontribution").fetchone()
        return int(row[0]) if row else 0


def main() -> int:
    print(f"SI bulk import: {ROWS:,} rows, {PERSONS:,} persons, PostgreSQL")
    url = fresh_database()
    env = child_env(url)
    t_migrate, _, _ = run_child(["migrate", "--noinput"], env)
    print(f"migrate: {t_migrate:.1f} s")
    t_seed = seed_persons(url)
    print(f"seed persons (COPY): {t_seed:.1f} s")
    started = time.perf_counter()
    shape = write_file()
    print(f"write file: {time.perf_counter() - started:.1f} s, {shape['bytes'] / 1e6:.0f} MB")
    t_copy = plain_copy(url)
    print(f"baseline plain COPY of the file: {t_copy:.2f} s")

    t_import, peak, out = run_child(["import_si_file", str(FILE), "--batch-id", "BENCH-1"], env)
    print(f"import (validate, stage, match, merge): {t_import:.1f} s, peak {peak:.0f} MB — {out.strip()}")
    stored = count_facts(url)
    expected = ROWS - shape["unmatched"] - shape["invalid"]
    t_again, peak_again, out_again = run_child(["import_si_file", str(FILE), "--batch-id", "BENCH-2"], env)
    print(f"re-import under a new batch id: {t_again:.1f} s, peak {peak_again:.0f} MB — {out_again.strip()}")
    stored_after = count_facts(url)
    t_dup, _, out_dup = run_child(["import_si_file", str(FILE), "--batch-id", "BENCH-1"], env)
    print(f"same batch id again: {t_dup:.1f} s — {out_dup.strip()}")

    ratio = t_import / t_copy if t_copy else None
    ok = t_import <= BUDGET_SECONDS and peak <= BUDGET_MB and stored == expected and stored_after == stored
    result: dict[str, Any] = {
        "scenario": "si_import",
        "rows": ROWS,
        "persons": PERSONS,
        "file_mb": round(shape["bytes"] / 1e6, 1),
        "import_seconds": round(t_import, 2),
        "import_peak_mb": round(peak, 1),
        "rows_per_second": round(ROWS / t_import),
        "baseline_copy_seconds": round(t_copy, 2),
        "ratio_to_copy": round(ratio, 1) if ratio else None,
        "reimport_seconds": round(t_again, 2),
        "reimport_inserted": stored_after - stored,
        "duplicate_batch_seconds": round(t_dup, 2),
        "stored_facts": stored,
        "expected_facts": expected,
        "budget_seconds": BUDGET_SECONDS,
        "budget_peak_mb": BUDGET_MB,
        "ok": ok,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"\nimport {t_import:.1f} s vs plain COPY {t_copy:.2f} s (×{ratio:.1f}); peak {peak:.0f} MB; "
        f"stored {stored:,} (expected {expected:,}); re-import inserted {stored_after - stored} → "
        f"{'OK' if ok else 'OVER BUDGET OR WRONG'}"
    )
    FILE.unlink(missing_ok=True)
    if not os.environ.get("BENCH_KEEP_DB"):
        drop_database()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
