"""Browser check of the search form (htmx, pinyin) and the duplicate comparison page: accessible,
same-origin, strict CSP.  Reuses the Playwright fixtures of the core browser test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ablework.core.tests.test_browser import assert_accessible, browser, login, page, recorder  # noqa: F401
from conftest import make_resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pinyin_search_and_duplicate_comparison(
    page: Any,  # noqa: F811
    live_server: Any,
    make_user: Callable[..., Any],
    make_person: Callable[..., Any],
) -> None:
    from datetime import date

    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    born = date(1980, 5, 5)
    a = make_person("120101", name="单田芳", resident_id=make_resident_id(birth=born, serial=1))
    b = make_person("120101", name="单田芳", resident_id=make_resident_id(birth=born, serial=3))
    make_person("120101", name="丹田")
    login(page, live_server, officer.username)

    page.goto(live_server.url + "/people/")
    page.fill("#f-q", "shantian")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#person-table")).not_to_contain_text("丹田")
    expect(page.locator("#person-table").get_by_role("link", name="单田芳")).to_have_count(2)
    assert "q=shantian" in page.url  # htmx pushed the search into the address bar
    assert_accessible(page, live_server, "残疾人查询（拼音）")

    page.goto(live_server.url + f"/people/duplicates/compare/?a={a.pk}&b={b.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("比对")
    page.get_by_role("button", name="不是同一人").click()
    expect(page.get_by_role("alert")).to_contain_text("请填写判定不是同一人的理由")
    assert_accessible(page, live_server, "疑似重复比对（有错误）")
