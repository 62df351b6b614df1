from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ablework.core.context import RequestContext, reset_request_context, set_request_context
from ablework.core.scoping import scope_for_user


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy the operations guide sets X-Real-IP; otherwise the socket address.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Runs each request inside the user's district scope and records who/where for the audit log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_request_context(RequestContext(user=request.user, ip=client_ip(request)))
        try:
            with scope_for_user(request.user):
                return self.get_response(request)
        finally:
            reset_request_context(token)
