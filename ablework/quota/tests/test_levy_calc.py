"""``levy_calc`` and the parameter adapter: stored parameters in, JSON out."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ablework.core import policy
from ablework.core.models import District, PolicyParameter
from ablework.quota.parameters import LevyParameterError, collection_date, levy_params

pytestmark = pytest.mark.django_db

D = Decimal


def run(cases: Any, *args: str, tmp_path: Any = None) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("levy_calc", "-", *args, stdin=io.StringIO(json.dumps(cases, ensure_ascii=False)), stdout=out)
    return json.loads(out.getvalue())


def case(id: str, staff: Any, wages: str, disabled: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
    return {"id": id, "data_year": 2022, "unit_kind": "enterprise", "staff_count": staff, "total_wages": wages,
            "disabled": disabled or [], **kw}  # fmt: skip


def person(kind: str, level: int) -> dict[str, Any]:
    return {"kind": kind, "level": level}


# policy-rules R4.8, with the stored 2022 parameters (W_social = the hypothetical 120,000).
R4_8 = [
    case("1", "200", "20000000"),
    case("2", "300", "45000000", [person("cdpf", 2), person("cdpf", 4)]),
    case("3", "25", "2000000"),
    case("3b", "25", "2000000", unit_kind="institution"),
    case("4", "100", "40000000"),
    case("5", "67", "6030000", unit_kind="institution"),
    case("6", "250", "22500000", [person("cdpf", 3), person("cdpf", 4)]),
    case("7", "600", "30000000", [person("cdpf", 2), person("military", 3), person("cdpf", 3), person("cdpf", 4)],
         social_average_wage="55000"),
]  # fmt: skip

EXPECTED = {
    "1": ("0", "3", "3", "100000.00", "300000.00", False, "0.9", "270000.00", "0"),
    "2": ("3", "4.5", "1.5", "150000.00", "225000.00", False, "0.5", "112500.00", "0"),
    "3": ("0", "0.375", "0.375", "80000.00", "30000.00", True, "0", "0.00", "0"),
    "3b": ("0", "0.375", "0.375", "80000.00", "30000.00", False, "0.9", "27000.00", "0"),
    "4": ("0", "1.5", "1.5", "240000.00", "360000.00", False, "0.9", "324000.00", "0"),
    "5": ("0", "1.005", "1.005", "90000.00", "90450.00", False, "0.9", "81405.00", "0"),
    "6": ("2", "3.75", "1.75", "90000.00", "157500.00", False, "0.9", "141750.00", "0"),
    "7": ("6", "9", "3", "50000.00", "150000.00", False, "0.5", "75000.00", "0"),
}
FIELDS = (
    "weighted_count", "required", "shortfall", "wage_base", "gross_levy", "exempt", "rate", "levy_due", "extra_persons"
)  # fmt: skip


def test_worked_examples_from_a_file(tmp_path: Any) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(R4_8), encoding="utf-8")
    out = io.StringIO()
    call_command("levy_calc", str(path), stdout=out)
    results = json.loads(out.getvalue())
    assert [r["id"] for r in results] == list(EXPECTED)
    for r in results:
        assert list(r) == ["id", *FIELDS]
        assert tuple(r[f] for f in FIELDS) == EXPECTED[r["id"]], r["id"]


def test_reads_stdin_and_explains_with_parameter_sources() -> None:
    [result] = run([R4_8[1]], "--explain")
    assert result["levy_due"] == "112500.00"
    steps = {s["label"]: s for s in result["explanation"]["steps"]}
    tiers = steps["分档减缴"]["params"][0]
    assert tiers["key"] == "levy_tiers" and "财政部公告2019年第98号" in tiers["source"] and tiers["confirmed"]
    social = steps["工资上限"]["params"][1]
    assert (social["key"], social["value"], social["confirmed"]) == ("social_avg_wage", "120000", False)
    assert "2023-09-01" in result["explanation"]["title"]  # collected in the 2023 levy window


def test_bad_cases_get_a_chinese_error_and_the_others_still_compute() -> None:
    cases = [
        case("ok", "200", "20000000"),
        {"data_year": 2022},
        case("kind", "200", "1", unit_kind="shop"),
        case("staff", "abc", "1"),
        case("float", 200.5, "1"),
        case("zero", "0", "1"),
        case("neg", "10", "-5"),
        case("mil9", "100", "1", [person("military", 9)]),
        case("cdpf5", "100", "1", [person("cdpf", 5)]),
        case("person", "100", "1", [{"kind": "police", "level": 1}]),
        case("typo", "100", "1", social_avg_wage="1"),
        case("old", "100", "1", data_year=2010),
        case("noyear", "100", "1", data_year="2022"),
        "not an object",
        case("ok", "300", "45000000"),
        case("last", "300", "45000000", [person("cdpf", 2), person("cdpf", 4)]),
    ]
    results = run(cases)
    assert len(results) == len(cases)
    by_id = {r["id"]: r for r in results if r["id"] not in (None, "ok")}
    assert results[0]["levy_due"] == "270000.00"
    assert results[1] == {"id": None, "error": "缺少id，或id不是字符串"}
    assert by_id["kind"]["error"] == "unit_kind（单位类型）应为enterprise、agency、institution或social_org"
    assert by_id["staff"]["error"] == "staff_count（在职职工人数）不是有效数字：abc"
    # A JSON number is read exactly, never as a float: 3.0075 × 1 ÷ 200.5 × 0.9 = 0.0135.
    assert (by_id["float"]["required"], by_id["float"]["levy_due"]) == ("3.0075", "0.01")
    assert by_id["zero"]["error"] == "在职职工人数必须大于0"
    assert by_id["neg"]["error"] == "上年工资总额不能为负数"
    assert by_id["mil9"]["error"] == "第1名残疾职工：残疾军人证9级不计入按比例安排就业人数（只计1至8级）"
    assert by_id["cdpf5"]["error"] == "第1名残疾职工：残疾人证等级应为1至4级，收到5"
    assert by_id["person"]["error"] == "disabled第1项的kind应为cdpf（残疾人证）或military（残疾军人证）"
    assert by_id["typo"]["error"] == "含有未知字段：social_avg_wage"
    assert by_id["old"]["error"].startswith("政策参数“quota_ratio”在2010-01-01没有全市的有效取值")
    assert by_id["noyear"]["error"] == "data_year（数据年度）应为整数"
    assert results[13] == {"id": None, "error": "每个案例应为JSON对象"}
    assert results[14] == {"id": "ok", "error": "id“ok”重复"}
    assert results[15]["levy_due"] == "112500.00"


def test_a_year_without_a_stored_social_average_wage_needs_the_override() -> None:
    [missing, given] = run(
        [case("a", "200", "20000000", data_year=2019), case("b", "200", "20000000", data_year=2019,
                                                            social_average_wage="80000")]
    )  # fmt: skip
    assert missing["error"].startswith("政策参数“social_avg_wage”在2019-01-01")
    # 2019 data: Tianjin's 孰低 rule (cap multiplier 1.0), collected in 2020 inside the tier window.
    assert (given["wage_base"], given["gross_levy"], given["rate"], given["levy_due"]) == (
        "80000.00", "240000.00", "0.9", "216000.00"
    )  # fmt: skip


def test_invalid_input_files_are_refused_as_a_whole(tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="找不到输入文件"):
        call_command("levy_calc", str(tmp_path / "missing.json"), stdout=io.StringIO())
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="输入不是有效的JSON：第1行"):
        call_command("levy_calc", str(bad), stdout=io.StringIO())
    with pytest.raises(CommandError, match="输入应为案例列表"):
        call_command("levy_calc", "-", stdin=io.StringIO('{"id": "x"}'), stdout=io.StringIO())


# --- parameters from the database -----------------------------------------------------------------


def test_parameters_of_2022_come_from_the_stored_defaults() -> None:
    p = levy_params(2022)
    assert p.collected_on == date(2023, 9, 1)  # start of the 2023 levy window
    assert (p.quota_ratio.value, p.cap_multiplier.value, p.social_avg_wage.value) == (D("0.015"), 2, 120_000)
    assert p.tiers is not None and (p.tiers.threshold, p.tiers.rate_at_or_above, p.tiers.rate_below) == (
        D("0.01"), D("0.5"), D("0.9")
    )  # fmt: skip
    assert p.exemption is not None and p.exemption.max_staff == 30 and "enterprise" in p.exemption.kinds
    assert p.double_count.cdpf_levels == {1, 2} and p.double_count.military_max_level == 3
    assert p.accepted.military_max_level == 8 and p.count_checks and p.count_checks.min_contract_months == 12
    assert p.late_fee_rate_daily.value == D("0.005")
    assert p.reward_whole_persons.value is True and p.reward_double_count == p.double_count
    assert "津财规〔2021〕15号" in p.quota_ratio.ref.source and p.quota_ratio.ref.confirmed


def test_collection_date_falls_back_to_1_january() -> None:
    assert collection_date(2024) == date(2025, 9, 25)
    assert collection_date(2023) == date(2024, 1, 1)


def test_reliefs_follow_the_collection_date_not_the_data_year() -> None:
    """R4.2: the reduction applies to levies *collected* in 2020-01-01..2027-12-31."""
    assert levy_params(2019, social_avg_wage=D(80_000)).tiers is not None  # collected in 2020
    late = levy_params(2027)  # collected in 2028: no renewal stored yet
    assert late.tiers is None and late.exemption is None
    assert {r.key for r in late.absent} == {"levy_tiers", "small_enterprise_exemption"}
    [result] = run([case("x", "25", "2000000", data_year=2027)])
    assert (result["exempt"], result["rate"], result["levy_due"]) == (False, "1", "30000.00")
    assert levy_params(2027, collected_on=date(2027, 12, 31)).tiers is not None


def test_a_different_ratio_stored_for_a_year_changes_the_result(city_admin: Any) -> None:
    policy.save_param(
        PolicyParameter(key="quota_ratio", valid_from=date(2023, 1, 1), value="0.017", source="测试：新比例"),
        actor=city_admin,
    )
    [y2022, y2023] = run([case("a", "200", "20000000"), case("b", "200", "20000000", data_year=2023)])
    assert (y2022["required"], y2022["levy_due"]) == ("3", "270000.00")
    assert (y2023["required"], y2023["gross_levy"], y2023["levy_due"]) == ("3.4", "340000.00", "306000.00")


def test_stored_cap_and_tiers_are_used(city_admin: Any) -> None:
    policy.save_param(
        PolicyParameter(key="social_avg_wage", valid_from=date(2023, 1, 1), value="150000", source="测试"),
        actor=city_admin,
    )
    tiers = PolicyParameter.objects.get(key="levy_tiers")
    tiers.value = {"threshold": "0.01", "rate_at_or_above": "0.4", "rate_below": "0.8"}
    policy.save_param(tiers, actor=city_admin)
    [result] = run([case("4", "100", "40000000", data_year=2023)])
    assert (result["wage_base"], result["rate"], result["levy_due"]) == ("300000.00", "0.8", "360000.00")


def test_a_district_value_wins_for_that_district(city_admin: Any) -> None:
    hp = District.objects.get(code="120101")
    policy.save_param(
        PolicyParameter(key="quota_ratio", district=hp, valid_from=date(2022, 1, 1), value="0.02", source="测试"),
        actor=city_admin,
    )
    assert levy_params(2022, hp).quota_ratio.value == D("0.02")
    assert levy_params(2022).quota_ratio.value == D("0.015")


def test_a_malformed_parameter_gives_a_clear_error(city_admin: Any) -> None:
    tiers = PolicyParameter.objects.get(key="levy_tiers")
    tiers.value = {"threshold": "0.01", "rate_below": "0.9"}
    policy.save_param(tiers, actor=city_admin)
    with pytest.raises(LevyParameterError, match="政策参数“levy_tiers”取值格式不正确：缺少“rate_at_or_above”"):
        levy_params(2022)
    [result] = run([case("x", "200", "1")])
    assert "rate_at_or_above" in result["error"]


def test_local_doubling_variant_read_from_the_parameter(city_admin: Any) -> None:
    rule = PolicyParameter.objects.get(key="double_count_rule")
    rule.value = {**rule.value, "extra_categories_levels": [{"category": 5, "levels": [3, 4]}, [6, 3]]}
    policy.save_param(rule, actor=city_admin)
    assert levy_params(2022).double_count.extra == {(5, 3), (5, 4), (6, 3)}
    [result] = run([case("x", "300", "45000000", [{"kind": "cdpf", "level": 3, "category": 5}, person("cdpf", 4)])])
    assert (result["weighted_count"], result["levy_due"]) == ("3", "112500.00")


def test_dash_reads_the_process_stdin(monkeypatch: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps([R4_8[0]])))
    out = io.StringIO()
    call_command("levy_calc", "-", stdout=out)
    assert json.loads(out.getvalue())[0]["levy_due"] == "270000.00"
