"""Saved list filters: a user keeps the query string of a list page under a name and applies it
again later.  Each user sees, applies and deletes only their own.  Reads, writes (audited) and the
two small POST views live here together because the feature is this small.

A saved query never holds an identity number: a query with a long run of digits (an ID or a
certificate number) is refused, because the table is stored in clear text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ablework.core import audit
from ablework.core.models import SavedFilter

MAX_PER_LIST = 50
# Parameters that describe a moment of browsing, not a filter.
_TRANSIENT = frozenset({"page", "export", "csrfmiddlewaretoken"})
_LONG_NUMBER = re.compile(r"\d{13,}")  # street codes have at most 12 digits


class SavedFilterError(ValueError):
    """A saved filter refused; the message is for the user."""


def list_saved_filters(user: Any, list_name: str) -> QuerySet[SavedFilter]:
    if not getattr(user, "is_authenticated", False):
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user_id=user.pk, list_name=list_name).order_by("name")


def clean_query(query: str) -> str:
    """The query string without paging/export parameters and empty values, in a stable order."""
    params = QueryDict(query.lstrip("?"))
    pairs = [(k, v) for k in sorted(params) if k not in _TRANSIENT for v in params.getlist(k) if v.strip()]
    for _, value in pairs:
        if _LONG_NUMBER.search(value):
            raise SavedFilterError("为保护个人信息，含身份证号或证件号的查询条件不能保存")
    return urlencode(pairs)


def save_filter(*, actor: Any, list_name: str, name: str, query: str) -> SavedFilter:
    """Save (or replace, under the same name) the user's filter for a list.

    Raises ``SavedFilterError`` for an empty name, an empty query, a query holding an identity
    number, or too many saved filters."""
    name = " ".join(name.split())
    if not name:
        raise SavedFilterError("请填写筛选条件名称")
    if len(name) > 60:
        raise SavedFilterError("名称不能超过60个字")
    if not list_name or len(list_name) > 60:
        raise SavedFilterError("列表名称无效")
    cleaned = clean_query(query)
    if not cleaned:
        raise SavedFilterError("当前没有任何筛选条件，无需保存")
    if len(cleaned) > 1000:
        raise SavedFilterError("筛选条件过长，无法保存")
    with transaction.atomic():
        existing = (
            SavedFilter.objects.select_for_update().filter(user_id=actor.pk, list_name=list_name, name=name).first()
        )
        if existing is None:
            if SavedFilter.objects.filter(user_id=actor.pk, list_name=list_name).count() >= MAX_PER_LIST:
                raise SavedFilterError(f"每个列表最多保存{MAX_PER_LIST}个筛选条件，请先删除不用的")
            try:
                with transaction.atomic():
                    saved = SavedFilter.objects.create(user=actor, list_name=list_name, name=name, query=cleaned)
            except IntegrityError:  # saved at the same moment in another tab
                raise SavedFilterError("同名的筛选条件已存在，请重试") from None
            audit.record(audit.AuditAction.CREATE, actor=actor, obj=saved, object_label=f"保存的筛选：{name}",
                         changes={"list": list_name, "query": cleaned})  # fmt: skip
            return saved
        before = existing.query
        existing.query = cleaned
        existing.save(update_fields=["query"])
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=existing, object_label=f"保存的筛选：{name}",
                     changes=audit.diff({"query": before}, {"query": cleaned}))  # fmt: skip
        return existing


def delete_saved_filter(saved: SavedFilter, *, actor: Any) -> None:
    """Delete one of the actor's own saved filters (PermissionError for someone else's)."""
    if saved.user_id != actor.pk:
        raise PermissionError("只能删除自己保存的筛选条件")
    with transaction.atomic():
        audit.record(audit.AuditAction.DELETE, actor=actor, obj=saved, object_label=f"保存的筛选：{saved.name}",
                     changes={"list": saved.list_name, "query": saved.query})  # fmt: skip
        saved.delete()


def _back(request: HttpRequest, fallback: str = "/") -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return nxt
    return fallback


@login_required
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    back = _back(request)
    try:
        saved = save_filter(
            actor=request.user,
            list_name=request.POST.get("list_name", ""),
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except SavedFilterError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已保存筛选条件“{saved.name}”")
    return redirect(back.split("?", 1)[0] + "?" + saved.query)


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's filter answers like a missing one.
    saved = get_object_or_404(SavedFilter, pk=pk, user_id=request.user.pk)
    delete_saved_filter(saved, actor=request.user)
    messages.success(request, f"已删除筛选条件“{saved.name}”")
    return redirect(_back(request))
