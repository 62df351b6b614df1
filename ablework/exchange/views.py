"""Officer pages of the data exchange: API clients (city administrator), feed batches and their
rejection reports, feed file upload, the credit-platform outbox, outbound files."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.core import imports as core_imports
from ablework.core.access import is_city, is_city_admin, require
from ablework.core.enums import AuditAction
from ablework.core.files import csv_response, xlsx_bytes, xlsx_response
from ablework.core.listing import ListSpec, apply_list
from ablework.exchange import actions, exports, outbox
from ablework.exchange.enums import BatchStatus, FeedKind, OutboxStatus
from ablework.exchange.feeds import SPECS
from ablework.exchange.forms import ClientForm, ExportForm, FeedUploadForm, default_year
from ablework.exchange.models import ApiClient, CrossProvinceCheck, FeedBatch, OutboxMessage


def _csv(filename: str, headers: list[str], rows: list[list[Any]]) -> HttpResponse:
    # A streaming response is an HttpResponseBase; the access decorator is typed for HttpResponse.
    return cast(HttpResponse, csv_response(filename, headers, rows))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- API clients (city administrator) -----------------------------------------------------------------


@require(is_city_admin)
@require_http_methods(["GET", "POST"])
def clients(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    issued: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            client, key = actions.create_client(
                actor=request.user, name=d["name"], department=d["department"], scopes=d["scopes"],
                rate=d["rate"], contact=d["contact"],
            )  # fmt: skip
        except actions.ExchangeError as exc:
            form.add_error(None, str(exc))
        else:
            issued = {"client": client, "key": key}
            form = ClientForm()
    rows = ApiClient.objects.prefetch_related("keys").order_by("-is_active", "name")
    return render(request, "exchange/clients.html", {"clients": rows, "form": form, "issued": issued})


@require(is_city_admin)
@require_POST
def client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=pk)
    try:
        key = actions.rotate_key(client, actor=request.user)
    except actions.ExchangeError as exc:
        messages.error(request, str(exc))
        return redirect("exchange:clients")
    rows = ApiClient.objects.prefetch_related("keys").order_by("-is_active", "name")
    return render(
        request, "exchange/clients.html",
        {"clients": rows, "form": ClientForm(), "issued": {"client": client, "key": key}},
    )  # fmt: skip


@require(is_city_admin)
@require_POST
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=pk)
    actions.revoke_client(client, actor=request.user)
    messages.success(request, f"已停用“{client.name}”，其全部密钥已作废。")
    return redirect("exchange:clients")


# --- feed batches ---------------------------------------------------------------------------------------

BATCH_LIST = ListSpec(
    filters={
        "kind": lambda qs, v: qs.filter(kind=v),
        "status": lambda qs, v: qs.filter(status=v),
        "q": lambda qs, v: qs.filter(batch_id__icontains=v),
    },
    sorts={"received_at": ("接收时间", "received_at"), "rejected": ("拒收行数", "rejected_rows")},
    default_sort="-received_at",
)
BATCH_EXPORT_HEADERS = [
    "数据类别",
    "来源",
    "批次号",
    "方式",
    "状态",
    "收到",
    "新增",
    "更新",
    "无变化",
    "拒收",
    "接收时间",
]


def _batch_cells(b: FeedBatch) -> list[Any]:
    return [
        b.get_kind_display(), b.source, b.batch_id, b.get_channel_display(), b.get_status_display(),
        b.received_rows, b.created_rows, b.updated_rows, b.unchanged_rows, b.rejected_rows,
        timezone.localtime(b.received_at).strftime("%Y-%m-%d %H:%M"),
    ]  # fmt: skip


@require(is_city)
def batches(request: HttpRequest) -> HttpResponse:
    qs: QuerySet[FeedBatch] = FeedBatch.objects.select_related("client")
    state = apply_list(request, qs, BATCH_LIST)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        rows = [_batch_cells(b) for b in state.queryset]
        with transaction.atomic():
            audit.record(AuditAction.EXPORT, actor=request.user, object_type="exchange.feedbatch",
                         object_label=f"导出数据报送批次（{len(rows)}条）")  # fmt: skip
        if fmt == "csv":
            return _csv("数据报送批次.csv", BATCH_EXPORT_HEADERS, rows)
        return xlsx_response("数据报送批次.xlsx", BATCH_EXPORT_HEADERS, rows)
    return render(
        request, "exchange/batches.html",
        {"state": state, "page": state.page, "querystring_prefix": state.querystring_prefix,
         "kinds": FeedKind.choices, "statuses": BatchStatus.choices, "can_upload": is_city_admin(request.user)},
    )  # fmt: skip


@require(is_city)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(FeedBatch.objects.select_related("client", "uploaded_by"), pk=pk)
    return render(request, "exchange/batch_detail.html", {"batch": batch, "rejections": batch.rejections[:200]})


@require(is_city)
def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows with their reasons (.xlsx).  Rejected rows of a file keep their original cells
    (personal data): the download is audited."""
    batch = get_object_or_404(FeedBatch, pk=pk)
    spec = SPECS[batch.kind]
    headers = [core_imports.REPORT_ROW_HEADER, "行标识", *spec.headers, core_imports.REPORT_REASON_HEADER]
    width = len(spec.columns)
    rows = [
        [r.get("row") if r.get("row") is not None else "", r.get("row_key", ""),
         *((list(r.get("cells") or []) + [""] * width)[:width]), r.get("message", "")]
        for r in batch.rejections
    ]  # fmt: skip
    with transaction.atomic():
        audit.record(AuditAction.EXPORT, actor=request.user, obj=batch,
                     object_label=f"下载拒收明细 {batch}"[:200], changes={"rows": len(rows)})  # fmt: skip
    response = HttpResponse(xlsx_bytes(headers, rows, sheet="拒收明细"), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=rejections-{batch.kind}-{batch.pk}.xlsx"
    return response


@require(is_city)
def feed_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404
    response = HttpResponse(core_imports.template_xlsx(spec), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=template-{kind}.xlsx"
    return response


@require(is_city_admin)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = actions.receive_feed_file(
                kind=d["kind"], source=d["source"], batch_id=d["batch_id"], filename=d["file"].name,
                data=d["file"].read(), actor=request.user,
            )  # fmt: skip
        except actions.ExchangeError as exc:
            form.add_error("file", str(exc))
        else:
            if result.duplicate:
                messages.info(request, "该批次号此前已导入，本次未做任何改动。")
            else:
                b = result.batch
                messages.success(
                    request, f"导入完成：新增{b.created_rows}行，更新{b.updated_rows}行，无变化{b.unchanged_rows}行，"
                    f"拒收{b.rejected_rows}行。",
                )  # fmt: skip
            return redirect("exchange:batch_detail", pk=result.batch.pk)
    return render(request, "exchange/upload.html", {"form": form, "kinds": FeedKind.choices})


# --- outbox ---------------------------------------------------------------------------------------------


@require(is_city)
def outbox_list(request: HttpRequest) -> HttpResponse:
    qs = OutboxMessage.objects.all()
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    from django.core.paginator import Paginator

    if request.GET.get("export") in ("csv", "xlsx"):
        headers = ["幂等键", "操作", "统一社会信用代码", "单位名称", "状态", "尝试次数", "最近错误", "回执", "创建时间"]
        rows = [
            [m.idempotency_key, "撤销" if m.operation == "withdraw" else "新增", m.payload.get("uscc", ""),
             m.payload.get("unit_name", ""), m.get_status_display(), m.attempts, m.last_error, m.remote_ref,
             timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M")]
            for m in qs.order_by("-created_at", "-id")
        ]  # fmt: skip
        with transaction.atomic():
            audit.record(AuditAction.EXPORT, actor=request.user, object_type="exchange.outboxmessage",
                         object_label=f"导出信用平台推送记录（{len(rows)}条）")  # fmt: skip
        if request.GET["export"] == "csv":
            return _csv("信用平台推送记录.csv", headers, rows)
        return xlsx_response("信用平台推送记录.xlsx", headers, rows)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    counts = [(label, OutboxMessage.objects.filter(status=s).count()) for s, label in OutboxStatus.choices]
    return render(
        request, "exchange/outbox.html",
        {"page": page, "status": status, "statuses": OutboxStatus.choices, "counts": counts,
         "querystring_prefix": f"status={status}&" if status else "", "can_act": is_city_admin(request.user),
         "configured": bool(outbox.push_url())},
    )  # fmt: skip


@require(is_city_admin)
@require_POST
def outbox_push(request: HttpRequest) -> HttpResponse:
    queued = outbox.enqueue_credit_events()
    report = outbox.deliver_due()
    messages.info(
        request,
        f"新排队{queued}条；送达{len(report.sent)}条，待重试{len(report.retried)}条，失败{len(report.dead)}条。",
    )
    return redirect("exchange:outbox")


@require(is_city_admin)
@require_POST
def outbox_export(request: HttpRequest) -> HttpResponse:
    outbox.enqueue_credit_events()
    data, ids = outbox.export_file()
    filename = f"credit-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    outbox.mark_exported(ids, filename=filename, actor=request.user)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename={filename}"
    return response


# --- outbound files -------------------------------------------------------------------------------------


@require(is_city)
@require_http_methods(["GET", "POST"])
def exports_page(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None, initial={"data_year": default_year(), "fmt": "xlsx"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["what"] == "national":
            if not is_city_admin(request.user):
                form.add_error("what", "实名数据只有市级管理员可以导出")
            else:
                rows, ids = exports.national_rows(on=d["on"])
                exports.audit_national_export(ids, actor=request.user, on=d["on"], fmt=d["fmt"])
                name = f"全国就业培训系统-{d['on']:%Y%m%d}.{d['fmt']}"
                if d["fmt"] == "csv":
                    return _csv(name, exports.NATIONAL_HEADERS, rows)
                return xlsx_response(name, exports.NATIONAL_HEADERS, rows)
        else:
            rows = exports.tax_rows(d["data_year"])
            exports.audit_tax_export(len(rows), actor=request.user, data_year=d["data_year"], fmt=d["fmt"])
            name = f"税务对接-{d['data_year']}年度.{d['fmt']}"
            if d["fmt"] == "csv":
                return _csv(name, exports.TAX_HEADERS, rows)
            return xlsx_response(name, exports.TAX_HEADERS, rows)
    return render(request, "exchange/exports.html", {"form": form, "is_admin": is_city_admin(request.user)})


# --- 跨省通办 answers -----------------------------------------------------------------------------------


@require(is_city)
def cross_province(request: HttpRequest) -> HttpResponse:
    """Persons counted here and, per the national service, also by a unit in another province (or not
    answered).  City roles: the list spans districts; each row names its district."""
    from django.core.paginator import Paginator

    qs = CrossProvinceCheck.objects.exclude(counted=False)
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(data_year=int(year))
    page = Paginator(qs.order_by("-data_year", "district_code", "person_id"), 50).get_page(request.GET.get("page"))
    return render(
        request, "exchange/cross_province.html",
        {"page": page, "year": year, "querystring_prefix": f"year={year}&" if year else ""},
    )  # fmt: skip
