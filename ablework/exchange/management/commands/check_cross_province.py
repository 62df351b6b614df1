"""``manage.py check_cross_province YEAR``: ask the 跨省通办 service about every person counted in the
data year and keep the answers (conflicts with units in other provinces)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ablework.exchange import crossprovince


class Command(BaseCommand):
    help = "跨省通办：核查本市计入的残疾职工是否同时被外省单位计入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            s = crossprovince.check_year(options["year"])
        except crossprovince.CrossProvinceUnavailable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"核查{s.asked}人：外省已计入{s.counted_elsewhere}人，未获应答{s.unavailable}人")
