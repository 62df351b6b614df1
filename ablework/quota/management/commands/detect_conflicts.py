"""``manage.py detect_conflicts YEAR``: the batch check of the one-unit rule (R2.7) for a data year."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.quota.actions import detect_conflicts


class Command(BaseCommand):
    help = (
        "核查某数据年度所有申报中同一残疾人被多家单位计入的情况（一人只能由一家单位计算），新发现的冲突待审核人员处理。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="数据年度，例如2022")

    def handle(self, *args: Any, **options: Any) -> None:
        scan = detect_conflicts(options["year"])
        self.stdout.write(
            f"{options['year']}年度：新发现{scan.created}个冲突，已消除{scan.withdrawn}个，待处理{scan.open}个"
        )
