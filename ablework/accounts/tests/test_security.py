from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def _login(client: Any, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.real_password_hasher
def test_passwords_are_hashed_with_argon2(hp_officer: Any) -> None:
    assert hp_officer.password.startswith("argon2")


def test_lockout_after_five_failures(client: Any, hp_officer: Any) -> None:
    for _ in range(5):
        response = _login(client, hp_officer.username, "wrong-password")
    response = _login(client, hp_officer.username, "Test-pass-2026!")
    assert response.status_code == 429
    assert "账户已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_success_logs_in(client: Any, hp_officer: Any) -> None:
    for _ in range(4):
        _login(client, hp_officer.username, "wrong-password")
    response = _login(client, hp_officer.username, "Test-pass-2026!")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(hp_officer.pk)


def test_wrong_password_message_is_chinese(client: Any, hp_officer: Any) -> None:
    body = _login(client, hp_officer.username, "nope").content.decode()
    assert "用户名或密码不正确" in body


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("short1A!", "too short"), ("alllowercaseletters", "至少三类"), ("12345678901", "至少三类")],
)
def test_password_rules(password: str, fragment: str, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert any(fragment in m for m in exc.value.messages)


def test_strong_password_passes() -> None:
    validate_password("Tianjin-2026-ok")


def test_session_expires_when_idle(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_city_admin_must_pass_totp_outside_demo(client: Any, city_admin: Any, settings: Any) -> None:
    settings.ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN = True
    _login(client, city_admin.username, "Test-pass-2026!")
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/otp/"
    page = client.get("/accounts/otp/").content.decode()
    assert "扫描下方二维码" in page
    device = TOTPDevice.objects.get(user=city_admin, confirmed=False)
    bad = client.post("/accounts/otp/", {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert "验证码不正确" in bad.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # failures are throttled (django-otp back-off)
    device.throttle_reset()  # skip the back-off wait in the test
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/accounts/otp/", {"token": token}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_district_officer_is_not_forced_to_totp(client: Any, hp_officer: Any, settings: Any) -> None:
    settings.ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN = True
    client.force_login(hp_officer)
    assert client.get("/").status_code == 200


def test_demo_mode_does_not_force_totp(client: Any, city_admin: Any, settings: Any) -> None:
    settings.ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN = False
    client.force_login(city_admin)
    assert client.get("/").status_code == 200


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
