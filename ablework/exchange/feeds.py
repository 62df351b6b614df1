"""Inbound feeds: the four kinds of facts partner departments report, by API push or by file.

One column list per kind (``ImportSpec``: the same Chinese headers in the file template, the same
keys in the JSON rows, the same parsers and messages either way) and one *writer* per kind that
stores a list of parsed rows through the owning domain app's ``api`` and says, for each row,
created / updated / unchanged or why it was rejected.  Idempotency: a delivery is identified by
(kind, source, batch id) and processed once (``actions.receive_feed``); inside it every fact is keyed
(person+month+unit, credit code, source+row key), so a row delivered again in another batch is
``unchanged``.  Provenance (source, batch id, row key, received at) is stored on every fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ablework.core import crypto
from ablework.core.identifiers import ResidentId
from ablework.core.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    CellError,
    Column,
    ImportSpec,
    Outcome,
    Problem,
    choice,
    date_value,
    decimal_amount,
    integer,
    resident_id,
    text,
    uscc,
)
from ablework.employers import api as employers_api
from ablework.exchange.enums import FeedKind
from ablework.people import api as people_api
from ablework.quota import api as quota_api

__all__ = ["SPECS", "WRITERS", "ParsedRow", "clean_text", "parse_mapping"]

_FORMULA = re.compile(r"^[=+\-@]")


def safe_text(max_length: int) -> Callable[[Any], str]:
    """Free text that must not look like a spreadsheet formula (it is shown and exported later)."""
    base = text(max_length)

    def parse(value: Any) -> str:
        s = base(value)
        if _FORMULA.match(s):
            raise CellError("不能以=、+、-、@开头（疑似公式），请去掉开头的符号")
        return s

    return parse


def month_value() -> Callable[[Any], date]:
    """A month: ``2025-03``, ``202503``, ``2025年3月``, or any date inside it → its first day."""
    day = date_value(earliest=date(1990, 1, 1), latest=date(2100, 12, 31))

    def parse(value: Any) -> date:
        if isinstance(value, str):
            s = value.strip()
            m = re.fullmatch(r"(\d{4})(?:[-/.年]?)(\d{1,2})月?", s)
            if m and 1 <= int(m[2]) <= 12 and (len(s) != 6 or s.isdigit()):
                return date(int(m[1]), int(m[2]), 1)
        if isinstance(value, float) and value.is_integer() and 199001 <= value <= 210012:
            return parse(str(int(value)))
        return day(value).replace(day=1)

    return parse


ROW_KEY = Column("row_key", "行标识", safe_text(100), aliases=("row_key", "记录编号", "流水号"),
                 help="报送方对该行的唯一编号；同一编号重复报送不会重复入库。文件导入时可不填（按批次号和行号生成）")  # fmt: skip

SI_SPEC = ImportSpec(
    kind="exchange.si",
    title="社保缴费数据",
    columns=(
        Column("resident_id", "身份证号", resident_id(), required=True, as_text=True, example="120101197001010011"),
        Column("month", "缴费月份", month_value(), required=True, aliases=("费款所属期",), example="2025-03",
               help="如2025-03、202503或2025年3月"),
        Column("employer_uscc", "缴费单位统一社会信用代码", uscc(), required=True, as_text=True,
               aliases=("单位统一社会信用代码", "统一社会信用代码"), example="91120101MA05XXXX0A"),
        Column("base", "缴费基数", decimal_amount(12, 2), example="4000.00"),
        Column("amount", "缴费金额", decimal_amount(12, 2), example="640.00"),
        ROW_KEY,
    ),
)  # fmt: skip

BUSINESS_STATUS = {"open": "存续", "closed": "注销"}
BUSINESS_SPEC = ImportSpec(
    kind="exchange.business",
    title="市场主体登记数据",
    columns=(
        Column("uscc", "统一社会信用代码", uscc(), required=True, as_text=True, example="92120101MA06ABCD1X"),
        Column("name", "名称", safe_text(200), required=True, aliases=("字号名称", "企业名称"), example="和平区小张便利店"),
        Column("kind", "市场主体类型", safe_text(40), example="个体工商户"),
        Column("licence_date", "成立日期", date_value(), aliases=("发照日期", "登记日期"), example="2025-03-01"),
        Column("operator_id", "经营者身份证号", resident_id(), as_text=True, aliases=("经营者证件号码",)),
        Column("status", "登记状态", choice(BUSINESS_STATUS, synonyms={"吊销": "closed", "在业": "open"}),
               choices=tuple(BUSINESS_STATUS.values()), example="存续"),
        Column("closed_on", "注销日期", date_value()),
        ROW_KEY,
    ),
)  # fmt: skip

LEVY_SPEC = ImportSpec(
    kind="exchange.levy",
    title="保障金缴纳数据",
    columns=(
        Column("uscc", "统一社会信用代码", uscc(), required=True, as_text=True, example="91120101MA05XXXX0A"),
        Column("data_year", "所属年度", integer(2000, 2100), required=True, example="2024"),
        Column("amount", "缴纳金额", decimal_amount(16, 2, min_value=None), required=True, example="12000.00"),
        Column("paid_on", "缴纳日期", date_value(), required=True, aliases=("入库日期",), example="2025-06-30"),
        Column("reference", "电子缴税凭证号", safe_text(60), aliases=("凭证号", "缴款凭证号")),
        ROW_KEY,
    ),
)  # fmt: skip

MILITARY_SPEC = ImportSpec(
    kind="exchange.military",
    title="残疾军人证数据",
    columns=(
        Column("resident_id", "身份证号", resident_id(), required=True, as_text=True, example="120101197001010011"),
        Column("number", "残疾军人证号", safe_text(40), required=True, as_text=True, example="津军残字第000123号"),
        Column("military_level", "伤残等级", integer(1, 10), required=True, example="6"),
        Column("issued_on", "发证日期", date_value()),
        Column("valid_until", "有效期至", date_value()),
        ROW_KEY,
    ),
)  # fmt: skip

SPECS: dict[str, ImportSpec] = {
    FeedKind.SI: SI_SPEC,
    FeedKind.BUSINESS: BUSINESS_SPEC,
    FeedKind.LEVY: LEVY_SPEC,
    FeedKind.MILITARY: MILITARY_SPEC,
}


@dataclass
class ParsedRow:
    index: int  # 0-based position in the pushed list, or the spreadsheet row number
    row_key: str
    values: dict[str, Any]


def clean_text(value: str) -> str:
    """Text as PostgreSQL can store it (no NUL, no lone surrogate), for keys echoed in reports."""
    return "".join(ch for ch in value if ch != "\x00" and not "\ud800" <= ch <= "\udfff")


def parse_mapping(spec: ImportSpec, index: int, data: Any) -> ParsedRow | list[Problem]:
    """One pushed JSON row → its values, with the same parsers (and Chinese messages) as a file."""
    if not isinstance(data, Mapping):
        return [Problem("", "每一行应为一个JSON对象")]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    known = {c.key for c in spec.columns}
    unknown = sorted(clean_text(str(k)) for k in data if k not in known)
    if unknown:
        problems.append(Problem("", f"无法识别的字段：{'、'.join(unknown[:5])}"))
    for c in spec.columns:
        raw = data.get(c.key)
        if isinstance(raw, (dict, list)):
            problems.append(Problem(c.header, "应为文字或数字"))
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            values[c.key] = None
            if c.required:
                problems.append(Problem(c.header, "必填，不能为空"))
            continue
        if isinstance(raw, str) and clean_text(raw) != raw:
            problems.append(Problem(c.header, "含有空字符或无效的Unicode字符"))
            continue
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and c.as_text:
            raw = str(raw)  # JSON numbers are exact; only Excel loses digits
        try:
            values[c.key] = c.parser(raw)
        except ValueError as exc:
            problems.append(Problem(c.header, str(exc)))
    if problems:
        return problems
    return ParsedRow(index=index, row_key=values.get("row_key") or "", values=values)


Writer = Callable[[list[ParsedRow], str, str, datetime], list[Outcome]]


def _hash(rid: ResidentId) -> str:
    return crypto.lookup_hash(rid.number)


NOT_REGISTERED = "该身份证号不是本平台登记的残疾人，未保存"


def write_si(rows: list[ParsedRow], source: str, batch_id: str, received_at: datetime) -> list[Outcome]:
    ids = people_api.person_ids_by_id_hash(_hash(r.values["resident_id"]) for r in rows)
    outcomes: list[Outcome] = []
    keep: list[people_api.SIRow] = []
    for r in rows:
        pid = ids.get(_hash(r.values["resident_id"]))
        if pid is None:
            outcomes.append([Problem("身份证号", NOT_REGISTERED)])
            continue
        v = r.values
        keep.append(
            people_api.SIRow(person_id=pid, month=v["month"], employer_uscc=v["employer_uscc"].code,
                             row_key=r.row_key, base=v["base"], amount=v["amount"])
        )  # fmt: skip
        outcomes.append(CREATED)
    inserted = iter(
        people_api.record_si_contributions_detailed(keep, source=source, batch_id=batch_id, received_at=received_at)
    )
    return [(CREATED if next(inserted) else UNCHANGED) if o == CREATED else o for o in outcomes]


def write_business(rows: list[ParsedRow], source: str, batch_id: str, received_at: datetime) -> list[Outcome]:
    items = []
    for r in rows:
        v = r.values
        status = v["status"] or ("closed" if v["closed_on"] else "open")
        items.append(
            employers_api.BusinessRegistrationRow(
                uscc=v["uscc"].code, name=v["name"], row_key=r.row_key, kind=v["kind"] or "",
                licence_date=v["licence_date"], operator_id_hash=_hash(v["operator_id"]) if v["operator_id"] else "",
                status=status, closed_on=v["closed_on"],
            )
        )  # fmt: skip
    # One row per credit code per delivery: the last one wins, the earlier ones are unchanged.
    result = employers_api.record_business_registrations(
        items, source=source, batch_id=batch_id, received_at=received_at
    )
    mapping = {"created": CREATED, "updated": UPDATED, "unchanged": UNCHANGED}
    return [mapping[result[r.row_key]] for r in rows]


def write_levy(rows: list[ParsedRow], source: str, batch_id: str, received_at: datetime) -> list[Outcome]:
    out: list[Outcome] = []
    for r in rows:
        v = r.values
        employer = employers_api.find_employer_by_uscc(v["uscc"].code)
        if employer is None:
            out.append([Problem("统一社会信用代码", "该单位未在本平台登记，未保存")])
            continue
        try:
            result = quota_api.record_levy_payment_from_feed(
                employer, data_year=v["data_year"], amount=v["amount"], paid_on=v["paid_on"],
                reference=v["reference"] or "", source=source, batch_id=batch_id, row_key=r.row_key,
                received_at=received_at,
            )  # fmt: skip
        except quota_api.CreditError as exc:
            detail = exc.args[0] if exc.args else str(exc)
            msgs = list(detail.values()) if isinstance(detail, dict) else [str(detail)]
            out.append([Problem("", "；".join(str(m) for m in msgs))])
            continue
        out.append(CREATED if result == "created" else UNCHANGED)
    return out


def write_military(rows: list[ParsedRow], source: str, batch_id: str, received_at: datetime) -> list[Outcome]:
    ids = people_api.person_ids_by_id_hash(_hash(r.values["resident_id"]) for r in rows)
    out: list[Outcome] = []
    keep: list[people_api.MilitaryCertRow] = []
    for r in rows:
        v = r.values
        pid = ids.get(_hash(v["resident_id"]))
        if pid is None:
            out.append([Problem("身份证号", NOT_REGISTERED)])
            continue
        if v["issued_on"] and v["valid_until"] and v["valid_until"] < v["issued_on"]:
            out.append([Problem("有效期至", "有效期不能早于发证日期")])
            continue
        keep.append(
            people_api.MilitaryCertRow(person_id=pid, number=v["number"], military_level=v["military_level"],
                                       row_key=r.row_key, issued_on=v["issued_on"], valid_until=v["valid_until"])
        )  # fmt: skip
        out.append(CREATED)
    result = people_api.record_military_certificates(keep, source=source, batch_id=batch_id, received_at=received_at)
    it = iter(keep)
    return [(CREATED if result[next(it).row_key] == "created" else UNCHANGED) if o == CREATED else o for o in out]


WRITERS: dict[str, Writer] = {
    FeedKind.SI: write_si,
    FeedKind.BUSINESS: write_business,
    FeedKind.LEVY: write_levy,
    FeedKind.MILITARY: write_military,
}
