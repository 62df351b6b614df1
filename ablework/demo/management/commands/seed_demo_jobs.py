"""``manage.py seed_demo_jobs [--seed S] [--postings N] [--if-empty]``

Demo data of ablework.jobs and the portal on top of ``seed_demo`` (persons with their 四个一 records,
employers): recruitment fairs (国企、高校毕业生、网络专场), open postings of registered employers (some
reserved or targeted, with relaxed conditions), matching consents, applications and referrals of
job seekers (some hired: the employment record is written through ``people.api`` and the retention
checks are created, some of them due now), the two directories for every district, and published
articles (policy explainers, news, success stories).  Deterministic for a given registry and seed;
set-based writes, a few seconds at demo scale.  With ``--if-empty`` nothing happens when postings exist.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.jobs import rules
from ablework.jobs.actions import HIRE_FORM, retention_months
from ablework.jobs.enums import ACCESSIBILITY, OCCUPATIONS, PostingSource
from ablework.jobs.models import Application, DirectoryEntry, Fair, MatchingConsent, Posting, RetentionCheck
from ablework.people import api as people_api

TITLES = {
    "office": ["行政文员", "资料录入员", "档案管理员"], "customer_service": ["电话客服", "在线客服"],
    "it": ["软件测试员", "网页维护员", "数据标注员"], "manufacturing": ["装配工", "质检员"],
    "logistics": ["分拣员", "仓库管理员", "包装工"], "cleaning": ["保洁员", "绿化养护员"],
    "catering": ["面点师助理", "配餐员"], "retail": ["收银员", "理货员"], "massage": ["保健按摩师"],
    "handicraft": ["手工编织工", "非遗手工艺人"], "ecommerce": ["电商运营助理", "直播助理"],
    "security": ["门卫", "监控值守员"], "agriculture": ["种植技术员"], "other": ["社区服务员"],
}  # fmt: skip
RELAXED = {
    PostingSource.SOE_TARGETED: "年龄放宽至45周岁，学历放宽至高中",
    PostingSource.RESERVED_KIOSK: "优先安排本社区残疾人，不限学历",
    PostingSource.TOBACCO_LICENCE: "残疾人申请零售许可免于间距限制（待核实）",
    PostingSource.PUBLIC_WELFARE: "就业困难残疾人优先，年龄放宽至55周岁",
}
ARTICLES = [
    ("explainer", "用人单位招用残疾人有哪些补贴", "新招用残疾人并签订一年以上劳动合同的单位，可以申请补贴。",
     "如果您的单位新招用了残疾人，并且签了一年以上的劳动合同、按时缴纳社会保险，可以向单位所在区的残联申请补贴。\n\n"
     "需要准备：劳动合同、社保缴费记录、工资发放记录。\n\n补贴标准和申请时间以当年通知为准。有问题可以打所在区残联的电话。"),
    ("explainer", "什么是“四个一”就业服务", "残联为每一位有劳动能力的残疾人提供的四项服务。",
     "“四个一”是：一次基础信息核对、一次职业能力评估、一次就业需求登记、至少一次就业服务。\n\n"
     "登记就业需求后，系统会为您推荐合适的岗位，并说明推荐的理由。您可以随时选择不使用自动推荐。"),
    ("explainer", "残疾人自主创业可以得到哪些支持", "自主创业和灵活就业的扶持政策。",
     "残疾人自主创业、开办个体工商户的，可以申请一次性创业补贴和场地租金补贴。\n\n"
     "各区的就业创业服务载体（创业孵化基地、创业园区）提供免费的创业指导。地址见“就业服务机构目录”。"),
    ("news", "国有企业残疾人专场招聘会举行", "多家市属国有企业提供定向岗位。",
     "本月，市残联联合市属国有企业举办残疾人专场招聘会，提供行政、客服、仓储等定向岗位。\n\n会场设置无障碍通道和手语翻译。"),
    ("news", "高校残疾毕业生就业帮扶启动", "一人一策，帮助高校残疾毕业生就业。",
     "市残联为每一位高校残疾毕业生安排一名联系人，提供岗位推荐、见习和培训。\n\n未就业的毕业生可以到所在区残联登记。"),
    ("story", "在仓库找到自己的位置", "经区残联推荐，小李成为一名分拣员。",
     "小李是一名听力残疾人。经区残联就业服务机构推荐，他到一家物流公司做分拣员。\n\n"
     "公司为他安排了文字沟通和闪光提示。三个月回访时，他说：“工作很踏实，同事们也很照顾我。”"),
    ("story", "从居家到远程客服", "远程办公让她重新回到岗位。",
     "王女士因肢体残疾出行不便。她在残联登记了就业需求，选择了“居家/远程办公”。\n\n"
     "系统推荐了一个远程客服岗位，她现在每天在家接听电话，收入稳定。"),
]  # fmt: skip


class Command(BaseCommand):
    help = "生成岗位与门户演示数据：招聘专场、岗位、申请与推荐、录用与稳岗回访、服务机构目录和门户文章（在 seed_demo 之后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--postings", type=int, default=300, help="岗位数")
        parser.add_argument("--if-empty", action="store_true", help="已有岗位时什么也不做")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ABLEWORK_DEMO=1）下可生成演示数据")
        with unscoped():
            if Posting.objects.exists():
                if opts["if_empty"]:
                    self.stdout.write("已有岗位，未生成岗位演示数据（--if-empty）。")
                    return
                raise CommandError("已有岗位；岗位演示数据只加到空库（或加 --if-empty 跳过）")
            started = time.perf_counter()
            with transaction.atomic():
                summary = seed(random.Random(opts["seed"]), postings=opts["postings"])
        self.stdout.write(f"{summary}用时 {time.perf_counter() - started:.1f} 秒。")


def seed(rng: random.Random, *, postings: int) -> str:
    today = timezone.localdate()
    districts = list(District.objects.order_by("sort_order", "code"))
    employers = list(employers_api.Employer.objects.order_by("id").values_list("id", "district_id")[:2000])
    if not employers:
        raise CommandError("没有用人单位：请先运行 seed_demo")
    heping = next((d for d in districts if d.code == "120101"), districts[0])
    fairs = Fair.objects.bulk_create(
        [
            Fair(name="市属国有企业残疾人专场招聘会", kind="soe", district=heping, starts_on=today - timedelta(days=3),
                 ends_on=today + timedelta(days=27), venue="天津市残疾人就业服务中心（无障碍会场）"),
            Fair(name="高校残疾毕业生专场招聘会", kind="graduates", district=districts[min(2, len(districts) - 1)],
                 starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=8), venue="天津大学体育馆"),
            Fair(name="残疾人网络招聘月", kind="online", district=heping, starts_on=today - timedelta(days=10),
                 ends_on=today + timedelta(days=20), venue="本平台“找工作”栏目"),
        ]
    )  # fmt: skip
    occ = [c for c, _ in OCCUPATIONS]
    access = [c for c, _ in ACCESSIBILITY]
    acc = list(rules.ACCOMMODATION_CODES)
    sources = [PostingSource.ORDINARY] * 8 + [s for s in PostingSource if s != PostingSource.ORDINARY]
    rows = []
    for i in range(postings):
        employer_id, district_id = rng.choice(employers)
        o = rng.choice(occ)
        source = rng.choice(sources)
        lo = Decimal(rng.choice([2320, 2600, 3000, 3500, 4000]))
        start = today - timedelta(days=rng.randint(0, 60))
        rows.append(
            Posting(
                employer_id=employer_id, district_id=district_id, title=rng.choice(TITLES[o]), occupation=o,
                work_time=rng.choice(["full", "full", "part", "flexible"]), wage_min=lo,
                wage_max=lo + Decimal(rng.choice([0, 500, 1000, 2000])), headcount=rng.randint(1, 5),
                requirements=rng.choice(["", "能熟练使用电脑", "责任心强，能适应倒班", "有相关工作经验者优先"]),
                address=f"{rng.randint(1, 300)}号", accessibility=sorted(rng.sample(access, rng.randint(0, 5))),
                accommodations=sorted(rng.sample(acc, rng.randint(0, 4))),
                categories=sorted(rng.sample(range(1, 8), rng.randint(0, 4))), source=source,
                relaxed_conditions=RELAXED.get(source, ""), fair=fairs[i % 3] if i % 5 == 0 else None,
                status="open" if i % 15 else "closed", valid_from=start, valid_until=start + timedelta(days=rng.randint(60, 150)),
                contact="022-2" + f"{rng.randint(0, 9999999):07d}",
            )
        )  # fmt: skip
    created = Posting.objects.bulk_create(rows, batch_size=500)
    open_ids = [p for p in created if p.status == "open"]

    seekers = people_api.job_profiles(seekers_only=True)
    rng.shuffle(seekers)
    consents = []
    for i, p in enumerate(seekers):
        district_id = next(d.id for d in districts if d.code == p.district_code)
        if i % 10 < 3:
            consents.append(MatchingConsent(person_id=p.person_id, district_id=district_id, status="consented"))
        elif i % 20 == 3:
            consents.append(MatchingConsent(person_id=p.person_id, district_id=district_id, status="opted_out"))
    MatchingConsent.objects.bulk_create(consents, batch_size=1000)

    apps, hires = [], 0
    district_of = {d.code: d.id for d in districts}
    now = timezone.now()
    for i, p in enumerate(seekers[: min(len(seekers), 400)]):
        posting = rng.choice(open_ids)
        apps.append(
            Application(
                posting=posting, person_id=p.person_id, district_id=district_of[p.district_code],
                channel="referred" if i % 3 else "applied", status=rng.choice(["submitted", "submitted", "interview", "rejected"]),
                note="区残联就业服务机构推荐" if i % 3 else "",
            )
        )  # fmt: skip
    Application.objects.bulk_create(apps, batch_size=500)
    # Back-date the applications so that the hires below can start months ago.
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(created_at=now - timedelta(days=400))
    months, _window = retention_months(today)
    checks = []
    for a in apps[::8]:
        hired_on = today - timedelta(days=rng.randint(20, 380))
        posting = a.posting
        try:
            with transaction.atomic():
                record = people_api.add_employment_record(
                    people_api.Person.objects.get(pk=a.person_id), actor=None,
                    form=HIRE_FORM.get(PostingSource(posting.source), "quota"), start_date=hired_on,
                    employer=employers_api.Employer.objects.get(pk=posting.employer_id),
                    monthly_wage=posting.wage_min, social_insurance=True, note=f"岗位录用：{posting.title}",
                )  # fmt: skip
        except ValueError:
            continue
        Application.objects.filter(pk=a.pk).update(status="hired", hired_on=hired_on, monthly_wage=posting.wage_min,
                                                   employment_record_id=record.pk)  # fmt: skip
        hires += 1
        for m in months:
            y, mo, day = rules.add_months(hired_on.year, hired_on.month, hired_on.day, m)
            due = date(y, mo, day)
            done = due < today - timedelta(days=20)
            checks.append(RetentionCheck(application=a, district_id=a.district_id, months=m, due_on=due,
                                         checked_on=due + timedelta(days=3) if done else None,
                                         result=rng.choice(["in_post", "in_post", "in_post", "left"]) if done else ""))  # fmt: skip
    RetentionCheck.objects.bulk_create(checks, batch_size=500)

    entries = []
    for d in districts:
        entries += [
            DirectoryEntry(kind="hr_institution", name=f"{d.name}残疾人就业服务中心", district=d,
                           address=f"天津市{d.name}{rng.choice(['和平路', '建设路', '人民路', '文化街'])}{rng.randint(1, 200)}号",
                           phone=f"022-2{rng.randint(0, 9999999):07d}", licence_no=f"津人服证字{rng.randint(1000, 9999)}号",
                           services="岗位推荐、职业指导、就业需求登记", accessible=True),
            DirectoryEntry(kind="hr_institution", name=f"{d.name}{rng.choice(['众信', '华才', '启航'])}人力资源服务有限公司",
                           district=d, address=f"天津市{d.name}{rng.choice(['创业路', '华山道', '卫津路'])}{rng.randint(1, 300)}号",
                           phone=f"022-2{rng.randint(0, 9999999):07d}", licence_no=f"津人服证字{rng.randint(1000, 9999)}号",
                           services="职业介绍、劳务派遣、人才测评", accessible=rng.random() < 0.5),
            DirectoryEntry(kind="carrier", carrier_type=rng.choice(["incubator", "park", "station", "base"]),
                           name=f"{d.name}残疾人就业创业服务基地", district=d,
                           address=f"天津市{d.name}{rng.choice(['科技园', '创意街', '工业园'])}{rng.randint(1, 50)}号",
                           phone=f"022-2{rng.randint(0, 9999999):07d}", services="创业孵化、见习实训、政策咨询", accessible=True),
        ]  # fmt: skip
    DirectoryEntry.objects.bulk_create(entries)

    # The portal sits beside demo (no import between them): its model is looked up by name.
    article = django_apps.get_model("portal", "Article")
    article.objects.bulk_create(
        [
            article(kind=k, title=t, summary=s, body=b, district=heping, status="published",
                    published_at=now - timedelta(days=3 * i))
            for i, (k, t, s, b) in enumerate(ARTICLES)
        ]
    )  # fmt: skip
    return (
        f"已生成招聘专场 {len(fairs)} 个、岗位 {len(created)} 个、自动匹配授权 {len(consents)} 条、"
        f"申请与推荐 {len(apps)} 条（录用 {hires} 人，稳岗回访 {len(checks)} 条）、目录条目 {len(entries)} 条、"
        f"门户文章 {len(ARTICLES)} 篇。"
    )
