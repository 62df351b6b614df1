"""Backup and restore drill (``make backup`` / ``make restore``: scripts/backup.py), on the database the suite
runs on: back up a database holding persons and an audit chain, restore it into a throwaway database,
compare every table's row count with the manifest and verify the audit hash chain; a damaged copy fails."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from ablework.core import audit

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "backup.py"


def drill(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed interpreter and script)
        [sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def fill(make_person: Any, hp_officer: Any) -> None:
    for i in range(5):
        with transaction.atomic():
            person = make_person("120101", name=f"备份演练{i}")
            audit.record("create", actor=hp_officer, obj=person, object_label=person.name, district_code="120101")
    with transaction.atomic():
        audit.record("read", actor=hp_officer, object_type="people.person", object_id="1", purpose="演练")


def pg_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_backup_restore_drill_on_postgresql(tmp_path: Path, make_person: Any, hp_officer: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run of the suite (DATABASE_URL=postgres://…)")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed (apt-get install postgresql-client)")
    import psycopg

    fill(make_person, hp_officer)
    source = pg_url()
    backed = drill("backup", "--database-url", source, "--out", str(tmp_path))
    assert backed.returncode == 0, backed.stderr
    dump = next(tmp_path.glob("ablework-*.pgdump"))
    target = source.rsplit("/", 1)[0] + f"/ablework_ops_drill_{os.getpid()}"
    try:
        restored = drill("restore", str(dump), "--target", target)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "校验通过" in restored.stdout and "哈希链无误" in restored.stdout
        with psycopg.connect(target) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM people_person").fetchall()}
        assert {f"备份演练{i}" for i in range(5)} <= names
        # A non-empty target is refused without --force.
        again = drill("restore", str(dump), "--target", target)
        assert again.returncode == 2 and "not empty" in again.stderr
        # A row lost after the restore is reported against the manifest.
        with psycopg.connect(target) as conn:
            conn.execute("DELETE FROM people_person WHERE name = '备份演练0'")
        checked = drill("verify", str(dump), "--target", target)
        assert checked.returncode == 1 and "people_person" in checked.stderr
    finally:
        with psycopg.connect(source.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "ablework_ops_drill_{os.getpid()}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_restore_drill_on_sqlite(tmp_path: Path, make_person: Any, hp_officer: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("runs in the SQLite run of the suite (DATABASE_URL=sqlite://…)")
    fill(make_person, hp_officer)
    # The suite's database lives in memory: copy it to a file, which stands for the production database.
    live = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    dst = sqlite3.connect(live)
    connection.connection.backup(dst)
    dst.close()
    out = tmp_path / "backups"
    backed = drill("backup", "--database-url", f"sqlite:///{live}", "--out", str(out), "--keep", "2")
    assert backed.returncode == 0, backed.stderr
    dump = next(out.glob("ablework-*.sqlite3"))
    target = tmp_path / "restored.sqlite3"
    restored = drill("restore", str(dump), "--target", f"sqlite:///{target}")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "校验通过" in restored.stdout and "哈希链无误" in restored.stdout
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM people_person WHERE name LIKE '备份演练%'").fetchone()[0] == 5
    # Tampering with an audit row in the restored copy breaks the hash chain.
    with sqlite3.connect(target) as conn:
        conn.execute("DROP TRIGGER IF EXISTS core_auditlog_no_update")
        conn.execute("UPDATE core_auditlog SET purpose = '篡改' WHERE action = 'read'")
    tampered = drill("verify", str(dump), "--target", f"sqlite:///{target}")
    assert tampered.returncode == 1 and "篡改" in tampered.stdout + tampered.stderr
    # A damaged backup file is refused before anything is written.
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    dump.write_bytes(bytes(data))
    damaged = drill("restore", str(dump), "--target", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert damaged.returncode == 2 and "SHA-256" in damaged.stderr


def test_retention_keeps_the_newest_backups(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import backup  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    for stamp in ("20261101T000000Z", "20261102T000000Z", "20261103T000000Z"):
        (tmp_path / f"ablework-{stamp}.pgdump").write_bytes(b"x")
        (tmp_path / f"ablework-{stamp}.pgdump.manifest.json").write_text("{}")
    removed = backup.prune(tmp_path, keep=2)
    assert [p.name for p in removed] == ["ablework-20261101T000000Z.pgdump"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ablework-20261102T000000Z.pgdump",
        "ablework-20261102T000000Z.pgdump.manifest.json",
        "ablework-20261103T000000Z.pgdump",
        "ablework-20261103T000000Z.pgdump.manifest.json",
    ]
