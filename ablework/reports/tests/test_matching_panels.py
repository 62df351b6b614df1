"""The assisted employment / training and job-matching panels: the pre-aggregated figures equal direct
counts of the seeded rows (and the apps' own ``coverage`` / ``year_summary``), the pages are scoped (a
district officer sees its district and gets 404 on another's drill-down), and the annual report carries
the panels."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from ablework.assisted import api as assisted_api
from ablework.core.models import District, Street
from ablework.core.scoping import district_scope, unscoped
from ablework.reports import aggregates
from ablework.reports.models import Figure
from ablework.reports.tests.conftest import YEAR
from ablework.training import api as training_api

pytestmark = pytest.mark.django_db

END = date(YEAR, 12, 31)


def M(label: str) -> Any:
    """A model of another app, through the app registry (reports imports only their ``api``)."""
    return apps.get_model(label)


def _aware(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, 10, 0))


@pytest.fixture
def seeded(make_person: Any, make_employer: Any) -> dict[str, Any]:
    hp = District.objects.get(code="120101")
    hx = District.objects.get(code="120103")
    wq = District.objects.get(code="120114")  # a 涉农区
    s0, s1 = list(Street.objects.filter(district=hp).order_by("code")[:2])
    hxs = Street.objects.filter(district=hx).order_by("code").first()
    wqs = Street.objects.filter(district=wq).order_by("code").first()
    person = {
        key: make_person(d.code, name=f"对接{key}", street=st)
        for key, d, st in [("a", hp, s0), ("b", hp, s0), ("c", hp, s1), ("d", hp, s1), ("e", hx, hxs), ("f", wq, wqs),
                           ("g", hp, s0)]
    }  # fmt: skip
    Institution, Participant = M("assisted.Institution"), M("assisted.Participant")
    with unscoped():
        # 和平: an active workstation (s0) and an institution closed in May (s1); 河西: a workstation that
        # starts production only in 2023; 武清 (涉农区): an active workstation.
        ws_hp = Institution.objects.create(name="和平工作站", kind="workstation", district=hp, street=s0,
                                           production_start=date(2021, 1, 1))  # fmt: skip
        closed = Institution.objects.create(name="和平机构", kind="institution", district=hp, street=s1,
                                            status="closed", closed_on=date(YEAR, 5, 1))  # fmt: skip
        Institution.objects.create(name="河西工作站", kind="workstation", district=hx, street=hxs,
                                   production_start=date(YEAR + 1, 6, 1))  # fmt: skip
        ws_wq = Institution.objects.create(name="武清工作站", kind="workstation", district=wq, street=wqs)
        P = Participant.objects.create
        P(institution=ws_hp, district=hp, person=person["a"], joined_on=date(2021, 5, 1), eligible=True)
        P(institution=ws_hp, district=hp, person=person["b"], joined_on=date(YEAR, 3, 1), left_on=date(YEAR, 6, 30),
          status="left", eligible=True)  # fmt: skip
        P(institution=ws_hp, district=hp, person=person["c"], joined_on=date(YEAR + 1, 2, 1))
        P(institution=closed, district=hp, person=person["d"], joined_on=date(YEAR, 1, 10), left_on=date(YEAR, 4, 30),
          status="left")  # fmt: skip
        P(institution=ws_wq, district=wq, person=person["f"], joined_on=date(YEAR, 8, 1), eligible=False)

        # Training: a 2022 course in 和平 (provider in s0): one completed and employed 3 months later, one
        # completed with a certificate and no job, one dropped; a 2021 course (other year); a 2022 course
        # in 河西 with one trainee still enrolled.
        Provider, Course, Enrolment = M("training.Provider"), M("training.Course"), M("training.Enrolment")
        prov_hp = Provider.objects.create(name="和平培训基地", kind="federation_base", district=hp, street=s0)
        prov_hx = Provider.objects.create(name="河西培训学校", kind="private", district=hx, street=hxs)

        def course(prov: Any, start: date, end: date) -> Any:
            return Course.objects.create(provider=prov, district=prov.district, name=f"班{start}", occupation="电商",
                                         start_date=start, end_date=end, capacity=30, year=start.year,
                                         length_class="medium")  # fmt: skip

        c22 = course(prov_hp, date(YEAR, 3, 1), date(YEAR, 4, 30))
        c21 = course(prov_hp, date(YEAR - 1, 3, 1), date(YEAR - 1, 4, 30))
        c22x = course(prov_hx, date(YEAR, 9, 1), date(YEAR, 10, 30))
        E = Enrolment.objects.create
        E(course=c22, district=hp, person=person["a"], enrolled_on=date(YEAR, 2, 1), status="completed",
          completed_on=date(YEAR, 4, 30))  # fmt: skip
        E(course=c22, district=hp, person=person["b"], enrolled_on=date(YEAR, 2, 1), status="completed",
          completed_on=date(YEAR, 4, 30), certificate_kind="skill_level", certificate_no="Z1")  # fmt: skip
        E(course=c22, district=hp, person=person["c"], enrolled_on=date(YEAR, 2, 1), status="dropped")
        E(course=c21, district=hp, person=person["d"], enrolled_on=date(YEAR - 1, 2, 1), status="completed",
          completed_on=date(YEAR - 1, 4, 30))  # fmt: skip
        E(course=c22x, district=hx, person=person["e"], enrolled_on=date(YEAR, 8, 1))
        EmploymentRecord = M("people.EmploymentRecord")
        EmploymentRecord.objects.create(person=person["a"], district=hp, form="quota", start_date=date(YEAR, 7, 20))
        # b held a job since before the course: not "employed after training".
        EmploymentRecord.objects.create(person=person["b"], district=hp, form="quota", start_date=date(2020, 1, 1))

        # Jobs: postings of 2022 (和平 open, 和平 draft: not counted, 河西 targeted), one of 2021.
        Posting, Application, Check = M("jobs.Posting"), M("jobs.Application"), M("jobs.RetentionCheck")
        emp_hp, emp_hx = make_employer("120101"), make_employer("120103")

        def posting(emp: Any, start: date, **kw: Any) -> Any:
            return Posting.objects.create(employer=emp, district=emp.district, title="文员", occupation="office",
                                          valid_from=start, valid_until=date(start.year, 12, 31), **kw)  # fmt: skip

        p_hp = posting(emp_hp, date(YEAR, 2, 1), status="open", headcount=3)
        posting(emp_hp, date(YEAR, 3, 1), status="draft", headcount=5)
        p_hx = posting(emp_hx, date(YEAR, 4, 1), status="closed", headcount=2, source="soe_targeted")
        posting(emp_hx, date(YEAR - 1, 4, 1), status="closed", headcount=9)

        def application(post: Any, who: str, channel: str, created: date, **kw: Any) -> Any:
            app = Application.objects.create(posting=post, person=person[who], district=person[who].district,
                                              channel=channel, **kw)  # fmt: skip
            Application.objects.filter(pk=app.pk).update(created_at=_aware(created))
            return app

        application(p_hx, "a", "applied", date(YEAR, 5, 2))  # a 和平 person applying in 河西: counted in 和平
        hired = application(p_hx, "e", "referred", date(YEAR, 4, 10), status="hired", hired_on=date(YEAR, 5, 1))
        late = application(p_hp, "g", "applied", date(YEAR - 1, 12, 20), status="hired", hired_on=date(YEAR, 1, 15))
        application(p_hp, "d", "referred", date(YEAR, 6, 1), status="rejected")
        application(p_hp, "b", "applied", date(YEAR - 1, 6, 1), status="rejected")  # 2021: not counted
        for app, m, due, checked, result in [
            (hired, 3, date(YEAR, 8, 1), date(YEAR, 8, 3), "in_post"),
            (hired, 6, date(YEAR, 11, 1), date(YEAR, 11, 2), "left"),
            (hired, 12, date(YEAR + 1, 5, 1), None, ""),
            (late, 3, date(YEAR, 4, 15), date(YEAR, 4, 20), "in_post"),
            (late, 6, date(YEAR, 7, 15), date(YEAR, 7, 16), "in_post"),
        ]:
            Check.objects.create(application=app, district=app.district, months=m, due_on=due, checked_on=checked,
                                 result=result)  # fmt: skip
    return {"hp": hp, "hx": hx, "wq": wq, "s0": s0, "s1": s1, "hxs": hxs, "wqs": wqs}


def _figures() -> dict[tuple[Any, ...], Decimal]:
    with unscoped():
        return {
            (f.topic, f.district_id, f.street_id, f.measure): f.value
            for f in Figure.objects.filter(year=YEAR, topic__in=["assisted", "training", "jobs_post", "jobs"])
        }


def _sum(fig: dict[tuple[Any, ...], Decimal], topic: str, measure: str, district_id: int | None = None) -> int:
    return int(
        sum(
            v
            for (t, d, _s, m), v in fig.items()
            if t == topic and m == measure and (district_id is None or d == district_id)
        )
    )


def test_figures_equal_direct_counts(seeded: dict[str, Any]) -> None:
    aggregates.refresh(YEAR)
    fig = _figures()
    hp, hx, s0 = seeded["hp"], seeded["hx"], seeded["s0"]
    with unscoped():
        # Assisted: counted directly from the rows, by the institution's district and street.
        parts = list(M("assisted.Participant").objects.select_related("institution"))
        in_year = Counter(
            (p.district_id, p.institution.street_id) for p in parts if p.joined_on <= END and
            (p.left_on is None or p.left_on >= date(YEAR, 1, 1))
        )  # fmt: skip
        active = Counter(
            (p.district_id, p.institution.street_id) for p in parts if p.joined_on <= END and
            ((p.left_on is None and p.status == "active") or (p.left_on is not None and p.left_on > END))
        )  # fmt: skip
        for (d, s), n in in_year.items():
            assert fig[("assisted", d, s, "participants_year")] == n
        for (d, s), n in active.items():
            assert fig[("assisted", d, s, "participants_active")] == n
        assert _sum(fig, "assisted", "participants_year") == 4  # c joined in 2023
        assert _sum(fig, "assisted", "participants_active") == 2  # a (和平) and f (武清)
        assert fig[("assisted", hp.pk, s0.pk, "eligible_active")] == 1
        assert _sum(fig, "assisted", "joined", hp.pk) == 2
    # Workstations as the assisted app's own coverage KPI counts them on 31 December.
    kpi = {d.code: d for d in assisted_api.coverage(END).districts}
    for d in District.objects.all():
        assert _sum(fig, "assisted", "workstations", d.pk) == kpi[d.code].active_workstations
        assert _sum(fig, "assisted", "institutions", d.pk) == kpi[d.code].active_institutions
    assert kpi["120101"].active_workstations == 1 and kpi["120103"].active_workstations == 0
    # Training: equal to the training app's own year summary in each district's scope.
    for d in (hp, hx):
        with district_scope([d.pk]):
            summary = training_api.year_summary(YEAR)
        for m in ("courses", "enrolled", "completed", "certified", "employed"):
            assert _sum(fig, "training", m, d.pk) == summary[m], (d.code, m)
    assert fig[("training", hp.pk, s0.pk, "completed")] == 2
    assert fig[("training", hp.pk, s0.pk, "employed")] == 1  # b's job started before the course
    assert ("training", hp.pk, s0.pk, "enrolled") in fig and _sum(fig, "training", "enrolled", hp.pk) == 2
    with unscoped():
        # Postings per workplace district (drafts and 2021 left out).
        posts = M("jobs.Posting").objects.filter(valid_from__year=YEAR).exclude(status="draft")
        for d in (hp, hx):
            assert _sum(fig, "jobs_post", "postings", d.pk) == posts.filter(district=d).count()
        assert _sum(fig, "jobs_post", "headcount") == 5 and _sum(fig, "jobs_post", "reserved", hx.pk) == 1
        # Applications and referrals by creation year, hires by hire date, per person's district and street.
        apps_ = list(M("jobs.Application").objects.select_related("person"))
        direct: Counter[tuple[Any, ...]] = Counter()
        for a in apps_:
            key = (a.district_id, a.person.street_id)
            if timezone.localtime(a.created_at).year == YEAR:
                direct[(*key, "applications" if a.channel == "applied" else "referrals")] += 1
            if a.status == "hired" and a.hired_on and a.hired_on.year == YEAR:
                direct[(*key, "hires")] += 1
        for (d, s, measure), n in direct.items():
            assert fig[("jobs", d, s, measure)] == n
        assert _sum(fig, "jobs", "applications") == 1 and _sum(fig, "jobs", "referrals") == 2
        assert _sum(fig, "jobs", "hires") == 2
        assert fig[("jobs", hp.pk, s0.pk, "applications")] == 1  # a applied to a 河西 post: counted in 和平
        checks = list(M("jobs.RetentionCheck").objects.all())
        for mo in (3, 6, 12):
            assert _sum(fig, "jobs", f"ret{mo}_done") == sum(1 for c in checks if c.months == mo and c.checked_on)
            assert _sum(fig, "jobs", f"ret{mo}_kept") == sum(
                1 for c in checks if c.months == mo and c.result == "in_post"
            )
        assert _sum(fig, "jobs", "ret6_kept") == 1 and _sum(fig, "jobs", "ret12_due") == 1
    # Idempotent.
    aggregates.refresh(YEAR)
    assert _figures() == fig


def _chart(html: str, data_id: str) -> dict[str, Any]:
    start = html.index(f'id="{data_id}"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_city_pages_and_drill_down(seeded: dict[str, Any], client: Any, city_admin: Any) -> None:
    aggregates.refresh(YEAR)
    client.force_login(city_admin)
    url_a, url_j = reverse("reports:topic", args=["assisted"]), reverse("reports:topic", args=["jobs"])
    html = client.get(url_a, {"year": YEAR}).content.decode()
    cov = _chart(html, "asst-coverage-data")
    assert len(cov["labels"]) == 16
    agri = District.objects.filter(is_agricultural=True).count()
    assert f"全市{agri}个涉农区中1个已有运营中的辅助性就业工作站，尚未覆盖：" in html
    assert "全市2022年参加辅助性就业4人，其中当年新进入3人" in html
    assert "全市2022年开班2期，培训3人，结业2人，取得证书1人；结业后就业1人，占结业人数的50.0%。" in html
    values = dict(zip(cov["labels"], cov["series"][0]["data"], strict=True))
    assert values["和平区"] == 1 and values["河西区"] == 0 and values["武清区"] == 1
    html = client.get(url_j, {"year": YEAR}).content.decode()
    assert "全市2022年发布岗位2个，招聘5人，其中预留或定向岗位1个。" in html
    assert "全市2022年残疾人求职申请1件，经办人推荐2人次，录用2人。" in html
    assert "全市2022年录用的2人中，入职3个月回访2人、仍在岗100.0%；入职6个月回访2人、仍在岗50.0%。" in html
    assert _chart(html, "job-retention-data")["series"][1]["data"] == [100.0, 50.0, None]
    # 和平区: its streets; then one street (no district-only panels there).
    html = client.get(url_j, {"year": YEAR, "district": "120101"}).content.decode()
    labels = _chart(html, "job-areas-data")["labels"]
    assert labels == [seeded["s0"].name, seeded["s1"].name]
    assert _chart(html, "job-postings-data")["labels"] == ["和平区"]
    page = client.get(url_a, {"year": YEAR, "district": "120101", "street": seeded["s0"].code})
    html = page.content.decode()
    assert page.status_code == 200 and "asst-coverage-data" not in html
    assert _chart(html, "asst-areas-data")["labels"] == [seeded["s0"].name]
    assert f"和平区{seeded['s0'].name}2022年开班1期，培训2人" in html
    html = client.get(url_j, {"year": YEAR, "district": "120101", "street": seeded["s0"].code}).content.decode()
    assert "job-postings-data" not in html and "求职申请1件，经办人推荐0人次，录用1人" in html


def test_district_officer_is_scoped(seeded: dict[str, Any], client: Any, hx_officer: Any) -> None:
    aggregates.refresh(YEAR)
    client.force_login(hx_officer)
    for code, data_id in (("assisted", "trn-areas-data"), ("jobs", "job-areas-data")):
        url = reverse("reports:topic", args=[code])
        html = client.get(url, {"year": YEAR}).content.decode()
        assert "和平" not in html
        assert _chart(html, data_id)["labels"] == [seeded["hxs"].name]
        assert client.get(url, {"year": YEAR, "district": "120101"}).status_code == 404
        assert client.get(url, {"year": YEAR, "district": "120101", "street": seeded["s0"].code}).status_code == 404
        assert client.get(url, {"year": YEAR, "district": "120103", "street": seeded["s0"].code}).status_code == 404
    html = client.get(reverse("reports:topic", args=["assisted"]), {"year": YEAR}).content.decode()
    assert "河西区不是涉农区" in html and "河西区2022年开班1期，培训1人，结业0人" in html
    html = client.get(reverse("reports:topic", args=["jobs"]), {"year": YEAR}).content.decode()
    assert "河西区2022年发布岗位1个，招聘2人" in html and "经办人推荐1人次，录用1人" in html


def test_annual_report_carries_the_panels(seeded: dict[str, Any], hp_officer: Any) -> None:
    from ablework.reports import annual, render

    aggregates.refresh(YEAR)
    aggregates.refresh(YEAR - 1)
    report = annual.get_or_create_report(district=seeded["hp"], year=YEAR, actor=hp_officer)
    figures = annual.live_figures(report)
    sections = {s["code"]: s for s in figures["sections"]}
    assert {"assisted", "jobs"} <= set(sections)
    panels = {p["id"]: p for p in sections["jobs"]["panels"]}
    assert panels["job-postings"]["rows"] == [{"label": "和平区", "cells": ["1", "3", "0"]}]
    items = {c["item"]: c for c in sections["assisted"]["comparison"]}
    assert items["各街道/乡镇职业培训与培训后就业：结业"]["current"] == "2"
    assert items["各街道/乡镇职业培训与培训后就业：结业"]["previous"] == "1"
    assert not any("涉农区" in k and "：涉农区" in k for k in items)  # yes/no columns are not compared
    book = render.render_xlsx(report)
    assert len(book) > 0


def test_count_functions_are_set_based(seeded: dict[str, Any], make_person: Any) -> None:
    """The number of queries of the apps' count functions does not grow with the rows (no per-row query;
    training reads its window parameter once per distinct completion date)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ablework.jobs import api as jobs_api

    def run() -> list[int]:
        counts = []
        for fn in (assisted_api.year_counts, training_api.year_counts, jobs_api.posting_year_counts,
                   jobs_api.matching_year_counts):  # fmt: skip
            with CaptureQueriesContext(connection) as ctx:
                fn(YEAR)
            counts.append(len(ctx.captured_queries))
        return counts

    before = run()
    hp, s0 = seeded["hp"], seeded["s0"]
    with unscoped():
        inst = M("assisted.Institution").objects.get(name="和平工作站")
        course = M("training.Course").objects.get(district=hp, year=YEAR)
        post = M("jobs.Posting").objects.filter(district=hp, status="open").first()
        for i in range(6):
            p = make_person("120101", name=f"加测{i}", street=s0)
            M("assisted.Participant").objects.create(institution=inst, district=hp, person=p,
                                                     joined_on=date(YEAR, 2, 1))  # fmt: skip
            M("training.Enrolment").objects.create(course=course, district=hp, person=p, enrolled_on=date(YEAR, 2, 1),
                                                   status="completed", completed_on=date(YEAR, 4, 30))  # fmt: skip
            M("people.EmploymentRecord").objects.create(person=p, district=hp, form="quota",
                                                        start_date=date(YEAR, 6, 1))  # fmt: skip
            app = M("jobs.Application").objects.create(posting=post, person=p, district=hp, channel="applied",
                                                       status="hired", hired_on=date(YEAR, 6, 1))  # fmt: skip
            M("jobs.RetentionCheck").objects.create(application=app, district=hp, months=3, due_on=date(YEAR, 9, 1))
    assert run() == before
    aggregates.refresh(YEAR)
    fig = _figures()
    assert fig[("assisted", hp.pk, s0.pk, "participants_active")] == 7
    assert fig[("training", hp.pk, s0.pk, "employed")] == 7
    assert fig[("jobs", hp.pk, s0.pk, "hires")] == 7 and fig[("jobs", hp.pk, s0.pk, "ret3_due")] == 7
