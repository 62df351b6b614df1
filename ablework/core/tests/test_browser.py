"""Browser test of the UI shell: axe-core accessibility, same-origin assets, strict CSP, keyboard use.

Drives Debian Chromium through Playwright against pytest-django's live server.  Axe is loaded from our
own static files (``vendor/axe-core``), not injected as inline code, so the page's real Content Security
Policy stays in force while axe runs and any CSP violation shows up in the console log we check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_STATIC = "/static/vendor/axe-core/axe.min.js"
PASSWORD = "Test-pass-2026!"  # the default of the make_user fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An inline <script> that would execute (data blocks such as json_script output are not code).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*type\s*=\s*[\"']application/(?:ld\+)?json)[^>]*>", re.I)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Python playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Recorder:
    """Everything the browser asked for and got back, checked at the end of each test."""

    origin: str
    requests: list[str] = field(default_factory=list)
    documents: list[tuple[str, int, dict[str, str], str]] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Any) -> None:
        self.requests.append(request.url)

    def on_response(self, response: Any) -> None:
        if response.request.resource_type != "document":
            if response.status >= 400:
                self.failed_assets.append(f"{response.status} {response.url}")
            return
        body = ""
        if response.status < 300 or response.status >= 400:
            from playwright.sync_api import Error

            try:
                body = response.text()
            except Error:  # the body may be gone after a quick navigation; the headers still count
                body = ""
        self.documents.append((response.url, response.status, response.all_headers(), body))

    def on_console(self, msg: Any) -> None:
        # Chromium also logs every HTTP error status; pages tested for 403/404 are expected to have one
        # and failed assets are checked from the responses.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.console_errors.append(msg.text)

    def check(self) -> None:
        foreign = sorted({u for u in self.requests if _origin(u) != self.origin and not u.startswith("data:")})
        assert not foreign, "requests to other origins (no CDN allowed):\n" + "\n".join(foreign)
        assert self.documents, "no page was loaded"
        for url, status, headers, body in self.documents:
            csp = headers.get("content-security-policy")
            assert csp, f"{url} ({status}) has no Content-Security-Policy header"
            script_src = _directive(csp, "script-src") or _directive(csp, "default-src")
            assert script_src, f"{url}: CSP has neither script-src nor default-src: {csp}"
            assert "'unsafe-inline'" not in script_src, f"{url}: script-src allows 'unsafe-inline': {csp}"
            assert "'unsafe-eval'" not in script_src, f"{url}: script-src allows 'unsafe-eval': {csp}"
            inline = INLINE_SCRIPT.findall(body)
            assert not inline, f"{url}: inline <script> without src: {inline}"
        assert not self.failed_assets, "assets that failed to load:\n" + "\n".join(self.failed_assets)
        assert not self.console_errors, "browser console errors (CSP violations?):\n" + "\n".join(self.console_errors)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _directive(csp: str, name: str) -> str:
    for part in csp.split(";"):
        words = part.split()
        if words and words[0] == name:
            return " ".join(words[1:])
    return ""


@pytest.fixture
def recorder(live_server: Any) -> Recorder:
    return Recorder(origin=_origin(live_server.url))


@pytest.fixture
def page(browser: Any, recorder: Recorder) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.on("request", recorder.on_request)
    context.on("response", recorder.on_response)
    page = context.new_page()
    page.on("console", recorder.on_console)
    page.on("pageerror", lambda exc: recorder.console_errors.append(f"page error: {exc}"))
    yield page
    context.close()
    recorder.check()


def run_axe(page: Any, live_server: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page; return violations of impact serious or critical."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=live_server.url + AXE_STATIC)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def assert_accessible(page: Any, live_server: Any, label: str) -> None:
    violations = run_axe(page, live_server)
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
            lines.append(f"        {node['html'][:160]}")
    if lines:
        print(f"\naxe on {label} ({page.url}):\n" + "\n".join(lines))
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"axe: serious/critical violations on {label}:\n" + "\n".join(lines)


def screenshot(page: Any, name: str) -> None:
    """Set ABLEWORK_SCREENSHOT_DIR to look at the pages (e.g. /tmp gives /tmp/shot-dashboard.png)."""
    target = os.environ.get("ABLEWORK_SCREENSHOT_DIR")
    if target:
        page.screenshot(path=str(Path(target) / f"shot-{name}.png"), full_page=True)


def login(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('登录')")


def logout(page: Any) -> None:
    with page.expect_navigation():
        page.click("button:has-text('退出')")


def test_shell_pages_accessible_same_origin_strict_csp(
    page: Any, live_server: Any, make_user: Callable[..., Any], make_person: Callable[..., Any]
) -> None:
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    admin = make_user("city_admin")
    person = make_person("120101", name="李明")
    make_person("120101", name="王芳", category=1, level=3)

    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert_accessible(page, live_server, "登录页（未登录）")
    screenshot(page, "login")

    login(page, live_server, officer.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    assert_accessible(page, live_server, "工作台")
    screenshot(page, "dashboard")

    page.goto(live_server.url + "/people/")
    expect(page.get_by_role("link", name="李明")).to_be_visible()
    expect(page.get_by_role("link", name="王芳")).to_be_visible()
    assert_accessible(page, live_server, "残疾人信息列表")
    screenshot(page, "people")

    page.get_by_role("link", name="李明").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("李明")
    assert page.url.endswith(f"/people/{person.pk}/")
    assert_accessible(page, live_server, "个人档案")
    screenshot(page, "person")

    for path, heading in [
        ("/core/inbox/", "消息"),
        ("/accounts/profile/", "个人设置"),
        ("/employers/", "用人单位"),
        ("/core/jobs/", "后台任务"),
        ("/accounts/password/", "修改密码"),
        ("/accounts/otp/", "双因素认证"),
    ]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, live_server, heading)

    # Error pages inside the shell: forbidden (a district officer on a city page) and not found.
    response = page.goto(live_server.url + "/core/policy/")
    assert response is not None and response.status == 403
    assert_accessible(page, live_server, "403")
    response = page.goto(live_server.url + "/people/999999999/")
    assert response is not None and response.status == 404
    assert_accessible(page, live_server, "404")
    screenshot(page, "404")

    logout(page)
    login(page, live_server, admin.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("工作台")
    assert_accessible(page, live_server, "工作台（市级管理员）")

    page.goto(live_server.url + "/core/policy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("政策参数")
    assert_accessible(page, live_server, "政策参数列表")

    for path, heading in [("/core/districts/", "区划与涉农区"), ("/core/audit/", "审计日志")]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, live_server, heading)

    page.goto(live_server.url + "/core/policy/")
    page.locator("table a[href^='/core/policy/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("修改政策参数")
    assert_accessible(page, live_server, "修改政策参数")

    # A form that comes back with errors: the summary is announced and tells what to fix.
    page.fill("#id_value", "不是数字")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存')")
    expect(page.get_by_role("alert")).to_contain_text("取值不是有效的数字或JSON")
    assert_accessible(page, live_server, "修改政策参数（有错误）")
    screenshot(page, "policy-edit-error")


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(
    page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    # Not the login page: Django's AuthenticationForm autofocuses the user name field there.
    officer = make_user("district_officer", "120101")
    login(page, live_server, officer.username)
    for path in ["/", "/people/", "/core/inbox/"]:
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent.trim()]")
        assert focused == ["skip-link", "跳到主要内容"], f"first Tab focused {focused} on {page.url}"
        assert page.evaluate("() => document.activeElement.getBoundingClientRect().left >= 0"), "skip link not shown"
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'")
        assert page.evaluate("() => document.activeElement.tagName") == "MAIN"


def test_large_text_switch(page: Any, live_server: Any, make_user: Callable[..., Any]) -> None:
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    login(page, live_server, officer.username)
    page.goto(live_server.url + "/people/")
    assert "text-large" not in (page.get_attribute("body", "class") or "")
    normal = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    with page.expect_navigation():
        page.get_by_role("link", name="大字号").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\btext-large\b"))
    assert page.url.endswith("/people/"), "the switch returns to the same page"
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") > normal
    assert_accessible(page, live_server, "残疾人信息列表（大字号）")
    screenshot(page, "people-large")
    page.goto(live_server.url + "/")
    expect(page.locator("body")).to_have_class(re.compile(r"\btext-large\b"))  # remembered by cookie
    with page.expect_navigation():
        page.get_by_role("link", name="标准字号").click()
    assert "text-large" not in (page.get_attribute("body", "class") or "")


def test_login_error_summary_is_announced(page: Any, live_server: Any, make_user: Callable[..., Any]) -> None:
    from playwright.sync_api import expect

    officer = make_user("district_officer", "120101")
    login(page, live_server, officer.username, password="wrong-password-1")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("用户名或密码不正确")
    expect(alert).to_be_focused()
    assert_accessible(page, live_server, "登录页（密码错误）")
    # Still on the login page, not logged in.
    assert page.url.startswith(live_server.url + "/accounts/login/")


def test_server_error_page_is_standalone_and_accessible(page: Any, live_server: Any) -> None:
    """500.html renders with no request and no context processors (Django's server_error view), then is
    served by the browser from a real page's origin and headers so axe and the same-origin checks apply."""
    from django.test import RequestFactory
    from django.views.defaults import server_error
    from playwright.sync_api import expect

    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "系统暂时出现错误" in html and "{{" not in html
    assert not INLINE_SCRIPT.findall(html)

    real = page.goto(live_server.url + "/accounts/login/")
    assert real is not None
    csp = real.all_headers()["content-security-policy"]
    page.route(
        live_server.url + "/boom/",
        lambda route: route.fulfill(
            status=500, body=html, headers={"content-type": "text/html; charset=utf-8", "content-security-policy": csp}
        ),
    )
    page.goto(live_server.url + "/boom/")
    expect(page.get_by_role("heading", level=1)).to_have_text("系统暂时出现错误")
    assert_accessible(page, live_server, "500")
    screenshot(page, "500")
