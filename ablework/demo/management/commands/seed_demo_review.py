"""``manage.py seed_demo_review [--year Y] [--seed S] [--if-empty]``

Demo data of the annual review on top of ``seed_demo`` (see ``ablework.demo.annual_review``): campaigns
of the data years Y−2 … Y (default Y: last year), declarations in every state through the real workflow,
levy results, payments, credit events of Y−1 and the published disclosure of Y−1 and Y.  One
transaction; deterministic for a given registry and seed.  With ``--if-empty`` nothing happens when
any of those years already has declarations (so ``make run`` can call it every time, also in a later
year on a database seeded before).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ablework.demo.annual_review import default_data_year, has_review_data, seed_annual_review


class Command(BaseCommand):
    help = "生成年审演示数据：年审批次、各状态的申报与认定、保障金缴纳、失信事件和公示（在 seed_demo 之后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="数据年度（默认上一年）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--if-empty", action="store_true", help="这三个数据年度已有申报时什么也不做")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ABLEWORK_DEMO=1）下可生成演示数据")
        year: int = opts["year"] or default_data_year()
        if has_review_data(year):
            if opts["if_empty"]:
                self.stdout.write(f"{year - 2}至{year}年度已有年审申报，未生成年审演示数据（--if-empty）。")
                return
            raise CommandError(
                f"{year - 2}至{year}年度已有年审申报；年审演示数据只加到没有申报的年度（或加 --if-empty 跳过）"
            )
        started = time.perf_counter()
        progress = (lambda msg: self.stderr.write(msg)) if opts["verbosity"] >= 2 else None
        try:
            result = seed_annual_review(data_year=year, seed=opts["seed"], progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{result.summary()}用时 {time.perf_counter() - started:.1f} 秒。")
