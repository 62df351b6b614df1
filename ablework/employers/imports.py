"""Import of units from the spreadsheets district federations and the tax bureau keep.  Reading,
parsing, batch bookkeeping, progress and the error report are ``ablework.core.imports``; this module
holds the file format and the row → registry writes.

A row is keyed by its credit code: a new code registers a unit, a known one updates it (a blank cell
changes nothing).  The same checks as the registration form apply (``rules.field_errors``); the kind
may be left blank for a new unit when the code tells it (11 机关, 12 事业单位, 5x 社会组织, 92 个体工商户,
91 企业).  A contact in the row is added to the unit, or updates the unit's contact of the same name.

Writes are set-based per chunk (one transaction): units created with ``bulk_create``, changed with
``bulk_update``; one audit entry per district and kind of change, listing each unit with its
before/after under ``employers`` (the unit's page reads its part back, ``queries.history_for_employer``).

District scope: the uploader imports only units whose district of tax registration is in their
scope; a row of another district, or a code already registered in another district, is rejected with
the reason.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from django.db import transaction

from ablework.core import audit
from ablework.core import imports as core_imports
from ablework.core.enums import JobStatus
from ablework.core.identifiers import USCC
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
from ablework.core.models import District, ImportBatch, Industry
from ablework.employers import rules
from ablework.employers.actions import contact_errors, contact_values, created_delta
from ablework.employers.enums import AgencyLevel, EmployerKind
from ablework.employers.models import Employer, EmployerContact
from ablework.employers.queries import IMPORT_OBJECT_PREFIX

EMPLOYERS = "employers.employers"
INLINE_MAX_BYTES = 300 * 1024  # larger files are imported by the task worker

_KIND_SYNONYMS = {
    "公司": "enterprise", "民营企业": "enterprise", "私营企业": "enterprise", "外资企业": "enterprise",
    "农民专业合作社": "enterprise", "国企": "soe", "国有独资企业": "soe", "国有控股企业": "soe",
    "行政机关": "agency", "党政机关": "agency", "机关单位": "agency", "事业": "institution",
    "社会团体": "social_org", "民办非企业单位": "social_org", "社会服务机构": "social_org", "基金会": "social_org",
    "群众团体": "social_org", "个体": "individual", "个体户": "individual",
}  # fmt: skip
_LEVEL_SYNONYMS = {
    "市": "city", "市属": "city", "区": "district", "区属": "district", "区县级": "district", "县级": "district",
    "乡镇": "township", "街道": "township", "乡镇级": "township", "街道级": "township",
}  # fmt: skip

_EMPLOYER_FIELDS = (
    "name", "kind", "agency_level", "establishment_size", "is_school", "address", "legal_representative",
)  # fmt: skip
_CONTACT_KEYS = {"contact_name": "name", "contact_title": "title", "contact_phone": "phone", "contact_email": "email"}


def _options(choices: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


@cache
def employer_spec() -> ImportSpec:
    """The units file (built on first use: the code lists' labels are translatable)."""
    return ImportSpec(
        kind=EMPLOYERS,
        title="用人单位",
        columns=(
            Column(
                "uscc",
                "统一社会信用代码",
                core_imports.uscc(),
                required=True,
                aliases=("信用代码", "社会信用代码", "单位信用代码", "纳税人识别号"),
                as_text=True,
                example="911201011234567890",
                help="18位，按国家标准检查校验位；已登记的单位按本行更新",
            ),
            Column(
                "name",
                "单位名称",
                core_imports.text(200),
                required=True,
                aliases=("用人单位名称", "用人单位", "单位", "纳税人名称", "名称"),
                example="天津某某科技有限公司",
            ),
            Column(
                "kind",
                "单位类型",
                core_imports.choice(_options(EmployerKind), synonyms=_KIND_SYNONYMS),
                aliases=("单位性质", "类型"),
                choices=tuple(_options(EmployerKind).values()),
                example="企业",
                help="新登记单位留空时按信用代码前两位判断（11机关、12事业单位、51/52/53社会组织、92个体工商户、91企业）；"
                "国有企业须填写",
            ),
            Column(
                "agency_level",
                "机关层级",
                core_imports.choice(_options(AgencyLevel), synonyms=_LEVEL_SYNONYMS),
                aliases=("层级", "单位层级"),
                choices=tuple(_options(AgencyLevel).values()),
                help="机关必填，其他单位不填",
            ),
            Column(
                "establishment_size",
                "编制数",
                core_imports.integer(0, rules.MAX_ESTABLISHMENT),
                aliases=("核定编制数", "编制人数", "核定编制"),
                help="机关、事业单位必填（核定编制人数），其他单位不填",
            ),
            Column(
                "is_school",
                "中小学或幼儿园",
                core_imports.boolean(),
                aliases=("是否中小学或幼儿园", "是否学校"),
                choices=("是", "否"),
                help="仅事业单位填写；不填视为“否”",
            ),
            Column(
                "district",
                "税务登记区",
                core_imports.text(20),
                required=True,
                aliases=("区", "所属区", "税务登记所在区", "主管税务机关所在区"),
                example="和平区",
                help="区名（如“和平区”或“和平”）或6位行政区划代码；区级经办员只能导入本区单位",
            ),
            Column(
                "industry",
                "行业",
                core_imports.text(80),
                aliases=("所属行业", "行业代码", "国民经济行业"),
                example="I65",
                help="国民经济行业分类（GB/T 4754-2017）门类或大类：代码（如I65或65）或名称（如软件和信息技术服务业）",
            ),
            Column("address", "地址", core_imports.text(200), aliases=("单位地址", "注册地址", "经营地址")),
            Column(
                "legal_representative",
                "法定代表人",
                core_imports.text(60),
                aliases=("法定代表人（负责人）", "负责人", "法人代表", "法人"),
            ),
            Column("contact_name", "联系人", core_imports.text(60), aliases=("联系人姓名",), example="李明"),
            Column("contact_title", "联系人职务", core_imports.text(60), aliases=("职务",), example="人事经理"),
            Column(
                "contact_phone",
                "联系电话",
                core_imports.text(30),
                aliases=("联系人电话", "电话", "手机"),
                as_text=True,
                example="022-23456789",
            ),
            Column("contact_email", "电子邮箱", core_imports.text(254), aliases=("邮箱", "联系人邮箱", "Email")),
        ),
        notes=(
            "已登记的单位（按统一社会信用代码识别）按本行更新；某一格留空表示不修改该项，不会清空已有内容。",
            "单位类型改变时，不适用于新类型的层级、编制数、中小学标志随之清空。",
            "填写联系人时须同时填写联系电话或电子邮箱；与已有联系人同名的按本行更新，否则新增（单位尚无主要联系人时设为主要联系人）。",
            "单位类型与信用代码前两位不一致时仍会导入，单位页面会提示核实。",
        ),
    )


def import_scope_key(actor: Any) -> str:
    """Batches are told apart by the uploader's scope (the same file imported by two districts is
    two imports: each accepts only its own units)."""
    if getattr(actor, "is_city", False):
        return "city"
    ids = actor.scope_district_ids()
    key = ",".join(sorted(District.objects.filter(id__in=ids).values_list("code", flat=True)))
    return key if len(key) <= 40 else "h:" + hashlib.sha256(key.encode()).hexdigest()[:38]


class _Lookups:
    """Districts and industries by name or code, loaded once per import."""

    def __init__(self) -> None:
        self.districts = {d.pk: d for d in District.objects.all()}
        self.district_by_key: dict[str, District] = {}
        for d in self.districts.values():
            for key in (d.code, d.name, d.name.removesuffix("区"), d.name.removesuffix("新区")):
                self.district_by_key.setdefault(key, d)
        self.industry_by_key: dict[str, Industry] = {}
        for ind in Industry.objects.all():
            self.industry_by_key.setdefault(ind.code.upper(), ind)
            self.industry_by_key.setdefault(ind.name, ind)
            if len(ind.code) == 3:  # a division: "65" alone is unambiguous (divisions are numbered 01–97)
                self.industry_by_key.setdefault(ind.code[1:], ind)

    def district(self, value: str) -> District | None:
        return self.district_by_key.get(value.replace(" ", ""))

    def industry(self, value: str) -> Industry | None:
        v = value.replace(" ", "")
        got = self.industry_by_key.get(v.upper()) or self.industry_by_key.get(v)
        if got is None and " " in value.strip():  # "I65 软件和信息技术服务业"
            got = self.industry_by_key.get(value.strip().split()[0].upper())
        return got


@dataclass
class _RowIn:
    index: int
    row: Row
    code: str
    parsed: USCC
    district: District
    industry: Industry | None
    fields: dict[str, Any]  # non-blank employer fields of the row
    contact: dict[str, Any] | None


@dataclass
class _Changes:
    created: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))  # code → {pk: delta}
    updated: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))


def _snapshot(e: Employer) -> dict[str, Any]:
    return {
        "uscc": e.uscc, "name": e.name, "kind": e.kind, "agency_level": e.agency_level,
        "establishment_size": e.establishment_size, "is_school": e.is_school, "district": e.district_id,
        "industry": e.industry_id, "address": e.address, "legal_representative": e.legal_representative,
    }  # fmt: skip


class EmployerImporter:
    """Chunk handler for ``employer_spec()`` (see ``core.imports.ChunkHandler``)."""

    def __init__(self, *, actor: Any, batch: ImportBatch | None = None) -> None:
        self.actor = actor
        self.batch_id = batch.pk if batch is not None else None
        self.allowed = set(actor.scope_district_ids()) if actor is not None else set()
        self.lookups = _Lookups()
        self.seen: dict[str, int] = {}
        names = [d.name for pk, d in self.lookups.districts.items() if pk in self.allowed]
        self.scope_label = scope_label(names)

    def __call__(self, rows: list[Row]) -> list[Outcome]:
        return check_then_write(rows, self._check_row, self._write)

    def _check_row(self, i: int, row: Row) -> _RowIn | list[Problem]:
        v = row.values
        h = employer_spec().header_of
        problems: list[Problem] = []
        parsed: USCC = v["uscc"]
        district = self.lookups.district(v["district"])
        if district is None:
            problems.append(Problem(h("district"), f"未知的区：“{v['district']}”，应填写天津市的区名或6位区划代码"))
        elif district.pk not in self.allowed:
            problems.append(
                Problem(h("district"), f"{district.name}不在您的管辖范围（{self.scope_label or '无'}）内，本行未导入")
            )
        industry = None
        if v["industry"]:
            industry = self.lookups.industry(v["industry"])
            if industry is None:
                problems.append(
                    Problem(
                        h("industry"), f"未知的行业：“{v['industry']}”，应填写国民经济行业分类的门类或大类代码或名称"
                    )
                )
        contact = None
        if any(v[k] for k in _CONTACT_KEYS):
            contact = contact_values({_CONTACT_KEYS[k]: v[k] or "" for k in _CONTACT_KEYS})
            for key, message in contact_errors(contact).items():
                column = {"name": "contact_name", "title": "contact_title", "phone": "contact_phone"}.get(
                    key, "contact_email"
                )
                problems.append(Problem(h(column), message))
        if not problems:
            first = self.seen.setdefault(parsed.code, row.number)
            if first != row.number:
                problems.append(Problem(h("uscc"), f"与本文件第{first}行的统一社会信用代码重复，本行未导入"))
        if problems:
            return problems
        assert district is not None
        fields = {k: v[k] for k in _EMPLOYER_FIELDS if v.get(k) is not None}
        fields["name"] = fields["name"].strip()
        return _RowIn(i, row, parsed.code, parsed, district, industry, fields, contact)

    def _field_problems(self, values: dict[str, Any]) -> list[Problem]:
        h = employer_spec().header_of
        errors = rules.field_errors(
            name=values["name"],
            kind=values["kind"],
            agency_level=values["agency_level"],
            establishment_size=values["establishment_size"],
            is_school=values["is_school"],
        )
        return [Problem(h(k), m) for k, m in errors.items()]

    def _write(self, prepared: list[_RowIn]) -> dict[int, Outcome]:
        h = employer_spec().header_of
        results: dict[int, Outcome] = {}
        existing = {
            e.uscc: e for e in Employer.objects.filter(uscc__in=[r.code for r in prepared]).select_related("district")
        }
        new: list[tuple[_RowIn, Employer]] = []
        changed: dict[int, tuple[_RowIn, Employer, dict[str, Any]]] = {}
        for r in prepared:
            e = existing.get(r.code)
            if e is not None and e.district_id not in self.allowed:
                results[r.index] = [
                    Problem(h("uscc"), f"该单位已在{e.district.name}登记为“{e.name}”，不在您的管辖范围内，本行未导入")
                ]
                continue
            if e is None:
                kind = r.fields.get("kind") or rules.suggested_kind(r.parsed)
                if kind is None:
                    results[r.index] = [Problem(h("kind"), "无法从统一社会信用代码判断单位类型，请填写“单位类型”")]
                    continue
                values = {
                    "uscc": r.code, "name": r.fields["name"], "kind": kind,
                    "agency_level": r.fields.get("agency_level", ""),
                    "establishment_size": r.fields.get("establishment_size"),
                    "is_school": r.fields.get("is_school", False), "district": r.district.pk,
                    "industry": r.industry.pk if r.industry else None, "address": r.fields.get("address", ""),
                    "legal_representative": r.fields.get("legal_representative", ""),
                }  # fmt: skip
                problems = self._field_problems(values)
                if problems:
                    results[r.index] = problems
                    continue
                values["district_id"], values["industry_id"] = values.pop("district"), values.pop("industry")
                new.append((r, Employer(**values)))
                results[r.index] = CREATED
                continue
            before = _snapshot(e)
            after = {**before, **r.fields, "district": r.district.pk}
            if r.industry is not None:
                after["industry"] = r.industry.pk
            if after["kind"] != before["kind"]:
                if after["kind"] != rules.AGENCY and "agency_level" not in r.fields:
                    after["agency_level"] = ""
                if after["kind"] not in rules.ESTABLISHMENT_KINDS and "establishment_size" not in r.fields:
                    after["establishment_size"] = None
                if after["kind"] != rules.INSTITUTION and "is_school" not in r.fields:
                    after["is_school"] = False
            problems = self._field_problems(after)
            if problems:
                results[r.index] = problems
                continue
            delta = audit.diff(before, after)
            for key in delta:
                setattr(e, f"{key}_id" if key in ("district", "industry") else key, after[key])
            changed[e.pk] = (r, e, delta)
            results[r.index] = UPDATED if delta else UNCHANGED
        if not (new or changed):
            return results
        with transaction.atomic():
            Employer.objects.bulk_create([e for _, e in new], batch_size=500)
            updates = [e for _, e, delta in changed.values() if delta]
            if updates:
                Employer.objects.bulk_update(updates, ["district", "industry", *_EMPLOYER_FIELDS], batch_size=500)
            touched = [(r, e, created_delta(_snapshot(e))) for r, e in new]
            touched += [(r, e, delta) for r, e, delta in changed.values()]
            contact_deltas = self._contacts([(r, e) for r, e, _ in touched if r.contact is not None])
            changes = _Changes()
            new_pks = {e.pk for _, e in new}
            for r, e, delta in touched:
                full = {**delta, **contact_deltas.get(e.pk, {})}
                if not full:
                    continue
                group = changes.created if e.pk in new_pks else changes.updated
                group[self.lookups.districts[e.district_id].code][str(e.pk)] = full
                if e.pk not in new_pks:
                    results[r.index] = UPDATED
            self._audit(changes)
        return results

    def _contacts(self, items: list[tuple[_RowIn, Employer]]) -> dict[int, dict[str, Any]]:
        """Add or update the row's contact of each unit; the audit delta per unit."""
        if not items:
            return {}
        by_employer: dict[int, list[EmployerContact]] = defaultdict(list)
        for c in EmployerContact.objects.filter(employer_id__in=[e.pk for _, e in items]).order_by("id"):
            by_employer[c.employer_id].append(c)
        deltas: dict[int, dict[str, Any]] = defaultdict(dict)
        create: list[EmployerContact] = []
        update: list[EmployerContact] = []
        for r, e in items:
            assert r.contact is not None
            contacts = by_employer[e.pk]
            same = next((c for c in contacts if c.name == r.contact["name"]), None)
            if same is None:
                c = EmployerContact(
                    employer=e,
                    name=r.contact["name"],
                    title=r.contact["title"],
                    phone=r.contact["phone"],
                    email=r.contact["email"],
                    is_primary=not any(x.is_primary for x in contacts),
                )
                contacts.append(c)
                create.append(c)
                continue
            given = {k: r.contact[k] for k in ("title", "phone", "email") if r.contact[k]}
            delta = audit.diff({k: getattr(same, k) for k in given}, given)
            if delta:
                for k in delta:
                    setattr(same, k, given[k])
                update.append(same)
                deltas[e.pk].update({f"contact[{same.pk}].{k}": v for k, v in delta.items()})
        EmployerContact.objects.bulk_create(create, batch_size=500)
        if update:
            EmployerContact.objects.bulk_update(update, ["title", "phone", "email"], batch_size=500)
        for c in create:
            values = {k: getattr(c, k) for k in ("name", "title", "phone", "email", "is_primary")}
            deltas[c.employer_id].update(
                {f"contact[{c.pk}].{k}": [None, v] for k, v in values.items() if v not in ("", False)}
            )
        return deltas

    def _audit(self, changes: _Changes) -> None:
        for action, groups in (
            (audit.AuditAction.CREATE, changes.created),
            (audit.AuditAction.UPDATE, changes.updated),
        ):
            verb = "新增" if action == audit.AuditAction.CREATE else "更新"
            for code, employers in groups.items():
                audit.record(
                    action,
                    actor=self.actor,
                    object_type="employers.employer",
                    object_id=f"{IMPORT_OBJECT_PREFIX}{self.batch_id or 0}",
                    object_label=f"批量导入{verb}用人单位{len(employers)}家（导入批次{self.batch_id}）",
                    district_code=code,
                    changes={"batch": self.batch_id, "employers": employers},
                )


# --- entry points -----------------------------------------------------------------------------------


def run_employer_import(batch_id: int) -> ImportBatch:
    """Process one uploaded units file (inline or from the task worker); idempotent.  The uploader's
    district scope is read now, not at upload."""
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id, kind=EMPLOYERS)
    handler = EmployerImporter(actor=batch.uploaded_by, batch=batch)
    return core_imports.process_batch(batch, spec=employer_spec(), handler=handler)


def start_employer_import(
    *, actor: Any, filename: str, data: bytes, inline: bool | None = None
) -> core_imports.Submitted:
    """Accept an uploaded file: the same file again gives the earlier batch (nothing imported);
    otherwise a new batch, imported at once when small (``inline``; default: up to
    ``INLINE_MAX_BYTES``) or by ``run_employer_import_task`` after commit."""
    submitted = core_imports.submit_import(
        spec=employer_spec(), scope_key=import_scope_key(actor), filename=filename, data=data, actor=actor
    )
    if not submitted.created:
        return submitted
    if inline is None:
        inline = len(data) <= INLINE_MAX_BYTES
    if inline:
        return core_imports.Submitted(run_employer_import(submitted.batch.pk), created=True)
    from ablework.employers.tasks import run_employer_import_task

    enqueue: Callable[..., Any] = run_employer_import_task.enqueue
    transaction.on_commit(partial(enqueue, submitted.batch.pk))
    return submitted


def is_running(batch: ImportBatch) -> bool:
    return batch.status in (JobStatus.PENDING, JobStatus.RUNNING)


__all__ = [
    "EMPLOYERS",
    "EmployerImporter",
    "employer_spec",
    "import_scope_key",
    "is_running",
    "run_employer_import",
    "start_employer_import",
]
