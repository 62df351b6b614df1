"""Browser tour of the registry pages an officer uses every day: each renders, has one h1, passes
axe, and keeps to same-origin resources under the strict CSP (checked by the recorder fixture)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ablework.core.tests.test_browser import assert_accessible, browser, login, page, recorder, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registry_pages_are_accessible(
    page: Any,  # noqa: F811
    live_server: Any,
    make_user: Callable[..., Any],
    make_person: Callable[..., Any],
) -> None:
    from django.db import connection
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101", username="hp01")
    person = make_person("120101", name="曾小红")
    connection.close()  # no idle connection left behind for the PostgreSQL test-database drop
    login(page, live_server, officer.username)

    # Registration form with an error: the summary is announced and says what to fix.
    page.goto(live_server.url + "/people/new/")
    page.fill("#id_resident_id", "12010119800101001")
    page.fill("#id_name", "测试")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存')")
    expect(page.get_by_role("alert")).to_contain_text("身份证号长度应为18位")
    assert_accessible(page, live_server, "登记残疾人（有错误）")

    page.goto(live_server.url + f"/people/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("曾小红")
    expect(page.get_by_role("heading", name="四个一服务", exact=False)).to_be_visible()
    assert_accessible(page, live_server, "个人档案（含四个一与就业困难）")
    screenshot(page, "person-full")

    for path in [
        f"/people/{person.pk}/employment/new/",
        "/people/services/worklist/",
        "/people/services/completion/",
        "/people/difficulty/",
        "/people/students/",
        "/people/duplicates/",
        "/people/corrections/",
        "/people/imports/",
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_accessible(page, live_server, path)
