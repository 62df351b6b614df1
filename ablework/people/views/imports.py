"""Bulk import pages: upload (with the published file formats and template downloads), the list of
import batches, a batch with its counts, progress bar and error report.

District officers and city administrators only; anyone else gets 404, like every registry page.  A
district officer sees the batches of their own district scope; a city administrator sees all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_http_methods

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core import imports as core_imports
from ablework.core.enums import JobStatus
from ablework.core.models import ImportBatch
from ablework.people import actions
from ablework.people.actions.imports import KINDS, get_spec
from ablework.people.forms.imports import ImportUploadForm

IMPORT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_import(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) in IMPORT_ROLES)


def list_batches(user: Any) -> QuerySet[ImportBatch]:
    """Registry import batches the user may see: all for the city, their own scope's for a district."""
    if not can_import(user):
        return ImportBatch.objects.none()
    qs = ImportBatch.objects.filter(kind__in=KINDS).select_related("job", "uploaded_by")
    if getattr(user, "role", None) == Role.CITY_ADMIN:
        return qs
    return qs.filter(scope_key=actions.import_scope_key(user))


def access_batch(user: Any, pk: int) -> ImportBatch:
    """The batch, if the user may see it; 404 for missing and forbidden alike."""
    batch = list_batches(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise Http404


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def imports_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        submitted = actions.start_people_import(
            actor=request.user, kind=form.cleaned_data["kind"], filename=upload.name, data=upload.read()
        )
        batch = submitted.batch
        if not submitted.created:
            messages.info(
                request,
                f"该文件此前已导入（{batch.created_at:%Y-%m-%d %H:%M}，批次{batch.pk}），本次未重复导入。以下是当时的结果。",
            )
        elif batch.status == JobStatus.DONE:
            messages.success(request, "导入完成，结果如下。")
        elif batch.status == JobStatus.FAILED:
            messages.error(request, "导入未能完成：" + (batch.job.message if batch.job else ""))
        else:
            messages.info(request, "文件较大，已转入后台导入；本页显示进度，完成后可下载错误报告。")
        return redirect("people:imports_detail", pk=batch.pk)
    return render(
        request,
        "people/imports/upload.html",
        {"form": form, "specs": [get_spec(k) for k in KINDS], "recent": list_batches(request.user)[:5]},
    )


@login_required
def imports_template(request: HttpRequest, kind: str) -> HttpResponse:
    _require_importer(request)
    if kind not in KINDS:
        raise Http404
    spec = get_spec(kind)
    return _attachment(core_imports.template_xlsx(spec), f"{spec.title}导入模板.xlsx")


@login_required
def imports_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    page = Paginator(list_batches(request.user), 25).get_page(request.GET.get("page"))
    titles = {k: get_spec(k).title for k in KINDS}
    return render(request, "people/imports/batch_list.html", {"page": page, "titles": titles})


def _detail_context(batch: ImportBatch) -> dict[str, Any]:
    running = batch.status in (JobStatus.PENDING, JobStatus.RUNNING)
    percent = batch.job.percent if batch.job else (100 if not running else 0)
    return {
        "batch": batch,
        "title": get_spec(batch.kind).title,
        "running": running,
        "percent": percent,
        "message": batch.job.message if batch.job else "",
    }


@login_required
def imports_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    batch = access_batch(request.user, pk)
    context = _detail_context(batch)
    if request.headers.get("HX-Request"):
        response = render(request, "people/imports/includes/batch_status.html", context)
        if not context["running"]:
            # The bar polls only while running: now finished, reload the page to list the rejected rows.
            response["HX-Refresh"] = "true"
        return response
    context["errors"] = batch.errors[:100]
    return render(request, "people/imports/batch_detail.html", context)


@login_required
def imports_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows with their original cells (personal data as uploaded): the download is
    logged as an export."""
    _require_importer(request)
    batch = access_batch(request.user, pk)
    if batch.status in (JobStatus.PENDING, JobStatus.RUNNING):
        raise Http404
    with transaction.atomic():
        audit.record(
            audit.AuditAction.EXPORT,
            actor=request.user,
            obj=batch,
            object_label=f"导入错误报告 {batch.filename}"[:200],
            changes={"batch": batch.pk, "rows": len(batch.errors)},
        )
    spec = get_spec(batch.kind)
    stem = batch.filename.rsplit(".", 1)[0] or spec.title
    return _attachment(core_imports.report_xlsx(batch, spec), f"{stem}_错误报告.xlsx")


urlpatterns = [
    path("imports/", imports_upload, name="imports_upload"),
    path("imports/template/<str:kind>.xlsx", imports_template, name="imports_template"),
    path("imports/batches/", imports_list, name="imports_list"),
    path("imports/batches/<int:pk>/", imports_detail, name="imports_detail"),
    path("imports/batches/<int:pk>/report.xlsx", imports_report, name="imports_report"),
]
