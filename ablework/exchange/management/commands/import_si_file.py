"""``manage.py import_si_file FILE --source 人社 --batch-id 2025-05``: the bulk path for a large monthly
social-insurance file (see ``exchange/bulk.py``).  The same batch id twice does nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ablework.exchange import bulk
from ablework.exchange.actions import ExchangeError


class Command(BaseCommand):
    help = "批量导入社保缴费数据文件（CSV）"
    requires_system_checks: list[str] = []  # a data load: the checks of the whole project are not its business

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--source", default="人社", help="数据来源部门（人社、医保）")
        parser.add_argument("--batch-id", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            timings: dict[str, float] = {}
            result = bulk.import_si_file(
                options["file"], source=options["source"], batch_id=options["batch_id"], timings=timings
            )
        except ExchangeError as exc:
            raise CommandError(str(exc)) from None
        b = result.batch
        prefix = "该批次此前已导入，未做改动：" if result.duplicate else ""
        self.stdout.write(
            f"{prefix}共{b.received_rows}行：新增{b.created_rows}，已有{b.unchanged_rows}，拒收{b.rejected_rows}"
            + ("；" + "，".join(f"{k} {v:.1f}s" for k, v in timings.items()) if timings else "")
        )
