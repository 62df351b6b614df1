"""Certificate verification and employment status: no more than the scope allows, reads audited."""

from __future__ import annotations

from datetime import date

import pytest

from ablework.core.models import AuditLog
from ablework.exchange.enums import Scope
from ablework.people import api as people_api
from conftest import make_resident_id

pytestmark = pytest.mark.django_db
VERIFY = "/api/v1/certificates/verify"
STATUS = "/api/v1/persons/employment-status"


def test_verify_valid_certificate_without_detail_scope(api, make_client, registered) -> None:
    client, key = make_client(Scope.PERSONS_VERIFY)
    person, _, number = registered(level=2)
    r = api(key).post(VERIFY, {"number": number}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is True
    assert set(body) == {"valid", "checked_on"}  # nothing about the disability without persons:detail
    entry = AuditLog.objects.order_by("-seq")[0]
    assert (entry.object_type, entry.object_id, entry.action) == ("people.person", str(person.pk), "read")
    assert client.name in entry.purpose
    assert entry.district_code == "120101"


def test_verify_with_detail_scope_returns_category_and_level(api, make_client, registered) -> None:
    _, key = make_client(Scope.PERSONS_VERIFY, Scope.PERSONS_DETAIL)
    _, _, number = registered(level=3, valid_until=date(2099, 1, 1))
    body = api(key).post(VERIFY, {"number": number}, format="json").json()
    assert body["valid"] is True
    assert (body["category"], body["level"], body["valid_until"]) == (4, 3, "2099-01-01")


def test_expired_or_wrong_level_or_unknown_is_not_valid(api, make_client, registered) -> None:
    _, key = make_client(Scope.PERSONS_VERIFY, Scope.PERSONS_DETAIL)
    _, _, expired = registered(valid_until=date(2020, 1, 1))
    body = api(key).post(VERIFY, {"number": expired}, format="json").json()
    assert body["valid"] is False and body["category"] is None
    _, _, number = registered(level=2)
    wrong_level = number[:-1] + "1"
    assert api(key).post(VERIFY, {"number": wrong_level}, format="json").json()["valid"] is False
    unknown = "11010119800505" + "0012" + "42"
    r = api(key).post(VERIFY, {"number": unknown}, format="json")
    assert r.status_code in (200, 400)
    if r.status_code == 200:
        assert r.json()["valid"] is False


def test_verify_rejects_a_malformed_number_in_chinese(api, make_client) -> None:
    _, key = make_client(Scope.PERSONS_VERIFY)
    r = api(key).post(VERIFY, {"number": "12345"}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid"
    assert body["details"]["number"][0]  # the identifier parser's own Chinese message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["details"]["number"][0])


def test_employment_status(api, make_client, registered) -> None:
    _, key = make_client(Scope.PERSONS_EMPLOYMENT)
    person, rid, _ = registered()
    today = date.today()
    people_api.record_si_contributions(
        [people_api.SIRow(person_id=person.pk, month=today.replace(day=1), employer_uscc="91120101MA05XXXX0A",
                          row_key="k1")],
        source="人社", batch_id="B",
    )  # fmt: skip
    body = api(key).post(STATUS, {"resident_id": rid}, format="json").json()
    assert body["found"] is True
    assert body["status"] == person.status
    assert body["social_insurance"]["months_last_12"] == 1
    assert body["social_insurance"]["as_of"]
    nobody = api(key).post(STATUS, {"resident_id": make_resident_id(region="110101")}, format="json").json()
    assert nobody == {"found": False}


def test_payments_of_a_person_and_an_employer(api, make_client, registered, make_employer) -> None:
    _, key = make_client(Scope.PAYMENTS_READ)
    person, rid, _ = registered()
    body = api(key).post("/api/v1/persons/payments", {"resident_id": rid}, format="json").json()
    assert body == {"found": True, "payments": []}
    entry = AuditLog.objects.order_by("-seq")[0]
    assert (entry.object_type, entry.object_id) == ("people.person", str(person.pk))
    unit = make_employer()
    r = api(key).get(f"/api/v1/employers/{unit.uscc}/payments")
    assert r.status_code == 200 and r.json() == {"uscc": unit.uscc, "name": unit.name, "payments": []}
    assert api(key).get("/api/v1/employers/91120101MA05XXXX0A/payments").status_code == 404
    _, other = make_client(Scope.PERSONS_VERIFY)
    assert api(other).post("/api/v1/persons/payments", {"resident_id": rid}, format="json").status_code == 403


def test_annual_reviews_of_an_unknown_or_unreviewed_unit(api, make_client, make_employer) -> None:
    _, key = make_client(Scope.QUOTA_RESULTS)
    unit = make_employer()
    body = api(key).get(f"/api/v1/employers/{unit.uscc}/annual-reviews").json()
    assert body == {"uscc": unit.uscc, "name": unit.name, "results": []}
    r = api(key).get("/api/v1/employers/NOTACODE/annual-reviews")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_annual_reviews_of_a_certified_unit(api, make_client, make_employer) -> None:
    from decimal import Decimal

    from ablework.core.scoping import unscoped
    from ablework.quota.models import Campaign, Declaration, LevyResult

    _, key = make_client(Scope.QUOTA_RESULTS)
    unit = make_employer()
    campaign, _ = Campaign.objects.get_or_create(
        data_year=2024, defaults={"declaration_start": date(2025, 3, 1), "declaration_end": date(2025, 10, 31)}
    )
    with unscoped():
        decl = Declaration.objects.create(employer=unit, campaign=campaign, staff_count=Decimal("120"),
                                          total_wages=Decimal("9000000"), status="certified",
                                          accepted_count=Decimal("2"))  # fmt: skip
        LevyResult.objects.create(declaration=decl, data_year=2024, required=Decimal("1.8"), levy_due=Decimal("0"))
    results = api(key).get(f"/api/v1/employers/{unit.uscc}/annual-reviews").json()["results"]
    assert len(results) == 1
    r = results[0]
    assert (r["data_year"], Decimal(r["accepted_count"]), Decimal(r["required_count"]), Decimal(r["levy_due"])) == (
        2024,
        Decimal("2"),
        Decimal("1.8"),
        Decimal("0"),
    )
    entry = AuditLog.objects.order_by("-seq")[0]
    assert (entry.object_type, entry.object_id) == ("employers.employer", str(unit.pk))
