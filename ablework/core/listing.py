"""The reusable list pattern: filter, sort, paginate and export one queryset from GET parameters.

A view declares a ``ListSpec``; ``apply_list`` returns the page and the state the template needs.
Unknown sort keys fall back to the default (never passed to ``order_by`` raw).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

FilterFn = Callable[[QuerySet[Any], str], QuerySet[Any]]


@dataclass
class ListSpec:
    filters: dict[str, FilterFn] = field(default_factory=dict)
    sorts: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (label, order_by field)
    default_sort: str = ""
    page_size: int = 25


@dataclass
class ListState:
    queryset: QuerySet[Any]
    page: Page
    values: dict[str, str]
    sort: str
    querystring_prefix: str  # current filters + sort, ready to append "page=N"
    sort_links: dict[str, str] = field(default_factory=dict)  # key -> "?filters&sort=±key"


def filtered(request: HttpRequest, qs: QuerySet[Any], spec: ListSpec) -> tuple[QuerySet[Any], dict[str, str], str]:
    values: dict[str, str] = {}
    for name, fn in spec.filters.items():
        raw = request.GET.get(name, "").strip()
        values[name] = raw
        if raw:
            qs = fn(qs, raw)
    sort = request.GET.get("sort", spec.default_sort)
    key = sort.lstrip("-")
    if key not in spec.sorts:
        sort, key = spec.default_sort, spec.default_sort.lstrip("-")
    if key in spec.sorts:
        order = spec.sorts[key][1]
        qs = qs.order_by(("-" if sort.startswith("-") else "") + order, "pk")
    return qs, values, sort


def apply_list(request: HttpRequest, qs: QuerySet[Any], spec: ListSpec) -> ListState:
    qs, values, sort = filtered(request, qs, spec)
    page = Paginator(qs, spec.page_size).get_page(request.GET.get("page"))
    params = {k: v for k, v in values.items() if v}
    if sort:
        params["sort"] = sort
    prefix = urlencode(params) + ("&" if params else "")
    base = {k: v for k, v in values.items() if v}
    links = {key: "?" + urlencode({**base, "sort": f"-{key}" if sort == key else key}) for key in spec.sorts}
    return ListState(queryset=qs, page=page, values=values, sort=sort, querystring_prefix=prefix, sort_links=links)
