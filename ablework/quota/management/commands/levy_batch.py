"""``manage.py levy_batch YEAR``: compute and store the levy of every employer of a data year, now.

Runs ``quota.batch`` in this process with a progress record (the job page shows it too) and a progress
bar on stderr; prints the summary.  Re-running gives identical results and writes nothing new.

``--sql-check`` (PostgreSQL) then computes the same columns with one set-based SQL statement, times it,
and compares it with the stored rows; the command exits with status 1 when any row differs.
``--json`` prints one JSON object with the figures instead of the text (used by ``bench/levy_batch.py``).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ablework.quota import batch


class Command(BaseCommand):
    help = "批量计算并保存某数据年度所有单位的残疾人就业保障金（可重复运行，结果相同）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="数据年度，如 2022")
        parser.add_argument("--chunk-size", type=int, default=batch.DEFAULT_CHUNK)
        parser.add_argument("--sql-check", action="store_true", help="PostgreSQL：用一条SQL语句计算并逐行比对")
        parser.add_argument("--json", action="store_true", help="以JSON输出各项数字")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        quiet = options["json"] or options["verbosity"] == 0
        bar = tqdm(total=0, unit="家", desc=f"{year}年度保障金", disable=quiet, file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        started = time.perf_counter()
        try:
            job = batch.create_levy_job(year, actor=None, enqueue=False)
            summary = batch.run_levy_batch(job.pk, year, chunk_size=options["chunk_size"], progress=progress)
        except batch.BatchError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        wall = time.perf_counter() - started
        assert summary is not None
        out: dict[str, Any] = {"job": job.pk, "wall_seconds": round(wall, 3), **summary.as_dict()}
        check = None
        if options["sql_check"]:
            try:
                check = batch.levy_sql_check(year)
            except batch.BatchError as exc:
                raise CommandError(str(exc)) from None
            out["sql"] = {
                "rows": check.rows,
                "seconds": round(check.seconds, 3),
                "compared": check.compared,
                "mismatches": check.mismatches,
                "missing": check.missing,
                "by_column": check.by_column,
                "examples": check.examples,
            }
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self.stdout.write(summary.message())
            self.stdout.write(f"用时{summary.seconds:.1f}秒（任务{job.pk}）")
            if check is not None:
                self.stdout.write(
                    f"SQL校核：一条语句计算{check.rows}行，用时{check.seconds:.2f}秒；比对{check.compared}行，"
                    f"不一致{check.mismatches}行，单侧缺失{check.missing}行"
                )
                if check.by_column:
                    self.stdout.write("不一致的列：" + "，".join(f"{c} {n}行" for c, n in check.by_column.items()))
                for example in check.examples:
                    self.stdout.write(json.dumps(example, ensure_ascii=False))
        if check is not None and (check.mismatches or check.missing):
            sys.exit(1)
