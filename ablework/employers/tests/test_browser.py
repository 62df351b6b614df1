"""Browser check of the registration form (errors, the code/kind warning and its confirmation) and the
unit's page: accessible, same-origin, strict CSP.  Reuses the Playwright fixtures of the core test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ablework.core.tests.test_browser import (  # noqa: F401
    assert_accessible,
    browser,
    login,
    page,
    recorder,
    screenshot,
)
from ablework.employers.tests.factories import code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_with_warning_then_unit_page(
    page: Any,  # noqa: F811
    live_server: Any,
    make_user: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    login(page, live_server, officer.username)
    page.goto(live_server.url + "/employers/new/")
    page.fill("#id_uscc", code("12"))  # a 事业单位 code …
    page.fill("#id_name", "天津市和平区某服务中心")
    page.select_option("#id_kind", "agency")  # … registered as an agency without level or 编制
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("机关须选择层级")
    assert_accessible(page, live_server, "登记用人单位（有错误）")

    page.select_option("#id_agency_level", "district")
    page.fill("#id_establishment_size", "60")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#form-warnings")).to_contain_text("与所选单位类型“机关”不一致")
    assert_accessible(page, live_server, "登记用人单位（请核实）")
    screenshot(page, "employer-form-warning")
    page.get_by_label("我已核实以上提示，仍然保存").check()
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("天津市和平区某服务中心")
    expect(page.locator("#employer-warnings")).to_contain_text("请核实")
    assert_accessible(page, live_server, "用人单位信息")
    screenshot(page, "employer-detail")
