"""Who is acting, from where and why: set per request by middleware, read by the audit log."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass
class RequestContext:
    user: Any
    ip: str | None
    purpose: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("ablework_request_context", default=None)


def current_request_context() -> RequestContext | None:
    return _current.get()


def set_request_context(ctx: RequestContext | None) -> Any:
    return _current.set(ctx)


def reset_request_context(token: Any) -> None:
    _current.reset(token)
