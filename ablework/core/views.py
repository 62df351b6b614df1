from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import actions, policy
from ablework.core.access import is_city, is_city_admin, is_staff_role, require
from ablework.core.forms import PolicyParameterForm
from ablework.core.models import AuditLog, District, Job, Notification, PolicyParameter


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)
    actions.mark_notification_read(n)
    return redirect(n.link or "core:inbox")


@require(is_city)
def policy_list(request: HttpRequest) -> HttpResponse:
    params = PolicyParameter.objects.select_related("district").order_by("key", "district__code", "-valid_from")
    return render(request, "core/policy_list.html", {"params": params, "can_edit": is_city_admin(request.user)})


@require(is_city_admin)
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(PolicyParameter, pk=pk) if pk else PolicyParameter()
    form = PolicyParameterForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        policy.save_param(form.save(commit=False), actor=request.user)
        messages.success(request, "政策参数已保存，变更已记入审计日志。")
        return redirect("core:policy_list")
    from ablework.core.audit import history_for

    return render(
        request,
        "core/policy_edit.html",
        {"form": form, "param": instance, "history": history_for(instance) if instance.pk else []},
    )


@require(is_city_admin)
def audit_list(request: HttpRequest) -> HttpResponse:
    qs = AuditLog.objects.select_related("actor").order_by("-seq")
    action = request.GET.get("action", "")
    if action:
        qs = qs.filter(action=action)
    who = request.GET.get("who", "").strip()
    if who:
        qs = qs.filter(actor_label__icontains=who)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "action": action, "who": who})


@require(is_staff_role)
def jobs(request: HttpRequest) -> HttpResponse:
    qs = Job.objects.all() if is_city(request.user) else Job.objects.filter(created_by_id=request.user.pk)
    return render(request, "core/jobs.html", {"jobs": qs[:50]})


@require(is_staff_role)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Job.objects.all() if is_city(request.user) else Job.objects.filter(created_by_id=request.user.pk)
    job = get_object_or_404(qs, pk=pk)
    template = "core/includes/job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


logger = logging.getLogger(__name__)


def text_size(request: HttpRequest) -> HttpResponse:
    """Toggle large text with a cookie: works without JavaScript."""
    size = "large" if request.GET.get("size") == "large" else "normal"
    nxt = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = redirect(nxt)
    response.set_cookie("ablework_text", size, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """Load balancers and monitoring ask this: 200 when the database answers, 503 (no traceback) when not."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("health check: database unavailable: %s", type(exc).__name__)
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})


@require(is_city)
def district_list(request: HttpRequest) -> HttpResponse:
    districts = District.objects.annotate(street_count=Count("streets"))
    return render(request, "core/district_list.html", {"districts": districts, "can_edit": is_city_admin(request.user)})


@require(is_city_admin)
@require_POST
def district_toggle_agricultural(request: HttpRequest, pk: int) -> HttpResponse:
    """The 涉农区 flag is not source-confirmed (policy-rules §17), so city administrators can change it."""
    current = get_object_or_404(District, pk=pk)
    district = actions.set_district_agricultural(
        current.pk, is_agricultural=not current.is_agricultural, actor=request.user
    )
    messages.success(request, f"{district.name}的涉农区标记已改为“{'是' if district.is_agricultural else '否'}”。")
    return redirect("core:district_list")
