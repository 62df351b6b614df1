"""Django-side adapter: reads the policy parameters of a data year from ``core.policy`` and builds the
plain dataclasses that ``quota.rules`` computes with."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ablework.core.explain import ParamRef
from ablework.core.models import District
from ablework.core.policy import ParamValue, get_param
from ablework.quota.rules import (
    AcceptedCertificates,
    CountChecks,
    DoubleCountRule,
    LevyParams,
    Param,
    SmallEnterpriseExemption,
    TierReduction,
)


class LevyParameterError(ValueError):
    """A stored parameter does not have the shape the levy needs; the message is Chinese."""


def collection_date(data_year: int, district: District | None = None) -> date:
    """The day the levy on ``data_year``'s data is collected: the first day of the levy window of the
    following year (parameter ``levy_window``, R3.2), or 1 January of that year when no window is stored."""
    year = data_year + 1
    window = get_param("levy_window", on=date(year, 1, 1), district=district, default=None).value
    if isinstance(window, dict) and window.get("start"):
        try:
            month, day = (int(x) for x in str(window["start"]).split("-"))
            return date(year, month, day)
        except ValueError as exc:
            raise LevyParameterError(f"政策参数“levy_window”的开始日期“{window['start']}”格式应为MM-DD") from exc
    return date(year, 1, 1)


def levy_params(
    data_year: int,
    district: District | None = None,
    *,
    collected_on: date | None = None,
    social_avg_wage: Decimal | None = None,
) -> LevyParams:
    """The parameters for the levy on ``data_year``'s data (the levy is collected in the following year, R4.5).

    Which date each parameter is read on:

    - **1 January of the data year** for what defines the obligation of that year and its wage base:
      ``quota_ratio`` (R2.1, "quota_ratio[region][year]"), ``double_count_rule`` (R2.5),
      ``accepted_certificates`` (R2.4), ``count_checks`` (R2.3), ``cap_multiplier`` and
      ``social_avg_wage`` (R4.1: "cap_multiplier[region][levy_year]", where the levy year is the year of
      the data — Tianjin's 2022 levy year used 2 × the 2022 average wage, collected in 2023).  Year-keyed
      parameters start on 1 January of their year (``core.policy``), so this is the row of that year.
    - **the collection date** (``collected_on``; by default :func:`collection_date`, the start of the next
      year's levy window) for the reliefs and the fee: ``levy_tiers`` (R4.2: "the reduction applies to
      levies *collected* during the validity window"), ``small_enterprise_exemption`` (R4.3, same notices
      and window), ``late_fee_rate_daily`` (R4.6) and ``over_quota_reward`` (R5, applied for in the year
      after the data year).  So the 2019 data, collected in 2020, gets the reliefs; the 2027 data,
      collected in 2028, gets them only if the 残联 stores a renewal (R4.2 "make it configurable").

    A relief with no value in force on the collection date is not applied (``tiers`` / ``exemption`` None).
    ``social_avg_wage`` overrides the stored 本市职工年平均工资 (e.g. for a what-if calculation).
    Raises ``PolicyParameterMissing`` for a missing mandatory parameter and ``LevyParameterError`` for a
    malformed one.
    """
    year_start = date(data_year, 1, 1)
    collected = collected_on or collection_date(data_year, district)

    def get(key: str, on: date, **kw: Any) -> ParamValue:
        return get_param(key, on=on, district=district, **kw)

    ratio = get("quota_ratio", year_start)
    double = _double_count(get("double_count_rule", year_start))
    reward_double_pv = get("reward_double_count_rule", year_start, default=None)
    reward_double = double if reward_double_pv.value is None else _double_count(reward_double_pv)
    cap = get("cap_multiplier", year_start)
    if social_avg_wage is None:
        social = _decimal(get("social_avg_wage", year_start))
    else:
        social = _given_social_avg_wage(social_avg_wage)
    tiers_pv = get("levy_tiers", collected, default=None)
    exemption_pv = get("small_enterprise_exemption", collected, default=None)
    reward_pv = get("over_quota_reward", collected, default=None)
    checks_pv = get("count_checks", year_start, default=None)

    absent = tuple(
        ParamRef(pv.key, None, f"{collected:%Y-%m-%d}无有效取值，不适用该减免", False)
        for pv in (tiers_pv, exemption_pv)
        if pv.value is None
    )
    return LevyParams(
        data_year=data_year,
        collected_on=collected,
        quota_ratio=_decimal(ratio),
        double_count=double,
        accepted=_accepted(get("accepted_certificates", year_start)),
        cap_multiplier=_decimal(cap),
        social_avg_wage=social,
        tiers=None if tiers_pv.value is None else _tiers(tiers_pv),
        exemption=None if exemption_pv.value is None else _exemption(exemption_pv),
        late_fee_rate_daily=_decimal(get("late_fee_rate_daily", collected)),
        reward_double_count=reward_double,
        reward_whole_persons=_whole_persons(reward_pv),
        count_checks=None if checks_pv.value is None else _checks(checks_pv),
        absent=absent,
    )


def with_social_avg_wage(params: LevyParams, value: Decimal) -> LevyParams:
    """The same parameters with another social average wage (what-if and per-case overrides)."""
    return replace(params, social_avg_wage=_given_social_avg_wage(value))


def _given_social_avg_wage(value: Decimal) -> Param[Decimal]:
    return Param(value, ParamRef("social_avg_wage", value, "计算请求中指定（未采用已存储的参数）", False))


# --- shape checks: a parameter edited in the UI must still be readable, or fail with a clear message ---


def _field(pv: ParamValue, name: str) -> Any:
    if not isinstance(pv.value, dict) or name not in pv.value:
        raise LevyParameterError(f"政策参数“{pv.key}”取值格式不正确：缺少“{name}”")
    return pv.value[name]


def _dec(pv: ParamValue, raw: Any, name: str = "") -> Decimal:
    if isinstance(raw, bool) or raw is None:
        raise LevyParameterError(f"政策参数“{pv.key}”{name}不是数字")
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise LevyParameterError(f"政策参数“{pv.key}”{name}不是数字：{raw}") from exc
    if not value.is_finite():
        raise LevyParameterError(f"政策参数“{pv.key}”{name}不是数字：{raw}")
    return value


def _int(pv: ParamValue, raw: Any, name: str) -> int:
    value = _dec(pv, raw, name)
    if value != value.to_integral_value():
        raise LevyParameterError(f"政策参数“{pv.key}”{name}应为整数")
    return int(value)


def _decimal(pv: ParamValue) -> Param[Decimal]:
    return Param(_dec(pv, pv.value), pv.ref())


def _double_count(pv: ParamValue) -> DoubleCountRule:
    levels = _field(pv, "cdpf_levels")
    extra_raw = pv.value.get("extra_categories_levels") or []
    if not isinstance(levels, list) or not isinstance(extra_raw, list):
        raise LevyParameterError(f"政策参数“{pv.key}”的等级应为列表")
    extra: set[tuple[int, int]] = set()
    for item in extra_raw:
        # Either a [category, level] pair or {"category": c, "levels": [..]}.
        if isinstance(item, dict):
            cat = _int(pv, item.get("category"), "category")
            extra.update((cat, _int(pv, lv, "levels")) for lv in item.get("levels") or [])
        elif isinstance(item, list) and len(item) == 2:
            extra.add((_int(pv, item[0], "category"), _int(pv, item[1], "level")))
        else:
            raise LevyParameterError(f"政策参数“{pv.key}”的extra_categories_levels格式不正确：{item}")
    return DoubleCountRule(
        cdpf_levels=frozenset(_int(pv, lv, "cdpf_levels") for lv in levels),
        military_max_level=_int(pv, _field(pv, "military_max_level"), "military_max_level"),
        police_max_level=_int(pv, pv.value.get("police_max_level", 0), "police_max_level"),
        extra=frozenset(extra),
        ref=pv.ref(),
    )


def _accepted(pv: ParamValue) -> AcceptedCertificates:
    return AcceptedCertificates(
        cdpf=bool(_field(pv, "cdpf")),
        military_max_level=_int(pv, _field(pv, "military_max_level"), "military_max_level"),
        police_max_level=_int(pv, pv.value.get("police_max_level", 0), "police_max_level"),
        require_valid_on_audit_date=bool(pv.value.get("require_valid_on_audit_date", False)),
        ref=pv.ref(),
    )


def _checks(pv: ParamValue) -> CountChecks:
    return CountChecks(
        min_contract_months=_int(pv, _field(pv, "min_contract_months"), "min_contract_months"),
        require_min_wage=bool(pv.value.get("require_min_wage", True)),
        require_social_insurance=bool(pv.value.get("require_social_insurance", True)),
        require_in_post=bool(pv.value.get("require_in_post", False)),
        require_bank_wage=bool(pv.value.get("require_bank_wage", False)),
        ref=pv.ref(),
    )


def _tiers(pv: ParamValue) -> TierReduction:
    return TierReduction(
        threshold=_dec(pv, _field(pv, "threshold"), "threshold"),
        rate_at_or_above=_dec(pv, _field(pv, "rate_at_or_above"), "rate_at_or_above"),
        rate_below=_dec(pv, _field(pv, "rate_below"), "rate_below"),
        ref=pv.ref(),
    )


def _exemption(pv: ParamValue) -> SmallEnterpriseExemption:
    kinds = _field(pv, "kinds")
    if not isinstance(kinds, list):
        raise LevyParameterError(f"政策参数“{pv.key}”的kinds应为列表")
    return SmallEnterpriseExemption(
        max_staff=_dec(pv, _field(pv, "max_staff"), "max_staff"),
        kinds=frozenset(str(k) for k in kinds),
        ref=pv.ref(),
    )


def _whole_persons(pv: ParamValue) -> Param[bool]:
    """R5.4's generic rule counts whole persons over quota (floor); ``over_quota_reward.integer_persons_only``
    may say otherwise once Tianjin's rule is known."""
    if isinstance(pv.value, dict) and "integer_persons_only" in pv.value:
        return Param(bool(pv.value["integer_persons_only"]), pv.ref())
    return Param(True, ParamRef("over_quota_reward", None, "policy-rules R5.4 通用规则：超比例人数向下取整", False))
