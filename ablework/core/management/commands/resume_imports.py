"""Queue again the imports whose worker died (see ``core.imports.resume_stale_imports``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.core.imports import STALE_AFTER, resume_stale_imports


class Command(BaseCommand):
    help = "Re-queue unfinished imports without progress for --stale-minutes (0 at the start of the only worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stale-minutes", type=int, default=int(STALE_AFTER.total_seconds() // 60))

    def handle(self, *args: Any, **opts: Any) -> None:
        ids = resume_stale_imports(stale=timedelta(minutes=max(opts["stale_minutes"], 0)))
        self.stdout.write(f"重新排队的导入批次：{len(ids)}" + (f"（{', '.join(map(str, ids))}）" if ids else ""))
