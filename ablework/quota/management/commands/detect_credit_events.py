"""``manage.py detect_credit_events YEAR``: the scan of §13 for a data year (e.g. from cron after the
levy window): every unit whose certified levy is due and not fully paid gets a RATIO_UNMET_AND_UNPAID
event (idempotent).  Events found without a user have no registering officer: the officer who sends
the pre-notice counts as the maker for the push approval."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ablework.quota.credit import CreditError, detect_credit_events


class Command(BaseCommand):
    help = (
        "核查某数据年度保障金缴纳期届满后未按比例安排残疾人就业且未足额缴纳保障金的单位，登记失信事件（待预先告知）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="数据年度，例如2022")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scan = detect_credit_events(options["year"], actor=None)
        except CreditError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{options['year']}年度（缴纳期至{scan.deadline:%Y-%m-%d}）：新发现{len(scan.created)}条，已有{scan.already}条"
        )
