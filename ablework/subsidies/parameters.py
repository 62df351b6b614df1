"""Typed readers of the subsidy policy parameters (policy-rules.md §5–§9, §18).

Each reader returns the ``rules`` params object and the parameter values it used (key, value, source,
confirmed), so the explanation of every application names the parameters and flags those 待确认.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from ablework.core.policy import ParamValue, PolicyParameterMissing, get_param
from ablework.subsidies import rules
from ablework.subsidies.enums import ProgrammeKind

PARAM_KEY = {
    ProgrammeKind.OVER_QUOTA_REWARD: "over_quota_reward",
    ProgrammeKind.NEW_HIRE: "new_hire_subsidy",
    ProgrammeKind.INTERNSHIP: "internship_subsidy",
    ProgrammeKind.NEW_BUSINESS: "new_business_subsidy",
    ProgrammeKind.SELF_EMPLOYMENT: "self_employment_subsidy",
    ProgrammeKind.ASSISTED_GRANT: "assisted_grant",
}


def _dec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def used(values: Iterable[ParamValue]) -> list[dict[str, Any]]:
    return [
        {"key": v.key, "value": v.value, "source": v.source, "confirmed": v.confirmed, "valid_from": str(v.valid_from)}
        for v in values
    ]


def min_wage_table(months: Iterable[date]) -> tuple[dict[date, Decimal], list[ParamValue]]:
    """The monthly minimum wage in force in each month (``min_wage_monthly``)."""
    table: dict[date, Decimal] = {}
    seen: dict[tuple[str, date], ParamValue] = {}
    for m in sorted(set(months)):
        try:
            pv = get_param("min_wage_monthly", on=m)
        except PolicyParameterMissing:
            continue
        table[m] = pv.decimal
        seen[(pv.key, pv.valid_from)] = pv
    return table, list(seen.values())


def reward_params(on: date) -> tuple[rules.RewardParams, list[ParamValue]]:
    pv = get_param("over_quota_reward", on=on)
    v = pv.value
    params = rules.RewardParams(
        per_person=Decimal(str(v["per_person_year_max"])),
        unit_cap=_dec(v.get("unit_cap")),
        max_years=v.get("max_years"),
        integer_persons_only=bool(v.get("integer_persons_only", True)),
        exclude_centralised=bool(v.get("exclude_centralised", True)),
    )
    return params, [pv]


def new_hire_params(on: date, months: Iterable[date]) -> tuple[rules.NewHireParams, list[ParamValue]]:
    pv = get_param("new_hire_subsidy", on=on)
    v = pv.value
    table, wages = min_wage_table(months)
    params = rules.NewHireParams(
        rates_by_type={t: tuple(Decimal(str(r)) for r in rates) for t, rates in v["rates_by_type"].items()},
        type_by_level={int(level): str(t) for level, t in v.get("type_by_level", {}).items()},
        min_contract_months=int(v.get("min_contract_months", 12)),
        not_employed_by_same_unit_months=int(v.get("not_employed_by_same_unit_months", 12)),
        min_wage=table,
    )
    return params, [pv, *wages]


def internship_params(on: date, months: Iterable[date]) -> tuple[rules.InternshipParams, list[ParamValue]]:
    pv = get_param("internship_subsidy", on=on)
    v = pv.value
    table, wages = min_wage_table(months)
    lo, hi = v.get("youth_age_range", [16, 24])
    params = rules.InternshipParams(
        min_months=int(v.get("min_months", 3)),
        max_months=int(v.get("max_months", 12)),
        monthly_rate_of_min_wage=Decimal(str(v.get("monthly_rate_of_min_wage", "1"))),
        retention_bonus=Decimal(str(v.get("retention_bonus", "0"))),
        graduate_within_years=int(v.get("graduate_within_years", 2)),
        youth_age_range=(int(lo), int(hi)),
        min_wage=table,
    )
    return params, [pv, *wages]


def new_business_params(on: date) -> tuple[rules.NewBusinessParams, list[ParamValue]]:
    pv = get_param("new_business_subsidy", on=on)
    v = pv.value
    return rules.NewBusinessParams(Decimal(str(v["one_off_amount"])), str(v.get("uscc_prefix", "92"))), [pv]


def self_employment_params(on: date) -> tuple[rules.SelfEmploymentParams, list[ParamValue]]:
    pv = get_param("self_employment_subsidy", on=on)
    v = pv.value
    params = rules.SelfEmploymentParams(
        one_off_amount=Decimal(str(v["one_off_amount"])),
        min_operating_months=int(v.get("min_operating_months", 12)),
        min_si_months=int(v.get("min_si_months", 6)),
        once_per_lifetime=bool(v.get("once_per_lifetime", True)),
    )
    return params, [pv]


def assisted_grant_params(on: date) -> tuple[rules.AssistedGrantParams, list[ParamValue]]:
    pv = get_param("assisted_grant", on=on)
    v = pv.value
    params = rules.AssistedGrantParams(
        min_placed=int(v.get("min_placed", 10)),
        min_production_months=int(v.get("min_production_months", 6)),
        require_agreements=bool(v.get("require_agreements", True)),
        require_pay_by_bank=bool(v.get("require_pay_by_bank", True)),
        require_barrier_free=bool(v.get("require_barrier_free", True)),
        per_participant=Decimal(str(v.get("per_participant", "0"))),
        per_project=Decimal(str(v.get("per_project", "0"))),
        cap=_dec(v.get("cap")),
    )
    return params, [pv]


def exclusivity_group(kind: str, on: date) -> str:
    """The exclusivity group of a programme kind ('' = none): same person-month paid once per group."""
    try:
        pv = get_param("subsidy_exclusivity", on=on)
    except PolicyParameterMissing:
        return ""
    return str(pv.value.get(kind, ""))
