"""``manage.py exchange_export {national,tax} --out FILE [--year N] [--on YYYY-MM-DD]``: the outbound files
(national employment and training system, tax bureau) as .xlsx or .csv (by the file's extension).
The national file is real-name: the export is audited like the one from the page."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ablework.core.files import neutralise, xlsx_bytes
from ablework.exchange import exports


class Command(BaseCommand):
    help = "导出全国就业和培训信息系统数据或税务对接数据"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["national", "tax"])
        parser.add_argument("--out", required=True, help=".xlsx 或 .csv 文件")
        parser.add_argument("--year", type=int, help="数据年度（税务）")
        parser.add_argument("--on", type=date.fromisoformat, help="统计日期（全国系统），默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = "csv" if out.suffix.lower() == ".csv" else "xlsx"
        if options["what"] == "tax":
            if not options.get("year"):
                raise CommandError("请用 --year 指定数据年度")
            headers, rows = exports.TAX_HEADERS, exports.tax_rows(options["year"])
            exports.audit_tax_export(len(rows), actor=None, data_year=options["year"], fmt=fmt)
        else:
            on = options.get("on") or timezone.localdate()
            rows, ids = exports.national_rows(on=on)
            headers = exports.NATIONAL_HEADERS
            exports.audit_national_export(ids, actor=None, on=on, fmt=fmt)
        if fmt == "csv":
            with out.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(headers)
                w.writerows([[neutralise(v) for v in r] for r in rows])
        else:
            out.write_bytes(xlsx_bytes(headers, rows))
        self.stdout.write(f"已导出{len(rows)}行至 {out}")
