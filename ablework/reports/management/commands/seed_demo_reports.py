"""``manage.py seed_demo_reports [--seed S] [--if-empty]``

Lives in ``reports`` (not ``demo``): ``demo`` and ``reports`` are sibling top-layer apps that may not import
each other (import-linter), and this command needs the reports actions.

Demo data of monitoring and reports on top of ``seed_demo`` / ``seed_demo_review``: the pre-aggregated
figures of this year and the two before (``refresh_reports``), the policy-simulation scenario "安置比例
1.7%" over the latest annual review with certified declarations, and draft annual reports of last year
for 和平区 (submitted, awaiting the city reviewer) and 河西区 (a draft).  Idempotent: with ``--if-empty``
nothing happens when a scenario already exists.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ablework.accounts.models import User
from ablework.core.models import District
from ablework.quota import api as quota_api
from ablework.reports import aggregates, annual, simulation
from ablework.reports.models import AnnualReport, ReportStatus, Scenario

NARRATIVE = {
    "overview": "本区认真落实津政办函〔2022〕28号，全年新增残疾人就业稳步增长，四个一服务覆盖劳动年龄内未就业残疾人。",
    "measures": "一是开展按比例就业年审和保障金征收；二是落实就业困难人员援助和公益性岗位安置；三是建立高校残疾学生台账。",
    "problems": "部分街道四个一服务记录不完整；机关事业单位安排残疾人就业进度不均衡。",
    "next_steps": "加强数据质量核查，推动未安排残疾人的机关事业单位至少安排1名。",
}


class Command(BaseCommand):
    help = "生成监测与报告演示数据：预汇总指标、政策模拟方案（比例1.7%）和区年度报告（在 seed_demo_review 之后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help="随机种子（本命令的数据是确定的，保留以与其他演示命令一致）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有政策模拟方案时什么也不做")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ABLEWORK_DEMO=1）下可生成演示数据")
        if opts["if_empty"] and Scenario.objects.exists():
            self.stdout.write("已有政策模拟方案，未生成监测与报告演示数据（--if-empty）。")
            return
        started = time.perf_counter()
        runs = aggregates.refresh_years(aggregates.default_years())
        admin = User.objects.filter(role="city_admin", is_active=True).order_by("pk").first()
        scenario = None
        for year in quota_api.review_years():
            if quota_api.levy_input_count(year):
                base = simulation.current_values(year)
                overrides, _ = simulation.parse_overrides({"quota_ratio": "1.7"}, base)
                scenario = simulation.create_scenario(
                    name="安置比例由1.5%提高到1.7%", data_year=year, overrides=overrides, actor=admin, inline=True
                )
                break
        year = timezone.localdate().year - 1
        officer = User.objects.filter(role="district_officer", organisation__district__code="120101").first()
        reports = 0
        for code in ("120101", "120103"):
            district = District.objects.get(code=code)
            report = annual.get_or_create_report(district=district, year=year, actor=officer)
            if report.status == ReportStatus.DRAFT and not report.overview:
                annual.save_narrative(report, actor=officer, **NARRATIVE)
                if code == "120101" and officer is not None:
                    annual.submit_report(report, actor=officer)
                reports += 1
        total = sum(r.rows for r in runs)
        self.stdout.write(
            f"监测指标{total}行（{', '.join(str(r.year) for r in runs)}年）；"
            + (
                f"政策模拟方案“{scenario.name}”（{scenario.data_year}年度）；"
                if scenario
                else "无年审数据，未生成模拟方案；"
            )
            + f"{year}年度区报告{reports}份（共{AnnualReport.objects.model._base_manager.count()}份）；"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
