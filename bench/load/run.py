"""Load test: 32 simulated officers and employers against gunicorn + PostgreSQL on loopback, bounded.

    python bench/load/run.py [--seconds 600] [--users 32] [--workers 4] [--fresh]

``make load`` runs 10 minutes; ``bench/run.py`` (``make bench``) runs the 30-second version.

1. Database ``ablework_load`` on ``BENCH_PG_SERVER`` (default postgres://postgres@127.0.0.1:5432): created,
   migrated and seeded once (10,000 persons, 2,000 employers, the annual-review data, the demo accounts);
   reused afterwards unless ``--fresh``.
2. gunicorn (``--workers`` sync workers) on 127.0.0.1, production-like: DEBUG off, Prometheus multiprocess dir.
3. locust headless with bench/load/locustfile.py, ``--users`` users spawned at 8/s, for ``--seconds``.
4. Every second the RSS of each gunicorn worker is sampled: growth = end vs. the first sample after the
   warm-up (the first 20 % of the run, at least 5 s).

Printed and written to bench/results/load.json: requests, throughput (req/s), p50/p95/p99 (ms), errors,
worker RSS at warm-up and at the end (MB) and the growth in %.  Fails (exit 1) on any error, or on RSS growth
above 10 % in a run of 5 minutes or longer (a 30-second run is too short to judge growth).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "load.json"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
DB = "ablework_load"
SECRET = "ablework-load-test-secret-key-loopback-only-0123456789abcdef"  # noqa: S105 (loopback test DB)
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "SECURE_COOKIES": "0",  # plain HTTP on loopback
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }


def manage(url: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env_for(url), check=True)  # noqa: S603


def prepare(fresh: bool) -> str:
    import psycopg

    url = f"{PG_SERVER}/{DB}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')
    ready = False
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM people_person").fetchone()
            users = conn.execute("SELECT count(*) FROM accounts_user WHERE username = 'employer_demo'").fetchone()
            ready = bool(row and row[0] >= 1000 and users and users[0])
    except psycopg.Error:
        ready = False
    if not ready:
        print(f"[load] preparing {DB}: migrate, seed (a few minutes, once) …", file=sys.stderr)
        manage(url, "migrate", "--noinput", "-v", "0")
        manage(url, "seed_demo", "--persons", "10000", "--employers", "2000", "--seed", "1", "--if-empty")
        manage(url, "seed_demo_review", "--seed", "1", "--if-empty")
        manage(url, "demo_accounts")
    return url


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (loopback)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


class RssSampler(threading.Thread):
    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.samples: list[tuple[float, float]] = []  # (seconds since start, total worker RSS in MB)
        self.stop = threading.Event()
        self.started = time.monotonic()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                rss = sum(c.memory_info().rss for c in self.master.children())
            except psutil.Error:
                rss = 0
            self.samples.append((time.monotonic() - self.started, rss / 2**20))
            self.stop.wait(1.0)


def aggregated(stats_csv: Path) -> dict[str, Any]:
    with stats_csv.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "by_endpoint": {
            r["Name"]: {
                "requests": int(r["Request Count"]),
                "errors": int(r["Failure Count"]),
                "p95_ms": float(r["95%"]),
            }
            for r in rows
            if r["Name"] != "Aggregated"
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if shutil.which("locust", path=str(BIN)) is None or shutil.which("gunicorn", path=str(BIN)) is None:
        print("locust/gunicorn not installed in the venv (pip install -r requirements-dev.txt)", file=sys.stderr)
        return 2
    import psycopg

    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"[load] skipped: PostgreSQL not reachable at {PG_SERVER}: {exc}", file=sys.stderr)
        return 0
    url = prepare(args.fresh)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="ablework-load-"))
    prom = workdir / "prometheus"
    prom.mkdir()
    metrics_token = secrets.token_urlsafe(24)
    genv = {**env_for(url), "PROMETHEUS_MULTIPROC_DIR": str(prom), "METRICS_TOKEN": metrics_token}
    gunicorn = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
         str(args.workers), "--worker-class", "sync", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=genv, start_new_session=True,
    )  # fmt: skip
    try:
        wait_http(f"{host}/core/healthz")
        sampler = RssSampler(gunicorn.pid)
        sampler.start()
        prefix = workdir / "locust"
        print(
            f"[load] {args.users} users for {args.seconds} s against {host} ({args.workers} gunicorn workers)",
            file=sys.stderr,
        )
        subprocess.run(  # noqa: S603
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", "8", "--run-time", f"{args.seconds}s", "--host", host,
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"],
            cwd=ROOT, check=False, timeout=args.seconds + 120,
        )  # fmt: skip
        sampler.stop.set()
        sampler.join(3)
        req = urllib.request.Request(f"{host}/core/metrics", headers={"Authorization": f"Bearer {metrics_token}"})  # noqa: S310
        with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 (loopback)
            scraped = r.read().decode()
        figures = aggregated(Path(f"{prefix}_stats.csv"))
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(30)
    warm = max(5.0, args.seconds * 0.2)
    after_warm = [mb for t, mb in sampler.samples if t >= warm] or [mb for _, mb in sampler.samples]
    rss_start, rss_end = after_warm[0], after_warm[-1]
    growth = (rss_end - rss_start) / rss_start * 100 if rss_start else 0.0
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith("ablework_http_requests_total{")
    )
    report = {
        "benchmark": "load",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count()},
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn_workers": args.workers,
        **{k: v for k, v in figures.items() if k != "by_endpoint"},
        "worker_rss_mb_after_warmup": round(rss_start, 1),
        "worker_rss_mb_end": round(rss_end, 1),
        "worker_rss_growth_percent": round(growth, 1),
        "requests_seen_by_metrics_endpoint": int(counted),
        "by_endpoint": figures["by_endpoint"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{'endpoint':<42}{'requests':>9}{'errors':>8}{'p95 ms':>9}")
    for name, row in sorted(figures["by_endpoint"].items()):
        print(f"{name:<42}{row['requests']:>9}{row['errors']:>8}{row['p95_ms']:>9.0f}")
    print(
        f"\nload: {args.users} users, {args.seconds} s: {figures['requests']:,} requests, {figures['rps']} req/s, "
        f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
        f"errors {figures['errors']}; worker RSS {rss_start:.0f} → {rss_end:.0f} MB ({growth:+.1f} %)"
    )
    print(f"written {RESULTS.relative_to(ROOT)}")
    shutil.rmtree(workdir, ignore_errors=True)
    failed = figures["errors"] > 0 or (args.seconds >= 300 and growth > 10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
