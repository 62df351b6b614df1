from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    nav: list[dict[str, str]] = []
    unread = 0
    if user.is_authenticated:
        nav_fn = getattr(user, "navigation", None)
        nav = nav_fn() if callable(nav_fn) else []
        unread = user.notifications.filter(channel="inbox", read_at__isnull=True).count()  # type: ignore[union-attr]
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "nav_items": nav,
        "unread_count": unread,
        "large_text": request.COOKIES.get("ablework_text") == "large",
    }
