"""Number formatting for the report pages: money with thousands separators, signed changes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value: Any) -> str:
    d = _dec(value)
    return "—" if d is None else f"{d:,.2f}"


@register.filter
def count(value: Any) -> str:
    d = _dec(value)
    return "—" if d is None else f"{int(d):,}"


@register.filter
def change(new: Any, old: Any) -> str:
    """``new − old`` with its sign (money to the fen; integers as integers)."""
    a, b = _dec(new), _dec(old)
    if a is None or b is None:
        return "—"
    diff = a - b
    if diff == diff.to_integral_value() and a == a.to_integral_value() and "." not in str(new):
        return f"{int(diff):+,}"
    return f"{diff:+,.2f}"


@register.filter
def plain(value: Any) -> str:
    """A decimal without trailing zeros (100.5000 → 100.5, 20.00 → 20)."""
    d = _dec(value)
    return "—" if d is None else format(d.normalize(), "f")
