"""The bulk SI path (bounded: 2,000 rows), the same code as bench/si_import.py."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ablework.core.scoping import unscoped
from ablework.exchange import bulk
from ablework.exchange.actions import ExchangeError
from ablework.people import api as people_api
from ablework.people.models import SIContribution
from conftest import make_resident_id, make_uscc

pytestmark = pytest.mark.django_db


def test_two_thousand_rows_then_reimport_is_a_noop(make_person, tmp_path) -> None:
    unit = make_uscc()
    people = []
    for _ in range(100):
        rid = make_resident_id()
        people.append((make_person(resident_id=rid), rid))
    lines = ["身份证号,缴费月份,缴费单位统一社会信用代码,缴费基数,缴费金额"]
    for _person, rid in people:
        for m in range(1, 20):
            lines.append(f"{rid},2024-{m:02d},{unit},4000,640" if m <= 12 else f"{rid},2025-{m - 12:02d},{unit},,")
    lines.append(f"{make_resident_id(region='110101')},2025-01,{unit},,")  # not registered
    lines.append(f"123,2025-01,{unit},,")  # invalid
    path = tmp_path / "si.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(lines) - 1 == 1902

    result = bulk.import_si_file(path, source="人社", batch_id="BULK-1")
    b = result.batch
    assert (b.received_rows, b.created_rows, b.unchanged_rows, b.rejected_rows) == (1902, 1900, 0, 2)
    messages = sorted(r["message"] for r in b.rejections)
    assert any("不是本平台登记" in m for m in messages) and any(m.startswith("身份证号") for m in messages)
    person = people[0][0]
    facts = people_api.si_paid_months(person, start=date(2024, 1, 1), end=date(2025, 12, 31))
    assert len(facts.months) == 19 and facts.source == "人社"

    assert bulk.import_si_file(path, source="人社", batch_id="BULK-1").duplicate is True
    again = bulk.import_si_file(path, source="人社", batch_id="BULK-2").batch
    assert (again.created_rows, again.unchanged_rows, again.rejected_rows) == (0, 1900, 2)
    with unscoped():
        assert SIContribution.objects.count() == 1900

    out = io.StringIO()
    call_command("import_si_file", str(path), "--batch-id", "BULK-2", stdout=out)
    assert "此前已导入" in out.getvalue()


def test_missing_column_changes_nothing(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("身份证号,月份\n1,2\n", encoding="utf-8")
    with pytest.raises(ExchangeError, match="缺少必需的列"):
        bulk.import_si_file(path, source="人社", batch_id="BAD")
    with pytest.raises(CommandError):
        call_command("import_si_file", str(path), "--batch-id", "BAD", stdout=io.StringIO())
