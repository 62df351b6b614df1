"""The api the assisted-employment grant (subsidies, programme 6) reads: institution lookup, the
institution of a user, and the facts of an institution for a year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ablework.assisted import api
from ablework.assisted.models import LabourProject
from ablework.core.models import District
from ablework.core.scoping import district_scope


def _project(inst: Any, allocated_on: date | None, volume: str = "100", price: str = "2.50") -> LabourProject:
    return LabourProject.objects.create(
        district=inst.district, source_unit="和平区人民医院", source_kind="hospital", content="病号服折叠",
        volume=Decimal(volume), unit_price=Decimal(price), start_date=date(2024, 1, 1),
        institution=inst if allocated_on else None, allocated_on=allocated_on,
    )  # fmt: skip


def test_grant_facts_counts_eligible_placed_with_agreement(make_institution: Any, registered: Any, place: Any) -> None:
    inst = make_institution(production_start=date(2024, 7, 1), barrier_free=True)
    ok_pay = {3: ("580.00", True), 4: ("900.00", True)}
    place(inst, registered(category=5, level=3, name="甲"), months=ok_pay)  # 智力 any level: counted
    place(inst, registered(category=4, level=3, name="乙"), months=ok_pay)  # 肢体三级: not eligible
    place(inst, registered(category=6, level=1, name="丙"), agreement=None)  # no agreement: not placed
    place(inst, registered(military_level=2, category=None, level=None, name="丁"), months=ok_pay)  # 军人2级
    _project(inst, date(2024, 3, 1))
    _project(inst, date(2023, 12, 31))  # allocated in another year
    _project(inst, None)  # not allocated

    facts = api.institution_grant_facts(inst, 2024)

    assert facts.institution_id == inst.pk and facts.district_id == inst.district_id
    assert facts.kind == "institution" and facts.name == inst.name
    assert facts.placed_eligible == 2
    assert facts.placed_total == 3
    assert facts.production_months == 6
    assert facts.agreements_min_months_ok is True
    assert facts.pay_by_bank_ok is True
    assert facts.accident_insurance_ok is True
    assert facts.barrier_free is True
    assert [p.allocated_on for p in facts.projects] == [date(2024, 3, 1)]
    assert facts.project_amount == Decimal("250.00")
    assert any(n.startswith("乙：不符合辅助性就业对象条件") for n in facts.notes)
    assert "丙：2024年没有有效协议，不计入" in facts.notes
    assert facts.parameters_confirmed is False  # R9.2/R9.3 values are (b) 待确认
    # A later year counts production months up to its 31 December.
    assert api.institution_grant_facts(inst, 2025).production_months == 18


def test_short_agreement_and_pay_problems(make_institution: Any, registered: Any, place: Any) -> None:
    inst = make_institution(production_start=date(2020, 1, 1))
    place(inst, registered(name="甲"), agreement=(date(2024, 1, 1), date(2024, 3, 31)), months={1: ("600", True)})
    facts = api.institution_grant_facts(inst, 2024)
    assert facts.placed_eligible == 1
    assert facts.agreements_min_months_ok is False
    assert facts.pay_by_bank_ok is True
    assert "甲：协议期限不足6个月" in facts.notes

    inst2 = make_institution(production_start=date(2020, 1, 1))
    place(inst2, registered(name="乙"), months={1: ("600", True), 2: ("579.99", True)})
    place(inst2, registered(name="丙"), months={1: ("1000", False)}, insurance=None)
    facts2 = api.institution_grant_facts(inst2, 2024)
    assert facts2.placed_eligible == 2
    assert facts2.pay_by_bank_ok is False
    assert facts2.accident_insurance_ok is False
    assert "乙：2024年02月发放579.99元，低于最低工资2320元的0.25倍" in facts2.notes
    assert "丙：2024年01月未通过银行发放" in facts2.notes


def test_no_monthly_record_fails_pay_and_empty_institution(make_institution: Any, registered: Any, place: Any) -> None:
    inst = make_institution()
    assert api.institution_grant_facts(inst, 2024).pay_by_bank_ok is False  # nobody placed
    place(inst, registered(), agreement=(date(2024, 1, 1), None))  # open-ended agreement, no pay recorded
    facts = api.institution_grant_facts(inst, 2024)
    assert facts.agreements_min_months_ok is True
    assert facts.pay_by_bank_ok is False
    assert facts.production_months == 0  # no production start recorded


def test_closed_institution_production_stops_at_closing(make_institution: Any) -> None:
    inst = make_institution(production_start=date(2023, 1, 1), status="closed", closed_on=date(2024, 3, 31))
    assert api.institution_grant_facts(inst, 2024).production_months == 15


def test_eligibility_uses_the_person_age_and_certificate_on_the_year(
    make_institution: Any, registered: Any, place: Any
) -> None:
    inst = make_institution()
    # Certificate expired during 2023: not eligible for 2024.
    place(inst, registered(valid_until=date(2023, 6, 30), name="戊"), months={1: ("600", True)})
    facts = api.institution_grant_facts(inst, 2024)
    assert facts.placed_eligible == 0
    assert any("没有在有效期内的残疾人证" in n for n in facts.notes)


def test_get_institution_is_scoped(make_institution: Any) -> None:
    hp = make_institution("120101")
    hx = District.objects.get(code="120103")
    with district_scope([hx.pk]):
        assert api.get_institution(hp.pk) is None
    with district_scope([hp.district_id]):
        assert api.get_institution(hp.pk) == hp


def test_institution_for_user(make_institution: Any, make_user: Any) -> None:
    inst = make_institution()
    user = make_user("employer_user")
    assert api.institution_for_user(user) is None  # an employer organisation
    org = user.organisation
    org.kind, org.external_ref = "institution", str(inst.pk)
    org.save()
    user.refresh_from_db()
    assert api.institution_for_user(user) == inst
    user.is_active = False
    assert api.institution_for_user(user) is None
    assert api.institution_for_user(None) is None


def test_coverage_kpi_counts_active_workstations(make_institution: Any) -> None:
    agricultural = list(District.objects.filter(is_agricultural=True).order_by("code"))
    assert agricultural, "reference data marks the 涉农区"
    for d in agricultural[:-1]:
        make_institution(d.code, kind="workstation")
    last = agricultural[-1]
    make_institution(last.code, kind="institution")  # not a workstation
    make_institution(last.code, kind="workstation", status="closed", closed_on=date(2024, 1, 1))
    kpi = api.coverage(date(2025, 1, 1))
    assert not kpi.met
    assert [d.code for d in kpi.uncovered] == [last.code]
    make_institution(last.code, kind="workstation", production_start=date(2024, 6, 1))
    assert api.coverage(date(2025, 1, 1)).met
    assert not api.coverage(date(2024, 5, 1)).met  # that station started production later
