"""Policy simulation (政策模拟): the levy and the over-quota reward of a data year recomputed over the
stored certified declarations with changed parameters, side by side with the live parameters.

Nothing live is read for writing: the parameters come from ``quota.api.levy_parameters`` (the same
reader as the levy batch) and are changed in memory (``dataclasses.replace``); the declarations from
``quota.api.levy_inputs`` (one query); the arithmetic is ``quota.rules.compute_levy`` (re-exported by
``quota.api``).  Only the ``Scenario`` row is written.  With no change the "现行" column equals the
stored ``LevyResult.levy_due`` of every declaration; the page shows how many agree (a check, not
an assumption).

The reward is the generic R5.4 rule: persons over quota (as ``compute_levy`` gives them, whole persons
unless the parameter says otherwise) × the amount per person and year, capped per unit when a cap is
set.  Tianjin's amount is not confirmed (policy-rules R5.2), so the figures are marked 待确认.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.core.explain import ParamRef
from ablework.core.models import District
from ablework.core.policy import PolicyParameterMissing, get_param
from ablework.quota import api as quota_api
from ablework.reports.models import Scenario, ScenarioStatus

ZERO = Decimal(0)
TOP_AFFECTED = 20


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    unit: str  # "%" shows value × 100
    help: str


FIELDS: tuple[Field, ...] = (
    Field("quota_ratio", "按比例安排就业比例", "%", "在职职工总数的百分比（R2.1）"),
    Field("cap_multiplier", "计征工资上限倍数", "倍", "社会平均工资的倍数（R4.1）"),
    Field("tier_threshold", "分档减缴：比例门槛", "%", "实际安排比例达到该值按较低比例缴纳（R4.2）"),
    Field("tier_rate_at_or_above", "分档减缴：达到门槛缴纳比例", "%", "减免前金额的百分比"),
    Field("tier_rate_below", "分档减缴：未达门槛缴纳比例", "%", "减免前金额的百分比"),
    Field("exemption_max_staff", "小微企业免征：在职职工人数上限", "人", "不超过该人数的企业免征（R4.3）"),
    Field("reward_per_person", "超比例奖励：每人每年金额", "元", "每超过1人每年的奖励金额（R5.4，待确认）"),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)


class SimulationError(ValueError):
    """A scenario cannot be computed (no certified declarations, a parameter missing); Chinese message."""


def _s(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _district_ids() -> list[int]:
    return list(District.objects.order_by("sort_order", "code").values_list("pk", flat=True))


def _reward_param(params: Any) -> tuple[Decimal | None, Decimal | None]:
    pv = get_param("over_quota_reward", on=params.collected_on, default=None)
    if not isinstance(pv.value, dict):
        return None, None
    per = pv.value.get("per_person_year_max")
    cap = pv.value.get("unit_cap")
    return (Decimal(str(per)) if per is not None else None, Decimal(str(cap)) if cap is not None else None)


def current_values(data_year: int) -> dict[str, str | None]:
    """The live values of the simulated parameters for ``data_year`` (city level), as strings."""
    try:
        params = quota_api.levy_parameters(data_year, _district_ids()[:1])
    except (PolicyParameterMissing, ValueError) as exc:
        raise SimulationError(f"无法读取{data_year}年度的政策参数：{exc}") from None
    p = next(iter(params.values()))
    per, cap = _reward_param(p)
    return {
        "quota_ratio": _s(p.quota_ratio.value),
        "cap_multiplier": _s(p.cap_multiplier.value),
        "tier_threshold": _s(p.tiers.threshold) if p.tiers else None,
        "tier_rate_at_or_above": _s(p.tiers.rate_at_or_above) if p.tiers else None,
        "tier_rate_below": _s(p.tiers.rate_below) if p.tiers else None,
        "exemption_max_staff": _s(p.exemption.max_staff) if p.exemption else None,
        "reward_per_person": _s(per),
        "reward_unit_cap": _s(cap),
    }


def parse_overrides(raw: dict[str, Any], base: dict[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
    """Form values → (overrides that differ from ``base``, errors by field).  Percent fields are typed
    in per cent (1.7 → 0.017).  Every message is Chinese."""
    overrides: dict[str, str] = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        text = str(raw.get(f.key, "") or "").strip()
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            errors[f.key] = f"{f.label}应为数字，收到“{text}”"
            continue
        if not value.is_finite() or value < 0:
            errors[f.key] = f"{f.label}不能为负数"
            continue
        if f.unit == "%":
            if value > 100:
                errors[f.key] = f"{f.label}应在0至100之间（按百分数填写）"
                continue
            value = value / 100
        if f.key == "cap_multiplier" and value == 0:
            errors[f.key] = "计征工资上限倍数必须大于0"
            continue
        if f.key.startswith(("tier_",)) and base.get(f.key) is None:
            errors[f.key] = "该数据年度的征收日不在分档减缴政策有效期内，不能调整"
            continue
        if f.key == "exemption_max_staff" and base.get(f.key) is None:
            errors[f.key] = "该数据年度的征收日不在小微企业免征政策有效期内，不能调整"
            continue
        normal = _s(value)
        if normal != base.get(f.key):
            overrides[f.key] = normal or "0"
    return overrides, errors


def apply_overrides(params: Any, overrides: dict[str, str], label: str) -> Any:
    """The ``LevyParams`` with the scenario's values; each changed value cites the scenario."""

    def ref(key: str, value: Decimal) -> ParamRef:
        return ParamRef(key, str(value), f"政策模拟方案“{label}”（未生效）", False)

    changes: dict[str, Any] = {}
    if "quota_ratio" in overrides:
        v = Decimal(overrides["quota_ratio"])
        changes["quota_ratio"] = quota_api.Param(v, ref("quota_ratio", v))
    if "cap_multiplier" in overrides:
        v = Decimal(overrides["cap_multiplier"])
        changes["cap_multiplier"] = quota_api.Param(v, ref("cap_multiplier", v))
    tiers = params.tiers
    if tiers is not None and any(k.startswith("tier_") for k in overrides):
        changes["tiers"] = replace(
            tiers,
            threshold=Decimal(overrides.get("tier_threshold", tiers.threshold)),
            rate_at_or_above=Decimal(overrides.get("tier_rate_at_or_above", tiers.rate_at_or_above)),
            rate_below=Decimal(overrides.get("tier_rate_below", tiers.rate_below)),
            ref=ref("levy_tiers", Decimal(0)),
        )
    exemption = params.exemption
    if exemption is not None and "exemption_max_staff" in overrides:
        changes["exemption"] = replace(exemption, max_staff=Decimal(overrides["exemption_max_staff"]))
    return replace(params, **changes) if changes else params


def _one(row: dict[str, Any], params: Any) -> tuple[Decimal, Decimal] | None:
    monthly = row["monthly_staff"]
    if monthly:
        staff, divisor = sum((Decimal(str(v)) for v in monthly), ZERO), len(monthly)
    else:
        staff, divisor = row["staff_count"], 1
    case = quota_api.LevyCase(
        unit_kind=row["kind"],
        staff_count=staff,
        staff_divisor=divisor,
        total_wages=row["total_wages"],
        accepted_count=row["accepted_count"] or ZERO,
    )
    try:
        r = quota_api.compute_levy(case, params, explain=False)
    except quota_api.LevyInputError:
        return None
    return r.levy_due, r.extra_persons


def _reward(extra: Decimal, per: Decimal | None, cap: Decimal | None) -> Decimal:
    if per is None or extra <= 0:
        return ZERO
    amount = (extra * per).quantize(Decimal("0.01"))
    return min(amount, cap) if cap is not None else amount


def _bucket() -> dict[str, Any]:
    return {"units": 0, "live_levy": ZERO, "sim_levy": ZERO, "live_paying": 0, "sim_paying": 0,
            "live_reward": ZERO, "sim_reward": ZERO, "live_rewarded": 0, "sim_rewarded": 0}  # fmt: skip


def _add(b: dict[str, Any], live: tuple[Decimal, Decimal], sim: tuple[Decimal, Decimal], rewards: tuple[Decimal, Decimal]) -> None:  # fmt: skip
    b["units"] += 1
    b["live_levy"] += live[0]
    b["sim_levy"] += sim[0]
    b["live_paying"] += live[0] > 0
    b["sim_paying"] += sim[0] > 0
    b["live_reward"] += rewards[0]
    b["sim_reward"] += rewards[1]
    b["live_rewarded"] += rewards[0] > 0
    b["sim_rewarded"] += rewards[1] > 0


def _jsonable(b: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in b.items()}


def simulate(data_year: int, overrides: dict[str, str], *, label: str = "模拟方案") -> dict[str, Any]:
    """Compute live vs. scenario over every certified declaration of ``data_year`` (city-wide).

    Returns a JSON-able dict: ``totals``, ``by_district``, ``by_kind``, ``affected`` (the units whose
    levy + reward changes most), ``matches_stored`` / ``compared`` (live recomputation equal to the stored
    ``LevyResult.levy_due``), ``errors`` (declarations the rules cannot compute)."""
    districts = {d.pk: d for d in District.objects.all()}
    inputs = quota_api.levy_inputs(data_year)
    if not inputs:
        raise SimulationError(f"{data_year}年度没有已审核认定的年审申报，无法测算")
    try:
        live_params = quota_api.levy_parameters(data_year, {r["district_id"] for r in inputs})
    except (PolicyParameterMissing, ValueError) as exc:
        raise SimulationError(f"无法读取{data_year}年度的政策参数：{exc}") from None
    sim_params = {d: apply_overrides(p, overrides, label) for d, p in live_params.items()}
    rewards = {d: _reward_param(p) for d, p in live_params.items()}
    per_override = overrides.get("reward_per_person")

    totals = _bucket()
    by_district: dict[int, dict[str, Any]] = defaultdict(_bucket)
    by_kind: dict[str, dict[str, Any]] = defaultdict(_bucket)
    affected: list[tuple[Decimal, dict[str, Any]]] = []
    compared = matches = errors = 0
    for row in inputs:
        d = row["district_id"]
        live = _one(row, live_params[d])
        sim = _one(row, sim_params[d])
        if live is None or sim is None:
            errors += 1
            continue
        if row["stored_levy_due"] is not None:
            compared += 1
            matches += live[0] == row["stored_levy_due"]
        per, cap = rewards[d]
        sim_per = Decimal(per_override) if per_override is not None else per
        pair = (_reward(live[1], per, cap), _reward(sim[1], sim_per, cap))
        for b in (totals, by_district[d], by_kind[row["kind"]]):
            _add(b, live, sim, pair)
        delta = (sim[0] - live[0]) + (pair[1] - pair[0])
        if delta:
            affected.append(
                (
                    abs(delta),
                    {
                        "declaration_id": row["declaration_id"],
                        "name": row["employer_name"],
                        "uscc": row["uscc"],
                        "kind": quota_api.UNIT_KINDS.get(row["kind"], row["kind"]),
                        "district": districts[d].name if d in districts else "",
                        "staff": str(row["staff_count"]),
                        "accepted": str(row["accepted_count"] or ZERO),
                        "live_levy": str(live[0]),
                        "sim_levy": str(sim[0]),
                        "live_reward": str(pair[0]),
                        "sim_reward": str(pair[1]),
                        "delta": str(delta),
                    },
                )
            )
    affected.sort(key=lambda t: (-t[0], t[1]["declaration_id"]))
    order = sorted(
        by_district, key=lambda d: (districts[d].sort_order, districts[d].code) if d in districts else (0, "")
    )
    return {
        "data_year": data_year,
        "overrides": overrides,
        "totals": _jsonable(totals),
        "by_district": [
            {"code": districts[d].code, "name": districts[d].name, **_jsonable(by_district[d])} for d in order
        ],
        "by_kind": [
            {"kind": k, "name": quota_api.UNIT_KINDS.get(k, k), **_jsonable(v)} for k, v in sorted(by_kind.items())
        ],
        "affected": [a for _, a in affected[:TOP_AFFECTED]],
        "compared": compared,
        "matches_stored": matches,
        "errors": errors,
        "reward_confirmed": False,
    }


# Up to this many certified declarations a scenario is computed in the request (about a second);
# above it, by the task ``tasks.simulate_scenario_task`` (a city's 300,000 take about 20 s).
INLINE_LIMIT = 20000


def create_scenario(
    *, name: str, data_year: int, overrides: dict[str, str], actor: Any, inline: bool | None = None
) -> Scenario:
    """Store a scenario with the live values copied, and compute it: now (``inline``, by default when
    the year has at most ``INLINE_LIMIT`` certified declarations) or by a task queued on commit.

    Only the ``Scenario`` row is written (and one audit entry); ``core.PolicyParameter`` and every levy
    result stay as they are.  Raises ``SimulationError`` when the parameters cannot be read."""
    base = current_values(data_year)
    if inline is None:
        inline = quota_api.levy_input_count(data_year) <= INLINE_LIMIT
    with transaction.atomic():
        scenario = Scenario.objects.create(
            name=name,
            data_year=data_year,
            base_values=base,
            overrides=overrides,
            status=ScenarioStatus.PENDING,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=scenario,
            changes={"data_year": data_year, "overrides": overrides},
            purpose="政策模拟测算（不改变现行参数）",
        )
        if not inline:
            from ablework.reports.tasks import simulate_scenario_task

            pk = scenario.pk
            transaction.on_commit(lambda: simulate_scenario_task.enqueue(pk))
    if inline:
        run_scenario(scenario.pk)
        scenario.refresh_from_db()
    return scenario


def run_scenario(scenario_id: int) -> Scenario | None:
    """Compute a stored scenario (the task's body): running → done with the result, or failed with the
    reason.  Idempotent: computing again over the same data gives the same result."""
    scenario = Scenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        return None
    Scenario.objects.filter(pk=scenario_id).update(status=ScenarioStatus.RUNNING, message="")
    try:
        result = simulate(scenario.data_year, scenario.overrides, label=scenario.name)
    except SimulationError as exc:
        Scenario.objects.filter(pk=scenario_id).update(status=ScenarioStatus.FAILED, message=str(exc)[:300])
        return scenario
    Scenario.objects.filter(pk=scenario_id).update(
        status=ScenarioStatus.DONE, result=result, computed_at=timezone.now(), message=""
    )
    return scenario


def recompute(scenario: Scenario, *, actor: Any) -> Scenario:
    """Compute the scenario again over today's data (the declarations may have changed since)."""
    with transaction.atomic():
        audit.record(
            AuditAction.UPDATE, actor=actor, obj=scenario, changes={"recomputed": True}, purpose="政策模拟重新测算"
        )
    if quota_api.levy_input_count(scenario.data_year) <= INLINE_LIMIT:
        run_scenario(scenario.pk)
    else:
        from ablework.reports.tasks import simulate_scenario_task

        Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.PENDING)
        simulate_scenario_task.enqueue(scenario.pk)
    scenario.refresh_from_db()
    return scenario


__all__ = [
    "FIELDS",
    "SimulationError",
    "apply_overrides",
    "create_scenario",
    "current_values",
    "parse_overrides",
    "recompute",
    "run_scenario",
    "simulate",
]
