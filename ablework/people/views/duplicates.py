"""Duplicate candidates, side-by-side comparison, merge and "not the same person".

District officers and city administrators only; every page is scoped to the user's districts by
the request scope, and the actions check the districts again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.people import actions
from ablework.people.forms.duplicates import DismissForm, MergeForm
from ablework.people.models import Person
from ablework.people.queries.duplicates import get_candidate_pair, history_counts, list_duplicate_candidates

HISTORY_LABELS = {
    "certificates": "证件",
    "employment_records": "就业记录",
    "services": "四个一服务",
    "difficulty_certifications": "就业困难认定",
    "public_welfare_placements": "公益性岗位",
    "correction_requests": "更正申请",
}


def _require_access(request: HttpRequest) -> None:
    if not actions.can_handle_duplicates(request.user):
        raise Http404


@login_required
def duplicates_list(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    candidates = list_duplicate_candidates()
    page = Paginator(candidates, 25).get_page(request.GET.get("page"))
    shown = sorted({pk for c in page for pk in (c.low.pk, c.high.pk)})
    if shown:
        audit.record_many(
            audit.AuditAction.READ,
            actor=request.user,
            object_type="people.person",
            object_ids=shown,
            object_label=f"疑似重复档案列表（{len(candidates)}对）",
            changes={"count": len(candidates)},
            purpose="疑似重复档案核查",
        )
    return render(request, "people/duplicates/list.html", {"page": page, "querystring_prefix": ""})


def _pair(request: HttpRequest) -> tuple[Person, Person]:
    data = request.POST if request.method == "POST" else request.GET
    try:
        first, second = int(data.get("a", "")), int(data.get("b", ""))
    except ValueError:
        raise Http404 from None
    pair = get_candidate_pair(first, second)
    if pair is None:
        raise Http404
    return pair


def _compare(
    request: HttpRequest,
    low: Person,
    high: Person,
    merge_form: MergeForm | None = None,
    dismiss_form: DismissForm | None = None,
    status: int = 200,
) -> HttpResponse:
    for person in (low, high):
        audit.record_read(person, actor=request.user, purpose="疑似重复档案比对")
    records = [
        {"person": p, "counts": [(HISTORY_LABELS[k], v) for k, v in history_counts(p).items()]} for p in (low, high)
    ]
    return render(
        request,
        "people/duplicates/compare.html",
        {
            "low": low,
            "high": high,
            "records": records,
            "merged": bool(low.merged_into_id or high.merged_into_id),
            "merge_form": merge_form or MergeForm(low=low, high=high, prefix="merge"),
            "dismiss_form": dismiss_form or DismissForm(prefix="dismiss"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def duplicates_compare(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    low, high = _pair(request)
    return _compare(request, low, high)


@login_required
@require_POST
def duplicates_merge(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    low, high = _pair(request)
    form = MergeForm(request.POST, low=low, high=high, prefix="merge")
    if form.is_valid():
        keep, other = (low, high) if form.cleaned_data["keep"] == low.pk else (high, low)
        try:
            actions.merge_persons(keep, other, actor=request.user, reason=form.cleaned_data["reason"])
        except actions.DuplicateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已将登记序号{other.pk}的档案合并到本档案，全部历史记录已转入。")
            return redirect("people:detail", pk=keep.pk)
    return _compare(request, low, high, merge_form=form, status=422)


@login_required
@require_POST
def duplicates_dismiss(request: HttpRequest) -> HttpResponse:
    _require_access(request)
    low, high = _pair(request)
    form = DismissForm(request.POST, prefix="dismiss")
    if form.is_valid():
        try:
            actions.dismiss_duplicate(low, high, actor=request.user, reason=form.cleaned_data["reason"])
        except actions.DuplicateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已记录：{low.name}与{high.name}不是同一人，不再列为疑似重复。")
            return redirect("people:duplicates_list")
    return _compare(request, low, high, dismiss_form=form, status=422)


urlpatterns: list[URLPattern] = [
    path("duplicates/", duplicates_list, name="duplicates_list"),
    path("duplicates/compare/", duplicates_compare, name="duplicates_compare"),
    path("duplicates/merge/", duplicates_merge, name="duplicates_merge"),
    path("duplicates/dismiss/", duplicates_dismiss, name="duplicates_dismiss"),
]
