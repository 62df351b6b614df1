from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from ablework.core.forms import DisabilityCertField, ResidentIdField, USCCField
from ablework.core.validators import validate_uscc
from config.env import env_bool, env_int, env_list, env_secret, env_str


def test_env_helpers_parse_and_fail_loudly(monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    assert env_str("X_MISSING", "d") == "d"
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "4x")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("X_INT", 0)
    with pytest.raises(ImproperlyConfigured, match="required"):
        env_str("X_REALLY_MISSING")
    secret = tmp_path / "s"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "nope"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_secret("X_SECRET")


def test_form_fields_use_the_parsers() -> None:
    assert ResidentIdField().clean(" 11010519491231002x ").number == "11010519491231002X"
    assert DisabilityCertField().clean("12010119900307001342").level == 2
    assert USCCField().clean("911201161234567885").region_code == "120116"
    with pytest.raises(ValidationError) as exc:
        ResidentIdField().clean("120101199003070014")
    assert "校验位错误" in exc.value.messages[0]


def test_model_validator_rejects_bad_and_unnormalised_codes() -> None:
    validate_uscc("911201161234567885")
    with pytest.raises(ValidationError, match="校验位"):
        validate_uscc("911201161234567886")
    with pytest.raises(ValidationError, match="大写"):
        validate_uscc("92120113l12345674h")
