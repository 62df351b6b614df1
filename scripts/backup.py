"""Backup and restore of the AbleWork database, with a manifest and a verification step.

    python scripts/backup.py backup  [--database-url URL] [--out var/backups] [--keep 14]
    python scripts/backup.py restore FILE [--target URL] [--force]
    python scripts/backup.py verify  MANIFEST [--target URL]

``make backup`` / ``make restore FILE=…`` call this.  The database comes from ``DATABASE_URL`` (as in the
settings; default the embedded SQLite file).

* PostgreSQL: ``pg_dump --format=custom`` taken inside a REPEATABLE READ transaction whose snapshot is
  shared with pg_dump (``--snapshot``), so the row counts written to the manifest describe exactly the
  rows in the dump, even while the platform is in use.  Restore: ``pg_restore`` into the target database
  (created when missing; an existing non-empty one is refused unless ``--force``, which drops it).
* SQLite: the online backup API (consistent copy of a live WAL database), counts taken from the copy.

The manifest (``<file>.manifest.json``) holds the file's SHA-256 and the row count of every table.  After
a restore, ``verify`` compares the counts table by table and runs ``manage.py verify_audit`` against the
target (the audit log hash chain); any difference exits non-zero.  ``--keep N`` deletes all but the N
newest backups in the output folder (retention; see docs/operations.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'ablework.sqlite3'}"
DEFAULT_OUT = ROOT / "var" / "backups"


class DrillError(RuntimeError):
    pass


def vendor(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme.startswith("postgres"):
        return "postgresql"
    if scheme == "sqlite":
        return "sqlite"
    raise DrillError(f"unsupported database URL scheme {scheme!r}")


def _sqlite_file(url: str) -> Path:
    """The file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL (as dj-database-url reads it)."""
    return Path(url[len("sqlite:///") :]).absolute()


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DrillError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def server_url(url: str, database: str = "postgres") -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# --- counting ---------------------------------------------------------------------------------------------


def pg_counts(cur: Any) -> dict[str, int]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cur.fetchall()]
    counts = {}
    for table in tables:
        cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        counts[table] = cur.fetchone()[0]
    return counts


def sqlite_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        conn.close()


def counts_of(url: str) -> dict[str, int]:
    if vendor(url) == "sqlite":
        return sqlite_counts(_sqlite_file(url))
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        return pg_counts(cur)


# --- backup -----------------------------------------------------------------------------------------------


def backup(url: str, out_dir: Path, keep: int | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kind = vendor(url)
    started = time.perf_counter()
    if kind == "postgresql":
        import psycopg

        target = out_dir / f"ablework-{stamp}.pgdump"
        with psycopg.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]  # type: ignore[index]
            counts = pg_counts(cur)
            # pg_dump reads the very snapshot the counts were taken in (the transaction stays open meanwhile).
            subprocess.run(  # noqa: S603 (fixed arguments)
                [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 f"--file={target}", f"--dbname={url}"],
                check=True,
            )  # fmt: skip
            conn.rollback()
    else:
        source = _sqlite_file(url)
        if not source.exists():
            raise DrillError(f"SQLite database {source} does not exist")
        target = out_dir / f"ablework-{stamp}.sqlite3"
        src = sqlite3.connect(source)
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        counts = sqlite_counts(target)
    manifest = {
        "file": target.name,
        "database": kind,
        "source": database_name(url) if kind == "postgresql" else str(_sqlite_file(url)),
        "created_utc": stamp,
        "seconds": round(time.perf_counter() - started, 2),
        "bytes": target.stat().st_size,
        "sha256": sha256_file(target),
        "tables": counts,
        "rows": sum(counts.values()),
    }
    manifest_path = target.with_name(target.name + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if keep:
        prune(out_dir, keep)
    return manifest_path


def prune(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups (with their manifests)."""
    dumps = sorted(
        (p for p in out_dir.glob("ablework-*") if not p.name.endswith(".manifest.json")),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = []
    for old in dumps[keep:]:
        old.unlink(missing_ok=True)
        old.with_name(old.name + ".manifest.json").unlink(missing_ok=True)
        removed.append(old)
    return removed


# --- restore and verify -----------------------------------------------------------------------------------


def load_manifest(file: Path) -> tuple[Path, dict[str, Any]]:
    manifest_path = file if file.name.endswith(".manifest.json") else file.with_name(file.name + ".manifest.json")
    if not manifest_path.exists():
        raise DrillError(f"manifest {manifest_path} not found beside the backup")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return manifest_path.with_name(manifest["file"]), manifest


def restore(file: Path, target: str, force: bool = False) -> dict[str, Any]:
    dump, manifest = load_manifest(file)
    if sha256_file(dump) != manifest["sha256"]:
        raise DrillError(f"{dump.name}: SHA-256 differs from the manifest (damaged or altered file)")
    if vendor(target) != manifest["database"]:
        raise DrillError(f"a {manifest['database']} backup cannot be restored into {vendor(target)}")
    if manifest["database"] == "postgresql":
        import psycopg
        from psycopg import sql

        name = database_name(target)
        with psycopg.connect(server_url(target), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                with psycopg.connect(target) as tconn:
                    tables = tconn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
                if tables and tables[0] and not force:
                    raise DrillError(f"database {name} is not empty; pass --force to replace it")
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        subprocess.run(  # noqa: S603 (fixed arguments)
            [tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={target}", str(dump)],
            check=True,
        )
    else:
        path = _sqlite_file(target)
        if path.exists() and path.stat().st_size and not force:
            raise DrillError(f"{path} exists; pass --force to replace it")
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        dst = sqlite3.connect(path)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
    return verify(file, target)


def verify(file: Path, target: str) -> dict[str, Any]:
    """Row counts of every table against the manifest, then the audit hash chain."""
    _, manifest = load_manifest(file)
    got = counts_of(target)
    expected: dict[str, int] = manifest["tables"]
    differences = {
        t: {"manifest": expected.get(t), "restored": got.get(t)}
        for t in sorted(set(expected) | set(got))
        if expected.get(t) != got.get(t)
    }
    env = {**os.environ, "DATABASE_URL": target, "PYTHONUNBUFFERED": "1"}
    audit = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    result = {
        "tables": len(got),
        "rows": sum(got.values()),
        "count_differences": differences,
        "audit_ok": audit.returncode == 0,
        "audit_output": (audit.stdout + audit.stderr).strip(),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup")
    b.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    b.add_argument("--out", type=Path, default=Path(os.environ.get("BACKUP_DIR", DEFAULT_OUT)))
    b.add_argument("--keep", type=int, default=int(os.environ.get("BACKUP_KEEP", "14")))
    for name in ("restore", "verify"):
        r = sub.add_parser(name)
        r.add_argument("file", type=Path)
        r.add_argument(
            "--target", default=os.environ.get("TARGET_DATABASE_URL") or os.environ.get("DATABASE_URL", DEFAULT_URL)
        )
        if name == "restore":
            r.add_argument("--force", action="store_true", help="replace a non-empty target")
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            manifest_path = backup(args.database_url, args.out, args.keep)
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            print(f"备份完成：{args.out / manifest['file']}（{manifest['bytes'] / 1e6:.1f} MB，"
                  f"{len(manifest['tables'])} 张表，{manifest['rows']:,} 行，{manifest['seconds']} 秒）")  # fmt: skip
            print(f"清单：{manifest_path}")
            return 0
        result = (
            restore(args.file, args.target, args.force) if args.command == "restore" else verify(args.file, args.target)
        )
    except (DrillError, subprocess.CalledProcessError) as exc:
        print(f"失败：{exc}", file=sys.stderr)
        return 2
    print(f"{result['tables']} 张表，{result['rows']:,} 行；审计日志：{result['audit_output']}")
    for table, diff in result["count_differences"].items():
        print(f"  行数不符 {table}: 清单 {diff['manifest']}，恢复后 {diff['restored']}", file=sys.stderr)
    ok = not result["count_differences"] and result["audit_ok"]
    print("校验通过：行数与清单一致，审计哈希链完整" if ok else "校验失败", file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
