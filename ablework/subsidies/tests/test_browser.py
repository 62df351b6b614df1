"""Browser check of the subsidy pages in Debian Chromium: an employer fills in the application with the
keyboard, gets the accessible error summary, saves, and sees the eligibility explanation; the public
notice on the portal is accessible and masks names.  Reuses the Playwright fixtures of the core test."""

from __future__ import annotations

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
from ablework.subsidies import actions
from ablework.subsidies.enums import ProgrammeKind
from ablework.subsidies.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employer_fills_in_an_application_and_reads_the_explanation(
    page: Any,  # noqa: F811
    live_server: Any,
    programme: Any,
    make_employer: Any,
    make_holder: Any,
    make_user: Any,
) -> None:
    from playwright.sync_api import expect

    from ablework.core import crypto

    prog = programme(ProgrammeKind.INTERNSHIP)
    employer = make_employer(name="和平区演示公司")
    user = make_user("employer_user")
    org = user.organisation
    org.external_ref, org.name = str(employer.pk), employer.name
    org.save(update_fields=["external_ref", "name"])
    intern = make_holder(birth_year=2003)

    login(page, live_server, user.username)
    page.goto(f"{live_server.url}/subsidies/programmes/{prog.pk}/apply/")
    assert_accessible(page, live_server, "补贴申请表")
    page.get_by_label("见习开始日期").fill("2025-09-01")
    page.get_by_label("见习结束日期").fill("2025-03-01")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_be_visible()  # error summary, focused, with links to the fields
    assert not Application.objects.exists()

    page.get_by_label("残疾人证号或身份证号").fill(crypto.decrypt(intern.id_cipher))
    page.get_by_label("见习开始日期").fill("2025-03-01")
    page.get_by_label("见习结束日期").fill("2025-08-31")
    page.get_by_label("每月见习生活补助（元）").fill("2400")
    page.get_by_label("已办理人身意外伤害保险").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("和平区演示公司")
    expect(page.get_by_role("table").first).to_contain_text("见习期3–12个月")
    assert_accessible(page, live_server, "补贴申请详情")
    screenshot(page, "subsidy-application")


def test_public_notice_page_is_accessible_and_masks_names(
    page: Any,  # noqa: F811
    live_server: Any,
    programme: Any,
    make_holder: Any,
    reviewers: dict[str, Any],
    city_admin: Any,
) -> None:
    from playwright.sync_api import expect

    from ablework.subsidies.tests.conftest import pdf

    prog = programme(ProgrammeKind.SELF_EMPLOYMENT)
    app = actions.create_application(prog, actor=reviewers["officer"], person=make_holder(name="赵小红"),
                                     data={"started_on": "2024-01-01"})  # fmt: skip
    actions.add_attachment(app, actor=reviewers["officer"], doc_type="licence", file=pdf())
    actions.submit(app, actor=reviewers["officer"])
    for who in ("street", "reviewer", "city"):
        actions.decide(app, "approve", actor=reviewers[who])
    actions.publish_notice(prog, actor=city_admin)
    page.goto(live_server.url + "/portal/notices/")
    expect(page.get_by_role("table")).to_contain_text("赵**")
    expect(page.get_by_role("table")).not_to_contain_text("赵小红")
    assert_accessible(page, live_server, "补贴公示（门户）")
    page.get_by_role("link", name="提出异议").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("对公示名单提出异议")
    assert_accessible(page, live_server, "异议表单")
