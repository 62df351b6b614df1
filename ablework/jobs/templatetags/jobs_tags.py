"""Template filters of ablework.jobs: Chinese names of the codes stored in postings and profiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from ablework.core.models import District
from ablework.jobs.enums import ACCESSIBILITY, ACCOMMODATIONS, CATEGORIES, OCCUPATIONS, WORK_TIMES

register = template.Library()
_CODES: dict[str, str] = {**dict(OCCUPATIONS), **dict(ACCOMMODATIONS), **dict(ACCESSIBILITY), **dict(WORK_TIMES)}
_CATS = {str(k): v for k, v in CATEGORIES}


def _name(code: Any) -> str:
    code = str(code)
    if code in _CODES:
        return _CODES[code]
    if code in _CATS:
        return _CATS[code]
    if code.isdigit() and len(code) == 6:
        return District.objects.filter(code=code).values_list("name", flat=True).first() or code
    return code


@register.filter
def code_label(code: Any) -> str:
    return _name(code)


@register.filter
def code_labels(codes: Iterable[Any] | None) -> str:
    return "、".join(_name(c) for c in codes or ()) or "—"
