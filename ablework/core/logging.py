"""Structured logs: one JSON object per line (``LOG_FORMAT=json``; docs/operations.md, monitoring).

Fields: ``ts`` (UTC, ISO 8601 with milliseconds), ``level``, ``logger``, ``msg``, ``pid``; the acting user's id
and the client IP when the line is written during a request; ``exc`` with the traceback when there is one;
and any ``extra={...}`` the caller passed (``view``, ``status``, ``duration_ms`` for request lines).
Personal data never goes into log messages (house style); this formatter adds none.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from ablework.core.context import current_request_context

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        ctx = current_request_context()
        if ctx is not None:
            user = ctx.user
            if getattr(user, "is_authenticated", False):
                out["user_id"] = user.pk
            if ctx.ip:
                out["ip"] = ctx.ip
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)
