"""Benchmark of ``manage.py seed_demo`` (``make bench``; see bench/README.md).

1. PostgreSQL, city scale (500,000 persons + 300,000 employers): fresh database ``ablework_bench``,
   migrate, seed.  Budget: 10 minutes on 2 cores.
2. SQLite, reduced scale (20,000 + 10,000): fresh file under var/.
3. A baseline on each database in the same run: a plain insert of the same number of rows into a
   trivial table (COPY on PostgreSQL, executemany on SQLite), so the figures can be compared across
   machines as a ratio.

Each child's wall time and peak RSS are measured by this script (``os.wait4`` gives the rusage of that
one child, so migrate's memory does not mix into seed_demo's).  Results: bench/results/seed_demo.json.

Then ``bench/import_people.py``: the registry bulk import of 100,000 rows on SQLite (budget 60 s,
results in bench/results/import_people.json); its failure fails ``make bench`` too.

Then ``bench/levy_batch.py``: the levy batch of 300,000 employers on PostgreSQL (budget 30 s) beside one
set-based SQL statement, and their row-by-row agreement (results in bench/results/levy_batch.json); its
failure fails ``make bench`` too.

Then ``bench/matching.py``: top-10 postings for 50,000 job seekers against 10,000 postings (budget 60 s on
2 cores, in memory, beside a trivial pass over the same arrays; results in bench/results/matching.json);
its failure fails ``make bench`` too.

Then ``bench/dashboards.py``: p50/p95 of every monitoring dashboard on the city-scale database above (budget
p95 ≤ 300 ms, beside ``/healthz``) and the city annual report as a tagged PDF (a 30-page cut ≤ 20 s; results
in bench/results/dashboards.json); its failure fails ``make bench`` too.

Then ``bench/si_import.py``: the social-insurance bulk import of 1,000,000 rows on PostgreSQL (budget 90 s,
1.5 GB) beside a plain COPY of the same file (results in bench/results/si_import.json); its failure fails
``make bench`` too.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "seed_demo.json"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = "ablework_bench"
SQLITE_FILE = ROOT / "var" / "bench_seed.sqlite3"
BUDGET_SECONDS = 600.0  # city scale on 2 cores (architecture.md §6)
SEED = 1


@dataclass
class Figure:
    scenario: str
    database: str
    persons: int
    employers: int
    seconds: float
    rows_per_second: float
    peak_mb: float | None
    baseline_seconds: float | None = None
    ratio_to_baseline: float | None = None


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``manage.py <args>``; return (seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    # A fixed interpreter and argument list, no shell: nothing untrusted reaches the command line.
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed with exit code {proc.returncode}:\n{out}")
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return seconds, peak, out


def child_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}


def seed_args(persons: int, employers: int) -> list[str]:
    return ["seed_demo", f"--persons={persons}", f"--employers={employers}", f"--seed={SEED}", "--batch-size=10000"]


# --- PostgreSQL -------------------------------------------------------------------------------------


def pg_available() -> bool:
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable at {PG_SERVER}: {exc}", file=sys.stderr)
        return False
    return True


def pg_fresh_database() -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DB)))
    return f"{PG_SERVER}/{PG_DB}"


def pg_counts(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        persons = conn.execute("SELECT count(*) FROM people_person").fetchone()
        employers = conn.execute("SELECT count(*) FROM employers_employer").fetchone()
    assert persons is not None and employers is not None
    return persons[0], employers[0]


def pg_baseline(url: str, rows: int) -> float:
    """COPY ``rows`` trivial rows (bigint key, short text, small int) into a fresh table."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_baseline")
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


# --- SQLite -----------------------------------------------------------------------------------------


def sqlite_fresh_file() -> str:
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def sqlite_counts() -> tuple[int, int]:
    with sqlite3.connect(SQLITE_FILE) as conn:
        persons = conn.execute("SELECT count(*) FROM people_person").fetchone()[0]
        employers = conn.execute("SELECT count(*) FROM employers_employer").fetchone()[0]
    return persons, employers


def sqlite_baseline(rows: int) -> float:
    """executemany ``rows`` trivial rows in one transaction, with the settings' WAL/synchronous mode."""
    path = SQLITE_FILE.with_name("bench_baseline.sqlite3")
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE bench_baseline (id integer PRIMARY KEY, label text NOT NULL, n integer NOT NULL)")
        started = time.perf_counter()
        with conn:
            conn.executemany(
                "INSERT INTO bench_baseline (id, label, n) VALUES (?, ?, ?)",
                ((i, f"row-{i}", i % 16) for i in range(rows)),
            )
        return time.perf_counter() - started
    finally:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- scenarios --------------------------------------------------------------------------------------


def scenario(name: str, database: str, url: str, persons: int, employers: int) -> Figure:
    env = child_env(url)
    print(f"[{name}] migrate …", file=sys.stderr)
    run_child(["migrate", "--noinput", "-v", "0"], env)
    print(f"[{name}] seed_demo {persons:,} persons + {employers:,} employers …", file=sys.stderr)
    seconds, peak, out = run_child(seed_args(persons, employers), env)
    print(f"[{name}] {out.strip()}", file=sys.stderr)
    got = pg_counts(url) if database == "postgresql" else sqlite_counts()
    if got != (persons, employers):
        sys.exit(f"[{name}] expected {persons} persons and {employers} employers, found {got}")
    rows = persons + employers
    base = pg_baseline(url, rows) if database == "postgresql" else sqlite_baseline(rows)
    return Figure(
        scenario=name,
        database=database,
        persons=persons,
        employers=employers,
        seconds=round(seconds, 2),
        rows_per_second=round(rows / seconds),
        peak_mb=round(peak, 1),
        baseline_seconds=round(base, 2),
        ratio_to_baseline=round(seconds / base, 1) if base > 0 else None,
    )


def print_table(figures: list[Figure]) -> None:
    head = ("scenario", "db", "persons", "employers", "seconds", "rows/s", "peak MB", "baseline s", "× baseline")
    lines = [head] + [
        (
            f.scenario,
            f.database,
            f"{f.persons:,}",
            f"{f.employers:,}",
            f"{f.seconds:.1f}",
            f"{f.rows_per_second:,.0f}",
            f"{f.peak_mb:.0f}" if f.peak_mb is not None else "-",
            f"{f.baseline_seconds:.2f}" if f.baseline_seconds is not None else "-",
            f"{f.ratio_to_baseline:.1f}" if f.ratio_to_baseline is not None else "-",
        )
        for f in figures
    ]
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(head))]
    for n, row in enumerate(lines):
        print(
            "  ".join(
                str(c).rjust(w) if n and i >= 2 else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main() -> int:
    persons = int(os.environ.get("BENCH_PERSONS", "500000"))
    employers = int(os.environ.get("BENCH_EMPLOYERS", "300000"))
    small_persons = int(os.environ.get("BENCH_SQLITE_PERSONS", "20000"))
    small_employers = int(os.environ.get("BENCH_SQLITE_EMPLOYERS", "10000"))
    figures: list[Figure] = []
    over_budget = False
    if pg_available():
        fig = scenario("city scale", "postgresql", pg_fresh_database(), persons, employers)
        figures.append(fig)
        over_budget = fig.seconds > BUDGET_SECONDS
    figures.append(scenario("reduced scale", "sqlite", sqlite_fresh_file(), small_persons, small_employers))

    print_table(figures)
    report: dict[str, Any] = {
        "benchmark": "seed_demo",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "budget_seconds": BUDGET_SECONDS,
        "baseline": "plain insert of the same number of trivial rows (PostgreSQL COPY / SQLite executemany)",
        "results": [asdict(f) for f in figures],
        "bench_process_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    # Registry bulk import: 100,000 rows on SQLite in under 60 s (bench/import_people.py).
    print("\n== bulk import (bench/import_people.py) ==")
    import_failed = subprocess.call([sys.executable, str(ROOT / "bench" / "import_people.py")], cwd=ROOT) != 0  # noqa: S603
    # Levy batch: 300,000 employers in ≤ 30 s on PostgreSQL, beside one SQL statement (bench/levy_batch.py).
    print("\n== levy batch (bench/levy_batch.py) ==")
    levy_failed = subprocess.call([sys.executable, str(ROOT / "bench" / "levy_batch.py")], cwd=ROOT) != 0  # noqa: S603
    # Matching: top-10 postings for 50,000 seekers × 10,000 postings in ≤ 60 s on 2 cores (bench/matching.py).
    print("\n== job matching (bench/matching.py) ==")
    matching_failed = subprocess.call([sys.executable, str(ROOT / "bench" / "matching.py")], cwd=ROOT) != 0  # noqa: S603
    # Dashboards p95 ≤ 300 ms and a 30-page city report in ≤ 20 s, on the city-scale database seeded above.
    print("\n== dashboards and annual report (bench/dashboards.py) ==")
    dashboards_failed = subprocess.call([sys.executable, str(ROOT / "bench" / "dashboards.py")], cwd=ROOT) != 0  # noqa: S603
    # Social-insurance bulk import: 1,000,000 rows in ≤ 90 s on PostgreSQL beside a plain COPY (bench/si_import.py).
    print("\n== social-insurance bulk import (bench/si_import.py) ==")
    si_failed = subprocess.call([sys.executable, str(ROOT / "bench" / "si_import.py")], cwd=ROOT) != 0  # noqa: S603
    # Load: 32 users for 30 s against gunicorn + PostgreSQL on loopback (bench/load/run.py; `make load` = 10 min).
    print("\n== load test, 30 s (bench/load/run.py) ==")
    load_cmd = [sys.executable, str(ROOT / "bench" / "load" / "run.py"), "--seconds", "30"]
    load_failed = subprocess.call(load_cmd, cwd=ROOT) != 0  # noqa: S603
    if over_budget:
        print(f"FAIL: city-scale seeding took longer than the {BUDGET_SECONDS:.0f} s budget", file=sys.stderr)
        return 1
    return 1 if import_failed or levy_failed or matching_failed or dashboards_failed or si_failed or load_failed else 0


if __name__ == "__main__":
    sys.exit(main())
