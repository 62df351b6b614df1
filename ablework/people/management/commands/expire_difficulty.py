from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.people import actions


class Command(BaseCommand):
    help = "将有效期已届满的就业困难人员认定标记为“已到期”（每日运行一次；可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on",
            type=date.fromisoformat,
            default=None,
            help="按哪一天判断（默认今天，YYYY-MM-DD）：有效期止早于该日的到期",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        expired = actions.expire_difficulty_certifications(opts["on"])
        self.stdout.write(
            f"已将 {expired} 条就业困难人员认定标记为已到期，用时 {time.perf_counter() - started:.1f} 秒。"
        )
