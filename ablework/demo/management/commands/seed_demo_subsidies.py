"""Seed the subsidy programmes with demo applications (see ``ablework.demo.subsidies``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ablework.demo import subsidies
from ablework.subsidies.models import Programme


class Command(BaseCommand):
    help = "Demo of the six subsidy programmes: one application each from entry to a paid batch, others in review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when programmes exist")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["if_empty"] and Programme.objects.exists():
            self.stdout.write("补贴项目已有数据，跳过演示数据。")
            return
        result = subsidies.seed(seed=opts["seed"])
        self.stdout.write(f"补贴项目：新建{result.programmes}个；审核中{result.waiting}件")
        for kind, text in result.paid.items():
            self.stdout.write(f"  已发放 {kind}: {text}")
        for kind, why in result.skipped.items():
            self.stdout.write(f"  未完成 {kind}: {why}")
