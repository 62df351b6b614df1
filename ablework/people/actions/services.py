"""Writes for the "四个一" services (policy-rules §14): one dated ServiceRecord per visit, with the
structured answers of its form in ``ServiceRecord.details``.

The ``details`` schema per kind (keys not listed are refused; codes are the first items of the
choice tuples below; every list is a list of codes):

``info_check`` (基础信息核对)
    ``phone``, ``address``, ``community`` (str): the values confirmed on the visit.  Those that differ
    from the record are written to the person (audited) and listed in ``corrected``;
    ``situation`` (code of ``SITUATIONS``, required), ``situation_note`` (str);
    ``wants_job`` (bool, required) — copied to ``Person.wants_job``, which re-derives the status.

``ability_assessment`` (职业能力评估)
    ``abilities`` (dict, required): every key of ``ABILITIES`` → an int of ``ABILITY_SCALE`` (1 good … 4 severe);
    ``skills`` (str); ``suitable_jobs`` (list of ``JOB_TYPES``, at least one);
    ``accommodations`` (list of ``ACCOMMODATIONS``); ``conclusion`` (code of ``CONCLUSIONS``, required).

``need_registration`` (就业需求登记)
    ``wants_job`` (bool, required) — copied to the person like the info check;
    when ``wants_job`` is true: ``desired_jobs`` (list of ``JOB_TYPES``, at least one), ``work_time``
    (code of ``WORK_TIMES``, required); always optional: ``desired_jobs_note``, ``areas`` (list of district codes),
    ``area_note``, ``accommodations`` (list of ``ACCOMMODATIONS``), ``training_wish`` (bool),
    ``training_topics`` (str), ``expected_wage`` (decimal string such as ``"3000.00"``, or absent).

``service`` (就业服务)
    ``content`` (str, required); ``service_type`` is the model field (``ServiceType``, required for this kind),
    ``outcome`` is required and ``follow_up_on`` optional.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from ablework.core import audit
from ablework.core.models import District
from ablework.people.actions.registry import RegistryError, set_job_wish, today, update_person
from ablework.people.enums import ACCOMMODATIONS, JOB_TYPES, WORK_TIMES, ServiceKind, ServiceType
from ablework.people.models import Person, ServiceRecord

SITUATIONS: tuple[tuple[str, str], ...] = (
    ("at_home", "居家待业"),
    ("odd_jobs", "打零工/临时性工作"),
    ("farming", "务农"),
    ("studying", "在校或参加培训"),
    ("rehab", "康复治疗中"),
    ("caring", "照料家庭"),
    ("other", "其他"),
)
ABILITIES: tuple[tuple[str, str], ...] = (
    ("mobility", "行动能力"),
    ("vision", "视力"),
    ("hearing", "听力"),
    ("communication", "沟通表达"),
    ("cognition", "理解与学习"),
    ("stamina", "体力耐力"),
)
ABILITY_SCALE: tuple[tuple[int, str], ...] = ((1, "良好"), (2, "轻度受限"), (3, "中度受限"), (4, "重度受限"))
CONCLUSIONS: tuple[tuple[str, str], ...] = (
    ("open", "可在普通岗位就业"),
    ("supported", "需合理便利或支持性就业"),
    ("assisted", "适合辅助性就业"),
    ("not_now", "暂不具备就业条件"),
)

LABELS: dict[str, dict[Any, str]] = {
    "situation": dict(SITUATIONS),
    "abilities": dict(ABILITIES),
    "scale": dict(ABILITY_SCALE),
    "jobs": dict(JOB_TYPES),
    "accommodations": dict(ACCOMMODATIONS),
    "conclusion": dict(CONCLUSIONS),
    "work_time": dict(WORK_TIMES),
}

# Kinds whose form carries the stated wish to work (Person.wants_job).
WISH_KINDS = frozenset({ServiceKind.INFO_CHECK, ServiceKind.NEED_REGISTRATION})
# Person fields an info check may confirm or correct.
CHECKED_FIELDS = ("phone", "address", "community")

_KEYS: dict[str, frozenset[str]] = {
    ServiceKind.INFO_CHECK: frozenset({*CHECKED_FIELDS, "corrected", "situation", "situation_note", "wants_job"}),
    ServiceKind.ABILITY_ASSESSMENT: frozenset(
        {"abilities", "skills", "suitable_jobs", "accommodations", "accommodation_note", "conclusion"}
    ),
    ServiceKind.NEED_REGISTRATION: frozenset(
        {
            "wants_job",
            "desired_jobs",
            "desired_jobs_note",
            "work_time",
            "areas",
            "area_note",
            "accommodations",
            "training_wish",
            "training_topics",
            "expected_wage",
        }
    ),
    ServiceKind.SERVICE: frozenset({"content"}),
}
_MAX_TEXT = 500


class ServiceError(RegistryError):
    """A service record refused; ``field`` names the form field the message belongs to ("" = the whole form)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _text(details: dict[str, Any], key: str, label: str, *, required: bool = False, max_len: int = _MAX_TEXT) -> str:
    value = details.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError(f"{label}格式不正确", key)
    value = value.strip()
    if required and not value:
        raise ServiceError(f"请填写{label}", key)
    if len(value) > max_len:
        raise ServiceError(f"{label}不能超过{max_len}个字", key)
    return value


def _choice(details: dict[str, Any], key: str, label: str, choices: tuple[tuple[str, str], ...]) -> str:
    value = details.get(key)
    if value in (None, ""):
        raise ServiceError(f"请选择{label}", key)
    if value not in dict(choices):
        raise ServiceError(f"{label}的选项“{value}”无效", key)
    return str(value)


def _codes(
    details: dict[str, Any], key: str, label: str, choices: tuple[tuple[str, str], ...], *, at_least_one: bool = False
) -> list[str]:
    value = details.get(key) or []
    if not isinstance(value, (list, tuple)):
        raise ServiceError(f"{label}格式不正确", key)
    allowed = dict(choices)
    bad = [str(v) for v in value if v not in allowed]
    if bad:
        raise ServiceError(f"{label}中的选项无效：{'、'.join(bad)}", key)
    if at_least_one and not value:
        raise ServiceError(f"请至少选择一项{label}", key)
    return [c for c, _ in choices if c in value]  # canonical order, no duplicates


def _wish(details: dict[str, Any]) -> bool:
    value = details.get("wants_job")
    if not isinstance(value, bool):
        raise ServiceError("请选择是否有就业意愿", "wants_job")
    return value


def _clean_info_check(person: Person, details: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, label, max_len in (("phone", "联系电话", 20), ("address", "居住地址", 200), ("community", "社区/村", 60)):
        value = _text(details, key, label, max_len=max_len) if key in details else getattr(person, key)
        out[key] = value
    phone = out["phone"]
    if phone and not all(ch.isdigit() or ch in "-+ " for ch in phone):
        raise ServiceError("联系电话只能包含数字、空格、“-”和“+”", "phone")
    out["corrected"] = [k for k in CHECKED_FIELDS if out[k] != getattr(person, k)]
    out["situation"] = _choice(details, "situation", "目前状况", SITUATIONS)
    out["situation_note"] = _text(details, "situation_note", "状况说明", max_len=200)
    if out["situation"] == "other" and not out["situation_note"]:
        raise ServiceError("目前状况选择“其他”时请填写状况说明", "situation_note")
    out["wants_job"] = _wish(details)
    return out


def _clean_assessment(details: dict[str, Any]) -> dict[str, Any]:
    raw = details.get("abilities")
    if not isinstance(raw, dict):
        raise ServiceError("请完成功能能力评估", "abilities")
    abilities: dict[str, int] = {}
    scale = dict(ABILITY_SCALE)
    for key, label in ABILITIES:
        value = raw.get(key)
        level: int | None = None
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            try:
                level = int(value)
            except ValueError:
                level = None
        if level is None:
            raise ServiceError(f"请为“{label}”选择评估等级", f"ability_{key}")
        if level not in scale:
            raise ServiceError(f"“{label}”的评估等级应为1至4", f"ability_{key}")
        abilities[key] = level
    unknown = set(raw) - set(dict(ABILITIES))
    if unknown:
        raise ServiceError(f"未知的能力项：{'、'.join(sorted(unknown))}", "abilities")
    return {
        "abilities": abilities,
        "skills": _text(details, "skills", "技能特长"),
        "suitable_jobs": _codes(details, "suitable_jobs", "适合的岗位类型", JOB_TYPES, at_least_one=True),
        "accommodations": _codes(details, "accommodations", "建议的合理便利", ACCOMMODATIONS),
        "accommodation_note": _text(details, "accommodation_note", "合理便利说明", max_len=200),
        "conclusion": _choice(details, "conclusion", "评估结论", CONCLUSIONS),
    }


def _clean_need(details: dict[str, Any], district_codes: set[str]) -> dict[str, Any]:
    wants = _wish(details)
    out: dict[str, Any] = {"wants_job": wants}
    out["desired_jobs"] = _codes(details, "desired_jobs", "意向岗位", JOB_TYPES, at_least_one=wants)
    out["desired_jobs_note"] = _text(details, "desired_jobs_note", "意向岗位说明", max_len=200)
    if wants or details.get("work_time"):
        out["work_time"] = _choice(details, "work_time", "工作时间要求", WORK_TIMES)
    areas = details.get("areas") or []
    if not isinstance(areas, (list, tuple)) or any(a not in district_codes for a in areas):
        raise ServiceError("意向工作区域中有无效的区", "areas")
    out["areas"] = sorted(set(areas))
    out["area_note"] = _text(details, "area_note", "区域说明", max_len=200)
    out["accommodations"] = _codes(details, "accommodations", "需要的合理便利", ACCOMMODATIONS)
    training = details.get("training_wish", False)
    if not isinstance(training, bool):
        raise ServiceError("请选择是否有培训意愿", "training_wish")
    out["training_wish"] = training
    out["training_topics"] = _text(details, "training_topics", "培训意向", max_len=200)
    wage = details.get("expected_wage")
    if wage not in (None, ""):
        try:
            amount = Decimal(str(wage))
        except InvalidOperation:
            raise ServiceError("期望月收入应为金额，例如 3000", "expected_wage") from None
        if not amount.is_finite() or amount < 0:
            raise ServiceError("期望月收入不能为负数", "expected_wage")
        if amount > Decimal("1000000"):
            raise ServiceError("期望月收入数额过大，请核对", "expected_wage")
        out["expected_wage"] = str(amount.quantize(Decimal("0.01")))
    return out


def clean_details(person: Person, kind: str, details: dict[str, Any]) -> dict[str, Any]:
    """Check ``details`` against the schema of ``kind`` (module docstring); return the cleaned copy."""
    if not isinstance(details, dict):
        raise ServiceError("服务内容格式不正确")
    unknown = set(details) - _KEYS[kind]
    if unknown:
        raise ServiceError(f"不能登记以下项目：{'、'.join(sorted(unknown))}")
    if kind == ServiceKind.INFO_CHECK:
        return _clean_info_check(person, details)
    if kind == ServiceKind.ABILITY_ASSESSMENT:
        return _clean_assessment(details)
    if kind == ServiceKind.NEED_REGISTRATION:
        return _clean_need(details, set(District.objects.values_list("code", flat=True)))
    return {"content": _text(details, "content", "服务内容", required=True, max_len=2000)}


def _default_outcome(kind: str, details: dict[str, Any]) -> str:
    if kind == ServiceKind.INFO_CHECK:
        names = {"phone": "联系电话", "address": "居住地址", "community": "社区/村"}
        fixed = "、".join(names[k] for k in details["corrected"])
        wish = "有就业意愿" if details["wants_job"] else "无就业意愿"
        return (f"已更正{fixed}" if fixed else "信息核实无误") + f"；{wish}"
    if kind == ServiceKind.ABILITY_ASSESSMENT:
        return LABELS["conclusion"][details["conclusion"]]
    if kind == ServiceKind.NEED_REGISTRATION:
        return "已登记就业需求" if details["wants_job"] else "本人暂无就业意愿"
    return ""


def record_service(
    person: Person,
    *,
    actor: Any,
    kind: str,
    date: date,
    unit: str,
    outcome: str,
    details: dict[str, Any],
    service_type: str = "",
    follow_up_on: date | None = None,
) -> ServiceRecord:
    """Record one of the 四个一 for ``person`` and audit it.

    Invariants: ``date`` is not in the future; ``follow_up_on`` (if any) is after ``date``; ``details``
    follows the schema of ``kind`` (module docstring); a 就业服务 has a ``service_type`` and an outcome.
    The record carries the person's district and street (for scoping and the per-street worklist).
    An info check writes corrected phone/address/community to the person; an info check or a need
    registration writes the stated wish through ``set_job_wish``, which re-derives the status.

    Raises ``ServiceError`` (a ``RegistryError``) with a Chinese message and the form field it concerns.
    """
    if kind not in ServiceKind.values:
        raise ServiceError(f"未知服务类别：{kind}")
    if not isinstance(date, type(today())):
        raise ServiceError("请填写服务日期", "date")
    if date > today():
        raise ServiceError("服务日期不能晚于今天", "date")
    if follow_up_on is not None and follow_up_on <= date:
        raise ServiceError("回访日期应晚于服务日期", "follow_up_on")
    unit = (unit or "").strip()
    if not unit:
        raise ServiceError("请填写服务单位", "unit")
    if len(unit) > 120:
        raise ServiceError("服务单位不能超过120个字", "unit")
    outcome = (outcome or "").strip()
    if len(outcome) > 2000:
        raise ServiceError("结果不能超过2000个字", "outcome")
    if kind == ServiceKind.SERVICE:
        if not service_type:
            raise ServiceError("请选择服务方式", "service_type")
        if service_type not in ServiceType.values:
            raise ServiceError(f"服务方式“{service_type}”无效", "service_type")
        if not outcome:
            raise ServiceError("请填写服务结果", "outcome")
    elif service_type:
        raise ServiceError("只有“就业服务”需要选择服务方式", "service_type")

    with transaction.atomic():
        locked = Person.objects.select_for_update().select_related("district").get(pk=person.pk)
        if locked.merged_into_id:
            raise ServiceError("该档案已合并到其他档案，请在合并后的档案中登记")
        clean = clean_details(locked, kind, details)
        if kind == ServiceKind.INFO_CHECK and clean["corrected"]:
            locked = update_person(
                locked, actor=actor, purpose="基础信息核对更正", **{k: clean[k] for k in clean["corrected"]}
            )
        record = ServiceRecord.objects.create(
            person=locked,
            district_id=locked.district_id,
            street_id=locked.street_id,
            kind=kind,
            service_type=service_type,
            date=date,
            unit=unit,
            outcome=outcome or _default_outcome(kind, clean),
            details=clean,
            follow_up_on=follow_up_on,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            audit.AuditAction.CREATE,
            actor=actor,
            obj=record,
            object_label=f"{locked.name} {record}",
            changes={
                "person": locked.pk,
                "kind": kind,
                "service_type": service_type,
                "date": date,
                "unit": unit,
                "follow_up_on": follow_up_on,
                "outcome": record.outcome[:200],
            },
        )
        if kind in WISH_KINDS:
            set_job_wish(locked, actor=actor, wants_job=clean["wants_job"])
    for key in ("wants_job", "status", "status_since", *CHECKED_FIELDS):
        setattr(person, key, getattr(locked, key))
    return record
