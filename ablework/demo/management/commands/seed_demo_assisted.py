"""``manage.py seed_demo_assisted [--seed S] [--if-empty]``

Demo data of assisted employment, training and blind massage on top of ``seed_demo`` (the registry):

- per district an assisted-employment institution (和平's first one meets the R9.3 facts: ≥ 10 eligible
  persons with agreements, pay by bank every month of last year and this year, barrier-free, projects), and a
  workstation in every 涉农区 but one (so the coverage page shows a gap), a 残疾人之家 in some;
- labour projects from 机关/医院/学校/企业 allocated to them, with monthly output; rural support bases;
- training providers (some 挂牌 federation bases), courses of each length class, enrolments, completions with
  certificates; skills-competition entries; blind-massage institutions and practitioners.

Institutions and participants go through ``assisted.actions`` (audited); monthly rows are bulk-inserted.
Idempotent: with ``--if-empty`` nothing happens when institutions exist; otherwise rows that exist (by name)
are kept.
"""

from __future__ import annotations

import random
import time
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ablework.assisted import actions as assisted_actions
from ablework.assisted.api import participant_eligibility as eligibility_of
from ablework.assisted.models import (
    Agreement,
    Institution,
    LabourProject,
    MonthlyRecord,
    Participant,
    ProjectOutput,
    RuralBase,
    RuralSupport,
    Staff,
)
from ablework.core.models import District, Street
from ablework.core.policy import read_once
from ablework.core.scoping import unscoped
from ablework.people.models import Person
from ablework.training import rules as training_rules
from ablework.training.models import (
    CompetitionEntry,
    Course,
    Enrolment,
    MassageInstitution,
    MassagePractitioner,
    Provider,
)

SOURCES = [
    ("agency", "区政务服务中心", "资料装订与信封封装"),
    ("hospital", "区人民医院", "病号服、床单折叠"),
    ("school", "区第一中学", "校服整理与包装"),
    ("enterprise", "津门食品有限公司", "礼盒组装"),
    ("enterprise", "海河文创有限公司", "手工串珠饰品"),
]
OCCUPATIONS = ["中式面点师", "电子商务师", "保健按摩师", "手工编织", "计算机操作员", "西式烹调", "直播销售员"]


def _months(start: date, stop: date) -> list[date]:
    out, d = [], start.replace(day=1)
    while d <= stop:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


class Command(BaseCommand):
    help = "生成辅助性就业、职业培训与盲人按摩演示数据（在 seed_demo 之后、seed_demo_subsidies 之前运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同数据）")
        parser.add_argument("--if-empty", action="store_true", help="已有辅助性就业机构时什么也不做")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("仅在演示模式（ABLEWORK_DEMO=1）下可生成演示数据")
        with unscoped():
            if opts["if_empty"] and Institution.objects.exists():
                self.stdout.write("已有辅助性就业机构，未生成演示数据（--if-empty）。")
                return
            started = time.perf_counter()
            rng = random.Random(opts["seed"])
            with transaction.atomic(), read_once():
                counts = self._seed(rng)
        text = "，".join(f"{k}{v}" for k, v in counts.items())
        self.stdout.write(f"辅助性就业/培训演示数据：{text}。用时 {time.perf_counter() - started:.1f} 秒。")

    # --- helpers ----------------------------------------------------------------------------------------------

    def _candidates(self, district: District, today: date) -> list[Person]:
        """Registry persons of the district likely to meet R9.2 (intellectual, mental, severe physical)."""
        return list(
            Person.objects.filter(district=district, merged_into__isnull=True)
            .filter(Q(disability_category__in=[5, 6]) | Q(disability_category=4, disability_level__lte=2))
            .filter(birth_date__lte=date(today.year - 17, 1, 1), birth_date__gte=date(today.year - 52, 1, 1))
            .filter(Q(cert_valid_until__isnull=True) | Q(cert_valid_until__gte=today))
            .order_by("id")[:300]
        )

    def _seed(self, rng: random.Random) -> dict[str, int]:
        today = timezone.localdate()
        last_year = today.year - 1
        counts = dict.fromkeys(["机构", "人员", "项目", "基地", "培训机构", "培训班", "学员", "按摩人员"], 0)
        used: set[int] = set()
        districts = list(District.objects.order_by("sort_order", "code"))
        candidates_by_district = {d.pk: self._candidates(d, today) for d in districts}
        eligible_ids = {
            p.pk
            for d in districts
            for p in candidates_by_district[d.pk]
            if eligibility_of(p, date(last_year, 12, 31), d).eligible
        }
        city_eligible = [p for d in reversed(districts) for p in candidates_by_district[d.pk] if p.pk in eligible_ids]
        agricultural = [d for d in districts if d.is_agricultural]
        uncovered = agricultural[-1] if agricultural else None
        for d in districts:
            streets = list(Street.objects.filter(district=d).order_by("code")[:6])
            street = streets[0] if streets else None
            plan = [("institution", f"{d.name}阳光辅助性就业中心", 30)]
            if d.is_agricultural and d != uncovered:
                plan.append(
                    ("workstation", f"{d.name}{(streets[1].name if len(streets) > 1 else '')}辅助性就业工作站", 15)
                )
            # Deterministic by district (not by the random stream), so a second run finds the same names.
            if int(d.code) % 2 == 0:
                plan.append(("home", f"{d.name}{(streets[-1].name if streets else '')}残疾人之家", 12))
            if d.is_agricultural and int(d.code) % 3 == 0:
                plan.append(("sunshine", f"{d.name}助残阳光工场", 20))
            # Eligible persons first (R9.2 on 31 December of last year), so that the first institution qualifies.
            pool = [p for p in candidates_by_district.get(d.pk, []) if p.pk not in used]
            eligible = [p for p in pool if p.pk in eligible_ids]
            candidates = eligible + [p for p in pool if p.pk not in eligible_ids]
            for i, (kind, name, capacity) in enumerate(plan):
                inst = Institution.objects.filter(district=d, name=name).first()
                if inst is None:
                    inst = assisted_actions.save_institution(
                        Institution(
                            district=d, street=street, name=name, kind=kind, capacity=capacity,
                            barrier_free=True if i == 0 else rng.random() < 0.6,
                            barrier_free_facilities="坡道、无障碍卫生间、扶手", safety_measures=True,
                            production_start=date(last_year - rng.randrange(1, 5), rng.randrange(1, 13), 1),
                            operator=f"{d.name}残疾人联合会" if i == 0 else f"{street.name if street else d.name}街道办事处",
                            contact_name="王老师", contact_phone=f"022-2{rng.randrange(1000000, 9999999)}",
                            address=f"{d.name}{street.name if street else ''}幸福路{rng.randrange(1, 200)}号",
                        ),
                        actor=None,
                    )  # fmt: skip
                    if not inst.barrier_free:
                        inst.barrier_free_facilities = ""
                        inst.save(update_fields=["barrier_free_facilities"])
                    Staff.objects.bulk_create(
                        [
                            Staff(institution=inst, district=d, name="刘辅导", role="job_coach", qualification="就业辅导员"),
                            Staff(institution=inst, district=d, name="陈主任", role="manager"),
                        ]
                    )  # fmt: skip
                    counts["机构"] += 1
                n = 12 if i == 0 else rng.randrange(3, 8)
                take, candidates = candidates[:n], candidates[n:]
                if i == 0 and sum(1 for p in take if p.pk in eligible_ids) < n:
                    # Small demo registries: people also work in another district's institution.
                    extra = [p for p in city_eligible if p.pk not in used and p not in take]
                    take = [p for p in take if p.pk in eligible_ids] + extra[
                        : n - sum(1 for p in take if p.pk in eligible_ids)
                    ]
                for person in take:
                    used.add(person.pk)
                    if Participant.objects.filter(institution=inst, person=person).exists():
                        continue
                    part = assisted_actions.add_participant(
                        inst, person, actor=None, joined_on=date(last_year, 1, 1), work_content=rng.choice(SOURCES)[2]
                    )
                    Agreement.objects.create(
                        participant=part, district=d, signed_with="guardian" if person.disability_category in (5, 6) else "person",
                        guardian_name=person.guardian_name or ("家长" if person.disability_category in (5, 6) else ""),
                        start_date=date(last_year, 1, 1), end_date=date(today.year + 1, 12, 31),
                        accident_insurance=True, insurance_amount=Decimal("80"),
                    )  # fmt: skip
                    good = i == 0 or rng.random() < 0.85
                    MonthlyRecord.objects.bulk_create(
                        [
                            MonthlyRecord(
                                participant=part, district=d, month=m, hours=Decimal(rng.randrange(60, 120)),
                                pay=Decimal(rng.randrange(650, 1400)) if good else Decimal(rng.randrange(300, 500)),
                                paid_by_bank=good or rng.random() < 0.5,
                            )
                            for m in _months(date(last_year, 1, 1), today.replace(day=1))
                            if m < today.replace(day=1)
                        ]
                    )  # fmt: skip
                    counts["人员"] += 1
                # Labour projects allocated by the district federation in each of the two years.
                for year in (last_year, today.year):
                    kind_, unit, content = rng.choice(SOURCES)
                    src = f"{d.name}{unit}" if not unit.startswith("津") and not unit.startswith("海") else unit
                    if LabourProject.objects.filter(institution=inst, start_date__year=year).exists():
                        continue
                    start = date(year, rng.randrange(1, 4), 1)
                    project = LabourProject.objects.create(
                        district=d, source_unit=src, source_kind=kind_, content=content,
                        volume=Decimal(rng.randrange(500, 5000)), unit="件", unit_price=Decimal(rng.randrange(5, 40)) / 10,
                        start_date=start, end_date=date(year, 12, 31), institution=inst, allocated_on=start,
                    )  # fmt: skip
                    ProjectOutput.objects.bulk_create(
                        [
                            ProjectOutput(
                                project=project, district=d, month=m, quantity=Decimal(rng.randrange(50, 400)),
                                income=Decimal(rng.randrange(200, 2000)),
                            )
                            for m in _months(start, min(date(year, 12, 1), today.replace(day=1)))
                            if m < today.replace(day=1)
                        ]
                    )  # fmt: skip
                    counts["项目"] += 1
            # An unallocated project waiting for the federation's decision.
            LabourProject.objects.get_or_create(
                district=d, source_unit=f"{d.name}图书馆", content="图书除尘与贴标",
                defaults={"source_kind": "agency", "volume": Decimal("2000"), "unit": "册", "unit_price": Decimal("0.5"),
                          "start_date": today.replace(day=1)},
            )  # fmt: skip
            if d.is_agricultural:
                counts["基地"] += self._rural(d, street, rng, last_year)
            providers, courses, enrolled = self._training(d, street, rng, today)
            counts["培训机构"] += providers
            counts["培训班"] += courses
            counts["学员"] += enrolled
            counts["按摩人员"] += self._massage(d, street, rng)
        return counts

    def _rural(self, d: District, street: Street | None, rng: random.Random, year: int) -> int:
        name = f"{d.name}{street.name if street else ''}农村助残扶贫基地"
        base, created = RuralBase.objects.get_or_create(
            district=d, name=name,
            defaults={"kind": "poverty_base", "street": street, "operator": f"{d.name}绿源种植专业合作社",
                      "industry": rng.choice(["planting", "breeding", "processing", "ecommerce"]),
                      "recognised_on": date(year - 2, 6, 1)},
        )  # fmt: skip
        if created:
            persons = list(
                Person.objects.filter(district=d, urban_rural="rural", merged_into__isnull=True).order_by("id")[:8]
            )
            RuralSupport.objects.bulk_create(
                [
                    RuralSupport(
                        base=base, district=d, person=p, year=year,
                        support_kind="employed" if k % 3 == 0 else "supported",
                        help_kind=["placement", "training", "guidance"][k % 3],
                        income=Decimal(rng.randrange(2000, 15000)),
                    )
                    for k, p in enumerate(persons)
                ]
            )  # fmt: skip
        return int(created)

    def _training(self, d: District, street: Street | None, rng: random.Random, today: date) -> tuple[int, int, int]:
        provider, created = Provider.objects.get_or_create(
            district=d, name=f"{d.name}残疾人职业技能培训基地",
            defaults={"kind": "federation_base", "street": street, "listing_status": "listed",
                      "listed_on": date(today.year - 3, 5, 1), "listing_expires": date(today.year + 2, 4, 30),
                      "occupations": "、".join(rng.sample(OCCUPATIONS, 3)), "accessible_site": True},
        )  # fmt: skip
        if not created:
            return 0, 0, 0
        Provider.objects.create(district=d, name=f"{d.name}职业培训学校", kind="private", street=street,
                                occupations="、".join(rng.sample(OCCUPATIONS, 2)))  # fmt: skip
        persons = list(
            Person.objects.filter(
                district=d, merged_into__isnull=True, birth_date__gte=date(today.year - 55, 1, 1)
            ).order_by("id")[:40]
        )
        params = training_rules.LengthParams()
        courses = enrolled = 0
        for k, (start, weeks, formats) in enumerate(
            [
                (date(today.year - 1, 3, 1), 3, "sign,barrier_free"),
                (date(today.year - 1, 5, 10), 16, "braille"),
                (date(today.year - 1, 9, 1), 36, "barrier_free,online"),
            ]
        ):
            end = date.fromordinal(start.toordinal() + weeks * 7 - 1)
            course = Course.objects.create(
                district=d, provider=provider, name=f"{start.year}年{OCCUPATIONS[(k + d.pk) % len(OCCUPATIONS)]}培训班",
                occupation=OCCUPATIONS[(k + d.pk) % len(OCCUPATIONS)], mode=["class", "home", "internship"][k],
                start_date=start, end_date=end, length_class=training_rules.length_class(start, end, params),
                year=start.year, capacity=15, accessible_formats=formats, hours=weeks * 10,
            )  # fmt: skip
            courses += 1
            group, persons = persons[:10], persons[10:]
            rows = []
            for j, p in enumerate(group):
                done = end < today and j % 5 != 4
                rows.append(
                    Enrolment(
                        course=course, district=d, person=p, enrolled_on=start,
                        status="completed" if done else ("dropped" if end < today else "enrolled"),
                        completed_on=end if done else None,
                        certificate_kind=("skill_level" if j % 2 else "completion") if done else "",
                        certificate_no=f"{d.code}{start.year}{k}{j:03d}" if done else "",
                        certificate_on=end if done else None,
                    )
                )  # fmt: skip
            Enrolment.objects.bulk_create(rows)
            enrolled += len(rows)
        entrants = list(Person.objects.filter(district=d, merged_into__isnull=True).order_by("-id")[:2])
        for p in entrants:
            CompetitionEntry.objects.get_or_create(
                year=today.year - 1, competition="天津市残疾人职业技能大赛", event=rng.choice(["电子商务", "面点", "按摩", "计算机操作"]),
                person=p, defaults={"district": d, "award": rng.choice(["gold", "silver", "bronze", "merit", "taking_part"]),
                                    "new_form": rng.random() < 0.3},
            )  # fmt: skip
        return 2, courses, enrolled

    def _massage(self, d: District, street: Street | None, rng: random.Random) -> int:
        medical, created = MassageInstitution.objects.get_or_create(
            district=d, name=f"{d.name}盲人医疗按摩所",
            defaults={"kind": "medical", "licence_no": f"PDY{d.code}{rng.randrange(100, 999)}", "street": street,
                      "demo_centre": d.code == "120101"},
        )  # fmt: skip
        if not created:
            return 0
        health = MassageInstitution.objects.create(
            district=d, name=f"{d.name}明目保健按摩中心", kind="health", street=street
        )
        blind = list(
            Person.objects.filter(district=d, disability_category=1, merged_into__isnull=True).order_by("id")[:6]
        )
        rows = [
            MassagePractitioner(
                district=d, person=p, exam_year=2015 + k if k % 2 == 0 else None,
                certificate_no=f"MZ{2015 + k}{d.code}{k:02d}" if k % 2 == 0 else "",
                title_level=["junior", "middle", "senior"][k % 3] if k % 2 == 0 else "",
                title_year=2020 + k % 4 if k % 2 == 0 else None,
                institution=medical if k % 2 == 0 else health,
            )
            for k, p in enumerate(blind)
            if not MassagePractitioner.objects.filter(person=p).exists()
        ]  # fmt: skip
        MassagePractitioner.objects.bulk_create(rows)
        return len(rows)
