"""Security settings and cross-cutting protections (issue 9): lockout, CSRF, CSP and templates, session
expiry, TOTP for city administrators in production, ``check --deploy``, export formula injection, uploads."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ablework.core.files import MAX_DOCUMENT_BYTES, document_problem, neutralise, xlsx_bytes

ROOT = Path(__file__).resolve().parents[3]


def production_env(**extra: str) -> dict[str, str]:
    """The environment docs/operations.md prescribes for production (fresh random secrets)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        ABLEWORK_DEMO="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ID_ENCRYPTION_KEY=base64.b64encode(os.urandom(32)).decode(),
        ID_LOOKUP_KEY=base64.b64encode(os.urandom(32)).decode(),
        ALLOWED_HOSTS="ablework.example.cn",
        BEHIND_TLS_PROXY="1",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:///var/test_ops_deploy.sqlite3"),
    )
    env.update(extra)
    return env


# --- deployment settings --------------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_https_cookies_and_totp() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_SSL_REDIRECT, s.ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN, s.DEBUG)"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["True", "True", "True", "True", "True", "False"], out.stderr


def test_production_refuses_to_start_without_the_id_keys() -> None:
    env = production_env()
    del env["ID_LOOKUP_KEY"]
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode != 0 and "ID_LOOKUP_KEY is required outside demo mode" in out.stderr


def test_session_expires_after_idle_time_and_with_the_browser() -> None:
    assert django_settings.SESSION_COOKIE_AGE <= 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST and django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert django_settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_idle_session_is_logged_out(client: Client, hp_officer: Any, settings: Any) -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(hp_officer)
    assert client.get("/people/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login")


@pytest.mark.django_db
def test_city_admin_without_totp_is_held_at_the_second_factor(client: Client, city_admin: Any, settings: Any) -> None:
    settings.ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN = True
    client.force_login(city_admin)
    for url in ("/people/", "/core/audit/", "/reports/monitor/", "/exchange/clients/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/otp/", url


# --- login lockout ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lockout_after_five_failures_even_with_the_right_password(hp_officer: Any) -> None:
    client = Client(enforce_csrf_checks=False)
    for attempt in range(1, 6):
        response = client.post("/accounts/login/", {"username": hp_officer.username, "password": "wrong-Pass-1!"})
        assert response.status_code == (429 if attempt == 5 else 200), attempt  # the 5th failure locks
    locked = client.post("/accounts/login/", {"username": hp_officer.username, "password": "Test-pass-2026!"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert django_settings.AXES_FAILURE_LIMIT == 5


# --- CSRF -------------------------------------------------------------------------------------------------

CSRF_FORMS = ["/accounts/login/", "/people/new/", "/core/text-size/", "/quota/declarations/new/", "/jobs/new/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", CSRF_FORMS)
def test_post_without_csrf_token_is_refused(url: str, hp_officer: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    if not url.startswith("/accounts/"):
        client.force_login(hp_officer)
    assert client.post(url, {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_post_with_csrf_token_passes_the_check(hp_officer: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/accounts/login/",
        {"username": hp_officer.username, "password": "Test-pass-2026!", "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302


# --- CSP and templates ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/portal/", "/people/", "/"])
def test_csp_header_without_inline_scripts_or_other_origins(url: str, client: Client, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    response = client.get(url, follow=True)
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(
        ([*part.strip().split(" ", 1), ""])[:2] for part in policy.split(";") if part.strip()
    )  # fmt: skip
    assert "'self'" in directives.get("script-src", ""), policy
    assert "unsafe-inline" not in directives.get("script-src", "")
    assert "unsafe-eval" not in policy
    assert not re.search(r"https?://|\*", policy), f"external origin in {policy}"
    assert directives.get("frame-ancestors") == "'none'" and directives.get("object-src") == "'none'"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    # Every <script> the page carries is a file of ours (and carries the nonce when the policy names one).
    nonce = re.search(r"'nonce-([^']+)'", policy)
    tags = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert tags
    for tag in tags:
        assert 'src="/static/' in tag, tag
        assert nonce is None or f'nonce="{nonce.group(1)}"' in tag, tag


_TEMPLATE_DIRS = sorted(ROOT.glob("ablework/*/templates"))
_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def _templates() -> list[Path]:
    return [p for d in _TEMPLATE_DIRS for p in d.rglob("*.html")]


def test_templates_have_no_inline_script_handlers_or_javascript_urls() -> None:
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            if "src=" not in tag or "nonce=" not in tag:
                problems.append(f"{rel}: inline or nonce-less {tag}")
        for m in re.finditer(r"<script\b[^>]*>(.*?)</script>", text, re.IGNORECASE | re.DOTALL):
            if m.group(1).strip():
                problems.append(f"{rel}: inline script code")
        if _HANDLER.search(text):
            problems.append(f"{rel}: inline event handler {_HANDLER.search(text).group(0).strip()}")  # type: ignore[union-attr]
        if "javascript:" in text.lower():
            problems.append(f"{rel}: javascript: URL")
    assert len(_templates()) > 50
    assert not problems, "\n".join(problems)


# --- exports and uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "\t=1", "|calc"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value
    assert neutralise("张三") == "张三" and neutralise(-3) == -3


@pytest.mark.django_db
def test_people_export_neutralises_a_formula_in_a_name(client: Client, hp_officer: Any, make_person: Any) -> None:
    make_person("120101", name="=cmd|'/c calc'!A1")
    client.force_login(hp_officer)
    response: Any = client.get("/people/?export=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=cmd|" in body and ",=cmd" not in body
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(["姓名"], [["=1+1"]]))) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet and ("&apos;=1+1" in strings or "'=1+1" in strings)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("virus.exe", b"MZ\x90\x00", "应为PDF、JPG或PNG文件"),
        ("contract.pdf", b"MZ\x90\x00 renamed executable", "内容与扩展名"),
        ("scan.png", b"%PDF-1.7", "内容与扩展名"),
        ("empty.pdf", b"", "空文件"),
        ("sheet.xlsx", b"PK\x03\x04", "应为PDF、JPG或PNG文件"),
    ],
)
def test_uploads_are_refused_by_type(name: str, content: bytes, fragment: str) -> None:
    problem = document_problem(SimpleUploadedFile(name, content), "证明材料")
    assert problem and fragment in problem


def test_uploads_are_refused_by_size_and_accepted_when_right() -> None:
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * MAX_DOCUMENT_BYTES)
    assert "不能超过10MB" in (document_problem(big, "证明材料") or "")
    assert document_problem(SimpleUploadedFile("ok.pdf", b"%PDF-1.7 ..."), "证明材料") is None
    assert document_problem(SimpleUploadedFile("ok.JPG", b"\xff\xd8\xff\xe0"), "照片") is None
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
