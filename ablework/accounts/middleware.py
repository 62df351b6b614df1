from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from ablework.accounts.enums import Role

_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class SecondFactorMiddleware:
    """City administrators must pass TOTP before anything else (unless switched off for the demo)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.ABLEWORK_REQUIRE_TOTP_FOR_CITY_ADMIN
            and user.is_authenticated
            and getattr(user, "role", None) == Role.CITY_ADMIN
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            return redirect("accounts:otp")
        return self.get_response(request)
