"""Queue again the work whose task worker died: import batches (``core.imports.resume_stale_imports``) and
registered long jobs such as the levy batch (``resume_stale_jobs``).  Run it with ``--stale-minutes 0`` just
before starting the only worker (``make run`` does), or from a timer with the default limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.core.imports import STALE_AFTER, resume_stale_imports, resume_stale_jobs


class Command(BaseCommand):
    help = "Re-queue imports and long jobs without progress for --stale-minutes (0 at the start of the only worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stale-minutes", type=int, default=int(STALE_AFTER.total_seconds() // 60))

    def handle(self, *args: Any, **opts: Any) -> None:
        stale = timedelta(minutes=max(opts["stale_minutes"], 0))
        batches = resume_stale_imports(stale=stale)
        jobs = resume_stale_jobs(stale=stale)
        self.stdout.write(
            f"重新排队的导入批次：{len(batches)}" + (f"（{', '.join(map(str, batches))}）" if batches else "")
            + f"；后台任务：{len(jobs)}" + (f"（{', '.join(map(str, jobs))}）" if jobs else "")
        )  # fmt: skip
