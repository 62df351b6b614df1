"""Browser check of the officers' job pages: axe-core finds no violation on the posting form (checkbox
groups in fieldsets), the posting with its ranked candidates and their explanations, and the lists."""

from __future__ import annotations

from typing import Any

import pytest

from ablework.core.tests.test_browser import browser, login, page, recorder, run_axe  # noqa: F401
from ablework.jobs.tests import conftest as jobs_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

make_employer = jobs_fixtures.make_employer
make_posting = jobs_fixtures.make_posting
register_need = jobs_fixtures.register_need


def test_officer_job_pages_pass_axe(
    page: Any,  # noqa: F811
    live_server: Any,
    hp_officer: Any,
    make_person: Any,
    make_employer: Any,
    make_posting: Any,
    register_need: Any,
) -> None:
    from playwright.sync_api import expect

    posting = make_posting(make_employer(), title="档案管理员")
    register_need(make_person("120101", name="孙七"), needs=("workstation",))
    login(page, live_server, hp_officer.username)
    for url, label in ((f"/jobs/{posting.pk}/?candidates=1", "岗位与匹配的求职者"), ("/jobs/new/", "发布岗位"),
                       ("/jobs/", "岗位列表"), ("/jobs/applications/", "申请与推荐"), ("/jobs/retention/", "稳岗回访"),
                       ("/jobs/directories/", "服务机构目录")):  # fmt: skip
        page.goto(live_server.url + url)
        if "candidates" in url:
            expect(page.locator("#candidate-table")).to_contain_text("孙七")
            page.locator("#candidate-table summary").first.click()
            expect(page.locator("#candidate-table")).to_contain_text("需要1项，单位提供1项")
        violations = run_axe(page, live_server)
        assert violations == [], f"axe on {label}: " + "; ".join(
            f"{v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in violations
        )
    # the form's errors are announced and tied to the fields
    page.goto(live_server.url + "/jobs/new/")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("岗位名称")
    assert run_axe(page, live_server) == []
