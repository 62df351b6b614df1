"""Browser check of the public disclosure (公示) on the portal — anonymous, accessible, readable without
JavaScript — and of the officers' §12 list and credit-event page: accessible, same-origin, strict CSP.
Reuses the Playwright fixtures of the core test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from ablework.core.tests.test_browser import (  # noqa: F401
    assert_accessible,
    browser,
    login,
    page,
    recorder,
    screenshot,
)
from ablework.quota import actions, credit
from ablework.quota.models import DisclosurePublication
from ablework.quota.tests.helpers import YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_disclosure_page_anonymous_and_without_javascript(
    page: Any,  # noqa: F811
    browser: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from playwright.sync_api import expect

    DisclosurePublication.objects.create(
        data_year=YEAR, published=True, published_at=timezone.now(),
        rows=[{"name": "天津市和平区某服务中心", "kind": "事业单位", "district": "和平区", "persons": 2}],
    )  # fmt: skip
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="机关、事业单位安排残疾人就业情况公示").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2022年度机关、事业单位安排残疾人就业情况公示")
    expect(page.get_by_role("table")).to_contain_text("天津市和平区某服务中心")
    assert_accessible(page, live_server, "公示（门户，未登录）")
    screenshot(page, "portal-disclosure")

    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        plain = context.new_page()
        plain.goto(live_server.url + "/portal/disclosure/")
        expect(plain.locator("caption")).to_contain_text("共1家")
        expect(plain.get_by_role("row").nth(1)).to_contain_text("2")
    finally:
        context.close()


def test_public_sector_list_and_credit_event_pages(
    page: Any,  # noqa: F811
    live_server: Any,
    make_user: Callable[..., Any],
    make_employer: Callable[..., Any],
    monkeypatch: Any,
) -> None:
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    actions.create_campaign(actor=None, data_year=YEAR)
    make_employer("120101", name="和平区某局", kind="agency", agency_level="district", establishment_size=80)
    unit = make_employer("120101", name="挂靠公司")
    monkeypatch.setattr(credit, "today", lambda: date(2023, 11, 15))
    event = credit.create_credit_event(
        unit, actor=officer, data_year=YEAR, kind="FALSE_DECLARATION", description="经核查挂靠残疾人2名"
    )
    credit.send_pre_notice(event, actor=officer)

    login(page, live_server, officer.username)
    page.get_by_role("link", name="公职单位安置情况").click()
    expect(page.locator("#unit-table")).to_contain_text("和平区某局")
    expect(page.locator("#summary-table caption")).to_contain_text("2022年度")
    assert_accessible(page, live_server, "公职单位安置情况")
    screenshot(page, "public-sector-list")

    page.get_by_role("link", name="失信信息").click()
    page.get_by_role("link", name="挂靠公司").click()
    expect(page.locator("#credit-status")).to_have_text("已预先告知（整改期）")
    expect(page.locator("#rectification-due")).to_have_text("2023-12-06")
    assert_accessible(page, live_server, "失信事件")
    screenshot(page, "credit-detail")
