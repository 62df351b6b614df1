"""Business registrations reported by the market regulator (市场监管) and ``business_registration``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ablework.core import crypto
from ablework.employers import api

pytestmark = pytest.mark.django_db

CODE = "92120101MA06ABCD1X"


def _row(**kw: object) -> api.BusinessRegistrationRow:
    values: dict = {
        "uscc": CODE,
        "name": "和平区小张便利店",
        "row_key": "R1",
        "kind": "个体工商户",
        "licence_date": date(2025, 3, 1),
        "operator_id_hash": crypto.lookup_hash("120101197001010011"),
    }
    values.update(kw)
    return api.BusinessRegistrationRow(**values)  # type: ignore[arg-type]


def test_unknown_code_is_none() -> None:
    assert api.business_registration(CODE) is None


def test_create_repeat_and_close() -> None:
    t1 = datetime(2025, 3, 2, tzinfo=UTC)
    assert api.record_business_registrations([_row()], source="市场监管", batch_id="B1", received_at=t1) == {
        "R1": "created"
    }
    facts = api.business_registration(CODE.lower())
    assert facts is not None
    assert (facts.name, facts.status, facts.licence_date, facts.as_of, facts.source) == (
        "和平区小张便利店", "open", date(2025, 3, 1), t1, "市场监管",
    )  # fmt: skip
    assert facts.operator_id_hash == crypto.lookup_hash("120101197001010011")

    # The same row again: nothing changes, not even the freshness.
    t2 = datetime(2025, 4, 1, tzinfo=UTC)
    assert api.record_business_registrations([_row()], source="市场监管", batch_id="B2", received_at=t2) == {
        "R1": "unchanged"
    }
    assert api.business_registration(CODE).as_of == t1  # type: ignore[union-attr]

    closed = _row(row_key="R2", status="closed", closed_on=date(2025, 9, 30))
    assert api.record_business_registrations([closed], source="市场监管", batch_id="B3", received_at=t2) == {
        "R2": "updated"
    }
    facts = api.business_registration(CODE)
    assert facts is not None
    assert (facts.status, facts.closed_on, facts.as_of) == ("closed", date(2025, 9, 30), t2)
