from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.people import actions


class Command(BaseCommand):
    help = "重新推导全部残疾人的就业状态（每日运行一次：跨过劳动年龄界限的人员不会有任何写入触发更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", type=date.fromisoformat, default=None, help="按哪一天推导（默认今天，YYYY-MM-DD）")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        changed = actions.refresh_statuses(on=opts["on"])
        self.stdout.write(f"已更新 {changed} 人的就业状态，用时 {time.perf_counter() - started:.1f} 秒。")
