"""``manage.py refresh_reports [--year Y ...]``: recompute the pre-aggregated monitoring figures (default:
this year and the two before).  Idempotent; the dashboards show the time of the latest run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.reports import aggregates


class Command(BaseCommand):
    help = "更新监测指标（预汇总表）：默认今年及前两年。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="年度（可重复）；默认今年及前两年")

    def handle(self, *args: Any, **opts: Any) -> None:
        for run in aggregates.refresh_years(opts["year"] or aggregates.default_years()):
            self.stdout.write(f"{run.year}年：{run.rows}行，用时{run.seconds:.1f}秒。")
