"""Annual reports: a district officer drafts, fills in and submits the report (figures frozen), the city
reviewer returns or approves it through ``core.workflow``; overdue districts are flagged after the
deadline; PDF (tagged, CJK) and Excel; another district's report is a 404."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ablework.core.models import AuditLog, District, TransitionLog
from ablework.core.scoping import district_scope
from ablework.quota.models import Declaration
from ablework.reports import aggregates, annual, render
from ablework.reports.models import AnnualReport, ReportStatus
from ablework.reports.tests.conftest import YEAR

pytestmark = pytest.mark.django_db


def _start(client: Any, district: str = "120101") -> AnnualReport:
    response = client.post(reverse("reports:annual_start"), {"year": YEAR, "district": district})
    assert response.status_code == 302
    return AnnualReport.objects.model._base_manager.get(district__code=district, year=YEAR)


def test_submit_return_approve(
    review: list[Declaration], client: Any, hp_officer: Any, city_reviewer: Any, make_user: Any
) -> None:
    aggregates.refresh(YEAR)
    aggregates.refresh(YEAR - 1)
    client.force_login(hp_officer)
    report = _start(client)
    url = reverse("reports:annual_detail", args=[report.pk])
    page = client.get(url).content.decode()
    assert "报送截止日期：2022年11月30日" in page
    # Submitting without the overview is refused with a message; nothing changes.
    client.post(reverse("reports:annual_transition", args=[report.pk, "submit"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    client.post(
        url, {"overview": "全年新增就业稳步增长。", "measures": "开展四个一服务。", "problems": "", "next_steps": ""}
    )
    client.post(reverse("reports:annual_transition", args=[report.pk, "submit"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at is not None
    titles = [s["title"] for s in report.figures["sections"]]
    assert "按比例就业年审" in titles and "新增就业" in titles
    review_section = next(s for s in report.figures["sections"] if s["code"] == "review")
    assert review_section["panels"][0]["rows"][0]["label"] == "和平区"
    assert any(c["item"].startswith("2022年度按比例就业年审：已认定") for c in review_section["comparison"])
    # The narrative is locked once submitted.
    client.post(url, {"overview": "改写"})
    report.refresh_from_db()
    assert report.overview == "全年新增就业稳步增长。"
    # The district officer cannot approve their own report; the city reviewer returns it with a reason.
    client.post(reverse("reports:annual_transition", args=[report.pk, "approve"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    client.force_login(city_reviewer)
    client.post(reverse("reports:annual_transition", args=[report.pk, "return"]), {"note": ""})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED  # a return needs a reason
    client.post(reverse("reports:annual_transition", args=[report.pk, "return"]), {"note": "请补充存在的问题"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.figures == {}
    client.force_login(hp_officer)
    client.post(url, {"overview": "全年新增就业稳步增长。", "problems": "岗位不足。"})
    client.post(reverse("reports:annual_transition", args=[report.pk, "submit"]))
    client.force_login(city_reviewer)
    client.post(reverse("reports:annual_transition", args=[report.pk, "approve"]))
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    logs = list(TransitionLog.objects.filter(object_id=str(report.pk)).values_list("transition", flat=True))
    assert logs == ["submit", "return", "submit", "approve"]


def test_overdue_flag(review: list[Declaration], hp_officer: Any) -> None:
    hp = District.objects.get(code="120101")
    hx = District.objects.get(code="120103")
    report = annual.get_or_create_report(district=hp, year=YEAR, actor=hp_officer)
    ids = [hp.pk, hx.pk]

    def flags(today: date) -> dict[str, bool]:
        with district_scope(ids):
            return {r["district"].code: r["overdue"] for r in annual.status_table(YEAR, ids, today=today)}

    assert flags(date(YEAR, 11, 30)) == {"120101": False, "120103": False}
    assert flags(date(YEAR, 12, 1)) == {"120101": True, "120103": True}
    AnnualReport.objects.model._base_manager.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    assert flags(date(YEAR, 12, 1)) == {"120101": False, "120103": True}


def test_city_list_flags_overdue(client: Any, city_admin: Any) -> None:
    client.force_login(city_admin)
    page = client.get(reverse("reports:annual_list"), {"year": YEAR}).content.decode()
    assert "已过截止日期，16 个区逾期未报送" in page
    assert page.count("逾期未报送</span>") == 16


def test_pdf_and_excel(review: list[Declaration], client: Any, hp_officer: Any) -> None:
    aggregates.refresh(YEAR)
    client.force_login(hp_officer)
    report = _start(client)
    client.post(reverse("reports:annual_detail", args=[report.pk]), {"overview": "总体平稳。"})
    response = client.get(reverse("reports:annual_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    report.refresh_from_db()
    raw = render.render_pdf(report, uncompressed=True)
    assert b"StructTreeRoot" in raw and b"/Lang" in raw  # tagged, with the document language
    assert b"NotoSerifCJK" in raw or b"NotoSansCJK" in raw  # the CJK font is embedded
    xlsx = client.get(reverse("reports:annual_xlsx", args=[report.pk]))
    book = CalamineWorkbook.from_filelike(__import__("io").BytesIO(xlsx.content))
    assert "报告" in book.sheet_names and "与上年比较" in book.sheet_names
    rows = book.get_sheet_by_name("报告").to_python()
    assert rows[0][0] == "和平区2022年度执行情况报告" and rows[3][0] == "总体平稳。"
    assert AuditLog.objects.filter(action="export", object_id=str(report.pk)).count() == 2


def test_other_district_report_is_404(review: list[Declaration], client: Any, hp_officer: Any, hx_officer: Any) -> None:
    client.force_login(hp_officer)
    report = _start(client)
    client.force_login(hx_officer)
    for name in ("reports:annual_detail", "reports:annual_pdf", "reports:annual_xlsx"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:annual_transition", args=[report.pk, "submit"])).status_code == 404
    # Nor may they open a report for 和平区.
    assert client.post(reverse("reports:annual_start"), {"year": YEAR, "district": "120101"}).status_code == 404
    page = client.get(reverse("reports:annual_list"), {"year": YEAR}).content.decode()
    assert "和平区" not in page
    # The city summary is for city roles only.
    city = annual.get_or_create_report(district=None, year=YEAR, actor=None)
    assert client.get(reverse("reports:annual_detail", args=[city.pk])).status_code == 404


def test_city_summary_pdf_has_every_district(review: list[Declaration], client: Any, city_admin: Any) -> None:
    aggregates.refresh(YEAR)
    client.force_login(city_admin)
    client.post(reverse("reports:annual_start"), {"year": YEAR})
    city = AnnualReport.objects.model._base_manager.get(district__isnull=True, year=YEAR)
    html = render.report_html(city, {"district_reports": render.city_appendix(YEAR)})
    for d in District.objects.all():
        assert f"{d.name}{YEAR}年度执行情况报告" in html
    assert client.get(reverse("reports:annual_pdf", args=[city.pk])).status_code == 200
