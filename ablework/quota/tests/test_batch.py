"""The levy batch (``quota.batch``): every employer of a data year, the worked examples of R4.8, re-runs
that change nothing, progress on the job, the certified amounts kept, the tax-bureau export scoped by
district and audited, and the cross-checks of R4.7 (an exact oracle on a generated sample; the SQL
statement on PostgreSQL)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ablework.core.enums import JobStatus
from ablework.core.models import AuditLog, District, Job, PolicyParameter
from ablework.core.scoping import unscoped
from ablework.employers.api import Employer
from ablework.quota import actions, batch
from ablework.quota.enums import DeclarationStatus
from ablework.quota.models import Campaign, Declaration, LevyResult
from ablework.quota.tasks import run_levy_batch_task
from ablework.quota.tests.helpers import IN_WINDOW, YEAR, add, declare, submitted
from conftest import make_uscc

pytestmark = pytest.mark.django_db

D = Decimal


def make_declaration(
    employer: Employer,
    campaign: Campaign,
    staff: str,
    wages: str,
    *,
    status: str = DeclarationStatus.CERTIFIED,
    accepted: str | None = "0",
    late: bool = False,
    monthly: list[str] | None = None,
) -> Declaration:
    """A declaration in the state the batch reads (the review itself is tested in test_review.py)."""
    certified = status == DeclarationStatus.CERTIFIED
    with unscoped():
        return Declaration.objects.create(
            employer=employer, campaign=campaign, staff_count=D(staff), total_wages=D(wages), status=status,
            late=late, monthly_staff=monthly, accepted_count=D(accepted) if certified and accepted is not None else None,
            persons_weighted=D(accepted) if certified and accepted is not None else None,
        )  # fmt: skip


@pytest.fixture
def examples(campaign: Campaign, make_employer: Callable[..., Employer]) -> dict[str, Declaration]:
    """R4.8 worked examples (和平 unless said), a declaration in each state, a kind the rules do not
    cover, a 河西 unit, and units without a declaration (one deregistered before the year)."""
    e = make_employer
    decls = {
        "ex1": make_declaration(e(name="例一企业"), campaign, "200", "20000000"),
        "ex2": make_declaration(e(name="例二企业"), campaign, "300", "45000000", accepted="3"),
        "ex3": make_declaration(e(name="例三小微企业"), campaign, "25", "2000000"),
        "ex3b": make_declaration(e(name="例三b事业单位", kind="institution"), campaign, "25", "2000000"),
        "ex4": make_declaration(e(name="例四高工资企业"), campaign, "100", "40000000"),
        "ex5": make_declaration(e(name="例五事业单位", kind="institution", establishment_size=67), campaign, "67", "6030000"),
        "ex6": make_declaration(e(name="例六企业"), campaign, "250", "22500000", accepted="2"),
        # Not certified (submitted): placed none, R3.1 — 4.5 × 150,000 × 90 %.
        "submitted": make_declaration(e(name="待审核企业"), campaign, "300", "45000000", status=DeclarationStatus.SUBMITTED),
        # Certified but late: counted 0 at certification.
        "late": make_declaration(e(name="逾期企业"), campaign, "300", "45000000", accepted="0", late=True),
        # A draft with twelve month-end figures: average 100.5 exactly; W_unit 100,000; required 1.5075.
        "draft": make_declaration(
            e(name="未提交企业"), campaign, "100.5", "10050000", status=DeclarationStatus.DRAFT,
            monthly=["100"] * 6 + ["101"] * 6,
        ),
        "individual": make_declaration(e(name="个体户", kind="individual"), campaign, "40", "2000000"),
        "hexi": make_declaration(e("120103", name="河西企业"), campaign, "200", "20000000"),
    }  # fmt: skip
    e(name="和平未申报单位")
    e("120103", name="河西未申报单位")
    e(name="早已注销单位", status="deregistered", deregistered_on=date(2020, 6, 30))
    return decls


EXPECTED_DUE = {
    "ex1": "270000.00",
    "ex2": "112500.00",
    "ex3": "0.00",
    "ex3b": "27000.00",
    "ex4": "324000.00",
    "ex5": "81405.00",
    "ex6": "141750.00",
    "submitted": "607500.00",
    "late": "607500.00",
    "draft": "135675.00",  # 1.5075 × 100,000 × 90 %
    "hexi": "270000.00",
}


def results() -> dict[int, LevyResult]:
    with unscoped():
        return {r.declaration_id: r for r in LevyResult.objects.all()}


def snapshot() -> dict[int, tuple[Any, ...]]:
    with unscoped():
        return {
            row[0]: row[1:]
            for row in LevyResult.objects.values_list(
                "declaration_id", "id", "collected_on", "weighted_count", "required", "shortfall", "wage_base",
                "gross_levy", "exempt", "rate", "levy_due", "extra_persons", "error", "explanation", "computed_at",
            )
        }  # fmt: skip


# --- the batch ---------------------------------------------------------------------------------------


def test_batch_gives_the_rules_amounts_for_every_employer(examples: dict[str, Declaration], city_admin: Any) -> None:
    job = batch.start_levy_batch(YEAR, actor=city_admin, inline=True, chunk_size=4)
    stored = results()
    assert len(stored) == len(examples)  # one row per declaration; the undeclared have none
    for key, due in EXPECTED_DUE.items():
        r = stored[examples[key].pk]
        assert (key, r.levy_due, r.error) == (key, D(due), "")
    ex2 = stored[examples["ex2"].pk]
    assert (ex2.weighted_count, ex2.required, ex2.shortfall, ex2.wage_base, ex2.gross_levy, ex2.rate) == (
        D(3),
        D("4.5"),
        D("1.5"),
        D("150000.00"),
        D("225000.00"),
        D("0.5"),
    )
    assert stored[examples["ex3"].pk].exempt is True and stored[examples["ex3b"].pk].exempt is False
    assert stored[examples["ex4"].pk].wage_base == D("240000.00")  # capped at 2 × 120,000
    assert stored[examples["ex5"].pk].required == D("1.005")
    draft = stored[examples["draft"].pk]
    assert (draft.required, draft.wage_base) == (D("1.5075"), D("100000.00"))
    assert "单位类型“individual”无效" in stored[examples["individual"].pk].error
    assert stored[examples["individual"].pk].levy_due is None
    # What each row was computed from.
    basis = {k: stored[d.pk].explanation["basis"] for k, d in examples.items()}
    assert (basis["ex1"], basis["submitted"], basis["late"], basis["draft"]) == (
        "certified",
        "not_certified",
        "late",
        "not_submitted",
    )
    assert "视为未安排" in stored[examples["submitted"].pk].explanation["steps"][0]["formula"]

    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 14, 14, 100)
    assert "有申报12家，未申报2家" in job.message and "新增12条" in job.message and "无法计算1条" in job.message
    total = sum(D(v) for v in EXPECTED_DUE.values())
    assert f"应缴纳金额合计{total:,.2f}元" in job.message
    entries = AuditLog.objects.filter(object_type="quota.levyresult")
    assert entries.count() == 3  # one per chunk of 4 declarations
    assert sum(e.changes["created"] for e in entries) == 12
    assert AuditLog.objects.filter(object_type="core.job", object_id=str(job.pk), action="create").exists()


def test_rerun_gives_identical_rows_and_writes_nothing(examples: dict[str, Declaration], city_admin: Any) -> None:
    batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    before, audits = snapshot(), AuditLog.objects.filter(object_type="quota.levyresult").count()
    job = batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    assert snapshot() == before  # same ids, amounts, explanations and computed_at: nothing rewritten
    assert "新增0条，更新0条，无变化12条" in job.message
    assert AuditLog.objects.filter(object_type="quota.levyresult").count() == audits


def test_progress_is_reported_per_chunk(examples: dict[str, Declaration], city_admin: Any) -> None:
    job = batch.create_levy_job(YEAR, actor=city_admin, enqueue=False)
    seen: list[tuple[int, int]] = []
    summary = batch.run_levy_batch(job.pk, YEAR, chunk_size=5, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(5, 14), (10, 14), (12, 14), (14, 14)]  # 12 declarations in chunks of 5, then the 2 undeclared
    assert summary is not None
    assert summary.by_basis == {"certified": 9, "late": 1, "not_certified": 1, "not_submitted": 1}
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 14, 14)
    # A task delivered twice does nothing the second time.
    assert batch.run_levy_batch(job.pk, YEAR) is None


def test_certified_amounts_kept_and_a_corrected_parameter_re_explained(
    campaign: Campaign, make_employer: Callable[..., Employer], registered: Any, hp_officer: Any,
    make_user: Any, employer_user: Any, city_admin: Any,
) -> None:  # fmt: skip
    """R4.8 example 2 through the real review: the batch before certification counts the unit as placed
    none; certification stores the certified amount; the batch afterwards leaves it (and its full
    explanation) as it is — until the social average wage is corrected, when the amount and the
    explanation are redone and the change is audited."""
    employer = make_employer("120101")
    decl = declare(employer, hp_officer, campaign, staff="300", wages="45000000")
    add(decl, hp_officer, registered(level=2))
    add(decl, hp_officer, registered(level=4))
    submitted(decl, employer_user(employer), on=IN_WINDOW)

    batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    assert results()[decl.pk].levy_due == D("607500.00")  # not certified yet: placed none

    actions.certify_declaration(decl, actor=make_user("district_officer", "120101"))
    certified = results()[decl.pk]
    assert certified.levy_due == D("112500.00") and len(certified.explanation["steps"]) > 5
    before = snapshot()
    job = batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    assert snapshot() == before and "无变化1条" in job.message

    PolicyParameter.objects.filter(key="social_avg_wage", valid_from=date(2022, 1, 1)).update(value="60000")
    job = batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    redone = results()[decl.pk]
    # Cap 2 × 60,000 = 120,000 < W_unit 150,000: 1.5 × 120,000 × 50 %.
    assert (redone.wage_base, redone.levy_due) == (D("120000.00"), D("90000.00"))
    assert redone.explanation["basis"] == "certified" and len(redone.explanation["steps"]) > 5
    assert any("按上限计" in s["formula"] for s in redone.explanation["steps"])
    assert "更新1条" in job.message
    entry = AuditLog.objects.filter(object_type="quota.levyresult").order_by("-seq").first()
    assert entry is not None and entry.changes["levy_due_changed"] == {str(decl.pk): ["112500.00", "90000.00"]}


def test_refused_without_campaign_while_running_and_missing_parameter(
    examples: dict[str, Declaration], city_admin: Any
) -> None:
    with pytest.raises(batch.BatchError, match="没有2019年度的年审批次"):
        batch.start_levy_batch(2019, actor=city_admin)
    job = batch.create_levy_job(YEAR, actor=city_admin, enqueue=False)
    with pytest.raises(batch.BatchError, match="正在进行"):
        batch.create_levy_job(YEAR, actor=city_admin, enqueue=False)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)

    PolicyParameter.objects.filter(key="social_avg_wage").delete()
    job = batch.create_levy_job(YEAR, actor=city_admin, enqueue=False)
    with pytest.raises(batch.BatchError, match="social_avg_wage"):
        batch.run_levy_batch(job.pk, YEAR)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "social_avg_wage" in job.message
    assert not results()  # nothing written


def test_started_from_the_page_as_a_task(
    client: Any, examples: dict[str, Declaration], city_admin: Any, hp_officer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from django_tasks_db.models import DBTaskResult

    client.force_login(hp_officer)
    assert client.post(reverse("quota:levy_batch_run"), {"year": YEAR}).status_code == 404
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("quota:levy_batch_run"), {"year": YEAR})
    job = Job.objects.get(kind=batch.job_kind(YEAR))
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job_detail", args=[job.pk])
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [job.pk, YEAR]
    assert job.status == JobStatus.PENDING
    out = run_levy_batch_task.call(job.pk, YEAR)  # what the worker runs
    assert out is not None and out["created"] == 12 and out["undeclared"] == 2
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "14 / 14" in page and "100%" in page


# --- the page and the export -------------------------------------------------------------------------


def _csv(resp: Any) -> list[list[str]]:
    text = b"".join(resp.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_page_shows_the_districts_in_scope(
    client: Any, examples: dict[str, Declaration], city_admin: Any, hp_officer: Any, make_user: Any,
) -> None:  # fmt: skip
    batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    client.force_login(hp_officer)
    page = client.get(reverse("quota:levy_batch")).content.decode()
    assert "和平区" in page and "河西区" not in page and "levy_batch_run" not in page
    assert 'action="/quota/levy/run/"' not in page
    client.force_login(city_admin)
    page = client.get(reverse("quota:levy_batch"), {"year": YEAR}).content.decode()
    assert "和平区" in page and "河西区" in page and 'action="/quota/levy/run/"' in page and "合计" in page
    client.force_login(make_user("employer_user"))
    assert client.get(reverse("quota:levy_batch")).status_code == 404
    assert client.get(reverse("quota:levy_export"), {"year": YEAR}).status_code == 404


def test_export_for_the_tax_bureau_scoped_and_audited(
    client: Any, examples: dict[str, Declaration], city_admin: Any, hp_officer: Any, hx_officer: Any
) -> None:
    with unscoped():
        Employer.objects.filter(pk=examples["ex1"].employer_id).update(name="=HYPERLINK(1)")
    batch.start_levy_batch(YEAR, actor=city_admin, inline=True)

    client.force_login(hp_officer)
    resp = client.get(reverse("quota:levy_export"), {"year": YEAR, "format": "csv"})
    rows = _csv(resp)
    head, body = rows[0], rows[1:]
    assert (
        head[:5] == ["统一社会信用代码", "单位名称", "单位类型", "税务登记区", "数据年度"]
        and head[16] == "应缴纳金额（元）"
    )
    assert {r[3] for r in body} == {"和平区"} and len(body) == 12  # 11 declarations + 1 undeclared of 和平
    by_name = {r[1]: r for r in body}
    ex2 = by_name["例二企业"]
    assert ex2[4:] == [
        "2022",
        "已审核认定",
        "已审核认定",
        "300",
        "45000000.00",
        "3",
        "4.5",
        "1.5",
        "150000.00",
        "225000.00",
        "否",
        "0.5",
        "112500.00",
        "",
    ]
    assert by_name["'=HYPERLINK(1)"][16] == "270000.00"  # formula neutralised
    assert by_name["例三小微企业"][14:17] == ["是", "0", "0.00"]
    assert by_name["待审核企业"][5:7] == ["待区级审核", "未审核认定（视为未安排）"]
    assert by_name["个体户"][16] == "" and "单位类型" in by_name["个体户"][17]
    undeclared = by_name["和平未申报单位"]
    assert undeclared[5] == "未申报" and undeclared[16] == "" and "未申报" in undeclared[17]
    assert "早已注销单位" not in by_name and "河西企业" not in by_name
    entry = AuditLog.objects.filter(action="export", object_type="quota.levyresult").get()
    assert (entry.actor_id, entry.changes["employers"], entry.changes["format"]) == (hp_officer.pk, 12, "csv")

    # 河西's officer cannot reach 和平 by asking for its district code.
    client.force_login(hx_officer)
    assert len(_csv(client.get(reverse("quota:levy_export"), {"year": YEAR, "district": "120101"}))) == 1

    # The city exports all districts, or one; Excel has the same content.
    client.force_login(city_admin)
    resp = client.get(reverse("quota:levy_export"), {"year": YEAR, "format": "xlsx"})
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 1 + 14 and {r[3] for r in sheet[1:]} == {"和平区", "河西区"}
    xl = {r[1]: r for r in sheet[1:]}
    assert xl["例二企业"][16] == 112500 and xl["河西企业"][16] == 270000
    one = _csv(client.get(reverse("quota:levy_export"), {"year": YEAR, "district": "120103"}))
    assert {r[1] for r in one[1:]} == {"河西企业", "河西未申报单位"}


def test_export_before_any_run_says_not_computed(
    client: Any, examples: dict[str, Declaration], hp_officer: Any
) -> None:
    client.force_login(hp_officer)
    body = _csv(client.get(reverse("quota:levy_export"), {"year": YEAR}))[1:]
    assert all(r[16] == "" for r in body)
    assert {r[17] for r in body if r[5] != "未申报"} == {"尚未计算：请先运行保障金批量计算"}


# --- R4.7: every path agrees to the fen ----------------------------------------------------------------


def exact_due(kind: str, num: Fraction, den: int, wages: Fraction, counted: Fraction) -> Decimal | None:
    """An independent oracle in exact fractions with the 2022 parameters (ratio 1.5 %, cap 2 × 120,000,
    tiers 1 % → 50 % / 90 %, enterprises ≤ 30 exempt)."""
    if kind not in ("enterprise", "soe", "agency", "institution", "social_org"):
        return None
    n = num / den
    shortfall = max(n * Fraction(15, 1000) - counted, Fraction(0))
    base = min(wages / n, Fraction(240000))
    if (kind in ("enterprise", "soe") and n <= 30) or shortfall == 0:
        rate = Fraction(0)
    else:
        rate = Fraction(1, 2) if counted >= n / 100 else Fraction(9, 10)
    due = shortfall * base * rate
    return (D(due.numerator) / D(due.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP) if due else D("0.00")


def generated(campaign: Campaign, n: int, seed: int = 7) -> list[tuple[int, str, Fraction, int, Fraction, Fraction]]:
    """``n`` units with awkward figures: repeating averages (month-end figures, decimal staff), wages with
    fen, counts at the 1 % edge and over quota, tiny and capped units."""
    rng = random.Random(seed)
    districts = list(District.objects.order_by("code")[:3])
    kinds = ["enterprise", "enterprise", "enterprise", "soe", "agency", "institution", "social_org", "individual"]
    employers = [
        Employer(uscc=make_uscc(region=districts[i % 3].code), name=f"生成单位{i}", kind=kinds[i % len(kinds)],
                 district=districts[i % 3])
        for i in range(n)
    ]  # fmt: skip
    with unscoped():
        Employer.objects.bulk_create(employers)
        decls, facts = [], []
        for i, e in enumerate(employers):
            monthly = None
            if i % 3 == 0:
                months = [rng.randint(5, 900) for _ in range(12)]
                monthly = [str(m) for m in months]
                num, den = Fraction(sum(months)), 12
                staff = (D(sum(months)) / 12).quantize(D("0.0001"))
            else:
                staff = D(rng.randint(50, 9_000_000)) / 10000 if i % 3 == 1 else D(rng.randint(1, 3000))
                num, den = Fraction(staff), 1
            per_head = rng.choice([rng.randint(30_000, 200_000), rng.randint(230_000, 600_000)])
            wages = (D(per_head) * staff + D(rng.randint(0, 99)) / 100).quantize(D("0.01"))
            counted = D(rng.choice([0, 0, 1, 2, 3, rng.randint(0, 40)]))
            if i % 11 == 0:  # exactly at 1 %
                counted = (staff / 100).quantize(D("0.01")) if den == 1 else counted
            status = rng.choice(
                [DeclarationStatus.CERTIFIED] * 3 + [DeclarationStatus.SUBMITTED, DeclarationStatus.DRAFT]
            )
            certified = status == DeclarationStatus.CERTIFIED
            decls.append(
                Declaration(employer=e, campaign=campaign, staff_count=staff, monthly_staff=monthly, total_wages=wages,
                            status=status, accepted_count=counted if certified else None)
            )  # fmt: skip
            facts.append((e.kind, num, den, Fraction(wages), Fraction(counted) if certified else Fraction(0)))
        Declaration.objects.bulk_create(decls)
    return [(d.pk, *f) for d, f in zip(decls, facts, strict=True)]


def test_generated_sample_agrees_with_exact_arithmetic(campaign: Campaign, city_admin: Any) -> None:
    sample = generated(campaign, 1500)
    batch.start_levy_batch(YEAR, actor=city_admin, inline=True, chunk_size=500)
    stored = results()
    wrong = [
        (pk, stored[pk].levy_due, exact_due(kind, num, den, wages, counted))
        for pk, kind, num, den, wages, counted in sample
        if stored[pk].levy_due != exact_due(kind, num, den, wages, counted)
    ]
    assert wrong == []
    assert sum(1 for pk, *_ in sample if stored[pk].error) == sum(1 for i in range(1500) if i % 8 == 7)  # 个体工商户


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_sql_check_is_refused_on_sqlite(campaign: Campaign) -> None:
    with pytest.raises(batch.BatchError, match="SQLite 没有精确的十进制数类型"):
        batch.levy_sql_check(YEAR)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the SQL cross-check needs exact decimal arithmetic in SQL: PostgreSQL numeric (SQLite has only binary floats)",
)
def test_sql_statement_agrees_with_the_batch_on_every_row(
    campaign: Campaign, examples: dict[str, Declaration], city_admin: Any
) -> None:
    generated(campaign, 1500, seed=11)
    batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    check = batch.levy_sql_check(YEAR)
    assert (check.rows, check.compared, check.mismatches, check.missing, check.examples, check.by_column) == (
        1512,
        1512,
        0,
        0,
        [],
        {},
    )
    # The check notices one fen.
    with unscoped():
        r = LevyResult.objects.get(declaration=examples["ex2"])
        assert r.levy_due is not None
        LevyResult.objects.filter(pk=r.pk).update(levy_due=r.levy_due + D("0.01"))
    check = batch.levy_sql_check(YEAR)
    assert (check.mismatches, check.by_column) == (1, {"levy_due": 1})
    assert check.examples == [
        {"declaration_id": examples["ex2"].pk, "stored_vs_sql": {"levy_due": ["112500.01", "112500.00"]}}
    ]


def test_month_end_average_rounds_an_exact_half_fen_tie_up(
    campaign: Campaign, make_employer: Callable[..., Employer], city_admin: Any
) -> None:
    decl = make_declaration(
        make_employer(kind="institution", establishment_size=120), campaign, "100.1667", "6010010",
        monthly=["100"] * 10 + ["101"] * 2,
    )  # fmt: skip
    batch.start_levy_batch(YEAR, actor=city_admin, inline=True)
    # Nobody placed: gross = staff × 1.5 % × wages ÷ staff = 1.5 % × 6,010,010 = 90,150.15; × 90 % = 81,135.135.
    assert results()[decl.pk].levy_due == D("81135.14")
