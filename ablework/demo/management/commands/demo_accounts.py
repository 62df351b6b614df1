from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ablework.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create (if missing) and print the demo account of each role."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ABLEWORK_DEMO=1）下可创建演示账户")
        accounts = ensure_demo_accounts()
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for acc, user in accounts:
            self.stdout.write(f"  {acc.username:<15} {user.get_role_display():<12} {acc.display_name}")
