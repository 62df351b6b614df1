"""Set-based batch actions of the annual review: the levy of every employer of a data year.

What a run stores (policy-rules R3.1, R3.5, R4.1–R4.7), one ``LevyResult`` per declaration of the campaign:

- certified → computed with the certified weighted count (``accepted_count``; already 0 for a late
  declaration, R3.1) — the same amounts ``actions.certify_declaration`` stores;
- submitted / returned (not certified yet) or still a draft → "placed none" (视为未安排, R3.1: the tax
  bureau levies the full amount), with the staff and wages of the declaration;
- a case the rules cannot compute (e.g. 个体工商户, a kind the levy rules do not cover; twelve month-end
  figures missing) → the row holds the reason in ``error`` and no amount.

Employers of the year with no declaration at all have no staff or wage figure to compute from, and
``LevyResult`` can only hang off a declaration; they are counted here and listed by the export as "未申报"
with no amount (a table change that would store them is proposed in the quota README / to the lead).

How (architecture §5, "batch work is set-based or chunked"): declarations are read in chunks of ids with
``values_list`` (the chunk's declarations, locked, then the stored results of that id range), computed with
``rules.compute_levy(explain=False)`` and the parameters of their district (``parameters.levy_params``,
read once — per district only where a district has parameters of its own), compared with what is
stored, and only new or changed rows are written (``_write``, the one adapter function: on PostgreSQL
``COPY`` for new rows and ``COPY`` into a temporary table + one ``INSERT … ON CONFLICT`` for changed
ones; elsewhere ``bulk_create(update_conflicts=True)``).  So a re-run writes nothing and leaves identical
rows; a run interrupted half-way is completed by the next one.  Each chunk is one transaction that
locks its declarations (a certification of one of them waits for the chunk, so a stale "not certified"
result can never overwrite a fresh certification) and writes one audit entry.

Precision (R4.7): the staff figure is ``Declaration.staff_count_exact()``'s — the month-end figures
averaged by ``rules.average_staff`` (40 digits) when given, else the declared average — and the stored
columns are rounded exactly as ``actions.certify_declaration`` rounds them.  ``levy_sql_check``
(PostgreSQL) computes the same columns in one SQL statement with exact ``numeric`` arithmetic — dividing
only once, by integer division, for each rounded value — and counts the rows that differ from the stored ones.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from ablework.core import audit
from ablework.core.enums import AuditAction, JobStatus
from ablework.core.models import District, Job, PolicyParameter
from ablework.core.money import round_fen
from ablework.core.policy import PolicyParameterMissing
from ablework.core.scoping import unscoped
from ablework.employers import api as employers_api
from ablework.quota import rules
from ablework.quota.actions import levy_fields
from ablework.quota.enums import DeclarationStatus
from ablework.quota.models import Campaign, Declaration, LevyResult
from ablework.quota.parameters import LevyParameterError, levy_params

__all__ = [
    "BASIS_LABELS",
    "BatchError",
    "LevyBatchSummary",
    "SqlCheck",
    "compute_levy_batch",
    "create_levy_job",
    "job_kind",
    "latest_job",
    "levy_sql_check",
    "run_levy_batch",
    "start_levy_batch",
    "undeclared_employers",
]

JOB_KIND = "quota.levy_batch"
DEFAULT_CHUNK = 5000
# A job not heard from for this long is taken as dead (the worker was stopped): it may be started again.
STALE_AFTER = timedelta(minutes=15)
SIX = Decimal("0.000001")
ZERO = Decimal(0)

# What a stored batch row was computed from ("basis", kept in ``LevyResult.explanation["basis"]``).
CERTIFIED = "certified"
LATE = "late"
NOT_CERTIFIED = "not_certified"
NOT_SUBMITTED = "not_submitted"
UNDECLARED = "undeclared"
BASIS_LABELS = {
    CERTIFIED: "已审核认定",
    LATE: "逾期申报（视为未安排）",
    NOT_CERTIFIED: "未审核认定（视为未安排）",
    NOT_SUBMITTED: "申报未提交（视为未安排）",
    UNDECLARED: "未申报",
}
_BASIS_TEXT = {
    CERTIFIED: "按审核认定书的已安排残疾人就业人数（加权）计算（R3.5）",
    LATE: "逾期申报，视为未安排残疾人就业，已安排人数按0计算（R3.1）",
    NOT_CERTIFIED: "申报尚未审核认定，视为未安排残疾人就业，已安排人数按0计算（R3.1）；审核认定后按认定人数重新计算",
    NOT_SUBMITTED: "申报未在申报期内提交，视为未安排残疾人就业，已安排人数按0计算（R3.1）；在职职工人数与工资总额取自填报中的申报",
}

# The stored columns a run computes, in the order of ``_Computed`` and of the chunk query's old values.
_VALUE_COLUMNS = (
    "collected_on", "weighted_count", "required", "shortfall", "wage_base", "gross_levy", "exempt", "rate",
    "levy_due", "extra_persons", "error",
)  # fmt: skip
_WRITE_COLUMNS = ("declaration_id", "data_year", *_VALUE_COLUMNS, "explanation", "computed_at")

_Computed = tuple[Any, ...]  # the values of _VALUE_COLUMNS


class BatchError(ValueError):
    """The batch cannot run (no campaign, a parameter missing, one already running); Chinese message."""


def job_kind(data_year: int) -> str:
    return f"{JOB_KIND}:{data_year}"


def latest_job(data_year: int) -> Job | None:
    return Job.objects.filter(kind=job_kind(data_year)).order_by("-created_at", "-id").first()


@dataclass
class LevyBatchSummary:
    data_year: int
    declarations: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    undeclared: int = 0
    by_basis: dict[str, int] = field(default_factory=dict)
    levy_due_total: Decimal = ZERO
    seconds: float = 0.0
    # Where the time went (wall seconds): reading the chunks, computing, writing (incl. the audit entries).
    phases: dict[str, float] = field(default_factory=lambda: {"read": 0.0, "compute": 0.0, "write": 0.0})

    @property
    def total(self) -> int:
        return self.declarations + self.undeclared

    def message(self) -> str:
        lines = [
            f"{self.data_year}年度共{self.total}家单位：有申报{self.declarations}家，未申报{self.undeclared}家。",
            f"保障金计算结果：新增{self.created}条，更新{self.updated}条，无变化{self.unchanged}条；"
            f"无法计算{self.errors}条（原因见导出“说明”列）。",
            "计算依据：" + "，".join(f"{BASIS_LABELS[b]}{n}家" for b, n in sorted(self.by_basis.items()) if n),
            f"应缴纳金额合计{self.levy_due_total:,.2f}元。",
        ]
        if self.undeclared:
            lines.append("未申报单位没有在职职工人数和工资总额，不能计算金额，已在导出中列为“未申报”。")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "data_year": self.data_year,
            "declarations": self.declarations,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "undeclared": self.undeclared,
            "by_basis": dict(self.by_basis),
            "levy_due_total": str(self.levy_due_total),
            "seconds": round(self.seconds, 3),
            "phases": {k: round(v, 3) for k, v in self.phases.items()},
        }


# --- who is in the batch -------------------------------------------------------------------------------


def undeclared_employers(campaign: Campaign) -> QuerySet[Any]:
    """Employers of the data year (in the caller's scope) without a declaration in ``campaign``: units
    not deregistered before the year began."""
    year_start = date(campaign.data_year, 1, 1)
    # NOT EXISTS (an anti-join), not NOT IN: PostgreSQL runs NOT IN over a subquery that does not fit in
    # work_mem row by row — quadratic, hours at 300,000 employers.
    declared = Declaration._base_manager.filter(campaign=campaign, employer_id=OuterRef("pk"))
    return employers_api.Employer.objects.filter(
        Q(deregistered_on__isnull=True) | Q(deregistered_on__gte=year_start)
    ).filter(~Exists(declared))


def basis_of(status: str, late: bool) -> str:
    if late:
        return LATE
    if status == DeclarationStatus.CERTIFIED:
        return CERTIFIED
    if status == DeclarationStatus.DRAFT:
        return NOT_SUBMITTED
    return NOT_CERTIFIED


def _params_by_district(data_year: int, district_ids: Iterable[int]) -> dict[int, rules.LevyParams]:
    """``levy_params`` of each district; a district without parameter rows of its own gets the city's
    (what ``get_param`` would fall back to anyway), read once."""
    own = set(PolicyParameter.objects.filter(district__isnull=False).values_list("district_id", flat=True))
    out: dict[int, rules.LevyParams] = {}
    city: rules.LevyParams | None = None
    for district in District.objects.filter(pk__in=list(district_ids)).order_by("code"):
        try:
            if district.pk in own:
                out[district.pk] = levy_params(data_year, district)
            else:
                city = city or levy_params(data_year, None)
                out[district.pk] = city
        except (PolicyParameterMissing, LevyParameterError) as exc:
            raise BatchError(f"无法计算{district.name}的保障金：{exc}") from None
    return out


def _campaign(data_year: int) -> Campaign:
    campaign = Campaign.objects.filter(data_year=data_year).first()
    if campaign is None:
        raise BatchError(f"没有{data_year}年度的年审批次，无法批量计算保障金")
    return campaign


# --- computing one row (the rules, rounded as certification stores them) --------------------------------


def compute_row(
    kind: str, staff_count: Decimal, monthly_staff: Sequence[Any] | None, total_wages: Decimal, counted: Decimal,
    params: rules.LevyParams,
) -> _Computed:  # fmt: skip
    """The stored columns (``_VALUE_COLUMNS``) for one declaration: what ``actions.levy_fields`` stores,
    without the explanation.  ``staff_count_exact`` semantics: month-end figures averaged exactly when given."""
    try:
        if monthly_staff:  # the sum over the number of months: exact, never a rounded average (R4.7)
            rules.average_staff([Decimal(str(v)) for v in monthly_staff])  # validates the figures
            staff, divisor = sum((Decimal(str(v)) for v in monthly_staff), Decimal(0)), len(monthly_staff)
        else:
            staff, divisor = staff_count, 1
        case = rules.LevyCase(
            unit_kind=kind, staff_count=staff, staff_divisor=divisor, total_wages=total_wages, accepted_count=counted
        )
        r = rules.compute_levy(case, params, explain=False)
    except rules.LevyInputError as exc:
        return (None, counted, None, None, None, None, False, None, None, None, str(exc)[:300])
    return (
        params.collected_on,
        r.weighted_count.quantize(SIX),
        r.required.quantize(SIX),
        r.shortfall.quantize(SIX),
        round_fen(r.wage_base),
        round_fen(r.gross_levy),
        r.exempt,
        r.rate,
        r.levy_due,
        r.extra_persons.quantize(SIX),
        "",
    )


def _same(old: tuple[Any, ...], new: _Computed) -> bool:
    # Tuples compare item by item with ==; Decimals compare by value (3.000000 == 3), so the stored scale
    # does not matter.
    return old == new


def _basis_explanation(data_year: int, basis: str, counted: Decimal) -> dict[str, Any]:
    return {
        "title": f"残疾人就业保障金批量计算（{data_year}年度数据）",
        "basis": basis,
        "steps": [
            {
                "label": "计算依据",
                "formula": _BASIS_TEXT[basis],
                "value": str(counted),
                "outcome": "met" if basis == CERTIFIED else "not_met",
                "params": [],
            }
        ],
    }


# --- writing -----------------------------------------------------------------------------------------


def _write(new: list[tuple[Any, ...]], changed: list[tuple[Any, ...]]) -> None:
    """Store the ``LevyResult`` rows (``_WRITE_COLUMNS``): ``new`` for declarations without one, ``changed``
    replacing the stored one.  The caller holds the lock on these declarations (nobody else writes them).

    The one adapter: PostgreSQL streams ``new`` straight into the table with ``COPY`` and ``changed``
    through a temporary table and one ``INSERT … ON CONFLICT``, and lets the chunk commit without
    waiting for the disk (see ``_write_postgresql``); other databases use the ORM's
    ``bulk_create(update_conflicts=True)``.
    """
    if connection.vendor == "postgresql":
        _write_postgresql(new, changed)
        return
    rows = new + changed
    if rows:
        objs = [LevyResult(**dict(zip(_WRITE_COLUMNS, row, strict=True))) for row in rows]
        LevyResult.objects.bulk_create(
            objs, update_conflicts=True, unique_fields=["declaration"], update_fields=list(_WRITE_COLUMNS[1:])
        )


def _copy(cursor: Any, table: str, cols: str, rows: list[tuple[Any, ...]]) -> None:
    texts: dict[int, str] = {}  # the explanation dicts are shared by many rows: serialise each once
    with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            explanation = row[-2]
            text = texts.get(id(explanation))
            if text is None:
                text = texts[id(explanation)] = json.dumps(explanation, ensure_ascii=False)
            copy.write_row((*row[:-2], text, row[-1]))


def _write_postgresql(new: list[tuple[Any, ...]], changed: list[tuple[Any, ...]]) -> None:
    q = connection.ops.quote_name
    table = q(LevyResult._meta.db_table)
    cols = ", ".join(q(c) for c in _WRITE_COLUMNS)
    with connection.cursor() as cursor:
        if not (new or changed):
            return
        # The chunk's commit does not wait for its WAL flush (about 50 ms a chunk).  Safe here: a crash can
        # lose only the last chunks' commits — results and their audit entries together — and the job then
        # stays "running", so it is re-run, and the re-run recomputes exactly what is missing; the job's
        # "done" is committed synchronously, which flushes every earlier chunk first.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if new:
            _copy(cursor, table, cols, new)
        if changed:
            updates = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in _WRITE_COLUMNS[1:])
            # Same column types as the table, no constraints; emptied before and after, so chunks run in
            # one transaction (a caller's atomic block) never see each other's rows.
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS quota_levy_batch_rows AS SELECT {cols} FROM {table} WITH NO DATA"  # noqa: S608 - names from the model
            )
            cursor.execute("TRUNCATE quota_levy_batch_rows")
            _copy(cursor, "quota_levy_batch_rows", cols, changed)
            cursor.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM quota_levy_batch_rows "  # noqa: S608 - names from the model
                f"ON CONFLICT ({q('declaration_id')}) DO UPDATE SET {updates}"
            )
            cursor.execute("TRUNCATE quota_levy_batch_rows")


# --- the run -----------------------------------------------------------------------------------------

# A chunk is read with two queries, each with a plan that stays cheap at any table size: the declarations
# (joined to their employer, locked), then the stored results of that id range.  One query with the result
# left-joined made PostgreSQL merge-join from the start of the results' index on every chunk.
_READ = (
    "id", "employer__kind", "employer__district_id", "staff_count", "monthly_staff", "total_wages", "status",
    "late", "accepted_count",
)  # fmt: skip
_READ_OLD = ("declaration_id", "id", *_VALUE_COLUMNS, "old_basis")


def _read_chunk(
    base: QuerySet[Declaration], last_id: int, size: int
) -> tuple[list[tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    chunk = list(base.filter(id__gt=last_id).order_by("id").select_for_update(of=("self",)).values_list(*_READ)[:size])
    if not chunk:
        return chunk, {}
    old = {
        row[0]: row[1:]
        for row in LevyResult._base_manager.filter(declaration_id__gt=last_id, declaration_id__lte=chunk[-1][0])
        .annotate(old_basis=KeyTextTransform("basis", "explanation"))
        .values_list(*_READ_OLD)
    }
    return chunk, old


def compute_levy_batch(
    data_year: int,
    *,
    actor: Any = None,
    job_id: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> LevyBatchSummary:
    """Compute and store the levy of every declaration of ``data_year`` (see the module docstring).

    Idempotent: only rows whose stored values (or, for one not certified, its basis) differ are
    written; a second run reports everything "unchanged".  ``progress(done, total)`` is called after
    each chunk (and the job's ``done``/``total`` updated).  Raises ``BatchError`` before writing anything
    when there is no campaign or a district's parameters are missing or malformed.
    """
    started = time.perf_counter()
    summary = LevyBatchSummary(data_year)
    with unscoped():
        campaign = _campaign(data_year)
        base = Declaration.objects.filter(campaign=campaign)
        summary.declarations = base.count()
        summary.undeclared = undeclared_employers(campaign).count()
        # Every district's parameters, before anything is written: a district's malformed parameter stops
        # the run at once rather than half-way.
        params = _params_by_district(data_year, District.objects.values_list("pk", flat=True))
        total = summary.total
        _job_progress(job_id, 0, total)
        done, last_id, number = 0, 0, 0
        while True:
            with transaction.atomic():
                t0 = time.perf_counter()
                chunk, old = _read_chunk(base, last_id, chunk_size)
                summary.phases["read"] += time.perf_counter() - t0
                if not chunk:
                    break
                number += 1
                last_id = chunk[-1][0]
                _run_chunk(chunk, old, campaign, params, summary, actor=actor, job_id=job_id, number=number)
                done += len(chunk)
                # In the chunk's transaction: the progress shown is exactly what is committed.
                _job_progress(job_id, done, total)
            if progress is not None:
                progress(done, total)
        # Employers without a declaration: nothing to compute or store (see the module docstring).
        done += summary.undeclared
        _job_progress(job_id, done, total)
        if progress is not None:
            progress(done, total)
    summary.seconds = time.perf_counter() - started
    return summary


def _run_chunk(
    chunk: list[tuple[Any, ...]],
    stored: dict[int, tuple[Any, ...]],
    campaign: Campaign,
    params: dict[int, rules.LevyParams],
    summary: LevyBatchSummary,
    *,
    actor: Any,
    job_id: int | None,
    number: int,
) -> None:
    year = campaign.data_year
    now = timezone.now()
    n_values = len(_VALUE_COLUMNS)
    writes: list[tuple[Any, ...]] = []
    creates: list[tuple[Any, ...]] = []
    changed_certified: list[int] = []
    changed_due: dict[str, list[str | None]] = {}
    explanations: dict[tuple[str, Decimal], dict[str, Any]] = {}
    missing = (None,) * (n_values + 2)
    t0 = time.perf_counter()
    for pk, kind, district_id, staff, months, wages, status, late, accepted in chunk:
        before = stored.get(pk, missing)
        old_id, old, old_basis = before[0], before[1 : 1 + n_values], before[1 + n_values]
        basis = basis_of(status, late)
        counted = (accepted or ZERO) if status == DeclarationStatus.CERTIFIED else ZERO
        new = compute_row(kind, staff, months, wages, counted, params[district_id])
        summary.by_basis[basis] = summary.by_basis.get(basis, 0) + 1
        if new[-1]:
            summary.errors += 1
        elif new[8] is not None:
            summary.levy_due_total += new[8]
        if old_id is not None and _same(old, new) and (status == DeclarationStatus.CERTIFIED or old_basis == basis):
            summary.unchanged += 1
            continue
        key = (basis, counted)
        if key not in explanations:
            explanations[key] = _basis_explanation(year, basis, counted)
        row = (pk, year, *new, explanations[key], now)
        if old_id is None:
            creates.append(row)
            continue
        writes.append(row)
        changed_due[str(pk)] = [None if old[8] is None else str(old[8]), None if new[8] is None else str(new[8])]
        if status == DeclarationStatus.CERTIFIED:
            changed_certified.append(len(writes) - 1)
    t1 = time.perf_counter()
    summary.phases["compute"] += t1 - t0
    if changed_certified:
        _full_explanations(writes, changed_certified, params)
    _write(creates, writes)
    created = len(creates)
    summary.created += created
    summary.updated += len(writes)
    if creates or writes:
        ids = ",".join(str(w[0]) for w in creates + writes)
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            object_type="quota.levyresult",
            object_label=f"{year}年度保障金批量计算（第{number}批，{created + len(writes)}条）",
            changes={
                "job": job_id,
                "declarations": len(chunk),
                "created": created,
                "updated": len(writes),
                "written_declaration_ids_sha256": hashlib.sha256(ids.encode()).hexdigest(),
                "first_declaration_id": chunk[0][0],
                "last_declaration_id": chunk[-1][0],
                # Amounts that changed on an existing result (rare: a parameter corrected after certification).
                "levy_due_changed": dict(list(changed_due.items())[:200]),
            },
            purpose="残疾人就业保障金批量计算（R4.1–R4.7）",
        )
    summary.phases["write"] += time.perf_counter() - t1


def _full_explanations(
    writes: list[tuple[Any, ...]], positions: list[int], params: dict[int, rules.LevyParams]
) -> None:
    """A certified declaration whose stored amounts change (a parameter corrected after certification) gets
    the full step-by-step explanation again, as certification wrote it, so its page stays explained."""
    decls = Declaration.objects.select_related("employer", "campaign").in_bulk([writes[i][0] for i in positions])
    for i in positions:
        decl = decls[writes[i][0]]
        fields = levy_fields(decl, decl.accepted_count or ZERO, params[decl.employer.district_id])
        explanation = dict(fields.get("explanation") or {})
        explanation["basis"] = LATE if decl.late else CERTIFIED
        row = list(writes[i])
        row[-2] = explanation
        writes[i] = tuple(row)


def _job_progress(job_id: int | None, done: int, total: int) -> None:
    if job_id is not None:
        Job.objects.filter(pk=job_id).update(done=done, total=total, updated_at=timezone.now())


# --- the job -----------------------------------------------------------------------------------------


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def create_levy_job(data_year: int, *, actor: Any, enqueue: bool = True) -> Job:
    """The progress record (``core.models.Job``) of a levy batch of ``data_year``; with ``enqueue`` the
    task (``tasks.run_levy_batch_task``) is queued when the transaction commits.

    Refused (``BatchError``) when the year has no campaign or a run of the same year is pending or
    running (and was heard from in the last 15 minutes).  The start is audited.
    """
    with transaction.atomic():
        with unscoped():
            _campaign(data_year)
        running = (
            Job.objects.select_for_update()
            .filter(kind=job_kind(data_year), status__in=[JobStatus.PENDING, JobStatus.RUNNING])
            .filter(updated_at__gte=timezone.now() - STALE_AFTER)
            .first()
        )
        if running is not None:
            raise BatchError(f"{data_year}年度保障金批量计算正在进行（任务{running.pk}），请等待完成后再发起")
        job = Job.objects.create(
            kind=job_kind(data_year), label=f"{data_year}年度残疾人就业保障金批量计算", created_by=_user(actor)
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            object_type="core.job",
            object_id=job.pk,
            object_label=job.label,
            changes={"data_year": data_year, "queued": enqueue},
            purpose="发起保障金批量计算",
        )
        if enqueue:
            from ablework.quota.tasks import run_levy_batch_task

            transaction.on_commit(lambda: run_levy_batch_task.enqueue(job.pk, data_year))
    return job


def start_levy_batch(data_year: int, *, actor: Any, inline: bool = False, chunk_size: int = DEFAULT_CHUNK) -> Job:
    """Start the levy batch of ``data_year`` as a task with a progress record (shown by the job page);
    ``inline`` runs it now in this process instead.  Raises ``BatchError`` (see ``create_levy_job``)."""
    job = create_levy_job(data_year, actor=actor, enqueue=not inline)
    if inline:
        run_levy_batch(job.pk, data_year, chunk_size=chunk_size)
        job.refresh_from_db()
    return job


def run_levy_batch(
    job_id: int,
    data_year: int,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> LevyBatchSummary | None:
    """Run the job (the task's body): running → done with the summary as its message, or failed with
    the reason.  A job already done is left as it is (a task delivered twice does nothing)."""
    job = Job.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.status == JobStatus.DONE:
        return None
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, message="", updated_at=timezone.now())
    try:
        summary = compute_levy_batch(
            data_year, actor=job.created_by, job_id=job_id, chunk_size=chunk_size, progress=progress
        )
    except BatchError as exc:
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=str(exc), updated_at=timezone.now())
        raise
    except Exception:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message="批量计算出错，已中止；已保存的结果保留，重新发起即可继续。",
            updated_at=timezone.now(),
        )
        raise
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, message=summary.message(), done=summary.total, total=summary.total,
        updated_at=timezone.now(),
    )  # fmt: skip
    return summary


# --- the SQL cross-check (PostgreSQL) -------------------------------------------------------------------


@dataclass(frozen=True)
class SqlCheck:
    rows: int
    seconds: float  # the one INSERT … SELECT computing every row
    compared: int
    mismatches: int  # rows on both sides with any column different
    missing: int  # rows on one side only
    examples: list[dict[str, Any]]
    by_column: dict[str, int] = field(default_factory=dict)  # rows differing in each column


def _hu2(a: str, b: str) -> str:
    """round(a ÷ b, 0.01) half-up, exactly, for a ≥ 0 and b > 0: one integer division."""
    return f"(div(200 * ({a}) + ({b}), 2 * ({b})) * 0.01)"


def _he6(a: str, b: str) -> str:
    """(a ÷ b) quantized to 1e-6 half-even (Python's default ``quantize``), exactly, for a ≥ 0 and b > 0."""
    q = f"div(1000000 * ({a}), ({b}))"
    r = f"(1000000 * ({a}) - {q} * ({b}))"
    return f"(({q} + CASE WHEN 2 * {r} > ({b}) OR (2 * {r} = ({b}) AND mod({q}, 2) = 1) THEN 1 ELSE 0 END) * 0.000001)"


_SQL_COLUMNS = (
    "declaration_id bigint PRIMARY KEY, collected_on date, weighted_count numeric, required numeric, "
    "shortfall numeric, wage_base numeric, gross_levy numeric, exempt boolean, rate numeric, levy_due numeric, "
    "extra_persons numeric, error text"
)


def levy_sql(*, params_values: str) -> str:
    """The set-based statement: every declaration of the year → the stored columns, in exact ``numeric``.

    ``num / den`` is the annual average staff (the twelve month-end figures ÷ 12, or the declared figure ÷ 1);
    ``s = num × ratio − den × counted`` is den × the shortfall before ``max(…, 0)``.  Each rounded value is
    one exact integer division of exact products (policy-rules R4.7: divide last)."""
    cap_due = _hu2("s * cap * rate", "den")
    avg_due = _hu2("s * w * rate", "num")
    # Only our own expressions are formatted in; every value is a query parameter.
    return f"""
INSERT INTO quota_levy_sql
WITH p (district_id, collected_on, ratio, cap, tiers_on, threshold, rate_hi, rate_lo, exempt_on, max_staff,
        exempt_kinds, whole) AS (VALUES {params_values}),
m AS (
  SELECT dc.id, dc.employer_id, dc.status, dc.accepted_count, dc.staff_count, dc.total_wages, dc.monthly_staff,
         CASE WHEN jsonb_typeof(dc.monthly_staff) = 'array' THEN jsonb_array_length(dc.monthly_staff) ELSE 0 END
           AS n_months
  FROM quota_declaration dc JOIN quota_campaign cp ON cp.id = dc.campaign_id
  WHERE cp.data_year = %(year)s
),
d AS MATERIALIZED (
  SELECT m.id AS decl_id, e.kind, e.district_id, m.total_wages AS w,
         CASE WHEN m.status = %(certified)s THEN COALESCE(m.accepted_count, 0) ELSE 0 END AS cnt,
         m.n_months,
         -- The month-end figures are unpacked only for the declarations that give them.
         CASE WHEN m.n_months > 0 THEN (
           SELECT min(i) FROM jsonb_array_elements_text(m.monthly_staff) WITH ORDINALITY AS t(x, i) WHERE x::numeric < 0
         ) END AS neg_month,
         CASE WHEN m.n_months > 0 THEN (
           SELECT sum(x::numeric) FROM jsonb_array_elements_text(m.monthly_staff) AS t(x)
         ) ELSE m.staff_count END AS num,
         CASE WHEN m.n_months > 0 THEN 12 ELSE 1 END AS den
  FROM m JOIN employers_employer e ON e.id = m.employer_id
),
c AS MATERIALIZED (
  SELECT d.*, p.collected_on, p.ratio, p.cap, p.tiers_on, p.threshold, p.rate_hi, p.rate_lo, p.whole,
    CASE
      WHEN d.n_months > 0 AND d.n_months <> 12 THEN '应填写12个月末在职职工人数，收到' || d.n_months || '个'
      WHEN d.neg_month IS NOT NULL THEN d.neg_month || '月末在职职工人数不能为负数'
      WHEN NOT (d.kind = ANY(%(kinds)s)) THEN '单位类型“' || d.kind || '”无效，应为' || %(kinds_text)s || '之一'
      WHEN d.num <= 0 THEN '在职职工人数必须大于0'
    END AS err,
    d.num * p.ratio - d.den * d.cnt AS s,
    d.w * d.den > p.cap * d.num AS capped,
    p.exempt_on AND d.kind = ANY(p.exempt_kinds) AND d.num <= p.max_staff * d.den AS exempt
  FROM d JOIN p ON p.district_id = d.district_id
),
f AS MATERIALIZED (
  SELECT c.*,
    CASE WHEN c.exempt OR c.s <= 0 THEN 0 WHEN NOT c.tiers_on THEN 1
         WHEN c.cnt * c.den >= c.threshold * c.num THEN c.rate_hi ELSE c.rate_lo END AS rate
  FROM c
)
SELECT decl_id,
  CASE WHEN err IS NULL THEN collected_on END,
  cnt,
  CASE WHEN err IS NULL THEN {_he6("num * ratio", "den")} END,
  CASE WHEN err IS NULL THEN {_he6("greatest(s, 0)", "den")} END,
  CASE WHEN err IS NULL THEN CASE WHEN capped THEN {_hu2("cap", "1")} ELSE {_hu2("w * den", "num")} END END,
  CASE WHEN err IS NULL THEN CASE WHEN s <= 0 THEN 0 WHEN capped THEN {_hu2("s * cap", "den")}
                                  ELSE {_hu2("s * w", "num")} END END,
  err IS NULL AND exempt,
  CASE WHEN err IS NULL THEN rate END,
  CASE WHEN err IS NULL THEN CASE WHEN s <= 0 OR rate = 0 THEN 0 WHEN capped THEN {cap_due} ELSE {avg_due} END END,
  CASE WHEN err IS NULL THEN CASE WHEN s >= 0 THEN 0 WHEN whole THEN div(-s, den) ELSE {_he6("-s", "den")} END END,
  COALESCE(err, '')
FROM f
"""  # noqa: S608


_COMPARE = """
SELECT count(*) FILTER (WHERE l.declaration_id IS NOT NULL AND q.declaration_id IS NOT NULL),
       count(*) FILTER (WHERE l.declaration_id IS NULL OR q.declaration_id IS NULL),
       count(*) FILTER (WHERE l.declaration_id IS NOT NULL AND q.declaration_id IS NOT NULL AND ({differs})),
       {per_column}
FROM quota_levy_sql q
FULL JOIN (SELECT * FROM quota_levyresult WHERE data_year = %(year)s) l ON l.declaration_id = q.declaration_id
"""
_EXAMPLES = """
SELECT q.declaration_id, {pairs}
FROM quota_levy_sql q JOIN quota_levyresult l ON l.declaration_id = q.declaration_id
WHERE {differs}
ORDER BY q.declaration_id LIMIT 5
"""


def levy_sql_check(data_year: int) -> SqlCheck:
    """PostgreSQL only: compute every declaration's stored columns of ``data_year`` in one set-based SQL
    statement (``levy_sql``; parameters from ``levy_params`` per district, exactly as the batch reads
    them) and compare with the stored ``LevyResult`` rows, column by column.

    SQLite is refused (``BatchError``): it has no exact decimal type (its arithmetic is binary floating
    point), so a levy computed in its SQL cannot be exact to the fen (R4.7).
    """
    if connection.vendor != "postgresql":
        raise BatchError("SQL 校核只在 PostgreSQL 上运行：SQLite 没有精确的十进制数类型，无法精确到分（R4.7）")
    with unscoped():
        campaign = _campaign(data_year)
        districts = set(
            Declaration.objects.filter(campaign=campaign).values_list("employer__district_id", flat=True).distinct()
        )
        params = _params_by_district(data_year, districts)
    named: dict[str, Any] = {
        "certified": DeclarationStatus.CERTIFIED,
        "year": data_year,
        "kinds": list(rules.UNIT_KINDS),
        "kinds_text": "、".join(rules.UNIT_KINDS),
    }
    types = ("bigint", "date", "numeric", "numeric", "boolean", "numeric", "numeric", "numeric", "boolean", "numeric",
             "text[]", "boolean")  # fmt: skip
    values_sql = []
    for district_id, p in sorted(params.items()):
        tiers, exemption = p.tiers, p.exemption
        values = (
            district_id, p.collected_on, p.quota_ratio.value, p.social_avg_wage.value * p.cap_multiplier.value,
            tiers is not None, tiers.threshold if tiers else 0, tiers.rate_at_or_above if tiers else 1,
            tiers.rate_below if tiers else 1, exemption is not None, exemption.max_staff if exemption else 0,
            sorted(exemption.kinds) if exemption else [], p.reward_whole_persons.value,
        )  # fmt: skip
        names = []
        for i, (value, sql_type) in enumerate(zip(values, types, strict=True)):
            key = f"d{district_id}_{i}"
            named[key] = value
            names.append(f"%({key})s::{sql_type}")
        values_sql.append(f"({', '.join(names)})")
    if not values_sql:
        return SqlCheck(0, 0.0, 0, 0, 0, [])
    sql = levy_sql(params_values=", ".join(values_sql))
    columns = list(_VALUE_COLUMNS)
    differs = " OR ".join(f"l.{c} IS DISTINCT FROM q.{c}" for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compilation of this many expressions costs seconds and gains nothing on 300,000 rows.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS pg_temp.quota_levy_sql")
        cursor.execute(f"CREATE TEMP TABLE quota_levy_sql ({_SQL_COLUMNS}) ON COMMIT DROP")
        started = time.perf_counter()
        cursor.execute(sql, named)
        seconds = time.perf_counter() - started
        rows = cursor.rowcount
        per_column = ", ".join(
            f"count(*) FILTER (WHERE l.declaration_id IS NOT NULL AND l.{c} IS DISTINCT FROM q.{c})" for c in columns
        )
        cursor.execute(_COMPARE.format(differs=differs, per_column=per_column), {"year": data_year})
        compared, missing, mismatches, *counts = cursor.fetchone()
        by_column = {c: n for c, n in zip(columns, counts, strict=True) if n}
        examples: list[dict[str, Any]] = []
        if mismatches:
            pairs = ", ".join(f"l.{c}, q.{c}" for c in columns)
            cursor.execute(_EXAMPLES.format(pairs=pairs, differs=differs))
            for rec in cursor.fetchall():
                diff = {
                    c: [str(rec[1 + 2 * i]), str(rec[2 + 2 * i])]
                    for i, c in enumerate(columns)
                    if rec[1 + 2 * i] != rec[2 + 2 * i]
                }
                examples.append({"declaration_id": rec[0], "stored_vs_sql": diff})
    return SqlCheck(rows, seconds, compared, mismatches, missing, examples, by_column)
