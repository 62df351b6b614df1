"""The public-sector rule (policy-rules §12): which agencies and institutions are on the "placed
nobody" list for a data year (levels, 编制 thresholds from the parameter, schools excluded, only
certified and timely declarations count), per district and scoped, progress by year, the Excel export,
and the public disclosure (公示) on the portal: no login, only published years, only certified
placements, no personal data."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from ablework.core.models import AuditLog, PolicyParameter
from ablework.core.policy import PolicyParameterMissing, save_param
from ablework.core.scoping import district_scope, unscoped
from ablework.quota import actions, disclosure, public_sector
from ablework.quota.models import DisclosurePublication
from ablework.quota.tests.helpers import LATE, YEAR, add, declare, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def hp_officer2(make_user: Any) -> Any:
    return make_user("district_officer", "120101")


@pytest.fixture
def units(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any, hp_officer2: Any, make_user: Any
) -> dict[str, Any]:
    """A constructed 2022 dataset (和平 unless said otherwise)."""
    agency, inst = "agency", "institution"
    u = {
        "A": make_employer(name="市级机关A（编制50，未申报）", kind=agency, agency_level="city", establishment_size=50),
        "B": make_employer(name="区级机关B（编制49）", kind=agency, agency_level="district", establishment_size=49),
        "C": make_employer(name="街道机关C（编制100）", kind=agency, agency_level="township", establishment_size=100),
        "D": make_employer(name="事业单位D（编制67，认定未安排）", kind=inst, establishment_size=67),
        "E": make_employer(name="事业单位E（编制66）", kind=inst, establishment_size=66),
        "F": make_employer(name="实验中学F（编制200）", kind=inst, establishment_size=200, is_school=True),
        "G": make_employer(name="事业单位G（编制80，安排1人）", kind=inst, establishment_size=80),
        "H": make_employer("120103", name="河西区级机关H（逾期申报）", kind=agency, agency_level="district",
                           establishment_size=60),
        "I": make_employer(name="企业I（安排1人）"),
        "J": make_employer(name="事业单位J（编制70，未认定）", kind=inst, establishment_size=70),
        "K": make_employer(name="小型事业单位K（编制10，安排1人）", kind=inst, establishment_size=10),
    }  # fmt: skip
    hx_officer_a, hx_officer_b = make_user("district_officer", "120103"), make_user("district_officer", "120103")

    def certify(key: str, persons: int, *, late: bool = False, hx: bool = False) -> None:
        maker, checker = (hx_officer_a, hx_officer_b) if hx else (hp_officer, hp_officer2)
        decl = declare(u[key], maker, campaign, staff="300", wages="30000000")
        for _ in range(persons):
            add(decl, maker, registered("120103" if hx else "120101", level=1, name="李四海"))
        if late:
            submitted(decl, maker, on=LATE)
        else:
            submitted(decl, maker)
        actions.certify_declaration(decl, actor=checker)

    certify("D", 0)
    certify("G", 1)  # one level-1 person (weight 2): 2/300 is below 1.5 %, but one person placed
    certify("H", 1, late=True, hx=True)  # late: "视为未安排" (R3.1)
    certify("I", 1)
    certify("K", 1)
    declare(u["J"], hp_officer, campaign)  # a draft only
    return u


def _names(query: Any, **kw: Any) -> set[str]:
    with unscoped():
        return {e.name for e in query(YEAR, **kw)}


def test_the_list_is_exactly_the_covered_units_that_placed_nobody(units: dict[str, Any]) -> None:
    covered = _names(public_sector.covered_units)
    assert covered == {units[k].name for k in "ADGHJ"}  # B 49 < 50, C township, E 66 < 67, F school, I/K
    assert _names(public_sector.unplaced_units) == {units[k].name for k in "ADHJ"}
    with unscoped():
        rows = {
            r["name"]: r
            for r in public_sector.unit_rows(public_sector.covered_units(YEAR), public_sector.rule_for_year(YEAR))
        }
    assert rows[units["G"].name]["persons"] == 1 and rows[units["G"].name]["status"] == "已安排1人"
    assert rows[units["H"].name]["status"] == "逾期申报（视为未安排）"
    assert rows[units["A"].name]["status"] == "无已认定的年审申报（视为未安排）"
    assert rows[units["D"].name]["status"] == "已认定，未安排残疾人"

    with unscoped():
        summary, total = public_sector.district_summary(YEAR)
    assert [(r.name, r.covered, r.placed, r.unplaced) for r in summary] == [("和平区", 4, 1, 3), ("河西区", 1, 0, 1)]
    assert (total.covered, total.placed, str(total.share)) == (5, 1, "20.0")
    with district_scope([units["A"].district_id]):
        summary, total = public_sector.district_summary(YEAR)
    assert [r.name for r in summary] == ["和平区"] and total.covered == 4


def test_parameter_change_moves_the_thresholds(units: dict[str, Any], city_admin: Any) -> None:
    row = PolicyParameter.objects.get(key="public_sector_rule", valid_from=date(2021, 1, 1))
    row.value = {**row.value, "agency_min_posts": 49, "institution_min_posts": 66}
    save_param(row, actor=city_admin)
    assert _names(public_sector.unplaced_units) == {units[k].name for k in "ABDEHJ"}
    row.value = {**row.value, "exclude_schools": False, "agency_levels": ["city", "district", "township"]}
    save_param(row, actor=city_admin)
    assert _names(public_sector.unplaced_units) == {units[k].name for k in "ABCDEFHJ"}
    # Outside the rule's period there is no list (2020 has no parameter row).
    with pytest.raises(PolicyParameterMissing, match="public_sector_rule"):
        public_sector.rule_for_year(2020)


def test_page_per_district_scoped_progress_and_export(
    client: Any, units: dict[str, Any], city_admin: Any, hp_officer: Any, hx_officer: Any, make_user: Any
) -> None:
    actions.create_campaign(
        actor=None, data_year=2023, declaration_start=date(2024, 3, 1), declaration_end=date(2024, 10, 31)
    )
    client.force_login(city_admin)
    page = client.get(reverse("quota:public_sector_list") + f"?year={YEAR}").content.decode()
    for k in "ADHJ":
        assert units[k].name in page
    for k in "BCEFGIK":
        assert units[k].name not in page
    assert "<caption>2022年度适用单位数" in page and "期限至2025-12-31" in page
    # Progress: 2022 one of five placed; 2023 (no declarations yet) none.
    with unscoped():
        progress = {p.data_year: (p.covered, p.placed, str(p.share)) for p in public_sector.progress_by_year()}
    assert progress == {2022: (5, 1, "20.0"), 2023: (5, 0, "0.0")}
    all_page = client.get(reverse("quota:public_sector_list") + f"?year={YEAR}&show=all").content.decode()
    assert units["G"].name in all_page and "已安排1人" in all_page

    client.force_login(hp_officer)
    page = client.get(reverse("quota:public_sector_list") + f"?year={YEAR}").content.decode()
    assert units["A"].name in page and units["H"].name not in page and "河西区" not in page
    client.force_login(hx_officer)
    page = client.get(reverse("quota:public_sector_list") + f"?year={YEAR}").content.decode()
    assert units["H"].name in page and units["A"].name not in page
    resp = client.get(reverse("quota:public_sector_export") + f"?year={YEAR}")
    assert resp.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert [r[0] for r in sheet[1:]] == [units["H"].name]
    assert sheet[1][9] == "逾期申报（视为未安排）"
    assert AuditLog.objects.filter(action="export", purpose="导出公职单位安置情况").count() == 1

    client.force_login(make_user("street_worker", "120101"))
    assert client.get(reverse("quota:public_sector_list")).status_code == 404
    assert client.get(reverse("quota:public_sector_export") + f"?year={YEAR}").status_code == 404


def test_disclosure_on_the_portal(
    client: Any, units: dict[str, Any], city_admin: Any, hp_officer: Any, campaign: Any, registered: Any,
    hp_officer2: Any, make_employer: Any,
) -> None:  # fmt: skip
    """Nothing is public before the city publishes; the published list holds the agencies and
    institutions with a certified, timely placement (any 编制), unit data only, with the date."""
    assert client.get(reverse("portal:disclosure")).status_code == 200
    assert "暂无已发布的公示" in client.get(reverse("portal:disclosure")).content.decode()
    assert client.get(reverse("portal:disclosure_year", args=[YEAR])).status_code == 404

    client.force_login(hp_officer)
    assert client.post(reverse("quota:disclosure_admin"), {"data_year": YEAR, "action": "publish"}).status_code == 404
    with pytest.raises(disclosure.DisclosureError, match="市级管理员"):
        disclosure.publish_disclosure(actor=hp_officer, data_year=YEAR)
    client.force_login(city_admin)
    admin_page = client.get(reverse("quota:disclosure_admin")).content.decode()
    assert "未发布" in admin_page
    resp = client.post(reverse("quota:disclosure_admin"), {"data_year": YEAR, "action": "publish"})
    assert resp.status_code == 302
    pub = DisclosurePublication.objects.get(data_year=YEAR)
    assert pub.published and pub.published_by == city_admin
    assert AuditLog.objects.filter(object_type="quota.disclosurepublication", purpose="发布公示").count() == 1

    client.logout()
    page = client.get(reverse("portal:disclosure")).content.decode()
    same_year = client.get(reverse("portal:disclosure_year", args=[YEAR])).content.decode()
    assert page.split("<main")[1] == same_year.split("<main")[1]  # the latest year by default
    names = [r["name"] for r in pub.rows]
    assert names == [units["G"].name, units["K"].name]  # 和平, by name; H late, J uncertified, I an enterprise
    for k in "GK":
        assert units[k].name in page
    for k in "ADHIJ":
        assert units[k].name not in page
    assert "<h1>2022年度机关、事业单位安排残疾人就业情况公示</h1>" in page
    assert "<caption>2022年度安排残疾人就业的机关、事业单位名单（共2家）</caption>" in page
    assert f'发布日期：<time datetime="{timezone.localdate(pub.published_at):%Y-%m-%d}">' in page
    assert "李四海" not in page and "身份证" not in page and "120101" not in page  # no personal data or codes
    assert "<td>1</td>" in page and "事业单位" in page and "和平区" in page
    assert "退出" not in page  # an anonymous visitor, no session needed
    assert 'href="/portal/disclosure/"' in client.get(reverse("accounts:login")).content.decode()

    # A unit certified after publication appears only when the city publishes again (a new date).
    later = make_employer(name="事业单位L（后认定）", kind="institution", establishment_size=90)
    decl = declare(later, hp_officer, campaign)
    add(decl, hp_officer, registered(level=3))
    submitted(decl, hp_officer)
    actions.certify_declaration(decl, actor=hp_officer2)
    assert later.name not in client.get(reverse("portal:disclosure")).content.decode()
    disclosure.publish_disclosure(actor=city_admin, data_year=YEAR)
    assert later.name in client.get(reverse("portal:disclosure")).content.decode()

    client.force_login(city_admin)
    client.post(reverse("quota:disclosure_admin"), {"data_year": YEAR, "action": "unpublish"})
    client.logout()
    assert client.get(reverse("portal:disclosure_year", args=[YEAR])).status_code == 404
    assert "暂无已发布的公示" in client.get(reverse("portal:index")).content.decode()
    assert AuditLog.objects.filter(object_type="quota.disclosurepublication", purpose="撤下公示").count() == 1
