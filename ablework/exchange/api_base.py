"""The partner API's plumbing: key authentication, scopes, per-client rate limits, audit of every call,
JSON errors with a code and a Chinese message, cursor pagination."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from ablework.core import audit
from ablework.core.enums import AuditAction
from ablework.exchange.actions import hash_key
from ablework.exchange.feeds import clean_text
from ablework.exchange.models import ApiClient, ApiKey

logger = logging.getLogger(__name__)


@dataclass
class ApiPrincipal:
    """``request.user`` of an API call: the client, as the audit log names it (not a ``User``)."""

    client: ApiClient
    pk: None = None
    role: str = "api_client"
    is_authenticated: bool = True
    is_active: bool = True

    def get_username(self) -> str:
        return f"接口:{self.client.name}"

    def scope_district_ids(self) -> list[int]:
        return []


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer awk_…`` (or ``X-Api-Key``)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiClient] | None:
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() == self.keyword and len(parts) == 2:
            raw = parts[1].decode("latin-1")
        else:
            raw = request.META.get("HTTP_X_API_KEY", "")
        if not raw:
            return None
        key = ApiKey.objects.select_related("client").filter(key_hash=hash_key(raw.strip())).first()
        if key is None or key.revoked_at is not None or not key.client.is_active:
            raise exceptions.AuthenticationFailed("接口密钥无效、已作废或接入单位已停用")
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return ApiPrincipal(client=key.client), key.client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="ablework"'


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "ablework.exchange.api_base.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": "接口密钥（awk_开头），由市残联发放"}


class HasScope(BasePermission):
    message = "该接入单位没有调用此接口的权限"

    def has_permission(self, request: Request, view: Any) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        needed = view.required_scope(request) if callable(getattr(view, "required_scope", None)) else None
        if needed and not client.has_scope(needed):
            self.message = f"该接入单位没有“{needed}”权限"
            return False
        return True


class ClientRateThrottle(SimpleRateThrottle):
    """Each client has its own rate (``ApiClient.rate``), counted per client, not per address."""

    scope = "exchange-client"

    def get_rate(self) -> str | None:
        return None  # set per request in allow_request

    def allow_request(self, request: Request, view: Any) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        self.rate = client.rate
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = request.auth
        return f"throttle_exchange_{client.pk}" if isinstance(client, ApiClient) else None


class ApiCursorPagination(CursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"


_CODES = {
    exceptions.NotAuthenticated: ("unauthenticated", "缺少接口密钥：请在 Authorization 头中提供 Bearer 密钥"),
    exceptions.AuthenticationFailed: ("unauthenticated", "接口密钥无效"),
    exceptions.PermissionDenied: ("forbidden", "该接入单位没有调用此接口的权限"),
    exceptions.NotFound: ("not_found", "未找到"),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    exceptions.NotAcceptable: ("not_acceptable", "不支持所请求的响应格式，请使用 application/json"),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的请求体格式，请使用 application/json"),
    exceptions.ParseError: ("malformed", "请求体不是有效的JSON"),
    exceptions.ValidationError: ("invalid", "请求参数不正确"),
    exceptions.Throttled: ("throttled", "访问过于频繁"),
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if not isinstance(exc, exceptions.APIException):
        return None
    wait = getattr(exc, "wait", None)
    code, message = "error", "请求无法处理"
    for cls, (c, m) in _CODES.items():
        if isinstance(exc, cls):
            code, message = c, m
            break
    details = None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail
    elif isinstance(exc, (exceptions.PermissionDenied, exceptions.AuthenticationFailed)) and str(exc.detail):
        message = str(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        message = f"访问过于频繁，请在{int(wait or 1)}秒后重试"
    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = str(auth_header)
    if wait:
        headers["Retry-After"] = str(int(wait))
    return Response(error_body(code, message, details), status=getattr(exc, "status_code", 400), headers=headers)


class PartnerAPIView(APIView):
    """Base of every partner endpoint: key auth, scope, rate, JSON errors, and one audit entry per call.

    A view names its scope (``scope``) and may set ``request.audit_subject`` to the record it read
    (object type, id, label, district code) so that the entry shows in that record's access log.
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    scope: str = ""

    def required_scope(self, request: Request) -> str:
        return self.scope

    def get_exception_handler(self) -> Any:
        return exception_handler

    def permission_denied(self, request: Request, message: str | None = None, code: str | None = None) -> NoReturn:
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        raise exceptions.PermissionDenied(detail=message, code=code)

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        try:
            _audit_call(request, response)
        except Exception:  # pragma: no cover - the audit write must not turn an answer into a 500
            logger.exception("audit of API call failed")
            raise
        return response


def _audit_call(request: Any, response: Any) -> None:
    client = getattr(request, "auth", None)
    client = client if isinstance(client, ApiClient) else None
    subject = getattr(request, "audit_subject", None)
    action = AuditAction.READ if request.method in ("GET", "HEAD", "OPTIONS") else AuditAction.CREATE
    if subject is not None and subject.get("action"):
        action = subject["action"]
    path = clean_text(request.path)[:300]
    changes = {"method": request.method, "path": path, "status": response.status_code,
               "client": client.name if client else ""}  # fmt: skip
    with transaction.atomic():
        if subject is not None:
            audit.record(
                action,
                actor=ApiPrincipal(client) if client else None,
                object_type=subject["object_type"],
                object_id=subject["object_id"],
                object_label=subject.get("label", ""),
                district_code=subject.get("district_code", ""),
                changes=changes,
                purpose=subject.get("purpose", "数据共享接口调用"),
            )
        else:
            audit.record(
                action,
                actor=ApiPrincipal(client) if client else None,
                object_type="exchange.apiclient",
                object_id=client.pk if client else "",
                object_label=f"接口调用 {request.method} {path} → {response.status_code}"[:200],
                changes=changes,
                purpose="数据共享接口调用",
            )


def client_of(request: Request) -> ApiClient:
    """The authenticated client (the permission class has made sure there is one)."""
    client = request.auth
    if not isinstance(client, ApiClient):  # pragma: no cover - HasScope refuses such requests
        raise exceptions.NotAuthenticated()
    return client
