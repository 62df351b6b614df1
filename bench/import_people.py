"""Benchmark of the registry bulk import (issue 3: 100,000 rows in under 60 s on SQLite).

1. Generate an .xlsx of ``BENCH_IMPORT_ROWS`` person rows (default 100,000) in the format of the
   published template, with about 2 % bad rows of the kinds a district spreadsheet has (bad check
   digit, another person's certificate, impossible date, unknown district, a street of another
   district, a row of another district).
2. Fresh SQLite file in a temporary directory, ``migrate``.
3. Import it as a district officer of 和平区 through ``people.actions.start_people_import`` (the code
   path of the upload page and of the task worker), in a child process whose wall time and peak RSS
   this script measures (``os.wait4``).
4. Upload the same file again (the earlier batch is returned: a no-op), and then the same rows in a
   new file (a title line above the header makes it a different file): every row is ``unchanged``.

Prints rows/s, seconds, error count and peak memory per step; writes bench/results/import_people.json.
Exits with status 1 when the first import is over the 60 s budget.  ``python bench/import_people.py``
or through ``make bench`` (bench/run.py).
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import_people.json"
BUDGET_SECONDS = 60.0
SEED = 3

HEAD = ["姓名", "身份证号", "残疾人证号", "发证日期", "有效期至", "户籍区", "街道", "社区/村", "联系电话", "居住地址",
        "城乡", "文化程度"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文玉志海燕欣怡子涵浩然梓轩宇一诺雨桐诗"
HEPING_STREETS = ["劝业场街道", "小白楼街道", "五大道街道", "新兴街道", "南营门街道", "南市街道"]
EDUCATION = ["小学", "初中", "高中", "中专/职高", "大专", "本科"]


def _check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _id(n: int, region: str = "120101") -> str:
    """A valid ID number, unique for n < 16,000,000 (birth date from n, serial from n // 16000)."""
    birth = date(1962, 1, 1) + timedelta(days=n % 16000)
    first17 = f"{region}{birth:%Y%m%d}{(n // 16000) % 1000:03d}"
    return first17 + _check(first17)


def generate(path: Path, rows: int, seed: int = SEED) -> int:
    """Write the file; returns the number of rows made bad on purpose."""
    import xlsxwriter

    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("残疾人名单")
    ws.write_row(0, 0, HEAD)
    bad = 0
    for n in range(1, rows + 1):
        number = _id(n)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        issued = date(2012, 1, 1) + timedelta(days=rng.randrange(4000))
        cert = number + str(rng.randint(1, 7)) + str(rng.randint(1, 4))
        row: list[Any] = [name, number, cert, issued.isoformat(), (issued + timedelta(days=3652)).isoformat(),
                          "和平区", rng.choice(HEPING_STREETS), f"第{rng.randint(1, 40)}社区",
                          f"13{rng.randint(100000000, 999999999)}", f"和平区某某路{rng.randint(1, 300)}号",
                          "城镇", rng.choice(EDUCATION)]  # fmt: skip
        if rng.random() < 0.02:
            bad += 1
            kind = rng.randrange(6)
            if kind == 0:
                row[1] = number[:17] + ("0" if number[17] != "0" else "1")  # check digit
            elif kind == 1:
                row[2] = _id(n + 1) + "42"  # someone else's certificate
            elif kind == 2:
                row[3] = "2019-02-30"  # no such date
            elif kind == 3:
                row[5] = "天津新区"  # no such district
            elif kind == 4:
                row[6] = "大营门街道"  # a street of 河西区
            else:
                row[5] = "河西区"  # another district: refused for a 和平区 officer
        ws.write_row(n, 0, row)
    wb.close()
    return bad


@dataclass
class Step:
    step: str
    rows: int
    seconds: float
    import_seconds: float
    cpu_seconds: float
    rows_per_second: float
    created: int
    updated: int
    unchanged: int
    errors: int
    peak_mb: float
    same_batch: bool


def child(env: dict[str, str], *args: str) -> tuple[float, float, dict[str, Any]]:
    """Run this script's child mode; returns (wall seconds, peak RSS MB, the child's JSON)."""
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, __file__, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"child {' '.join(args)} failed:\n{out}")
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return seconds, peak, json.loads(out.strip().splitlines()[-1]) if out.strip() else {}


def child_main(mode: str, *args: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    if mode == "migrate":
        call_command("migrate", "--noinput", verbosity=0)
        print(json.dumps({}))
        return
    from ablework.accounts.models import Organisation, User
    from ablework.core.models import District
    from ablework.people import actions

    path, filename = Path(args[0]), args[1]
    officer = User.objects.filter(username="bench-hp-officer").first()
    if officer is None:
        org = Organisation.objects.create(
            kind="district", name="和平区残联", district=District.objects.get(code="120101")
        )
        officer = User(username="bench-hp-officer", role="district_officer", organisation=org)
        officer.set_unusable_password()
        officer.save()
    data = path.read_bytes()
    cpu_started = time.process_time()
    started = time.perf_counter()
    submitted = actions.start_people_import(
        actor=officer, kind="people.persons", filename=filename, data=data, inline=True
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    b = submitted.batch
    print(
        json.dumps(
            {
                "import_seconds": seconds,
                "cpu_seconds": cpu,
                "same_batch": not submitted.created,
                "status": b.status,
                "total": b.total_rows,
                "created": b.created_rows,
                "updated": b.updated_rows,
                "unchanged": b.unchanged_rows,
                "errors": b.error_rows,
                "message": b.job.message if b.job else "",
            },
            ensure_ascii=False,
        )
    )


def with_title(src: Path, dst: Path) -> None:
    """The same rows in a different file: a title line above the header."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(src)).get_sheet_by_index(0).to_python()
    wb = xlsxwriter.Workbook(str(dst), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("残疾人名单")
    ws.write_row(0, 0, ["和平区残疾人名单（复核）"])
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    wb.close()


def main() -> int:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
    load_before = os.getloadavg()[0]  # other work on the machine shows as wall time above CPU time
    steps: list[Step] = []
    with tempfile.TemporaryDirectory(prefix="ablework-bench-import-") as tmp:
        tmpdir = Path(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmpdir / 'bench.sqlite3'}",
            "ABLEWORK_VAR_DIR": str(tmpdir / "var"),
            "PYTHONUNBUFFERED": "1",
        }
        src = tmpdir / "persons.xlsx"
        print(f"[import] generating {rows:,} rows …", file=sys.stderr)
        bad = generate(src, rows)
        again = tmpdir / "persons-again.xlsx"
        with_title(src, again)
        print(f"[import] {bad:,} rows made bad on purpose; file {src.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        child(env, "--child", "migrate")
        plan = [
            ("first import", src, "和平区名单.xlsx"),
            ("same file again", src, "和平区名单.xlsx"),
            ("same rows, new file", again, "和平区名单（复核）.xlsx"),
        ]
        for label, path, filename in plan:
            print(f"[import] {label} …", file=sys.stderr)
            seconds, peak, got = child(env, "--child", "import", str(path), filename)
            if got["status"] != "done":
                sys.exit(f"[import] {label}: batch {got['status']}: {got['message']}")
            steps.append(
                Step(
                    step=label,
                    rows=got["total"],
                    seconds=round(seconds, 2),
                    import_seconds=round(got["import_seconds"], 2),
                    cpu_seconds=round(got["cpu_seconds"], 2),
                    # The same file again does no row work: no rate for it.
                    rows_per_second=0 if got["same_batch"] else round(got["total"] / got["import_seconds"]),
                    created=got["created"],
                    updated=got["updated"],
                    unchanged=got["unchanged"],
                    errors=got["errors"],
                    peak_mb=round(peak, 1),
                    same_batch=got["same_batch"],
                )
            )
    first = steps[0]
    problems = []
    if first.errors != bad or first.created != rows - bad:
        problems.append(f"first import: expected {rows - bad} created and {bad} errors, got {first}")
    if not steps[1].same_batch:
        problems.append("the same file was imported twice")
    if steps[2].unchanged != rows - bad or steps[2].created or steps[2].updated:
        problems.append(f"re-import: expected {rows - bad} unchanged, got {steps[2]}")
    head = ("step", "rows", "import s", "cpu s", "child wall s", "rows/s", "created", "unchanged", "errors", "peak MB")
    table = [head] + [
        (s.step, f"{s.rows:,}", f"{s.import_seconds:.1f}", f"{s.cpu_seconds:.1f}", f"{s.seconds:.1f}",
         f"{s.rows_per_second:,}" if s.rows_per_second else "-",
         f"{s.created:,}", f"{s.unchanged:,}", f"{s.errors:,}", f"{s.peak_mb:.0f}")
        for s in steps
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for n, r in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    report = {
        "benchmark": "import_people",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": "sqlite (temporary file)",
        "budget_seconds": BUDGET_SECONDS,
        "rows": rows,
        "bad_rows": bad,
        "load_average_before": round(load_before, 2),
        "results": [asdict(s) for s in steps],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    if first.import_seconds > BUDGET_SECONDS:
        print(f"FAIL: the import of {rows:,} rows took longer than {BUDGET_SECONDS:.0f} s", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:])
    else:
        sys.exit(main())
