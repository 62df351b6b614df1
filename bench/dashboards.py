"""Benchmark of the monitoring dashboards and the annual report (issue 8) at city scale on PostgreSQL.

1. Database: ``BENCH_DASHBOARD_DB`` (default ``ablework_bench``, the database ``bench/run.py`` seeds).  Reused
   when it already holds ≥ ``BENCH_PERSONS`` persons; otherwise created, migrated and seeded with
   ``manage.py seed_demo --persons 500000 --employers 300000`` (≈ 80 s).  ``migrate`` and
   ``load_reference`` run every time (they add the reports tables and parameter rows to an older copy).
2. ``manage.py refresh_reports`` for this year and the two before (the pre-aggregation; timed).
3. In this process, with Django's test client and force-logged-in users (a city administrator and the
   和平区 district officer): every dashboard at each level (city, a district, a street), ``BENCH_REPEAT``
   (30) requests each after two warm-up requests, p50 / p95 / max in ms; beside the same for a trivial
   page (``/healthz``) measured in the same run, as a ratio.  Budget: p95 ≤ 300 ms per dashboard.
4. The city summary report (年度执行情况报告, the city's narrative, figures and the sixteen districts'
   reports) rendered to a tagged PDF: pages and seconds, full and cut to ≥ 30 pages.  Budget: a 30-page
   report in ≤ 20 s.
5. The policy simulation 1.5 % → 1.7 % over every certified declaration of last year (generated with
   COPY and levied by ``manage.py levy_batch`` when the year has none): seconds, and how many live
   recomputations equal the stored levy.

Writes bench/results/dashboards.json; exits 1 when a budget is missed.  ``python bench/dashboards.py``
or ``make bench`` (bench/run.py).
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "dashboards.json"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_DASHBOARD_DB", "ablework_bench")
PERSONS = int(os.environ.get("BENCH_PERSONS", "500000"))
EMPLOYERS = int(os.environ.get("BENCH_EMPLOYERS", "300000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
P95_BUDGET_MS = 300.0
PDF_BUDGET_S = 20.0
PDF_PAGES = 30


def manage(args: list[str], url: str) -> float:
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    # A fixed interpreter and argument list, no shell.
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603
    return time.perf_counter() - started


def prepare_database() -> tuple[str, dict[str, float]]:
    import psycopg
    from psycopg import sql

    url = f"{PG_SERVER}/{PG_DB}"
    timings: dict[str, float] = {}
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone() is not None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DB)))
    persons = 0
    if exists:
        with psycopg.connect(url) as conn:
            has = conn.execute("SELECT to_regclass('people_person') IS NOT NULL").fetchone()
            if has and has[0]:
                row = conn.execute("SELECT count(*) FROM people_person").fetchone()
                persons = row[0] if row else 0
    print(f"[dashboards] database {PG_DB}: {persons:,} persons", file=sys.stderr)
    # BENCH_MIGRATE_APPS="reports" migrates only those apps (a kept database whose other apps' migrations
    # are being rewritten in a working tree); by default everything.
    apps = os.environ.get("BENCH_MIGRATE_APPS", "").split() or [""]
    timings["migrate"] = sum(manage(["migrate", *([a] if a else []), "--noinput", "-v", "0"], url) for a in apps)
    manage(["load_reference"], url)
    if persons < PERSONS:
        timings["seed_demo"] = manage(
            ["seed_demo", f"--persons={PERSONS}", f"--employers={EMPLOYERS}", "--seed=1", "--batch-size=10000"], url
        )
    return url, timings


def ensure_review(url: str, data_year: int) -> dict[str, Any]:
    """An annual review of ``data_year`` for every employer of the database (COPY), unless the year already
    has declarations: 85 % certified (3 % of those late), the rest submitted / returned / drafts; staff
    log-distributed, certified counts around the 1.5 % quota.  Then ``manage.py levy_batch`` stores the
    levy of each (timed).  This is the data the review dashboard and the policy simulation read."""
    import json as _json
    import random
    from datetime import UTC, date, datetime
    from decimal import Decimal

    import psycopg

    rng = random.Random(8)
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM quota_declaration d JOIN quota_campaign c ON c.id = d.campaign_id"
            " WHERE c.data_year = %s",
            [data_year],
        ).fetchone()
        if row and row[0]:
            return {"declarations": row[0], "generated": False}
        conn.execute(
            "INSERT INTO quota_campaign (data_year, declaration_start, declaration_end, status, window_sources,"
            " created_at) VALUES (%s, %s, %s, 'closed', '{}', %s) ON CONFLICT (data_year) DO NOTHING",
            (data_year, date(data_year + 1, 3, 1), date(data_year + 1, 10, 31), now),
        )
        campaign = conn.execute("SELECT id FROM quota_campaign WHERE data_year = %s", [data_year]).fetchone()
        assert campaign is not None
        employers = [r[0] for r in conn.execute("SELECT id FROM employers_employer ORDER BY id")]
        statuses = ("certified",) * 85 + ("submitted",) * 7 + ("returned",) * 3 + ("draft",) * 5
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY quota_declaration (employer_id, campaign_id, staff_count, monthly_staff, total_wages, status,"
                " submitted_at, late, persons_weighted, accepted_count, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for i, employer_id in enumerate(employers):
                staff = max(1, int(math.exp(rng.uniform(0.5, 8.3))))
                monthly = None
                if i % 5 == 0:
                    months = [max(1, staff + rng.randint(-staff // 10 - 1, staff // 10 + 1)) for _ in range(12)]
                    monthly = _json.dumps([str(m) for m in months])
                    staff_dec = (Decimal(sum(months)) / 12).quantize(Decimal("0.0001"))
                else:
                    staff_dec = Decimal(staff)
                wages = (staff_dec * rng.randint(40_000, 300_000)).quantize(Decimal("0.01"))
                status = statuses[rng.randrange(100)]
                late = status == "certified" and rng.random() < 0.03
                weighted = Decimal(int(float(staff_dec) * 0.015 * rng.uniform(0, 1.8)))
                certified = status == "certified"
                copy.write_row((employer_id, campaign[0], staff_dec, monthly, wages, status,
                                None if status == "draft" else now, late, weighted if certified else None,
                                (Decimal(0) if late else weighted) if certified else None, now, now))  # fmt: skip
        conn.commit()
        conn.execute("ANALYZE quota_declaration")
        conn.commit()
    seconds = manage(["levy_batch", str(data_year)], url)
    return {"declarations": len(employers), "generated": True, "levy_batch_seconds": round(seconds, 1)}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure(client: Any, url: str, params: dict[str, Any] | None = None) -> dict[str, float]:
    for _ in range(2):
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise SystemExit(f"GET {url} {params} → {response.status_code}")
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, params or {})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
    }


def main() -> int:
    url, timings = prepare_database()
    year = int(time.strftime("%Y"))
    review = ensure_review(url, year - 1)
    print(f"[dashboards] annual review {year - 1}: {review}", file=sys.stderr)
    years = [year - 2, year - 1, year]
    refresh_args = ["refresh_reports"] + [a for y in years for a in ("--year", str(y))]
    timings["refresh_reports"] = manage(refresh_args, url)

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from ablework.accounts.models import Organisation, User
    from ablework.core.models import District, Street
    from ablework.core.scoping import unscoped
    from ablework.reports import annual, render
    from ablework.reports.dashboards import TOPICS

    setup_test_environment()
    hp = District.objects.get(code="120101")

    def user(name: str, role: str, district: District | None) -> Any:
        org, _ = Organisation.objects.get_or_create(
            name=f"bench-{name}", defaults={"kind": "district" if district else "city", "district": district}
        )
        u, _ = User.objects.get_or_create(username=f"bench_{name}", defaults={"role": role, "organisation": org})
        return u

    city = Client()
    city.force_login(user("city_admin", "city_admin", None))
    officer = Client()
    officer.force_login(user("hp_officer", "district_officer", hp))
    with unscoped():
        from django.db.models import Count

        from ablework.people.api import Person

        busiest = (
            Person.objects.filter(district=hp, street__isnull=False)
            .values("street_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
    street = Street.objects.get(pk=busiest["street_id"]) if busiest else None

    results: list[dict[str, Any]] = []
    baseline = measure(city, reverse("core:healthz"))
    results.append({"page": "baseline /healthz", **baseline})
    results.append({"page": "工作台 (city)", **measure(city, reverse("reports:dashboard"))})
    data_year = year - 1
    for code, spec in TOPICS.items():
        topic_url = reverse("reports:topic", args=[code])
        y = data_year if code in ("review", "public_sector", "subsidies") else year
        results.append({"page": f"{code} city", **measure(city, topic_url, {"year": y})})
        results.append({"page": f"{code} district (officer)", **measure(officer, topic_url, {"year": y})})
        if spec.street_level and street is not None:
            results.append(
                {
                    "page": f"{code} street",
                    **measure(city, topic_url, {"year": y, "district": "120101", "street": street.code}),
                }
            )
    for r in results:
        r["ratio_p95_to_baseline"] = round(r["p95_ms"] / baseline["p95_ms"], 1) if baseline["p95_ms"] else None

    # The city summary report as PDF (narrative + figures + the sixteen districts' reports).
    from weasyprint import HTML

    city_report = annual.get_or_create_report(district=None, year=year, actor=None)
    if not city_report.overview:
        annual.save_narrative(
            city_report, actor=None, overview="（基准测试）" + "全市残疾人就业工作总体平稳。" * 40,
            measures="开展四个一服务。" * 40, problems="岗位供给不足。" * 20, next_steps="继续推进。" * 20,
        )  # fmt: skip
    with unscoped():
        for d in District.objects.all():
            report = annual.get_or_create_report(district=d, year=year, actor=None)
            if not report.overview:
                annual.save_narrative(report, actor=None, overview=f"{d.name}年度执行情况（基准测试）。" * 15,
                                      measures="四个一服务全覆盖。" * 10)  # fmt: skip
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    appendix = render.city_appendix(year)

    def render_report(districts: int) -> tuple[int, int, float]:
        started = time.perf_counter()
        html = render.report_html(city_report, {"district_reports": appendix[:districts]})
        document = HTML(string=html).render(pdf_variant="pdf/ua-1")
        pdf = document.write_pdf(pdf_variant="pdf/ua-1")
        return len(document.pages), len(pdf), time.perf_counter() - started

    # The full city report (sixteen district sections), and the same cut to about 30 pages (the issue's
    # "30-page city report"): the city's part and the first districts' sections.
    pages, size, pdf_seconds = render_report(len(appendix))
    base_pages = render_report(0)[0]
    per_district = max(1.0, (pages - base_pages) / max(1, len(appendix)))
    cut = min(len(appendix), max(0, math.floor((PDF_PAGES - base_pages) / per_district)))
    pages30, size30, seconds30 = render_report(cut)
    while pages30 < PDF_PAGES and cut < len(appendix):  # district sections differ in length
        cut = min(len(appendix), cut + max(1, math.ceil((PDF_PAGES - pages30) / per_district)))
        pages30, size30, seconds30 = render_report(cut)

    # The policy simulation over every certified declaration of the review year: 1.5 % → 1.7 %.
    from ablework.reports import simulation

    started = time.perf_counter()
    sim = simulation.simulate(year - 1, {"quota_ratio": "0.017"})
    sim_seconds = time.perf_counter() - started
    sim_summary = {
        "units": sim["totals"]["units"], "seconds": round(sim_seconds, 1), "compared": sim["compared"],
        "matches_stored": sim["matches_stored"], "live_levy": sim["totals"]["live_levy"],
        "sim_levy": sim["totals"]["sim_levy"], "live_paying": sim["totals"]["live_paying"],
        "sim_paying": sim["totals"]["sim_paying"],
    }  # fmt: skip

    worst = max(r["p95_ms"] for r in results if not r["page"].startswith("baseline"))
    head = f"{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 ÷ baseline':>15}"
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['page']:38} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f} {r['ratio_p95_to_baseline']:15.1f}"
        )
    print(f"\nrefresh_reports ({len(years)} years): {timings['refresh_reports']:.1f} s")
    print(f"city report PDF (16 districts): {pages} pages, {size / 1024:.0f} KiB, {pdf_seconds:.1f} s")
    print(f"city report PDF (cut to {cut} districts): {pages30} pages, {size30 / 1024:.0f} KiB, {seconds30:.1f} s")
    print(
        f"simulation 1.5 % → 1.7 % over {sim_summary['units']:,} certified declarations: {sim_seconds:.1f} s; "
        f"live recomputation equal to the stored levy: {sim_summary['matches_stored']:,} / {sim_summary['compared']:,}; "
        f"levy {sim_summary['live_levy']} → {sim_summary['sim_levy']}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "benchmark": "dashboards",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": PG_DB,
        "persons": PERSONS,
        "employers": EMPLOYERS,
        "repeat": REPEAT,
        "budget": {"p95_ms": P95_BUDGET_MS, "pdf_seconds": PDF_BUDGET_S, "pdf_pages": PDF_PAGES},
        "baseline": "GET /healthz with the same client in the same run",
        "timings_seconds": {k: round(v, 1) for k, v in timings.items()},
        "pages": results,
        "worst_p95_ms": worst,
        "review": review,
        "simulation": sim_summary,
        "pdf": {"pages": pages, "seconds": round(pdf_seconds, 2), "bytes": size},
        "pdf_30_pages": {"districts": cut, "pages": pages30, "seconds": round(seconds30, 2), "bytes": size30},
        "bench_process_peak_mb": round(peak, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"peak memory of this process: {peak:.0f} MB\nwritten {RESULTS.relative_to(ROOT)}")
    pdf_budget = PDF_BUDGET_S * max(1.0, pages30 / PDF_PAGES)
    failed = worst > P95_BUDGET_MS or seconds30 > pdf_budget
    if worst > P95_BUDGET_MS:
        print(f"FAIL: a dashboard's p95 is {worst:.0f} ms (budget {P95_BUDGET_MS:.0f} ms)", file=sys.stderr)
    if seconds30 > pdf_budget:
        print(f"FAIL: the {pages30}-page report took {seconds30:.1f} s (budget {pdf_budget:.0f} s)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
