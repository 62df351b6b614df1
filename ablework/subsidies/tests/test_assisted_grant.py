"""The sixth programme: the assisted-employment institution grant, from the institution's own records
(``assisted.api.institution_grant_facts``) to an approved amount.  The assisted tables are written with
``apps.get_model`` (test data; application code reads them through ``assisted.api`` only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from ablework.core.models import District
from ablework.core.workflow import TransitionNotAllowed
from ablework.subsidies import actions
from ablework.subsidies.enums import ApplicationStatus, ProgrammeKind
from ablework.subsidies.tests.conftest import pdf

pytestmark = pytest.mark.django_db


def _institution(make_holder: Any, placed: int) -> Any:
    model = apps.get_model
    hp = District.objects.get(code="120101")
    inst = model("assisted", "Institution").objects.create(
        district=hp, name="和平区阳光工场", kind="institution", capacity=30, barrier_free=True, safety_measures=True,
        production_start=date(2024, 6, 1), status="active",
    )  # fmt: skip
    for _ in range(placed):
        person = make_holder(level=2)
        person.certificates.update(category=5)  # 智力残疾
        part = model("assisted", "Participant").objects.create(
            institution=inst, district=hp, person=person, joined_on=date(2025, 1, 1), eligible=True
        )
        model("assisted", "Agreement").objects.create(
            participant=part, district=hp, signed_with="guardian", guardian_name="监护人", start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31), accident_insurance=True, insurance_amount=Decimal("60"),
        )  # fmt: skip
        for m in range(1, 13):
            model("assisted", "MonthlyRecord").objects.create(
                participant=part, district=hp, month=date(2025, m, 1), hours=Decimal("80"), pay=Decimal("1000"),
                paid_by_bank=True,
            )  # fmt: skip
    model("assisted", "LabourProject").objects.create(
        district=hp, source_unit="和平区人民医院", source_kind="hospital", content="被服折叠", volume=Decimal("1000"),
        unit_price=Decimal("2"), start_date=date(2025, 3, 1), institution=inst, allocated_on=date(2025, 3, 1),
    )  # fmt: skip
    return inst


def test_institution_grant_from_the_institutions_records(
    programme: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    inst = _institution(make_holder, placed=10)
    prog = programme(ProgrammeKind.ASSISTED_GRANT)
    app = actions.create_application(prog, actor=reviewers["officer"], institution=inst, data={},
                                     bank_account="6221000011112222")  # fmt: skip
    crit = {c["code"]: c["status"] for c in app.criteria}
    assert app.eligible, app.decision
    assert crit["placed"] == crit["production"] == crit["agreements"] == crit["pay"] == "met"
    assert app.amount == Decimal("35000.00")  # 10 × 3,000 + 1 project × 5,000 (example parameters, 待确认)
    assert app.beneficiary_name == "和平区阳光工场" and app.district.code == "120101"
    actions.add_attachment(app, actor=reviewers["officer"], doc_type="application_form", file=pdf())
    actions.submit(app, actor=reviewers["officer"])
    actions.decide(app, "approve", actor=reviewers["reviewer"])
    with pytest.raises(TransitionNotAllowed):  # a district reviewer cannot take the city stage
        actions.decide(app, "approve", actor=reviewers["reviewer2"])
    actions.decide(app, "approve", actor=reviewers["city"])
    assert app.status == ApplicationStatus.APPROVED and app.approved_amount == Decimal("35000.00")


def test_too_few_placed_persons_is_explained(programme: Any, make_holder: Any, reviewers: dict[str, Any]) -> None:
    inst = _institution(make_holder, placed=4)
    app = actions.create_application(programme(ProgrammeKind.ASSISTED_GRANT), actor=reviewers["officer"],
                                     institution=inst, data={})  # fmt: skip
    placed = next(c for c in app.criteria if c["code"] == "placed")
    assert placed["status"] == "not_met" and "4人" in placed["detail"] and app.amount == 0
