from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ablework.core.reference import load_reference_data


class Command(BaseCommand):
    help = "Load districts, streets, industries and default policy parameters (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_reference_data()
        self.stdout.write(f"参考数据已就绪：{counts}")
