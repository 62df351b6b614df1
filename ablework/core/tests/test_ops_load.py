"""The load test in its short bounded form, inside the suite: the locust profile of ``bench/load`` (officers
listing, reading and searching persons, the review queue; the demo employer's pages) against the live test
server on loopback, 6 users for 8 seconds.  It must finish with requests served and no failure.  The 10-minute
run with 32 users against gunicorn + PostgreSQL and its memory-growth check is ``make load``."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
LOCUST = Path(sys.executable).parent / "locust"


@pytest.mark.django_db(transaction=True)
def test_short_load_run_serves_every_request_without_failure(live_server: Any, tmp_path: Path) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("load runs against PostgreSQL (SQLite serialises the concurrent session writes); PostgreSQL run")
    if not LOCUST.exists() and shutil.which("locust") is None:
        pytest.skip("locust is not installed (requirements-dev.txt)")
    call_command("seed_demo", persons=400, employers=120, seed=7, stdout=StringIO(), verbosity=0)
    call_command("seed_demo_review", "--seed=7", stdout=StringIO())
    call_command("demo_accounts", stdout=StringIO())
    prefix = tmp_path / "load"
    result = subprocess.run(  # noqa: S603 (fixed arguments, loopback only)
        [str(LOCUST if LOCUST.exists() else shutil.which("locust")), "-f", str(ROOT / "bench/load/locustfile.py"),
         "--headless", "--users", "6", "--spawn-rate", "6", "--run-time", "8s", "--host", live_server.url,
         "--csv", str(prefix), "--only-summary", "--stop-timeout", "5"],
        cwd=ROOT, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    total = rows["Aggregated"]
    assert int(total["Request Count"]) >= 30, result.stderr[-2000:]
    assert int(total["Failure Count"]) == 0, Path(f"{prefix}_failures.csv").read_text(encoding="utf-8")
    assert "/people/<id>/" in rows and "login" in rows  # the officers' journey ran, detail pages included
    assert result.returncode == 0, result.stderr[-2000:]
