"""Helpers of the annual-review tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ablework.core.scoping import unscoped
from ablework.employers.api import Employer
from ablework.quota import actions
from ablework.quota.models import Campaign, Declaration, DeclaredEmployee

YEAR = 2022
IN_WINDOW = date(2023, 5, 10)  # inside 2023-03-01 → 2023-10-31
LATE = date(2023, 11, 15)
PDF = b"%PDF-1.4\n% test document\n"


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def declare(
    employer: Employer, actor: Any, campaign: Campaign, staff: str = "300", wages: str = "45000000"
) -> Declaration:
    return actions.create_declaration(employer, actor=actor, campaign=campaign, staff_count=staff, total_wages=wages)


def add(decl: Declaration, actor: Any, number: str, **kw: Any) -> actions.EmployeeResult:
    values: dict[str, Any] = {
        "contract_start": date(2021, 1, 1),
        "contract_end": date(2023, 12, 31),
        "monthly_wage": Decimal("5000"),
        "social_insurance_months": 12,
        "on": IN_WINDOW,
    }
    values.update(kw)
    return actions.add_employee(decl, actor=actor, certificate_number=number, **values)


def documents(decl: Declaration, actor: Any) -> None:
    actions.add_upload(decl, actor=actor, kind="declaration_form", file=pdf("申报表.pdf"))
    actions.add_upload(decl, actor=actor, kind="pledge", file=pdf("承诺书.pdf"))


def submitted(decl: Declaration, actor: Any, on: date = IN_WINDOW) -> actions.SubmitResult:
    documents(decl, actor)
    return actions.submit_declaration(decl, actor=actor, on=on)


def fresh(obj: Any) -> Any:
    with unscoped():
        return type(obj)._base_manager.get(pk=obj.pk)


def employees(decl: Declaration) -> list[DeclaredEmployee]:
    with unscoped():
        return list(DeclaredEmployee.objects.filter(declaration=decl).order_by("id"))
