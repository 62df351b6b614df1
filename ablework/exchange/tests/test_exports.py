"""Outbound files: national employment and training system, tax bureau."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from ablework.core import crypto
from ablework.core.models import AuditLog, AuditSubject
from ablework.exchange import exports
from ablework.people.actions import add_employment_record
from ablework.quota.models import Campaign, Declaration, LevyPayment, LevyResult

pytestmark = pytest.mark.django_db


def _sheet(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_national_file_columns_and_rows(registered, tmp_path) -> None:
    person, rid, number = registered()
    add_employment_record(person, actor=None, form="quota", start_date=date(2024, 3, 1), employer_name="甲公司",
                          contract_months=36, social_insurance=True)  # fmt: skip
    unemployed, rid2, _ = registered(district_code="120103")
    target = tmp_path / "national.xlsx"
    call_command("exchange_export", "national", "--out", str(target), "--on", "2025-06-30", stdout=io.StringIO())
    sheet = _sheet(target)
    assert sheet[0] == exports.NATIONAL_HEADERS
    by_id = {row[1]: row for row in sheet[1:]}
    row = by_id[rid]
    assert row[2] == number and row[7] == "已就业" and row[8] == "2024-03-01" and row[9] == "按比例就业"
    assert row[12] == "是" and row[13] == "是" and row[14] == ""
    assert by_id[rid2][7] == "未就业" and by_id[rid2][12] == ""
    entry = AuditLog.objects.filter(action="export", object_type="people.person").latest("seq")
    assert set(AuditSubject.objects.filter(entry=entry).values_list("object_id", flat=True)) >= {
        str(person.pk),
        str(unemployed.pk),
    }
    assert crypto.lookup_hash(rid) == person.id_hash


def test_tax_file_lists_certified_units(make_employer, tmp_path) -> None:
    unit = make_employer()
    campaign, _ = Campaign.objects.get_or_create(
        data_year=2024, defaults={"declaration_start": date(2025, 3, 1), "declaration_end": date(2025, 10, 31)}
    )
    from ablework.core.scoping import unscoped

    with unscoped():
        decl = Declaration.objects.create(
            employer=unit, campaign=campaign, staff_count=Decimal("100"), total_wages=Decimal("8000000"),
            status="certified", accepted_count=Decimal("1.5"),
        )  # fmt: skip
        LevyResult.objects.create(declaration=decl, data_year=2024, required=Decimal("1.5"), levy_due=Decimal("0"))
        LevyPayment.objects.create(employer=unit, data_year=2024, amount=Decimal("100.00"), paid_on=date(2025, 6, 1))
    target = tmp_path / "tax.csv"
    call_command("exchange_export", "tax", "--year", "2024", "--out", str(target), stdout=io.StringIO())
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == exports.TAX_HEADERS
    row = lines[1].split(",")
    assert row[0] == unit.uscc and row[4] == "1.50" and row[7] == "100.00" and row[8] == "否"
