from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ablework.core.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log hash chain; exit non-zero if any row was altered or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：已校验{result.checked}条记录，哈希链无误"))
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"审计日志校验失败：发现{len(result.problems)}处问题（已校验{result.checked}条）")
