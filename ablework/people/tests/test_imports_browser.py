"""The import pages in Chromium: upload a spreadsheet with bad rows, see the counts and reasons; axe finds
no serious accessibility problem and the pages keep the strict CSP (fixtures from core's browser test)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ablework.core.tests.test_browser import (  # noqa: F401 - fixtures
    assert_accessible,
    browser,
    login,
    page,
    recorder,
    screenshot,
)
from ablework.people.tests.test_imports import HEAD, mixed_rows, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_uploads_a_district_spreadsheet(
    page: Any,  # noqa: F811
    live_server: Any,
    make_user: Callable[..., Any],
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    upload = tmp_path / "和平区名单.xlsx"
    upload.write_bytes(xlsx(HEAD, mixed_rows()))

    login(page, live_server, officer.username)
    page.get_by_role("link", name="批量导入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("批量导入")
    assert_accessible(page, live_server, "批量导入")
    screenshot(page, "imports-upload")

    page.get_by_label("导入内容").select_option(label="残疾人基本信息")
    page.locator("#id_file").set_input_files(str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("和平区名单.xlsx")
    expect(page.locator("[data-count=created]")).to_have_text("3")
    expect(page.locator("[data-count=error]")).to_have_text("6")
    expect(page.get_by_role("cell", name="户籍区：河西区不在您的管辖范围（和平区）内，本行未导入")).to_be_visible()
    expect(page.get_by_role("link", name="下载错误报告（Excel，6行）")).to_be_visible()
    assert_accessible(page, live_server, "导入结果")
    screenshot(page, "imports-detail")
