"""seed_demo_review: the annual review's demo data on a small seeded registry (600 persons, 200 employers).

One seed per test module run is what keeps this file fast, so the checks share one test function and
say in their messages what failed: the §12 list (units above and below the thresholds, placed and
unplaced), the public disclosure page over HTTP without login (units with persons, no personal data),
the stored levy results against a recomputation with ``quota.rules``, maker-checker on every certified
declaration, credit events moved through the due process on past dates, and ``--if-empty``.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ablework.accounts.models import User
from ablework.core.models import AuditLog, District
from ablework.core.scoping import unscoped
from ablework.demo.annual_review import default_data_year
from ablework.employers.enums import AgencyLevel, EmployerKind
from ablework.employers.models import Employer
from ablework.employers.rules import field_errors
from ablework.quota import public_sector, rules
from ablework.quota.enums import ConflictState, CreditEventState, DeclarationStatus, ReviewOutcome
from ablework.quota.models import (
    CountConflict,
    CreditEvent,
    Declaration,
    DeclaredEmployee,
    DispatchFiling,
    LevyPayment,
    LevyResult,
)
from ablework.quota.parameters import levy_params

pytestmark = pytest.mark.django_db

YEAR = default_data_year()


def _counts() -> dict[str, int]:
    with unscoped():
        return {
            "declarations": Declaration.objects.count(),
            "employees": DeclaredEmployee.objects.count(),
            "levy": LevyResult.objects.count(),
            "payments": LevyPayment.objects.count(),
            "events": CreditEvent.objects.count(),
            "users": User.objects.count(),
            "audit": AuditLog.objects.count(),
        }


@functools.cache
def _params(year: int, district_id: int) -> rules.LevyParams:
    return levy_params(year, District.objects.get(pk=district_id))


def _recomputed(decl: Declaration) -> rules.LevyResult:
    """The levy of a certified declaration from its accepted persons, with the rules and parameters."""
    params = _params(decl.campaign.data_year, decl.employer.district_id)
    accepted = [
        rules.DisabledEmployee(
            e.validation["effective"]["kind"],
            int(e.validation["effective"]["level"]),
            e.validation["effective"]["category"],
        )
        for e in decl.employees.filter(review_outcome=ReviewOutcome.ACCEPTED)
    ]
    weighted = Decimal(0) if decl.late else rules.weighted_count(accepted, params.double_count)
    case = rules.LevyCase(
        unit_kind=decl.employer.kind,
        staff_count=decl.staff_count_exact(),
        total_wages=decl.total_wages,
        accepted_count=weighted,
    )
    return rules.compute_levy(case, params)


def _check_public_sector() -> None:
    rule = public_sector.rule_for_year(YEAR).rule
    units = list(Employer.objects.filter(kind__in=[EmployerKind.AGENCY, EmployerKind.INSTITUTION]))
    for u in units:  # every public unit is now valid as the registry's forms judge it
        assert not field_errors(
            name=u.name,
            kind=u.kind,
            agency_level=u.agency_level,
            establishment_size=u.establishment_size,
            is_school=u.is_school,
        ), u.name
        assert u.is_school == (
            u.kind == EmployerKind.INSTITUTION and any(w in u.name for w in ("中学", "小学", "学校", "幼儿园"))
        )

    def threshold(u: Employer) -> int:
        return rule.agency_min_posts if u.kind == EmployerKind.AGENCY else rule.institution_min_posts

    below = [u for u in units if (u.establishment_size or 0) < threshold(u)]
    above = [u for u in units if (u.establishment_size or 0) >= threshold(u)]
    assert below and above, "public units both below and above the 50/67 thresholds"
    covered = {u.pk: u for u in public_sector.covered_units(YEAR)}
    assert covered and not {u.pk for u in below} & set(covered), "units below the threshold are not covered"
    assert all(u.agency_level != AgencyLevel.TOWNSHIP and not u.is_school for u in covered.values())
    unplaced = set(public_sector.unplaced_units(YEAR).values_list("pk", flat=True))
    placed = {pk for pk, u in covered.items() if u.persons > 0}
    assert unplaced and placed, "the §12 list has unplaced units, and some covered units placed persons"
    assert not unplaced & placed


def _check_declarations() -> None:
    statuses = set(Declaration.objects.filter(campaign__data_year=YEAR).values_list("status", flat=True))
    assert {DeclarationStatus.DRAFT, DeclarationStatus.SUBMITTED, DeclarationStatus.CERTIFIED} <= statuses
    for year in (YEAR - 2, YEAR - 1):
        assert set(Declaration.objects.filter(campaign__data_year=year).values_list("status", flat=True)) == {
            DeclarationStatus.CERTIFIED
        }
    certified = list(
        Declaration.objects.filter(status=DeclarationStatus.CERTIFIED).select_related(
            "campaign", "employer__district", "levy_result", "entered_by__organisation", "certified_by__organisation"
        )
    )
    assert any(d.late for d in certified), "some declarations were submitted late"
    assert Declaration.objects.filter(campaign__data_year=YEAR, late=True, status=DeclarationStatus.CERTIFIED).exists()
    for d in certified:
        # maker-checker: entered and submitted by one officer of the unit's district, certified by another
        assert d.entered_by_id and d.certified_by_id and d.entered_by_id != d.certified_by_id
        assert not d.employees.filter(added_by=d.certified_by).exists()
        for officer in (d.entered_by, d.certified_by):
            assert officer is not None and officer.scope_district_ids() == [d.employer.district_id]
        assert d.submitted_at and d.submitted_at.date() < timezone.localdate()
        stored, again = d.levy_result, _recomputed(d)
        assert stored.error == ""
        assert stored.weighted_count == again.weighted_count.quantize(Decimal("0.000001")), d.pk
        assert stored.required == again.required.quantize(Decimal("0.000001")), d.pk
        assert stored.levy_due == again.levy_due, d.pk
        assert stored.exempt == again.exempt
        assert d.accepted_count == (0 if d.late else again.weighted_count)
    assert LevyResult.objects.count() == len(certified)
    assert any(d.levy_result.levy_due and d.levy_result.levy_due > 0 for d in certified)
    assert any(d.levy_result.exempt for d in certified) or any(d.levy_result.levy_due == 0 for d in certified)
    # the special cases: dispatch filings, rejected persons, open conflicts between submitted declarations
    assert DispatchFiling.objects.filter(declaration__campaign__data_year=YEAR).exists()
    assert DeclaredEmployee.objects.filter(review_outcome=ReviewOutcome.REJECTED).exclude(review_reason="").exists()
    conflicts = list(CountConflict.objects.filter(data_year=YEAR, state=ConflictState.OPEN))
    assert conflicts, "a one-person-two-units conflict is left open for the officers"
    for c in conflicts:
        assert {c.declaration_a.status, c.declaration_b.status} == {DeclarationStatus.SUBMITTED}


def _check_credit() -> None:
    events = list(CreditEvent.objects.filter(data_year=YEAR - 1))
    assert events, "the credit scan of the previous year found units that did not pay"
    states = {e.status for e in events}
    assert CreditEventState.NOTIFIED in states or CreditEventState.REVIEW in states
    today = timezone.localdate()
    for e in events:
        if e.notice_sent_at is not None:
            assert e.notice_sent_at.date() < today and e.rectification_due and e.objection_due
    for e in events:  # nothing open was fully paid
        if e.status in (CreditEventState.DETECTED, CreditEventState.NOTIFIED):
            paid = sum(
                LevyPayment.objects.filter(employer=e.employer, data_year=e.data_year).values_list("amount", flat=True)
            )
            assert paid < Decimal(e.facts["total_due"])
    assert all(p.paid_on <= today for p in LevyPayment.objects.all())


def _check_portal(client: Client) -> None:
    with unscoped():
        rows = public_sector.disclosure_rows(YEAR)
        masked = set(DeclaredEmployee.objects.values_list("id_masked", flat=True))
        masked |= set(DeclaredEmployee.objects.values_list("cert_masked", flat=True))
        names = set(DeclaredEmployee.objects.values_list("name", flat=True))
    assert rows and all(r["persons"] >= 1 for r in rows)
    response = client.get("/portal/disclosure/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{YEAR}年度机关、事业单位安排残疾人就业情况公示" in html
    for r in rows:
        assert r["name"] in html
    assert f"共{len(rows)}家单位，安排{sum(r['persons'] for r in rows)}人" in html
    assert not [m for m in masked if m in html], "no ID or certificate number on the public page"
    unit_text = "".join(r["name"] for r in rows)
    assert not [n for n in names if len(n) >= 3 and n not in unit_text and n in html], "no person's name"
    assert client.get(f"/portal/disclosure/{YEAR - 1}/").status_code == 200


def test_seed_review_builds_the_annual_review_through_the_workflow(client: Client) -> None:
    call_command("seed_demo", persons=600, employers=200, seed=3, stdout=StringIO(), verbosity=0)
    out = StringIO()
    call_command("seed_demo_review", "--seed=3", stdout=out)
    assert f"数据年度{YEAR}" in out.getvalue()

    with unscoped():
        _check_public_sector()
        _check_declarations()
        _check_credit()
    _check_portal(client)

    # The §12 page of a city administrator lists an unplaced unit of the data year.
    with unscoped():
        unplaced = public_sector.unplaced_units(YEAR).first()
    assert unplaced is not None
    client.force_login(User.objects.get(username="city_admin"))
    page = client.get(reverse("quota:public_sector_list"), {"year": YEAR})
    assert page.status_code == 200 and unplaced.name in page.content.decode()

    before = _counts()
    again = StringIO()
    call_command("seed_demo_review", "--seed=3", "--if-empty", stdout=again)
    assert "未生成" in again.getvalue()
    assert _counts() == before
    with pytest.raises(CommandError, match="已有年审申报"):
        call_command("seed_demo_review", "--seed=3", stdout=StringIO())
    # ``make run`` a year later on the same database: the next data year overlaps the seeded ones.
    call_command("seed_demo_review", "--seed=3", f"--year={YEAR + 1}", "--if-empty", stdout=StringIO())
    assert _counts() == before


def test_refuses_without_a_registry() -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_review", f"--year={YEAR}", stdout=StringIO())
    with unscoped():
        assert not Declaration.objects.exists()
        assert not User.objects.filter(username__startswith="checker_").exists()
