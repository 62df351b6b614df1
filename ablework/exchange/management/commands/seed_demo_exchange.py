"""``manage.py seed_demo_exchange [--seed S] [--if-empty]``

Demo data of the data exchange on top of ``seed_demo`` (and ``seed_demo_review``): three partner clients
(市人社局 pushing social insurance, 市场监管委 pushing business registrations, a read-only verifier)
whose keys are printed (demo mode only: keys are otherwise shown once, on the page that issues them);
one social-insurance batch (the last twelve months of up to 300 employed persons, plus two rejected
rows), one business-registration batch, and the credit events waiting for the platform copied into
the outbox.  With ``--if-empty`` nothing happens when any API client exists.
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ablework.core import crypto
from ablework.core.scoping import unscoped
from ablework.employers.api import Employer
from ablework.exchange import actions, outbox
from ablework.exchange.enums import FeedKind, Scope
from ablework.exchange.models import ApiClient
from ablework.people.api import Person


class Command(BaseCommand):
    help = "生成数据共享演示数据：接口接入单位及密钥、社保缴费和市场主体登记报送批次、信用平台待推送记录。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--if-empty", action="store_true", help="已有接口接入单位时什么也不做")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ABLEWORK_DEMO=1）下可生成演示数据")
        if ApiClient.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("已有接口接入单位，未生成数据共享演示数据（--if-empty）。")
                return
            raise CommandError("已有接口接入单位；加 --if-empty 跳过")
        started = time.perf_counter()
        rng = random.Random(opts["seed"])  # noqa: S311 - demo data, not secrets
        hrss, hrss_key = actions.create_client(
            actor=None, name="天津市人力资源和社会保障局", department="人社",
            scopes=[Scope.FEEDS_SI, Scope.PERSONS_VERIFY, Scope.PERSONS_EMPLOYMENT], rate="1200/min",
        )  # fmt: skip
        market, market_key = actions.create_client(
            actor=None, name="天津市市场监督管理委员会", department="市场监管", scopes=[Scope.FEEDS_BUSINESS]
        )
        _, verify_key = actions.create_client(
            actor=None, name="天津市税务局（核验）", department="税务",
            scopes=[Scope.PERSONS_VERIFY, Scope.QUOTA_RESULTS], rate="300/min",
        )  # fmt: skip
        with unscoped():
            persons = list(Person.objects.filter(status="employed").order_by("id")[:300])
            units = list(Employer.objects.order_by("id").values_list("uscc", flat=True)[:50])
        today = timezone.localdate()
        rows: list[dict[str, Any]] = []
        for p in persons:
            rid = crypto.decrypt(p.id_cipher)
            unit = rng.choice(units) if units else "91120101MA05XXXX0A"
            for back in range(1, 13):
                y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
                if rng.random() < 0.9:
                    rows.append({"resident_id": rid, "month": f"{y}-{m + 1:02d}", "employer_uscc": unit,
                                 "base": "4200.00", "amount": "672.00"})  # fmt: skip
        rows = [
            *rows[:4998],
            {"resident_id": "120101199001011234", "month": "2025-01", "employer_uscc": units[0] if units else ""},
            {"resident_id": "abc", "month": "2025-13", "employer_uscc": "x"},
        ]
        si = actions.receive_feed(client=hrss, actor=None, kind=FeedKind.SI, batch_id=f"RS-{today:%Y%m}-DEMO",
                                  rows=rows).batch  # fmt: skip
        biz_rows = [
            {"uscc": code, "name": f"演示个体户{i}", "kind": "个体工商户", "licence_date": date(today.year - 1, 3, 1)
             .isoformat(), "status": "存续", "row_key": f"SC-{i}"}
            for i, code in enumerate(units[:20])
        ]  # fmt: skip
        biz = None
        if biz_rows:
            biz = actions.receive_feed(client=market, actor=None, kind=FeedKind.BUSINESS,
                                       batch_id=f"SC-{today:%Y%m}-DEMO", rows=biz_rows).batch  # fmt: skip
        queued = outbox.enqueue_credit_events()
        self.stdout.write(
            f"数据共享演示数据：3家接入单位；社保批次新增{si.created_rows}行、拒收{si.rejected_rows}行；"
            f"市场主体登记{biz.created_rows if biz else 0}行；信用平台待推送{queued}条；"
            f"用时{time.perf_counter() - started:.1f}秒。\n"
            f"演示密钥（仅演示模式显示）：人社 {hrss_key}\n  市场监管 {market_key}\n  税务核验 {verify_key}"
        )
