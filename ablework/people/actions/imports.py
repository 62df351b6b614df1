"""Bulk import of the registry from the spreadsheets district federations keep: persons (with their
certificate) and employment records.  The reading, parsing, batch bookkeeping, progress and reports
are ``ablework.core.imports``; this module holds the two file formats and the row → registry writes.

Writes are set-based per chunk (architecture §5: never one ``save()`` per row) and give the same
result as ``register_person`` / ``add_certificate`` / ``add_employment_record`` row by row: one person
per ID number, created / updated / unchanged, pinyin from ``core.pinyin``, status from
``people.rules.derive_status``, the newest valid certificate copied onto the person.  Each chunk is
one transaction with one audit entry per district and kind of change (the batch id, and every
person created or changed with its before/after); a row that changes nothing writes nothing.

District scope: the uploader may import only persons of their own district(s).  Rows of another
district are rejected with a reason, never dropped silently, and so is a row whose ID number is
already registered in a district outside the uploader's scope (the unique ID index forbids a copy).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ablework.core import audit, crypto
from ablework.core import imports as core_imports
from ablework.core.identifiers import DisabilityCert, ResidentId
from ablework.core.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Column,
    ImportSpec,
    Outcome,
    Problem,
    Row,
    check_then_write,
    scope_label,
)
from ablework.core.models import District, ImportBatch, PolicyParameter, Street
from ablework.core.pinyin import name_initials, name_pinyin
from ablework.core.scoping import unscoped
from ablework.employers.api import Employer
from ablework.people import rules
from ablework.people.actions.registry import (
    refresh_current_certificate,
    today,
    working_age_limits,
)
from ablework.people.enums import CertificateKind, Education, EmploymentForm, RecordSource, UrbanRural
from ablework.people.models import (
    Certificate,
    CorrectionRequest,
    DifficultyCertification,
    EmploymentRecord,
    Person,
    PublicWelfarePlacement,
    ServiceRecord,
    StudentPlanEntry,
    StudentRecord,
)

PERSONS = "people.persons"
EMPLOYMENT = "people.employment"
INLINE_MAX_BYTES = 300 * 1024  # larger files are imported by the task worker

_EDU_SYNONYMS = {
    "文盲": "none", "无": "none", "小学及以下": "primary", "中专": "vocational", "职高": "vocational",
    "技校": "vocational", "中职": "vocational", "专科": "college", "高职": "college", "大学本科": "bachelor",
    "大学": "bachelor", "硕士": "postgraduate", "博士": "postgraduate", "研究生及以上": "postgraduate",
}  # fmt: skip
_FORM_SYNONYMS = {"按比例": "quota", "集中": "concentrated", "个体": "individual", "自主创业": "self_employed",
                  "创业": "self_employed", "辅助性": "assisted", "公益性岗位就业": "public_welfare",
                  "灵活": "flexible", "农村种养加就业": "rural", "种养加": "rural"}  # fmt: skip


@cache
def person_spec() -> ImportSpec:
    """The persons file (built on first use: the code lists' labels are translatable)."""
    return ImportSpec(
        kind=PERSONS,
        title="残疾人基本信息",
        columns=(
            Column(
                "name",
                "姓名",
                core_imports.text(60),
                required=True,
                aliases=("名字",),
                example="张三",
                help="居民身份证上的姓名，字间空格会被去掉",
            ),
            Column(
                "resident_id",
                "身份证号",
                core_imports.resident_id(),
                required=True,
                aliases=("身份证号码", "公民身份号码", "居民身份证号", "身份证"),
                as_text=True,
                example="120101199003070013",
                help="18位居民身份证号（末位X大小写均可），按国家标准检查校验位；同一身份证号只登记一人，已登记的按本行更新",
            ),
            Column(
                "cert_number",
                "残疾人证号",
                core_imports.disability_cert(),
                aliases=("残疾证号", "残疾人证号码", "第二代残疾人证号", "残疾人证编号"),
                as_text=True,
                example="12010119900307001342",
                help="第二代残疾人证号：身份证号+残疾类别（1位）+残疾等级（1位），补发证可带后缀如B1；前18位必须与本行身份证号一致。"
                "新登记人员须填写残疾人证号或残疾军人证号",
            ),
            Column(
                "military_number",
                "残疾军人证号",
                core_imports.text(40),
                aliases=("军残证号", "伤残军人证号"),
                as_text=True,
                help="持残疾军人证的填写此列和“伤残等级”，不填残疾人证号",
            ),
            Column(
                "military_level",
                "伤残等级",
                core_imports.integer(1, 10),
                aliases=("伤残等级（军人）",),
                help="残疾军人证的伤残等级，1至10的整数",
            ),
            Column(
                "issued_on",
                "发证日期",
                core_imports.date_value(),
                aliases=("发证时间", "领证日期"),
                example="2019-05-20",
                help="证件发证日期",
            ),
            Column(
                "valid_until",
                "有效期至",
                core_imports.date_value(),
                aliases=("有效期", "证件有效期", "有效期截止", "有效期限"),
                example="2029-05-19",
                help="证件有效期截止日期，不能早于发证日期",
            ),
            Column(
                "district",
                "户籍区",
                core_imports.text(20),
                required=True,
                aliases=("区", "所属区", "户籍所在区", "区县"),
                example="和平区",
                help="区名（如“和平区”或“和平”）或6位行政区划代码（如120101）；区级经办员只能导入本区人员",
            ),
            Column(
                "street",
                "街道",
                core_imports.text(40),
                aliases=("街道/乡镇", "街道（乡镇）", "乡镇", "街道乡镇", "所属街道"),
                example="劝业场街道",
                help="街道或乡镇名称，或9位统计用区划代码；必须属于本行的户籍区",
            ),
            Column(
                "community",
                "社区/村",
                core_imports.text(60),
                aliases=("社区", "村", "社区（村）", "居委会"),
                example="华安街社区",
            ),
            Column(
                "phone",
                "联系电话",
                core_imports.text(20),
                aliases=("电话", "手机", "手机号", "手机号码", "联系方式"),
                as_text=True,
                example="13800000000",
            ),
            Column(
                "address",
                "居住地址",
                core_imports.text(200),
                aliases=("地址", "现住址", "家庭住址", "现居住地址"),
                example="和平区某某路1号",
            ),
            Column(
                "urban_rural",
                "城乡",
                core_imports.choice(_options(UrbanRural)),
                aliases=("城乡类别", "户口性质"),
                choices=tuple(_options(UrbanRural).values()),
                example="城镇",
            ),
            Column(
                "education",
                "文化程度",
                core_imports.choice(_options(Education), synonyms=_EDU_SYNONYMS),
                aliases=("学历", "受教育程度"),
                choices=tuple(_options(Education).values()),
                example="高中",
            ),
            Column(
                "tianjin_hukou",
                "本市户籍",
                core_imports.boolean(),
                aliases=("是否本市户籍", "天津户籍"),
                choices=("是", "否"),
                help="不填视为“是”",
            ),
            Column(
                "guardian_name",
                "监护人",
                core_imports.text(60),
                aliases=("监护人姓名",),
                help="未成年人或需要监护的人员填写",
            ),
            Column("guardian_relation", "监护人关系", core_imports.text(20), aliases=("与本人关系", "监护关系")),
            Column("guardian_phone", "监护人电话", core_imports.text(20), aliases=("监护人联系电话",), as_text=True),
        ),
        notes=(
            "已登记的人员（按身份证号识别）按本行更新；某一格留空表示不修改该项，不会清空已有内容。",
            "性别和出生日期由身份证号得出，残疾类别和等级由残疾人证号得出，无需填写；就业状态由就业记录自动得出。",
            "同一证件（证号与发证日期相同）不会重复登记；新证件加入证件历史，有效的最新证件作为当前证件。",
        ),
    )


@cache
def employment_spec() -> ImportSpec:
    """The employment-records file."""
    return ImportSpec(
        kind=EMPLOYMENT,
        title="就业记录",
        columns=(
            Column(
                "resident_id",
                "身份证号",
                core_imports.resident_id(),
                required=True,
                aliases=("身份证号码", "公民身份号码", "居民身份证号", "身份证"),
                as_text=True,
                example="120101199003070013",
                help="必须是已登记且属于您管辖区的人员",
            ),
            Column(
                "name",
                "姓名",
                core_imports.text(60),
                aliases=("名字",),
                example="张三",
                help="选填；填写时须与该身份证号登记的姓名一致，用于防止串行",
            ),
            Column(
                "form",
                "就业形式",
                core_imports.choice(_options(EmploymentForm), synonyms=_FORM_SYNONYMS),
                required=True,
                aliases=("就业方式", "就业类型"),
                choices=tuple(_options(EmploymentForm).values()),
                example="按比例就业",
            ),
            Column(
                "employer_name",
                "单位名称",
                core_imports.text(200),
                aliases=("用人单位", "用人单位名称", "工作单位", "就业单位"),
                example="天津某某科技有限公司",
                help="按比例就业、集中就业须填写单位名称或统一社会信用代码",
            ),
            Column(
                "employer_uscc",
                "统一社会信用代码",
                core_imports.uscc(),
                aliases=("信用代码", "社会信用代码", "单位信用代码"),
                as_text=True,
                example="911201161234567885",
                help="18位统一社会信用代码，按国家标准检查校验位；单位已在平台登记的自动关联",
            ),
            Column(
                "start_date",
                "开始日期",
                core_imports.date_value(),
                required=True,
                aliases=("就业日期", "入职日期", "就业时间"),
                example="2023-03-01",
                help="不能晚于今天",
            ),
            Column(
                "end_date",
                "结束日期",
                core_imports.date_value(),
                aliases=("离职日期", "终止日期"),
                help="仍在就业的留空；不能早于开始日期",
            ),
            Column(
                "contract_months",
                "合同期限（月）",
                core_imports.integer(0, 600),
                aliases=("合同期限", "合同期限(月)", "合同月数"),
                example="36",
                help="整数，单位为月",
            ),
            Column(
                "monthly_wage",
                "月工资",
                core_imports.decimal_amount(),
                aliases=("月工资（元）", "工资", "月收入"),
                example="4200",
                help="单位为元，最多两位小数",
            ),
            Column(
                "social_insurance",
                "是否缴纳社保",
                core_imports.boolean(),
                aliases=("缴纳社保", "社会保险", "是否缴纳社会保险"),
                choices=("是", "否"),
                example="是",
                help="不填视为“否”（新记录）",
            ),
            Column(
                "on_establishment",
                "是否在编",
                core_imports.boolean(),
                aliases=("在编",),
                choices=("是", "否"),
                help="机关、事业单位在编人员填“是”",
            ),
            Column("note", "备注", core_imports.text(200)),
        ),
        notes=(
            "同一人员、同一就业形式、同一开始日期（填写信用代码时还须同一单位）的记录视为同一条，再次导入时按本行更新，不会重复。",
            "某一格留空表示不修改该项；结束日期一经填写，不能通过导入清空。",
            "导入后自动重新计算人员的就业状态。",
        ),
    )


def get_spec(kind: str) -> ImportSpec:
    """The file format of an import kind (``KeyError`` for an unknown kind)."""
    return {PERSONS: person_spec, EMPLOYMENT: employment_spec}[kind]()


KINDS = (PERSONS, EMPLOYMENT)


def _options(choices: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


# --- scope ------------------------------------------------------------------------------------------


def import_scope_key(actor: Any) -> str:
    """Batches are told apart by the uploader's scope: the same file imported by 和平区 and by 河西区
    are different imports (each district's rows are accepted only by its own officers)."""
    if getattr(actor, "is_city", False):
        return "city"
    ids = actor.scope_district_ids()
    key = ",".join(sorted(District.objects.filter(id__in=ids).values_list("code", flat=True)))
    return key if len(key) <= 40 else "h:" + hashlib.sha256(key.encode()).hexdigest()[:38]


class _Places:
    """Districts and streets by name or code, loaded once per import."""

    def __init__(self) -> None:
        self.districts = {d.pk: d for d in District.objects.all()}
        self.district_by_key: dict[str, District] = {}
        for d in self.districts.values():
            for key in (d.code, d.name, d.name.removesuffix("区"), d.name.removesuffix("新区")):
                self.district_by_key.setdefault(key, d)
        self.street_by_code: dict[str, Street] = {}
        self.street_by_name: dict[tuple[int, str], Street] = {}
        self.street_districts: dict[str, set[int]] = defaultdict(set)
        for s in Street.objects.all():
            self.street_by_code[s.code] = s
            for key in _street_keys(s.name):
                self.street_by_name.setdefault((s.district_id, key), s)
                self.street_districts[key].add(s.district_id)

    def district(self, value: str) -> District | None:
        return self.district_by_key.get(value.replace(" ", ""))

    def street(self, district: District, value: str) -> tuple[Street | None, str]:
        """The street of ``district`` named or coded ``value``, or ``None`` and the reason."""
        value = value.replace(" ", "")
        if value.isdigit():
            s = self.street_by_code.get(value)
            if s is None:
                return None, f"未知的街道/乡镇代码：{value}"
        else:
            s = self.street_by_name.get((district.pk, value)) or self.street_by_name.get(
                (district.pk, _street_keys(value)[-1])
            )
            if s is None:
                others = [
                    self.districts[i].name for i in sorted(self.street_districts.get(_street_keys(value)[-1], ()))
                ]
                if others:
                    return None, f"街道“{value}”属于{'、'.join(others)}，不属于{district.name}"
                return None, f"{district.name}没有名为“{value}”的街道/乡镇"
        if s.district_id != district.pk:
            return None, f"街道“{s.name}”属于{self.districts[s.district_id].name}，不属于{district.name}"
        return s, ""


def _street_keys(name: str) -> tuple[str, ...]:
    """A street may be written with or without its 街道 suffix: 劝业场街道 = 劝业场."""
    bare = name.removesuffix("街道")
    return (name, bare) if bare and bare != name else (name,)


class _WorkingAge:
    """Working-age limits per birth date, read through ``working_age_limits`` (``get_param``) as
    ``register_person`` does — but once per stretch of birth dates over which the set of parameter
    rows in force does not change (between two consecutive ``valid_from`` / ``valid_to + 1`` of the
    city-wide ``working_age`` rows), instead of once per person."""

    def __init__(self) -> None:
        spans = PolicyParameter.objects.filter(key="working_age", district__isnull=True).values_list(
            "valid_from", "valid_to"
        )
        self.bounds = sorted({start for start, _ in spans} | {end + timedelta(days=1) for _, end in spans if end})
        self.cache: dict[int, rules.WorkingAge] = {}

    def limits(self, birth: date) -> rules.WorkingAge:
        stretch = bisect_right(self.bounds, birth)
        got = self.cache.get(stretch)
        if got is None:
            got = self.cache[stretch] = working_age_limits(birth)[0]
        return got

    def status(self, birth: date, sex: str, spells: list[rules.Spell], wants_job: bool | None, on: date) -> str:
        working = rules.is_working_age(birth, sex, on, self.limits(birth))
        return rules.derive_status(working_age=working, spells=spells, wants_job=wants_job, on=on)


# --- persons ----------------------------------------------------------------------------------------

_PERSON_FIELDS = (
    "name", "community", "address", "tianjin_hukou", "urban_rural", "education", "phone",
    "guardian_name", "guardian_relation", "guardian_phone",
)  # fmt: skip


@dataclass
class _CertIn:
    kind: str
    number_hash: str
    suffix: str
    issued_on: date | None
    valid_until: date | None
    parsed: DisabilityCert | None = None
    military_number: str = ""
    military_level: int | None = None

    @property
    def key(self) -> tuple[str, date | None, str]:
        return (self.number_hash, self.issued_on, self.suffix)


@dataclass
class _PersonIn:
    index: int
    row: Row
    rid: ResidentId
    id_hash: str
    district: District
    street: Street | None
    fields: dict[str, Any]
    cert: _CertIn | None
    status: str  # the derived status if the person is new


@dataclass
class _ChunkChanges:
    created: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # district code → ids
    updated: dict[str, dict[int, Any]] = field(default_factory=lambda: defaultdict(dict))  # code → {id: delta}


class PersonImporter:
    """Chunk handler for ``person_spec()`` (see ``core.imports.ChunkHandler``)."""

    def __init__(self, *, actor: Any, batch: ImportBatch | None = None) -> None:
        self.actor = actor
        self.batch_id = batch.pk if batch is not None else None
        self.allowed = set(actor.scope_district_ids()) if actor is not None else set()
        self.places = _Places()
        self.ages = _WorkingAge()
        self.seen: dict[str, int] = {}  # id_hash → first row number in the file
        self.today = today()
        self.cipher = settings.ABLEWORK_ID_CIPHER
        self.key = settings.ABLEWORK_ID_ENCRYPTION_KEY
        self.lookup_key = settings.ABLEWORK_ID_LOOKUP_KEY
        allowed_names = [d.name for pk, d in self.places.districts.items() if pk in self.allowed]
        self.scope_label = scope_label(allowed_names)

    def __call__(self, rows: list[Row]) -> list[Outcome]:
        return check_then_write(rows, self._check_row, self._write)

    def _check_row(self, i: int, row: Row) -> _PersonIn | list[Problem]:
        v = row.values
        h = person_spec().header_of
        problems: list[Problem] = []
        rid: ResidentId = v["resident_id"]
        name = "".join(str(v["name"]).split())
        district = self.places.district(v["district"])
        street = None
        if district is None:
            problems.append(Problem(h("district"), f"未知的区：“{v['district']}”，应填写天津市的区名或6位区划代码"))
        elif district.pk not in self.allowed:
            problems.append(
                Problem(h("district"), f"{district.name}不在您的管辖范围（{self.scope_label or '无'}）内，本行未导入")
            )
        elif v["street"]:
            street, why = self.places.street(district, v["street"])
            if street is None:
                problems.append(Problem(h("street"), why))
        cert, cert_problems = self._check_cert(v, rid)
        problems += cert_problems
        id_hash = crypto.lookup_hash(rid.number, key=self.lookup_key)
        if not problems:
            first = self.seen.setdefault(id_hash, row.number)
            if first != row.number:
                problems.append(Problem(h("resident_id"), f"与本文件第{first}行的身份证号重复，本行未导入"))
        try:
            status = self.ages.status(rid.birth_date, rid.sex, [], None, self.today)
        except LookupError as exc:  # PolicyParameterMissing: no working-age rule for this birth date
            problems.append(Problem(h("resident_id"), str(exc)))
        if problems:
            return problems
        fields = {k: v[k] for k in _PERSON_FIELDS if v.get(k) is not None}
        fields["name"] = name
        assert district is not None
        return _PersonIn(i, row, rid, id_hash, district, street, fields, cert, status)

    def _check_cert(self, v: dict[str, Any], rid: ResidentId) -> tuple[_CertIn | None, list[Problem]]:
        h = person_spec().header_of
        problems: list[Problem] = []
        parsed: DisabilityCert | None = v["cert_number"]
        military, level = v["military_number"], v["military_level"]
        issued, valid = v["issued_on"], v["valid_until"]
        if parsed is not None and parsed.resident_id.number != rid.number:
            problems.append(Problem(h("cert_number"), "残疾人证号中的身份证号与本行身份证号不一致（不是本人的证件）"))
        if parsed is not None and military:
            problems.append(Problem(h("military_number"), "残疾人证号和残疾军人证号只能填写一个"))
        if military and level is None:
            problems.append(Problem(h("military_level"), "填写残疾军人证号时须填写伤残等级（1至10级）"))
        if level is not None and not military:
            problems.append(Problem(h("military_number"), "填写了伤残等级，但未填写残疾军人证号"))
        if (issued or valid) and parsed is None and not military:
            problems.append(Problem(h("cert_number"), "填写了发证日期或有效期，但未填写证号"))
        if issued and issued > self.today:
            problems.append(Problem(h("issued_on"), "发证日期不能晚于今天"))
        if issued and valid and valid < issued:
            problems.append(Problem(h("valid_until"), "有效期至不能早于发证日期"))
        if problems:
            return None, problems
        if parsed is not None:
            # = registry.cert_lookup_hash(parsed.number), with the key read once per import.
            number_hash = crypto.lookup_hash("CERT:" + parsed.number, key=self.lookup_key)
            return _CertIn(CertificateKind.CDPF, number_hash, parsed.suffix, issued, valid, parsed), []
        if military:
            number = "".join(military.split())
            mil_hash = crypto.lookup_hash("MIL:" + number, key=self.lookup_key)
            return _CertIn(CertificateKind.MILITARY, mil_hash, "", issued, valid, None, number, level), []
        return None, []

    # The write stage: one transaction per chunk.

    def _write(self, prepared: list[_PersonIn]) -> dict[int, Outcome]:
        results: dict[int, Outcome] = {}
        h = person_spec().header_of
        existing = {p.id_hash: p for p in Person.objects.filter(id_hash__in=[r.id_hash for r in prepared])}
        certs: dict[int, list[Certificate]] = defaultdict(list)
        if existing:
            for c in Certificate.objects.filter(person__in=list(existing.values())).order_by("id"):
                certs[c.person_id].append(c)
        new_people: list[tuple[_PersonIn, dict[str, Any]]] = []
        new_certs: list[tuple[str, dict[str, Any]]] = []  # (id_hash of the holder, certificate row)
        changed_people: dict[int, Person] = {}
        changed_certs: list[Certificate] = []
        refresh: dict[int, Person] = {}
        moved: dict[int, int] = {}  # person id → new district id
        changes = _ChunkChanges()
        for r in prepared:
            person = existing.get(r.id_hash)
            if person is None:
                if r.cert is None:
                    results[r.index] = [
                        Problem(h("cert_number"), "新登记人员须填写残疾人证号，或残疾军人证号及伤残等级")
                    ]
                    continue
                new_people.append((r, self._person_row(r)))
                new_certs.append((r.id_hash, self._certificate_row(r.cert, r.district.pk, r.rid.masked)))
                results[r.index] = CREATED
                continue
            if person.district_id not in self.allowed:
                results[r.index] = [
                    Problem(h("resident_id"), "该身份证号已在您管辖范围以外的区登记，本行未导入；如需迁入请联系市残联")
                ]
                continue
            if person.merged_into_id:
                results[r.index] = [
                    Problem(h("resident_id"), "该身份证号的档案已合并到另一档案，请在合并后的档案中修改")
                ]
                continue
            delta = self._apply(person, r)
            if "district" in delta:
                moved[person.pk] = r.district.pk
            if r.cert is not None:
                same = next((c for c in certs[person.pk] if (c.number_hash, c.issued_on, c.suffix) == r.cert.key), None)
                if same is None:
                    row = self._certificate_row(r.cert, person.district_id, person.id_masked)
                    new_certs.append((r.id_hash, row))
                    delta["certificate"] = [None, row["number_masked"]]
                    refresh[person.pk] = person
                elif r.cert.valid_until is not None and r.cert.valid_until != same.valid_until:
                    delta["certificate_valid_until"] = [same.valid_until, r.cert.valid_until]
                    same.valid_until = r.cert.valid_until
                    changed_certs.append(same)
                    refresh[person.pk] = person
            if delta:
                changed_people[person.pk] = person
                changes.updated[r.district.code][person.pk] = delta
                results[r.index] = UPDATED
            else:
                results[r.index] = UNCHANGED
        if not (new_people or changed_people):
            return results
        with transaction.atomic():
            if new_people:
                core_imports.insert_rows(Person, [row for _, row in new_people])
                hashes = [r.id_hash for r, _ in new_people]
                ids = dict(Person.objects.filter(id_hash__in=hashes).values_list("id_hash", "pk"))
                for r, _ in new_people:
                    changes.created[r.district.code].append(ids[r.id_hash])
            else:
                ids = {}
            ids |= {p.id_hash: p.pk for p in existing.values()}
            for holder, row in new_certs:
                row["person_id"] = ids[holder]
            core_imports.insert_rows(Certificate, [row for _, row in new_certs])
            if changed_people:
                now = timezone.now()
                for p in changed_people.values():
                    p.updated_at = now
                Person.objects.bulk_update(
                    list(changed_people.values()),
                    ["district", "street", *_PERSON_FIELDS, "name_pinyin", "name_initials", "updated_at"],
                    batch_size=500,
                )
            if changed_certs:
                Certificate.objects.bulk_update(changed_certs, ["valid_until"], batch_size=500)
            for p in refresh.values():
                refresh_current_certificate(p, self.today)
            _move_children(moved)
            self._audit(changes)
        return results

    def _person_row(self, r: _PersonIn) -> dict[str, Any]:
        """The new person as a plain row; the same values ``register_person`` + ``add_certificate``
        store (the only certificate of a new person is its current one)."""
        rid, cert = r.rid, r.cert
        assert cert is not None
        name = r.fields["name"]
        row = {
            **r.fields,
            "id_cipher": crypto.encrypt(rid.number, cipher=self.cipher, key=self.key),
            "id_hash": r.id_hash,
            "id_masked": rid.masked,
            "sex": rid.sex,
            "birth_date": rid.birth_date,
            "district_id": r.district.pk,
            "street_id": r.street.pk if r.street is not None else None,
            "name_pinyin": name_pinyin(name),
            "name_initials": name_initials(name),
            "status": r.status,
            "status_since": self.today,
            "cert_kind": cert.kind,
            "cert_hash": cert.number_hash,
            "cert_valid_until": cert.valid_until,
        }
        if cert.parsed is not None:
            row["disability_category"], row["disability_level"] = cert.parsed.category, cert.parsed.level
            row["cert_suffix"] = cert.parsed.suffix
        else:
            row["military_level"] = cert.military_level
        return row

    def _certificate_row(self, cert: _CertIn, district_id: int, id_masked: str) -> dict[str, Any]:
        row: dict[str, Any] = {
            "district_id": district_id,
            "kind": cert.kind,
            "number_hash": cert.number_hash,
            "issued_on": cert.issued_on,
            "valid_until": cert.valid_until,
            "source": RecordSource.IMPORT,
        }
        if cert.parsed is not None:
            p = cert.parsed
            row.update(category=p.category, level=p.level, suffix=p.suffix)
            row["number_masked"] = f"{id_masked}{p.category}{p.level}{p.suffix}"
            row["number_cipher"] = crypto.encrypt(p.full_number, cipher=self.cipher, key=self.key)
        else:
            n = cert.military_number
            row["military_level"] = cert.military_level
            row["number_masked"] = (n[:2] + "*" * max(0, len(n) - 4) + n[-2:]) if len(n) > 4 else "****"
            row["number_cipher"] = crypto.encrypt(n, cipher=self.cipher, key=self.key)
        return row

    def _apply(self, person: Person, r: _PersonIn) -> dict[str, Any]:
        """Set the row's non-blank fields on ``person``; the audit delta (as ``register_person``)."""
        before: dict[str, Any] = {k: getattr(person, k) for k in r.fields}
        after: dict[str, Any] = dict(r.fields)
        before["district"], after["district"] = person.district_id, r.district.pk
        if r.street is not None:
            before["street"], after["street"] = person.street_id, r.street.pk
        elif person.district_id != r.district.pk and person.street_id is not None:
            # A street of the old district cannot stay on a person who moved district.
            before["street"], after["street"] = person.street_id, None
        delta = audit.diff(before, after)
        for key in delta:
            if key == "district":
                person.district = r.district
            elif key == "street":
                person.street = r.street
            else:
                setattr(person, key, r.fields[key])
        if "name" in delta:
            person.name_pinyin = name_pinyin(person.name)
            person.name_initials = name_initials(person.name)
        return delta

    def _audit(self, changes: _ChunkChanges) -> None:
        # One entry per chunk and district; its subjects index the persons, so each person's
        # history and access log list it (``audit.history_for`` shows the person's own delta).
        for code, ids in changes.created.items():
            audit.record_many(
                audit.AuditAction.CREATE,
                actor=self.actor,
                object_type="people.person",
                object_ids=ids,
                object_label=f"批量导入新增{len(ids)}人（导入批次{self.batch_id}）",
                district_code=code,
                changes={"batch": self.batch_id, "source": RecordSource.IMPORT},
            )
        for code, deltas in changes.updated.items():
            audit.record_many(
                audit.AuditAction.UPDATE,
                actor=self.actor,
                object_type="people.person",
                object_ids=deltas.keys(),
                object_label=f"批量导入更新{len(deltas)}人（导入批次{self.batch_id}）",
                district_code=code,
                changes={"batch": self.batch_id, "source": RecordSource.IMPORT},
                per_object=deltas,
            )


_CHILD_MODELS = (
    Certificate, EmploymentRecord, ServiceRecord, DifficultyCertification, PublicWelfarePlacement, StudentRecord,
    CorrectionRequest,
)  # fmt: skip


def _move_children(moved: dict[int, int]) -> None:
    """Child tables carry the person's district for scoping; keep it equal after a move."""
    by_district: dict[int, list[int]] = defaultdict(list)
    for pid, did in moved.items():
        by_district[did].append(pid)
    for did, pids in by_district.items():
        for model in _CHILD_MODELS:
            model.objects.filter(person_id__in=pids).update(district_id=did)  # type: ignore[attr-defined]
        StudentPlanEntry.objects.filter(student__person_id__in=pids).update(district_id=did)


# --- employment records -----------------------------------------------------------------------------

_EMPLOYMENT_FIELDS = (
    "employer_name", "employer_uscc", "end_date", "contract_months", "monthly_wage", "social_insurance",
    "on_establishment", "note",
)  # fmt: skip


@dataclass
class _RecordIn:
    index: int
    row: Row
    id_hash: str
    form: str
    start: date
    fields: dict[str, Any]
    name: str | None


class EmploymentImporter:
    """Chunk handler for ``employment_spec()``: adds or updates employment records, re-derives status."""

    def __init__(self, *, actor: Any, batch: ImportBatch | None = None) -> None:
        self.actor = actor
        self.batch_id = batch.pk if batch is not None else None
        self.allowed = set(actor.scope_district_ids()) if actor is not None else set()
        self.ages = _WorkingAge()
        self.seen: dict[tuple[str, str, date, str], int] = {}
        self.today = today()
        self.lookup_key = settings.ABLEWORK_ID_LOOKUP_KEY
        self.district_codes = dict(District.objects.values_list("id", "code"))

    def __call__(self, rows: list[Row]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(rows)
        prepared: list[_RecordIn] = []
        for i, row in enumerate(rows):
            got = self._check_row(i, row)
            if isinstance(got, list):
                outcomes[i] = got
            else:
                prepared.append(got)
        with unscoped():
            for i, outcome in self._write(prepared).items():
                outcomes[i] = outcome
        assert all(o is not None for o in outcomes)
        return outcomes  # type: ignore[return-value]

    def _check_row(self, i: int, row: Row) -> _RecordIn | list[Problem]:
        v = row.values
        h = employment_spec().header_of
        problems: list[Problem] = []
        start: date = v["start_date"]
        end: date | None = v["end_date"]
        if start > self.today:
            problems.append(Problem(h("start_date"), "开始日期不能晚于今天"))
        if end is not None and end < start:
            problems.append(Problem(h("end_date"), "结束日期不能早于开始日期"))
        if v["form"] in (EmploymentForm.QUOTA, EmploymentForm.CONCENTRATED) and not (
            v["employer_name"] or v["employer_uscc"]
        ):
            problems.append(Problem(h("employer_name"), "按比例就业、集中就业须填写单位名称或统一社会信用代码"))
        rid: ResidentId = v["resident_id"]
        id_hash = crypto.lookup_hash(rid.number, key=self.lookup_key)
        uscc_code = v["employer_uscc"].code if v["employer_uscc"] is not None else ""
        if not problems:
            key = (id_hash, v["form"], start, uscc_code)
            first = self.seen.setdefault(key, row.number)
            if first != row.number:
                problems.append(
                    Problem("", f"与本文件第{first}行是同一条就业记录（身份证号、就业形式、开始日期相同），本行未导入")
                )
        if problems:
            return problems
        fields = {k: v[k] for k in _EMPLOYMENT_FIELDS if k != "employer_uscc" and v.get(k) is not None}
        if uscc_code:
            fields["employer_uscc"] = uscc_code
        name = "".join(v["name"].split()) if v["name"] else None
        return _RecordIn(i, row, id_hash, v["form"], start, fields, name)

    def _write(self, prepared: list[_RecordIn]) -> dict[int, Outcome]:
        h = employment_spec().header_of
        results: dict[int, Outcome] = {}
        persons = {p.id_hash: p for p in Person.objects.filter(id_hash__in={r.id_hash for r in prepared})}
        codes = {r.fields["employer_uscc"] for r in prepared if "employer_uscc" in r.fields}
        employers = {e.uscc: e for e in Employer.objects.filter(uscc__in=codes)} if codes else {}
        records: dict[int, list[EmploymentRecord]] = defaultdict(list)
        for rec in EmploymentRecord.objects.filter(person__in=list(persons.values())).order_by("id"):
            records[rec.person_id].append(rec)
        new: list[tuple[Person, EmploymentRecord]] = []
        changed: dict[int, tuple[Person, EmploymentRecord, dict[str, Any]]] = {}
        for r in prepared:
            person = persons.get(r.id_hash)
            if person is None or person.district_id not in self.allowed or person.merged_into_id:
                results[r.index] = [
                    Problem(h("resident_id"), "未在您管辖的区找到该身份证号的登记人员，请先导入或登记人员信息")
                ]
                continue
            if r.name is not None and r.name != person.name:
                results[r.index] = [Problem(h("name"), f"姓名“{r.name}”与该身份证号登记的姓名不一致")]
                continue
            fields = dict(r.fields)
            employer = employers.get(fields.get("employer_uscc", ""))
            if employer is not None and not fields.get("employer_name"):
                fields["employer_name"] = employer.name
            uscc_code = fields.get("employer_uscc", "")
            same = next(
                (
                    rec
                    for rec in records[person.pk]
                    if rec.form == r.form
                    and rec.start_date == r.start
                    and (not uscc_code or rec.employer_uscc == uscc_code)
                ),
                None,
            )
            if same is None:
                rec = EmploymentRecord(
                    person=person,
                    district_id=person.district_id,
                    form=r.form,
                    start_date=r.start,
                    employer=employer,
                    source=RecordSource.IMPORT,
                    created_by=self.actor if getattr(self.actor, "pk", None) else None,
                    **fields,
                )
                new.append((person, rec))
                records[person.pk].append(rec)
                results[r.index] = CREATED
                continue
            before = {k: getattr(same, k) for k in fields}
            after = dict(fields)
            if employer is not None:
                before["employer"], after["employer"] = same.employer_id, employer.pk
            delta = audit.diff(before, after)
            if not delta:
                results[r.index] = UNCHANGED
                continue
            if "end_date" in delta and fields["end_date"] < same.start_date:  # pragma: no cover - checked above
                results[r.index] = [Problem(h("end_date"), "结束日期不能早于开始日期")]
                continue
            for key in delta:
                if key == "employer":
                    same.employer = employer
                else:
                    setattr(same, key, fields[key])
            entry = changed.setdefault(same.pk, (person, same, {}))
            entry[2].update(delta)
            results[r.index] = UPDATED
        if not (new or changed):
            return results
        with transaction.atomic():
            EmploymentRecord.objects.bulk_create([rec for _, rec in new], batch_size=500)
            if changed:
                EmploymentRecord.objects.bulk_update(
                    [rec for _, rec, _ in changed.values()], ["employer", *_EMPLOYMENT_FIELDS], batch_size=500
                )
            affected = {p.pk: p for p, _ in new} | {p.pk: p for p, _, _ in changed.values()}
            statuses = self._recompute(affected)
            self._audit(new, changed, statuses)
        return results

    def _recompute(self, persons: dict[int, Person]) -> dict[int, list[str]]:
        """``recompute_status`` for many persons at once: one query for the spells, one UPDATE per
        new status."""
        spells: dict[int, list[rules.Spell]] = defaultdict(list)
        for pid, s, e in EmploymentRecord.objects.filter(person_id__in=list(persons)).values_list(
            "person_id", "start_date", "end_date"
        ):
            spells[pid].append(rules.Spell(s, e))
        by_status: dict[str, list[int]] = defaultdict(list)
        out: dict[int, list[str]] = {}
        for pid, p in persons.items():
            new = self.ages.status(p.birth_date, p.sex, spells[pid], p.wants_job, self.today)
            if new != p.status:
                out[pid] = [p.status, new]
                by_status[new].append(pid)
                p.status, p.status_since = new, self.today
        for status, pids in by_status.items():
            Person.objects.filter(pk__in=pids).update(status=status, status_since=self.today)
        return out

    def _audit(
        self,
        new: list[tuple[Person, EmploymentRecord]],
        changed: dict[int, tuple[Person, EmploymentRecord, dict[str, Any]]],
        statuses: dict[int, list[str]],
    ) -> None:
        created: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for p, rec in new:
            created[self.district_codes[p.district_id]].append(
                {"record": rec.pk, "person": p.pk, "form": rec.form, "start_date": rec.start_date,
                 "end_date": rec.end_date, "employer": rec.employer_name, "status": statuses.get(p.pk)}
            )  # fmt: skip
        updated: dict[str, dict[int, Any]] = defaultdict(dict)
        for p, rec, delta in changed.values():
            updated[self.district_codes[p.district_id]][rec.pk] = {
                "person": p.pk,
                **delta,
                "status": statuses.get(p.pk),
            }
        for action, groups in ((audit.AuditAction.CREATE, created), (audit.AuditAction.UPDATE, updated)):
            verb = "新增" if action == audit.AuditAction.CREATE else "更新"
            for code, items in groups.items():
                audit.record(
                    action,
                    actor=self.actor,
                    object_type="people.employmentrecord",
                    object_id=f"import-{self.batch_id}" if self.batch_id else "",
                    object_label=f"批量导入{verb}就业记录{len(items)}条（导入批次{self.batch_id}）",
                    district_code=code,
                    changes={"batch": self.batch_id, "source": RecordSource.IMPORT, "records": items},
                )


# --- entry points -----------------------------------------------------------------------------------

HANDLERS: dict[str, Callable[..., Callable[[list[Row]], list[Outcome]]]] = {
    PERSONS: PersonImporter,
    EMPLOYMENT: EmploymentImporter,
}


def run_people_import(batch_id: int) -> ImportBatch:
    """Process one uploaded registry file (inline or from the task worker); idempotent.

    The uploader's district scope is read now, not at upload: an officer moved to another district
    meanwhile imports nothing of the old one.
    """
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    spec = get_spec(batch.kind)
    handler = HANDLERS[batch.kind](actor=batch.uploaded_by, batch=batch)
    return core_imports.process_batch(batch, spec=spec, handler=handler)


def start_people_import(
    *, actor: Any, kind: str, filename: str, data: bytes, inline: bool | None = None
) -> core_imports.Submitted:
    """Accept an uploaded file: the same file again gives the earlier batch (nothing imported);
    otherwise a new batch, imported at once when small (``inline``; default: up to
    ``INLINE_MAX_BYTES``) or by the ``run_people_import_task`` task after commit."""
    if kind not in KINDS:
        raise ValueError(f"未知的导入类型：{kind}")
    submitted = core_imports.submit_import(
        spec=get_spec(kind), scope_key=import_scope_key(actor), filename=filename, data=data, actor=actor
    )
    if not submitted.created:
        return submitted
    if inline is None:
        inline = len(data) <= INLINE_MAX_BYTES
    if inline:
        batch = run_people_import(submitted.batch.pk)
        return core_imports.Submitted(batch, created=True)
    from ablework.people.tasks import run_people_import_task

    transaction.on_commit(partial(run_people_import_task.enqueue, submitted.batch.pk))
    return submitted
