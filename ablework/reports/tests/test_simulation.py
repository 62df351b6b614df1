"""Policy simulation: equals the live levy when nothing changes, moves the right way when the ratio
rises, never changes live data, and only a city administrator may run it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from ablework.core.models import PolicyParameter
from ablework.core.scoping import unscoped
from ablework.quota.models import Declaration, LevyResult
from ablework.reports import simulation
from ablework.reports.models import Scenario
from ablework.reports.tests.conftest import YEAR

pytestmark = pytest.mark.django_db
D = Decimal


def _live_snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    with unscoped():
        return (
            list(PolicyParameter.objects.order_by("pk").values_list("pk", "key", "value", "valid_from", "valid_to")),
            list(LevyResult.objects.order_by("pk").values_list("pk", "levy_due", "extra_persons", "computed_at")),
            list(Declaration.objects.order_by("pk").values_list("pk", "status", "accepted_count", "updated_at")),
        )


def test_unchanged_scenario_equals_stored_levy(review: list[Declaration]) -> None:
    result = simulation.simulate(YEAR, {})
    with unscoped():
        stored = sum((r.levy_due or D(0) for r in LevyResult.objects.filter(declaration__status="certified")), D(0))
        paying = LevyResult.objects.filter(declaration__status="certified", levy_due__gt=0).count()
    t = result["totals"]
    assert result["compared"] == len(review) and result["matches_stored"] == len(review)
    assert D(t["live_levy"]) == D(t["sim_levy"]) == stored
    assert t["live_paying"] == t["sim_paying"] == paying
    assert t["units"] == len(review)  # the draft is not simulated
    assert result["affected"] == []


@pytest.fixture
def reward_2023(db: Any) -> None:
    """An over-quota reward in force when the 2022 data is collected (2023): 9,600 per person and year."""
    PolicyParameter.objects.create(
        key="over_quota_reward", valid_from=date(2023, 1, 1), valid_to=date(2023, 12, 31), source="测试",
        value={"per_person_year_max": "9600", "unit_cap": None, "integer_persons_only": True},
    )  # fmt: skip


def test_ratio_up_raises_levy_and_lowers_reward(review: list[Declaration], reward_2023: None) -> None:
    base = simulation.current_values(YEAR)
    assert base["quota_ratio"] == "0.015" and base["reward_per_person"] == "9600"
    overrides, errors = simulation.parse_overrides({"quota_ratio": "1.7"}, base)
    assert errors == {} and overrides == {"quota_ratio": "0.017"}
    result = simulation.simulate(YEAR, overrides)
    t = result["totals"]
    assert D(t["sim_levy"]) > D(t["live_levy"])
    assert t["sim_paying"] >= t["live_paying"]
    assert D(t["sim_reward"]) <= D(t["live_reward"])
    # The unit with 1,000 staff and 20 accepted: required 15 → 17, so 5 → 3 persons over quota.
    big = next(a for a in result["affected"] if D(a["staff"]) == 1000)
    per = D(base["reward_per_person"])
    assert D(big["live_reward"]) == 5 * per and D(big["sim_reward"]) == 3 * per
    # 200 staff, none placed, 100,000 average wage, 90 %: 3 → 3.4 persons short.
    first = next(a for a in result["affected"] if D(a["staff"]) == 200 and D(a["accepted"]) == 0)
    assert D(first["live_levy"]) == D("270000.00") and D(first["sim_levy"]) == D("306000.00")
    # By district: both districts move, and the parts add up to the total.
    assert sum(D(r["sim_levy"]) for r in result["by_district"]) == D(t["sim_levy"])
    assert {r["code"] for r in result["by_district"]} == {"120101", "120103"}
    assert sum(r["units"] for r in result["by_kind"]) == t["units"]


def test_exemption_threshold_and_tiers(review: list[Declaration]) -> None:
    base = simulation.current_values(YEAR)
    none_exempt, _ = simulation.parse_overrides({"exemption_max_staff": "20"}, base)
    r = simulation.simulate(YEAR, none_exempt)
    assert r["totals"]["sim_paying"] == r["totals"]["live_paying"] + 1  # the 25-staff enterprise pays now
    full, _ = simulation.parse_overrides({"tier_rate_below": "100", "tier_rate_at_or_above": "100"}, base)
    r2 = simulation.simulate(YEAR, full)
    assert D(r2["totals"]["sim_levy"]) > D(r2["totals"]["live_levy"])


def test_parse_overrides_messages() -> None:
    base = {"quota_ratio": "0.015", "cap_multiplier": "2", "tier_threshold": None, "exemption_max_staff": None}
    overrides, errors = simulation.parse_overrides(
        {"quota_ratio": "abc", "cap_multiplier": "0", "tier_threshold": "1", "exemption_max_staff": "-3"}, base
    )
    assert overrides == {}
    assert errors["quota_ratio"] == "按比例安排就业比例应为数字，收到“abc”"
    assert errors["cap_multiplier"] == "计征工资上限倍数必须大于0"
    assert "不在分档减缴政策有效期内" in errors["tier_threshold"]
    assert errors["exemption_max_staff"] == "小微企业免征：在职职工人数上限不能为负数"


def test_nothing_live_changes(review: list[Declaration], client: Any, city_admin: Any) -> None:
    before = _live_snapshot()
    client.force_login(city_admin)
    response = client.post(
        reverse("reports:simulation_new"), {"name": "比例1.7%", "data_year": YEAR, "quota_ratio": "1.7"}
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.overrides == {"quota_ratio": "0.017"}
    assert scenario.base_values["quota_ratio"] == "0.015"
    page = client.get(reverse("reports:simulation_detail", args=[scenario.pk]))
    assert page.status_code == 200
    assert "比例1.7%" in page.content.decode()
    assert _live_snapshot() == before


def test_only_city_admin_simulates(review: list[Declaration], client: Any, hp_officer: Any, make_user: Any) -> None:
    client.force_login(hp_officer)
    assert client.get(reverse("reports:simulation_list")).status_code == 403
    assert client.post(reverse("reports:simulation_new"), {"name": "x", "data_year": YEAR}).status_code == 403
    client.force_login(make_user("city_reviewer"))
    assert client.post(reverse("reports:simulation_new"), {"name": "x", "data_year": YEAR}).status_code == 403
    assert Scenario.objects.count() == 0


def test_large_year_runs_as_task(
    review: list[Declaration], city_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Above the inline limit the scenario is queued; the task's body computes it to the same result."""
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        scenario = simulation.create_scenario(
            name="后台", data_year=YEAR, overrides={"quota_ratio": "0.017"}, actor=city_admin, inline=False
        )
    assert scenario.status == "pending" and scenario.result == {}
    assert DBTaskResult.objects.filter(task_path__endswith="simulate_scenario_task").count() == 1
    simulation.run_scenario(scenario.pk)
    scenario.refresh_from_db()
    assert scenario.status == "done"
    assert scenario.result["totals"] == simulation.simulate(YEAR, {"quota_ratio": "0.017"})["totals"]


def test_year_without_certified_declarations(db: Any, city_admin: Any, client: Any) -> None:
    with pytest.raises(simulation.SimulationError, match="2019年度没有已审核认定的年审申报"):
        simulation.simulate(2019, {})
    client.force_login(city_admin)
    response = client.post(reverse("reports:simulation_new"), {"name": "", "data_year": YEAR, "quota_ratio": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写方案名称" in html and "按比例安排就业比例应为数字" in html
    assert Scenario.objects.count() == 0
