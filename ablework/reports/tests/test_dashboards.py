"""Dashboards: the pre-aggregated figures equal direct counts of the source tables, pages are scoped
(a district officer sees its own district and gets 404 for another's drill-down), and each chart has its
data table and summary."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db.models import Count, Sum
from django.urls import reverse

from ablework.core.models import District, Street
from ablework.core.scoping import unscoped
from ablework.people.models import EmploymentRecord, Person, ServiceRecord, StudentRecord
from ablework.quota.models import Declaration, LevyPayment, LevyResult
from ablework.reports import aggregates
from ablework.reports.models import Figure, Refresh
from ablework.reports.tests.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(make_person: Any) -> dict[str, Any]:
    """Persons of 和平 (two streets) and 河西 with employment records of 2022 and 2021, services, students."""
    hp = District.objects.get(code="120101")
    hx = District.objects.get(code="120103")
    hp_streets = list(Street.objects.filter(district=hp).order_by("code")[:2])
    hx_street = Street.objects.filter(district=hx).order_by("code").first()
    people = []
    specs = [
        (hp, hp_streets[0], "quota", "urban", 4), (hp, hp_streets[0], "flexible", "urban", 1),
        (hp, hp_streets[1], "individual", "rural", 2), (hx, hx_street, "quota", "urban", 4),
        (hx, hx_street, "public_welfare", "rural", 5),
    ]  # fmt: skip
    for i, (d, street, form, ur, cat) in enumerate(specs):
        p = make_person(d.code, name=f"测试{i}", category=cat, street=street, urban_rural=ur, status="employed")
        EmploymentRecord.objects.create(person=p, district=d, form=form, start_date=date(YEAR, 3 + i, 1))
        people.append(p)
    # An older record (2021) and one of a person who was merged away: neither is new in 2022.
    EmploymentRecord.objects.create(person=people[0], district=hp, form="quota", start_date=date(2021, 1, 5),
                                    end_date=date(2021, 12, 31))  # fmt: skip
    for i, (d, street) in enumerate([(hp, hp_streets[0]), (hp, hp_streets[1]), (hx, hx_street)]):
        p = make_person(d.code, name=f"待业{i}", street=street, status="wants_work", wants_job=True)
        ServiceRecord.objects.create(
            person=p, district=d, street=street, kind="info_check", date=date(YEAR, 5, 1), unit="测试"
        )
    StudentRecord.objects.create(
        person=people[1], district=hp, school="天津大学", graduation_year=YEAR, status="employed"
    )
    return {"hp": hp, "hx": hx, "hp_streets": hp_streets, "hx_street": hx_street}


def test_figures_equal_direct_counts(registry: dict[str, Any], review: list[Declaration]) -> None:
    with unscoped():
        LevyPayment.objects.create(employer=review[0].employer, data_year=YEAR, amount=1000, paid_on=date(2023, 9, 30))
    run = aggregates.refresh(YEAR)
    assert run.rows > 0
    with unscoped():
        fig = {
            (f.topic, f.district_id, f.street_id, f.dim, f.dim_value, f.measure): f.value
            for f in Figure.objects.filter(year=YEAR)
        }
        # New jobs per street equal the records that started in 2022, counted directly.
        direct = (
            EmploymentRecord.objects.filter(start_date__year=YEAR)
            .values("district_id", "person__street_id").annotate(n=Count("id")).order_by()
        )  # fmt: skip
        for r in direct:
            assert fig[("employment", r["district_id"], r["person__street_id"], "", "", "new_jobs")] == r["n"]
        by_form = EmploymentRecord.objects.filter(start_date__year=YEAR).values("form").annotate(n=Count("id"))
        for r in by_form:
            got = sum(v for k, v in fig.items() if k[0] == "employment" and k[3] == "form" and k[4] == r["form"])
            assert got == r["n"]
        # Registry counts.
        for r in Person.objects.values("district_id").annotate(n=Count("id")).order_by():
            assert fig[("registry", r["district_id"], None, "", "", "persons")] == r["n"]
        # Annual review: levy due on certified declarations and payments, per district.
        for d in (registry["hp"], registry["hx"]):
            due = LevyResult.objects.filter(
                declaration__status="certified", declaration__employer__district=d
            ).aggregate(s=Sum("levy_due"))["s"]
            assert fig[("review", d.pk, None, "", "", "levy_due")] == due
            certified = Declaration.objects.filter(status="certified", employer__district=d).count()
            assert fig[("review", d.pk, None, "", "", "certified")] == certified
        assert fig[("review", registry["hp"].pk, None, "", "", "levy_paid")] == 1000
        assert fig[("services", registry["hp"].pk, registry["hp_streets"][0].pk, "", "", "info_checked")] == 1
        assert fig[("students", registry["hp"].pk, registry["hp_streets"][0].pk, "status", "employed", "n")] == 1
    # Idempotent: a second refresh replaces the rows with the same values.
    aggregates.refresh(YEAR)
    with unscoped():
        again = {
            (f.topic, f.district_id, f.street_id, f.dim, f.dim_value, f.measure): f.value
            for f in Figure.objects.filter(year=YEAR)
        }
    assert again == fig
    assert Refresh.objects.filter(year=YEAR).count() == 2


def _chart(html: str, data_id: str) -> dict[str, Any]:
    start = html.index(f'id="{data_id}"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_city_sees_all_districts_and_drills_down(
    registry: dict[str, Any], review: list[Declaration], client: Any, city_admin: Any
) -> None:
    aggregates.refresh(YEAR)
    client.force_login(city_admin)
    page = client.get(reverse("reports:topic", args=["employment"]), {"year": YEAR})
    assert page.status_code == 200
    html = page.content.decode()
    chart = _chart(html, "emp-areas-data")
    assert len(chart["labels"]) == 16
    values = dict(zip(chart["labels"], chart["series"][0]["data"], strict=True))
    assert values["和平区"] == 3 and values["河西区"] == 2
    assert "全市2022年新增残疾人就业5人" in html
    # The target of 2022–2024 (parameter new_jobs_target, 15,000): progress from the yearly figures.
    assert "2022—2024年新增就业目标15,000人，截至2022年累计完成5人" in html
    home = client.get(reverse("reports:dashboard")).content.decode()
    assert "新增就业目标完成情况（2022—2024年）" in home  # a plan period just closed still shows
    assert "统计数据更新于" in html
    # Drill into 和平区: its streets; then into a street.
    page = client.get(reverse("reports:topic", args=["employment"]), {"year": YEAR, "district": "120101"})
    chart = _chart(page.content.decode(), "emp-areas-data")
    assert chart["labels"] == [s.name for s in registry["hp_streets"]]
    street = registry["hp_streets"][0]
    page = client.get(
        reverse("reports:topic", args=["employment"]), {"year": YEAR, "district": "120101", "street": street.code}
    )
    assert page.status_code == 200
    assert _chart(page.content.decode(), "emp-areas-data")["series"][0]["data"] == [2]
    for code in ("services", "difficulty", "students", "review", "public_sector", "subsidies", "assisted", "jobs"):
        assert client.get(reverse("reports:topic", args=[code]), {"year": YEAR}).status_code == 200


def test_district_officer_is_scoped(
    registry: dict[str, Any], review: list[Declaration], client: Any, hx_officer: Any
) -> None:
    aggregates.refresh(YEAR)
    client.force_login(hx_officer)
    page = client.get(reverse("reports:topic", args=["employment"]), {"year": YEAR})
    html = page.content.decode()
    assert "河西区2022年新增残疾人就业2人" in html
    assert "和平区" not in _chart(html, "emp-areas-data")["labels"]
    review_page = client.get(reverse("reports:topic", args=["review"]), {"year": YEAR}).content.decode()
    assert _chart(review_page, "rev-areas-data")["labels"] == ["河西区"]
    # Another district's drill-down, or a street of it: 404, like a district that does not exist.
    url = reverse("reports:topic", args=["employment"])
    assert client.get(url, {"year": YEAR, "district": "120101"}).status_code == 404
    street = registry["hp_streets"][0]
    assert client.get(url, {"year": YEAR, "district": "120101", "street": street.code}).status_code == 404
    assert client.get(url, {"year": YEAR, "district": "120103", "street": street.code}).status_code == 404
    assert client.get(url, {"year": YEAR, "district": "999999"}).status_code == 404
    # The landing page counts only 河西区.
    home = client.get(reverse("reports:dashboard")).content.decode()
    assert "可查看 1 个区的数据" in home


def test_non_staff_gets_403(client: Any, make_user: Any) -> None:
    client.force_login(make_user("employer_user"))
    assert client.get(reverse("reports:topic", args=["employment"])).status_code == 403
    assert client.get(reverse("reports:annual_list")).status_code == 403
    assert client.get(reverse("reports:quality")).status_code == 403


def test_refresh_command_and_button(
    registry: dict[str, Any], client: Any, city_admin: Any, hp_officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("refresh_reports", "--year", str(YEAR), stdout=out)
    assert out.getvalue().startswith(f"{YEAR}年：")
    assert Refresh.objects.filter(year=YEAR).count() == 1
    # Only a city administrator may queue a refresh.
    client.force_login(hp_officer)
    assert client.post(reverse("reports:refresh")).status_code == 403
    client.force_login(city_admin)
    assert client.get(reverse("reports:refresh")).status_code == 405
    response = client.post(reverse("reports:refresh"))
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="refresh_figures_task").count() == 1
    from ablework.reports.tasks import refresh_figures_task

    assert refresh_figures_task.call([YEAR]) > 0  # the task's body: same refresh
    assert Refresh.objects.filter(year=YEAR).count() == 2


def test_subsidies_panel_budget_is_city_wide(
    db: Any, client: Any, city_admin: Any, hx_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each district's counts are summed; the city-wide budget is repeated in every district's rows and
    read once (max), and its use rate is shown only on the city-wide page."""
    from decimal import Decimal

    hx = District.objects.get(code="120103").pk

    def totals(year: int, district_ids: list[int] | None) -> list[dict[str, Any]]:
        n = 3 if district_ids == [hx] else 1
        return [{"code": "new_hire", "name": "新招用", "applications": n, "approved": n, "paid": n,
                 "budget": Decimal("1000000"), "committed": n * 1000, "paid_amount": n * 1000}]  # fmt: skip

    monkeypatch.setattr(aggregates, "subsidy_totals_function", lambda: totals)
    monkeypatch.setattr("ablework.reports.dashboards.subsidy_totals_function", lambda: totals)
    aggregates.refresh(YEAR)
    client.force_login(city_admin)
    html = client.get(reverse("reports:topic", args=["subsidies"]), {"year": YEAR}).content.decode()
    # 15 districts × 1 + 河西 × 3 = 18 applications; paid 18,000 of a 1,000,000 budget = 1.8 %.
    assert "共受理申请18件" in html and "1,000,000.00" in html and "1.8%" in html
    client.force_login(hx_officer)
    html = client.get(reverse("reports:topic", args=["subsidies"]), {"year": YEAR}).content.decode()
    assert "河西区2022年各补贴项目共受理申请3件" in html and "占预算" not in html


def test_seed_demo_reports_is_idempotent(review: list[Declaration], city_admin: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from ablework.reports.models import Scenario

    out = StringIO()
    call_command("seed_demo_reports", "--if-empty", stdout=out)
    scenario = Scenario.objects.get()
    assert scenario.status == "done" and scenario.overrides == {"quota_ratio": "0.017"}
    assert scenario.result["matches_stored"] == scenario.result["compared"] == len(review)
    call_command("seed_demo_reports", "--if-empty", stdout=out)
    assert Scenario.objects.count() == 1 and "--if-empty" in out.getvalue()
