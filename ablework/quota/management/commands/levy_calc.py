"""``manage.py levy_calc INPUT.json``: compute the levy of a list of cases for other tools (issue 4).

Input (a file, or ``-`` for stdin): a JSON list of cases::

    {"id": "A1", "data_year": 2022, "unit_kind": "enterprise", "staff_count": "300",
     "total_wages": "45000000", "social_average_wage": "120000",          # optional override
     "disabled": [{"kind": "cdpf", "level": 2}, {"kind": "military", "level": 5}]}

``unit_kind`` is enterprise / agency / institution / social_org (soe is accepted too: the exemption
parameter names it).  A person may also carry ``"category"`` (残疾类别 1–7) for local doubling rules.
Every listed person is taken as qualifying (R2.3 is checked at declaration time).

Output: a JSON list in the same order, one object per case::

    {"id", "weighted_count", "required", "shortfall", "wage_base", "gross_levy", "exempt", "rate",
     "levy_due", "extra_persons"}

Money (wage_base, gross_levy, levy_due) as strings with two decimals, rounded half-up; counts and the rate
as exact decimal strings ("4.5", "0.375", "0.9").  ``gross_levy`` is before exemption and tiers; ``rate`` is
the share of it payable (0 when exempt or at/above the ratio, 1 when no tier relief is in force).
A case with bad input, or whose data year lacks a parameter, gives ``{"id", "error": "<中文说明>"}``; the
other cases still compute.  ``--explain`` adds each case's explanation steps.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ablework.core.money import round_fen
from ablework.core.policy import PolicyParameterMissing
from ablework.quota.parameters import LevyParameterError, levy_params
from ablework.quota.rules import (
    CDPF,
    MILITARY,
    UNIT_KINDS,
    DisabledEmployee,
    LevyCase,
    LevyInputError,
    LevyParams,
    LevyResult,
    compute_levy,
)

CASE_FIELDS = {"id", "data_year", "unit_kind", "staff_count", "total_wages", "social_average_wage", "disabled"}
PERSON_FIELDS = {"kind", "level", "category"}
INPUT_KINDS = (CDPF, MILITARY)


class CaseError(ValueError):
    """Bad input for one case; the message is Chinese."""


def _decimal(case: dict[str, Any], name: str, label: str, *, required: bool = True) -> Decimal | None:
    raw = case.get(name)
    if raw is None:
        if required:
            raise CaseError(f"缺少{name}（{label}）")
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise CaseError(f'{name}（{label}）应为十进制数字字符串，例如"123.45"')
    try:
        value = Decimal(raw.strip()) if isinstance(raw, str) else Decimal(raw)
    except InvalidOperation:
        raise CaseError(f"{name}（{label}）不是有效数字：{raw}") from None
    if not value.is_finite():
        raise CaseError(f"{name}（{label}）不是有效数字：{raw}")
    return value


def _int(raw: Any, what: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise CaseError(f"{what}应为整数")
    return raw


def _person(i: int, raw: Any) -> DisabledEmployee:
    where = f"disabled第{i}项"
    if not isinstance(raw, dict):
        raise CaseError(f'{where}应为对象，例如{{"kind": "cdpf", "level": 2}}')
    unknown = sorted(set(raw) - PERSON_FIELDS)
    if unknown:
        raise CaseError(f"{where}含有未知字段：{'、'.join(unknown)}")
    kind = raw.get("kind")
    if kind not in INPUT_KINDS:
        raise CaseError(f"{where}的kind应为cdpf（残疾人证）或military（残疾军人证）")
    level = _int(raw.get("level"), f"{where}的level（等级）")
    category = raw.get("category")
    if category is not None:
        category = _int(category, f"{where}的category（残疾类别）")
        if not 1 <= category <= 7:
            raise CaseError(f"{where}的category（残疾类别）应为1至7")
    return DisabledEmployee(certificate=kind, level=level, category=category)


def parse_case(raw: dict[str, Any]) -> tuple[int, Decimal | None, LevyCase]:
    """(data year, social average wage override, case) from one input object; raises ``CaseError``."""
    unknown = sorted(set(raw) - CASE_FIELDS)
    if unknown:
        raise CaseError(f"含有未知字段：{'、'.join(unknown)}")
    year = _int(raw.get("data_year"), "data_year（数据年度）")
    if not 1 <= year <= 9998:
        raise CaseError(f"data_year（数据年度）无效：{year}")
    kind = raw.get("unit_kind")
    if kind not in UNIT_KINDS:
        raise CaseError("unit_kind（单位类型）应为enterprise、agency、institution或social_org")
    staff = _decimal(raw, "staff_count", "在职职工人数")
    wages = _decimal(raw, "total_wages", "上年工资总额")
    social = _decimal(raw, "social_average_wage", "社会平均工资", required=False)
    if social is not None and social <= 0:
        raise CaseError("social_average_wage（社会平均工资）必须大于0")
    persons = raw.get("disabled", [])
    if not isinstance(persons, list):
        raise CaseError("disabled应为列表")
    assert staff is not None and wages is not None  # required=True
    case = LevyCase(
        unit_kind=kind,
        staff_count=staff,
        total_wages=wages,
        disabled=tuple(_person(i, p) for i, p in enumerate(persons, start=1)),
    )
    return year, social, case


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _money(d: Decimal) -> str:
    return format(round_fen(d), "f")


def result_json(case_id: str, r: LevyResult, *, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case_id,
        "weighted_count": _plain(r.weighted_count),
        "required": _plain(r.required),
        "shortfall": _plain(r.shortfall),
        "wage_base": _money(r.wage_base),
        "gross_levy": _money(r.gross_levy),
        "exempt": r.exempt,
        "rate": _plain(r.rate),
        "levy_due": _money(r.levy_due),
        "extra_persons": _plain(r.extra_persons),
    }
    if explain:
        out["explanation"] = r.explanation.as_dict()
    return out


class Command(BaseCommand):
    help = "按已存储的政策参数计算残疾人就业保障金：读取JSON案例列表（文件或“-”表示标准输入），输出JSON结果列表。"
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="JSON文件路径；“-”表示从标准输入读取")
        parser.add_argument("--explain", action="store_true", help="在每个结果中附上计算过程")

    def handle(self, *args: Any, **options: Any) -> None:
        cases = self._load(options["input"], options.get("stdin"))
        results = self.compute(cases, explain=options["explain"])
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2, default=str))

    def _load(self, source: str, stdin: IO[str] | None) -> list[Any]:
        try:
            text = (stdin or sys.stdin).read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"找不到输入文件：{source}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取输入文件{source}：{exc}") from None
        try:
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CommandError(f"输入不是有效的JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}") from None
        if not isinstance(data, list):
            raise CommandError("输入应为案例列表（JSON数组）")
        return data

    def compute(self, cases: list[Any], *, explain: bool = False) -> list[dict[str, Any]]:
        params: dict[tuple[int, Decimal | None], LevyParams] = {}
        seen: set[str] = set()
        results: list[dict[str, Any]] = []
        for raw in cases:
            case_id = raw.get("id") if isinstance(raw, dict) else None
            try:
                if not isinstance(raw, dict):
                    raise CaseError("每个案例应为JSON对象")
                if not isinstance(case_id, str) or not case_id:
                    raise CaseError("缺少id，或id不是字符串")
                if case_id in seen:
                    raise CaseError(f"id“{case_id}”重复")
                seen.add(case_id)
                year, social, case = parse_case(raw)
                key = (year, social)
                if key not in params:
                    params[key] = levy_params(year, social_avg_wage=social)
                results.append(result_json(case_id, compute_levy(case, params[key]), explain=explain))
            except (CaseError, LevyInputError, LevyParameterError, PolicyParameterMissing) as exc:
                results.append({"id": case_id, "error": str(exc)})
        return results
