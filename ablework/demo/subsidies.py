"""Demo of the six subsidy programmes: for each, one application of a 和平区 beneficiary goes from the
officer's entry through every approval stage, the public notice (already ended) and a payment batch
to the bank's return file (paid); further applications are left waiting at each stage so the review
queues show work.  Runs after ``seed_demo`` and ``seed_demo_review`` (the reward needs certified
annual-review results) and, for the institution grant, ``seed_demo_assisted`` when present.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ablework.accounts.enums import OrgKind, Role
from ablework.accounts.models import Organisation, User
from ablework.assisted import api as assisted_api
from ablework.core.identifiers import uscc_check_char
from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from ablework.employers import api as employers_api
from ablework.people import api as people_api
from ablework.quota import api as quota_api
from ablework.subsidies import actions
from ablework.subsidies.enums import ProgrammeKind
from ablework.subsidies.models import Application, Programme

PDF = b"%PDF-1.4 demo document"
YEAR = 2025


@dataclass
class Result:
    programmes: int = 0
    paid: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    waiting: int = 0


def _user(username: str, role: str, org: Organisation | None, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, organisation=org, display_name=name)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _uscc(prefix: str, rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = prefix + "120101" + "".join(rng.choice(alphabet) for _ in range(9))
    return first17 + uscc_check_char(first17)


def _attach(app: Application, actor: Any) -> None:
    for doc in app.programme.required_documents:
        actions.add_attachment(
            app, actor=actor, doc_type=doc["code"], file=SimpleUploadedFile(f"{doc['code']}.pdf", PDF)
        )


def _si(person: Any, uscc: str, start: date, months: int) -> None:
    from ablework.subsidies.rules import add_months

    rows = [{"person_id": person.pk, "month": add_months(start, i), "employer_uscc": uscc, "row_key": f"demo-{i}"}
            for i in range(months)]  # fmt: skip
    people_api.record_si_contributions(rows, source="演示数据（人社）", batch_id=f"demo-si-{person.pk}-{uscc}")


def seed(*, seed: int = 1) -> Result:
    """All or nothing: one transaction, city-wide (a command has no request scope)."""
    with transaction.atomic(), unscoped():
        return _seed(seed)


def _seed(seed: int) -> Result:
    rng = random.Random(seed)
    today = timezone.localdate()
    result = Result()
    users = {acc.username: user for acc, user in ensure_demo_accounts()}
    hp = District.objects.get(code="120101")
    org = Organisation.objects.filter(kind=OrgKind.DISTRICT, district=hp).first()
    maker = users["hp_officer"]
    officer2 = _user("officer_120101", Role.DISTRICT_OFFICER, org, "和平区经办员（复核）")
    reviewer, city, admin, street = (
        users["hp_reviewer"],
        users["city_reviewer"],
        users["city_admin"],
        users["hp_street"],
    )
    chains = {
        "employer": [officer2, reviewer, city],
        "person": [street, reviewer, city],
        "institution": [reviewer, city],
    }

    with unscoped():
        persons = list(people_api.Person.objects.filter(merged_into__isnull=True).order_by("pk")[:3000])
        employers: dict[int, list[Any]] = {}
        for e in employers_api.Employer.objects.filter(kind="enterprise").order_by("pk")[:3000]:
            employers.setdefault(e.district_id, []).append(e)
    eligible = []
    for p in persons:
        f = people_api.person_facts(p, today)
        if f.cert_valid and f.working_age and f.cert_kind == "cdpf" and f.level in (1, 2, 3, 4):
            eligible.append(p)
    rng.shuffle(eligible)
    eligible.sort(key=lambda p: p.district_id != hp.pk, reverse=True)  # 和平区 first (popped from the end)

    staff_of: dict[int, tuple[User, dict[str, list[User]]]] = {hp.pk: (maker, chains)}

    def staff(district: District) -> tuple[User, dict[str, list[User]]]:
        """(maker, deciders per applicant kind) of a district: the demo accounts in 和平区, made elsewhere."""
        if district.pk not in staff_of:
            dorg, _ = Organisation.objects.get_or_create(kind=OrgKind.DISTRICT, name=f"{district.name}残疾人联合会",
                                                         defaults={"district": district})  # fmt: skip
            sorg, _ = Organisation.objects.get_or_create(kind=OrgKind.STREET, name=f"{district.name}街道（演示）",
                                                         defaults={"district": district})  # fmt: skip
            checker = _user(f"checker_{district.code}", Role.DISTRICT_OFFICER, dorg, f"{district.name}复核员")
            rev = _user(f"reviewer_{district.code}", Role.DISTRICT_REVIEWER, dorg, f"{district.name}审核员")
            street_ = _user(f"street_{district.code}", Role.STREET_WORKER, sorg, f"{district.name}街道工作人员")
            staff_of[district.pk] = (
                _user(f"officer_{district.code}", Role.DISTRICT_OFFICER, dorg, f"{district.name}经办员"),
                {"employer": [checker, rev, city], "person": [street_, rev, city], "institution": [rev, city]},
            )
        return staff_of[district.pk]

    def employer_near(person: Any) -> Any:
        pool = employers.get(person.district_id) or [e for es in employers.values() for e in es]
        return rng.choice(pool) if pool else None

    def programme(kind: str, year: int = YEAR, budget: str = "2000000") -> Programme:
        prog = Programme.objects.filter(kind=kind, year=year).first()
        if prog is None:
            prog = actions.create_programme(kind, year, actor=admin, budget=Decimal(budget),
                                            window_start=date(year, 1, 1), window_end=date(today.year, 12, 31))  # fmt: skip
            result.programmes += 1
        return prog

    def through(app: Application, *, stop_before: int | None = None) -> None:
        who, chains_here = staff(app.district)
        deciders = chains_here[app.programme.applicant_kind]
        _attach(app, who)
        actions.submit(app, actor=who)
        for i, user in enumerate(deciders):
            if stop_before is not None and i >= stop_before:
                return
            actions.decide(app, "approve", actor=user, note="材料齐全，符合条件")

    made: dict[str, list[Application]] = {}

    def make(kind: str, count: int, build: Any) -> None:
        made[kind] = []
        for _ in range(count):
            try:
                app = build()
            except actions.SubsidyError as exc:
                result.skipped.setdefault(kind, str(exc))
                continue
            if app is None:
                continue
            made[kind].append(app)

    # 2. new hire and 3. internship: a unit of 和平区 and persons from the registry
    def new_hire() -> Application | None:
        if not eligible:
            return None
        person = eligible.pop()
        employer = employer_near(person)
        _si(person, employer.uscc, date(YEAR, 1, 1), 12)
        return actions.create_application(
            programme(ProgrammeKind.NEW_HIRE), actor=staff(person.district)[0], employer=employer, person=person,
            bank_name="中国工商银行天津和平支行", bank_account=f"62220202{rng.randrange(10**10, 10**11)}",
            data={"contract_start": f"{YEAR}-01-01", "contract_end": f"{YEAR + 2}-12-31", "monthly_wage": "3500",
                  "contract_year": 1},
        )  # fmt: skip

    def internship() -> Application | None:
        if not eligible:
            return None
        person = eligible.pop()
        employer = employer_near(person)
        return actions.create_application(
            programme(ProgrammeKind.INTERNSHIP), actor=staff(person.district)[0], employer=employer, person=person,
            bank_name="中国银行天津分行", bank_account=f"62166100{rng.randrange(10**10, 10**11)}",
            data={"start": f"{YEAR}-03-01", "end": f"{YEAR}-08-31", "monthly_allowance": "2500",
                  "graduated_on": f"{YEAR - 1}-07-01", "accident_insurance": True, "retained": True},
        )  # fmt: skip

    def new_business() -> Application | None:
        if not eligible:
            return None
        person = eligible.pop()
        return actions.create_application(
            programme(ProgrammeKind.NEW_BUSINESS), actor=staff(person.district)[0], person=person,
            bank_name="天津农商银行", bank_account=f"62310000{rng.randrange(10**10, 10**11)}",
            data={"uscc": _uscc("92", rng), "licence_date": f"{YEAR}-04-15", "operator_confirmed": True},
        )  # fmt: skip

    def self_employment() -> Application | None:
        if not eligible:
            return None
        person = eligible.pop()
        uscc = _uscc("92", rng)
        _si(person, uscc, date(YEAR - 1, 1, 1), 18)
        return actions.create_application(
            programme(ProgrammeKind.SELF_EMPLOYMENT), actor=staff(person.district)[0], person=person,
            bank_name="中国建设银行天津分行", bank_account=f"62170000{rng.randrange(10**10, 10**11)}",
            data={"started_on": f"{YEAR - 1}-01-01", "business_name": "便民维修店"},
        )  # fmt: skip

    rewarded: set[int] = set()

    def reward() -> Application | None:
        for year in (YEAR, YEAR - 1):
            with unscoped():
                results = (
                    quota_api.LevyResult.objects.filter(data_year=year, extra_persons__gte=1)
                    .select_related("declaration__employer__district")
                    .order_by("declaration__employer__district__code", "pk")
                )
                for lr in results:
                    employer = lr.declaration.employer
                    if employer.pk in rewarded or quota_api.levy_paid(employer, year) < (lr.levy_due or 0):
                        continue
                    rewarded.add(employer.pk)
                    return actions.create_application(
                        programme(ProgrammeKind.OVER_QUOTA_REWARD, year), actor=staff(employer.district)[0],
                        employer=employer,
                        bank_name="中国农业银行天津分行", bank_account=f"62284800{rng.randrange(10**10, 10**11)}", data={},
                    )  # fmt: skip
        result.skipped.setdefault(
            ProgrammeKind.OVER_QUOTA_REWARD, "没有已认定、超比例且无欠缴的单位（先运行 seed_demo_review）"
        )
        return None

    def assisted() -> Application | None:
        with unscoped():
            institutions = list(assisted_api.Institution.objects.select_related("district").order_by("pk"))
        for inst in institutions:
            if Application.objects.filter(institution_id=inst.pk).exists():
                continue
            return actions.create_application(
                programme(ProgrammeKind.ASSISTED_GRANT), actor=staff(inst.district)[0], institution=inst,
                bank_name="中国邮政储蓄银行天津分行", bank_account=f"62210000{rng.randrange(10**10, 10**11)}", data={},
            )  # fmt: skip
        result.skipped.setdefault(ProgrammeKind.ASSISTED_GRANT, "尚无辅助性就业机构（先运行 seed_demo_assisted）")
        return None

    builders = {
        ProgrammeKind.OVER_QUOTA_REWARD: reward, ProgrammeKind.NEW_HIRE: new_hire,
        ProgrammeKind.INTERNSHIP: internship, ProgrammeKind.NEW_BUSINESS: new_business,
        ProgrammeKind.SELF_EMPLOYMENT: self_employment, ProgrammeKind.ASSISTED_GRANT: assisted,
    }  # fmt: skip
    for programme_kind, build in builders.items():
        make(programme_kind, 3, build)

    # The first of each programme goes all the way; the others wait at different stages.
    to_pay: list[Programme] = []
    for kind, apps in made.items():
        for i, app in enumerate(apps):
            if not app.eligible:
                result.skipped.setdefault(kind, "；".join(c["label"] for c in app.criteria if c["status"] != "met"))
                continue
            try:
                through(app, stop_before=None if i == 0 else i - 1)
            except Exception as exc:  # keep the rest of the demo going, say why
                result.skipped.setdefault(kind, str(exc))
                continue
            if i == 0:
                to_pay.append(app.programme)
            else:
                result.waiting += 1
    for prog in dict.fromkeys(to_pay):
        actions.publish_notice(prog, actor=admin, starts_on=today - timedelta(days=21))
        batch = actions.build_batch(prog, actor=admin)
        actions.submit_batch(batch, actor=admin)
        rows = [[item.pk, "成功", "", f"DEMO{item.pk:08d}", today.isoformat()] for item in batch.items.all()]
        actions.apply_bank_return(batch, actor=admin, filename=f"{batch.reference}-return.csv",
                                  data=actions.bank_return_csv(rows))  # fmt: skip
        result.paid[prog.kind] = f"{batch.reference}：{batch.count}笔 {batch.total}元"
    return result
