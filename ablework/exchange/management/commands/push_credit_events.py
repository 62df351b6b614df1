"""``manage.py push_credit_events [--export FILE]``: deliver the credit-platform outbox now, or write the
undelivered records to a spreadsheet (the offline fallback) and record them as handed over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from ablework.exchange import outbox


class Command(BaseCommand):
    help = "推送失信信息至信用信息共享平台（或导出文件报送）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--export", metavar="FILE", help="不经接口推送：把未送达的记录写入该 .xlsx 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        queued = outbox.enqueue_credit_events()
        if options.get("export"):
            path = Path(options["export"])
            data, ids = outbox.export_file()
            path.write_bytes(data)
            done = outbox.mark_exported(ids, filename=path.name, actor=None)
            self.stdout.write(f"新排队{queued}条；导出{done}条至 {path}")
            return
        report = outbox.deliver_due()
        self.stdout.write(
            f"新排队{queued}条；送达{len(report.sent)}条，待重试{len(report.retried)}条，失败{len(report.dead)}条"
        )
