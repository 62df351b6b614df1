"""Browser test of the portal's job pages: axe-core finds no violation at all on each page, and a
person finds a job and applies with the keyboard alone (Tab / Enter / typing, no mouse)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ablework.core.models import District
from ablework.core.tests.test_browser import browser, login, page, recorder, run_axe  # noqa: F401
from ablework.jobs import actions
from ablework.jobs.tests import conftest as jobs_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

make_employer = jobs_fixtures.make_employer
make_posting = jobs_fixtures.make_posting
person_user = jobs_fixtures.person_user
register_need = jobs_fixtures.register_need


def _no_violations(page: Any, live_server: Any, label: str) -> None:  # noqa: F811  (page: the fixture's name)
    violations = run_axe(page, live_server)
    detail = [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations]
    assert violations == [], f"axe on {label}: " + "; ".join(detail)


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:  # noqa: F811  (page: the fixture's name)
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reachable with Tab")


def test_find_a_job_and_apply_keyboard_only_and_pages_pass_axe(
    page: Any,  # noqa: F811
    live_server: Any,
    make_person: Callable[..., Any],
    make_employer: Callable[..., Any],
    make_posting: Callable[..., Any],
    register_need: Callable[..., Any],
    person_user: Callable[..., Any],
    city_admin: Any,
) -> None:
    from playwright.sync_api import expect

    employer = make_employer()
    posting = make_posting(employer, title="无障碍文员", accessibility=["step_free", "accessible_toilet"])
    make_posting(employer, title="仓库分拣", occupation="logistics")
    actions.save_directory_entry(None, actor=city_admin, data={"kind": "hr_institution", "name": "和平人力资源中心",
                                 "address": "和平路1号", "district": District.objects.get(code="120101")})  # fmt: skip
    person = register_need(make_person("120101", name="周六"))
    user = person_user(person)

    for url, label in (("/portal/", "门户首页"), ("/portal/jobs/", "找工作"), ("/portal/directories/", "服务机构目录"),
                       ("/portal/fairs/", "招聘专场"), ("/portal/policy/", "政策解读"),
                       (f"/portal/jobs/{posting.pk}/", "岗位详情（未登录）")):  # fmt: skip
        page.goto(live_server.url + url)
        _no_violations(page, live_server, label)

    login(page, live_server, user.username)
    page.goto(live_server.url + "/portal/jobs/")
    # keyboard only from here: search, open the result, apply
    _tab_to(page, "#f-q")
    page.keyboard.type("文员")
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/jobs/?*")
    expect(page.locator("#job-results")).to_contain_text("无障碍文员")
    expect(page.locator("#job-results")).not_to_contain_text("仓库分拣")
    _tab_to(page, "#job-results a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("无障碍文员")
    _no_violations(page, live_server, "岗位详情（已登录）")
    _tab_to(page, "#id_note")
    page.keyboard.type("需要无障碍卫生间")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的求职")
    expect(page.locator("#my-applications")).to_contain_text("无障碍文员")
    expect(page.get_by_role("status")).to_contain_text("已提交申请")
    _no_violations(page, live_server, "我的求职")
