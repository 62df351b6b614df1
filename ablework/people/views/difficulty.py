"""就业困难人员认定 and 公益性岗位 placements: apply from a person, the district review queue (due
dates, overdue), the detail page (criteria explanation, history, the buttons the user may press),
exit, the list of certified persons with a masked Excel export, and placements per person.

Staff of a district see its records (the scoped managers filter); missing and out-of-district records
both answer 404.  Applications are made by district officers and street workers, decisions by
district reviewers (the workflow checks role, stage and maker-checker), placements by district
officers and city administrators.  Every page showing personal data is recorded in the audit log:
one READ entry per detail page on the person, one READ/EXPORT entry per list with the person ids.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.core.files import xlsx_response
from ablework.core.listing import ListState, apply_list, filtered
from ablework.core.models import District
from ablework.core.workflow import TransitionNotAllowed
from ablework.people import access, actions
from ablework.people.actions.difficulty import (
    OPEN_STATES,
    DifficultyError,
    PlacementError,
    check_difficulty_criteria,
    ensure_difficulty_chain,
    open_application_message,
    placement_limit,
)
from ablework.people.enums import DifficultyStatus
from ablework.people.forms.difficulty import (
    DecisionForm,
    DifficultyApplyForm,
    EndPlacementForm,
    ExitForm,
    PlacementForm,
)
from ablework.people.models import DifficultyCertification, Person, PublicWelfarePlacement
from ablework.people.queries import difficulty as queries

EXPORT_HEADERS = ["姓名", "身份证号（脱敏）", "户籍区", "街道", "证件", "联系电话", "申请日期", "认定日期", "有效期至"]
EXPIRING_CHOICES = [("30", "30天内到期"), ("90", "90天内到期"), ("180", "180天内到期")]
QUEUE_STATUSES = [
    ("submitted", "待区级审核"),
    ("draft", "退回待修改/草稿"),
    ("approved", "已认定"),
    ("rejected", "不予认定"),
    ("exited", "已退出"),
    ("expired", "已到期"),
    ("all", "全部"),
]


# -- access -----------------------------------------------------------------------------------------


def can_apply(user: Any) -> bool:
    return bool(access.can_list_people(user) and getattr(user, "role", None) in queries.APPLY_ROLES)


def can_place(user: Any) -> bool:
    return bool(access.can_list_people(user) and getattr(user, "role", None) in queries.PLACE_ROLES)


def access_certification(user: Any, pk: int) -> DifficultyCertification:
    """The certification, if inside the user's district scope; 404 for missing and forbidden alike."""
    if not access.can_list_people(user):
        raise Http404
    cert = queries.get_certification(pk)
    if cert is None:
        raise Http404
    return cert


def access_placement_for_edit(user: Any, pk: int) -> PublicWelfarePlacement:
    if not can_place(user):
        raise Http404
    placement = queries.get_placement(pk)
    if placement is None:
        raise Http404
    return placement


def _mask_phone(phone: str) -> str:
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def _log_list_read(user: Any, label: str, person_ids: list[int], values: dict[str, str], count: int) -> None:
    """One READ entry for a list page, indexed by the persons shown (their access log shows it)."""
    audit.record_many(
        audit.AuditAction.READ,
        actor=user,
        object_type="people.person",
        object_ids=person_ids,
        object_label=f"{label}（{count}条）",
        changes={"filters": {k: v for k, v in values.items() if v}, "count": count},
        purpose=label,
    )


def _districts(request: HttpRequest) -> Any:
    return District.objects.filter(id__in=request.user.scope_district_ids())  # type: ignore[union-attr]


# -- apply ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def difficulty_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply for a person, or change and resubmit a returned application (a draft)."""
    person = access.access_person(request.user, pk)
    if not can_apply(request.user):
        raise Http404
    open_cert = DifficultyCertification.objects.filter(person=person, status__in=OPEN_STATES).first()
    if open_cert is not None and open_cert.status != DifficultyStatus.DRAFT:
        messages.info(request, open_application_message(open_cert))
        return redirect("people:difficulty_detail", pk=open_cert.pk)
    draft = open_cert
    initial = (
        {k: getattr(draft, k) for k in ("registered_unemployed", "able_and_willing", "referral_failed", "applied_on")}
        if draft
        else None
    )
    form = DifficultyApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action", "submit") != "save"
        try:
            if draft is not None:
                cert = actions.update_difficulty_application(
                    draft, actor=request.user, submit=submit, **form.cleaned_data
                )
            else:
                cert = actions.apply_for_difficulty(person, actor=request.user, submit=submit, **form.cleaned_data)
        except (DifficultyError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            eligible = cert.criteria.get("eligible")
            if submit:
                note = "" if eligible else "；注意：条件核查未全部满足，审核人员将看到未满足的条件"
                messages.success(request, f"已提交区级审核{note}")
            else:
                messages.success(request, "已保存草稿")
            return redirect("people:difficulty_detail", pk=cert.pk)
    else:
        audit.record_read(person, actor=request.user, purpose="就业困难人员认定申请")
    return render(
        request,
        "people/difficulty/apply.html",
        {"form": form, "person": person, "draft": draft, "working_age": actions.is_working_age(person)},
        status=422 if request.method == "POST" else 200,
    )


# -- queue, certified list ---------------------------------------------------------------------------


@login_required
def difficulty_queue(request: HttpRequest) -> HttpResponse:
    """Applications by state, default those awaiting district review, oldest submission first."""
    if not access.can_list_people(request.user):
        raise Http404
    status = request.GET.get("status") or "submitted"
    qs = queries.list_certifications()
    if not request.GET.get("status"):
        qs = qs.filter(status=DifficultyStatus.SUBMITTED)
    state: ListState = apply_list(request, qs, queries.QUEUE_LIST)
    if any(c.status == DifficultyStatus.SUBMITTED for c in state.page):
        ensure_difficulty_chain()  # due dates need the chain (normally created by the first submission)
    rows = queries.queue_rows(state.page)
    _log_list_read(request.user, "就业困难认定审核列表", [r.cert.person_id for r in rows], state.values,
                   state.page.paginator.count)  # fmt: skip
    return render(
        request,
        "people/difficulty/queue.html",
        {"state": state, "rows": rows, "status": status, "statuses": QUEUE_STATUSES, "districts": _districts(request),
         "today": timezone.localdate()},
    )  # fmt: skip


def _export_certified(request: HttpRequest, qs: Any, values: dict[str, str]) -> HttpResponseBase:
    certs = list(qs)
    full_phone = access.can_unmask(request.user)
    audit.record_many(
        audit.AuditAction.EXPORT,
        actor=request.user,
        object_type="people.person",
        object_ids=[c.person_id for c in certs],
        object_label=f"就业困难人员名单导出（{len(certs)}条）",
        changes={"filters": {k: v for k, v in values.items() if v}, "format": "xlsx", "count": len(certs)},
        purpose="就业困难人员名单导出",
    )
    rows = [
        [
            c.person.name,
            c.person.id_masked,
            c.district.name,
            c.person.street.name if c.person.street else "",
            c.person.cert_masked if c.person.cert_kind == "military" else
            f"{c.person.get_disability_category_display() or ''}{c.person.get_disability_level_display() or ''}",
            c.person.phone if full_phone else _mask_phone(c.person.phone),
            c.applied_on,
            c.valid_from,
            c.valid_until,
        ]
        for c in certs
    ]  # fmt: skip
    return xlsx_response("就业困难人员名单.xlsx", EXPORT_HEADERS, rows)


@login_required
def difficulty_certified(request: HttpRequest) -> HttpResponseBase:
    """Persons certified now, with their validity; Excel export with ID numbers masked."""
    if not access.can_list_people(request.user):
        raise Http404
    qs = queries.list_certified()
    if request.GET.get("export") == "xlsx":
        qs, values, _sort = filtered(request, qs, queries.CERTIFIED_LIST)
        return _export_certified(request, qs, values)
    state = apply_list(request, qs, queries.CERTIFIED_LIST)
    page = list(state.page)
    _log_list_read(
        request.user, "就业困难人员名单", [c.person_id for c in page], state.values, state.page.paginator.count
    )
    return render(
        request,
        "people/difficulty/certified.html",
        {
            "state": state,
            "certs": page,
            "districts": _districts(request),
            "today": timezone.localdate(),
            "expiring_choices": EXPIRING_CHOICES,
        },
    )


# -- detail and decisions ---------------------------------------------------------------------------


def _detail_context(request: HttpRequest, cert: DifficultyCertification, **extra: Any) -> dict[str, Any]:
    transitions = queries.user_transitions(cert, request.user)
    names = {t.name for t in transitions}
    progress = queries.queue_rows([cert])[0].progress
    approve_block = ""
    if "approve" in names:
        fresh, data = check_difficulty_criteria(
            cert.person, registered_unemployed=cert.registered_unemployed, able_and_willing=cert.able_and_willing,
            referral_failed=cert.referral_failed, on=timezone.localdate(),
        )  # fmt: skip
        if not fresh.eligible:
            unmet = "、".join(f"“{label}”" for label in data["failed"])
            approve_block = f"截至今天未满足{unmet}，不能认定通过；请退回修改或作出不予认定决定。"
    return {
        "cert": cert,
        "person": cert.person,
        "criteria": cert.criteria or {},
        "history": queries.certification_history(cert),
        "transitions": [t for t in transitions if t.name != "exit"],
        "can_exit": "exit" in names,
        "approve_block": approve_block,
        "progress": progress,
        "decision_form": DecisionForm(
            initial={"stage": progress.current.pk if progress and progress.current else None}
        ),
        "can_resubmit": cert.status == DifficultyStatus.DRAFT and can_apply(request.user),
        **extra,
    }


@login_required
def difficulty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cert = access_certification(request.user, pk)
    if cert.status == DifficultyStatus.SUBMITTED:
        ensure_difficulty_chain()
    audit.record_read(cert.person, actor=request.user, purpose=request.GET.get("purpose", "查看就业困难人员认定"))
    return render(request, "people/difficulty/detail.html", _detail_context(request, cert))


@login_required
@require_POST
def difficulty_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """认定通过 / 退回修改 / 不予认定 at the district stage; refusals are shown on the detail page."""
    cert = access_certification(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    name, note, stage = form.cleaned_data["transition"], form.cleaned_data["note"], form.cleaned_data["stage"]
    try:
        if name == "approve":
            actions.approve_difficulty(cert, actor=request.user, note=note, stage=stage)
        elif name == "return":
            actions.return_difficulty(cert, actor=request.user, note=note, stage=stage)
        else:
            actions.reject_difficulty(cert, actor=request.user, note=note, stage=stage)
    except (TransitionNotAllowed, DifficultyError) as exc:
        cert = access_certification(request.user, pk)
        context = _detail_context(request, cert, decision_error=str(exc))
        context["decision_form"] = form
        return render(request, "people/difficulty/detail.html", context, status=422)
    done = {"approve": "已认定通过", "return": "已退回修改", "reject": "已作出不予认定决定"}[name]
    messages.success(request, done)
    return redirect("people:difficulty_detail", pk=cert.pk)


@login_required
@require_http_methods(["GET", "POST"])
def difficulty_exit(request: HttpRequest, pk: int) -> HttpResponse:
    cert = access_certification(request.user, pk)
    if "exit" not in {t.name for t in queries.user_transitions(cert, request.user)}:
        raise Http404
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.exit_difficulty_certification(
                cert, actor=request.user, exited_on=form.cleaned_data["exited_on"], reason=form.reason_text()
            )
        except (DifficultyError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已退出就业困难人员认定")
            return redirect("people:difficulty_detail", pk=cert.pk)
    return render(
        request,
        "people/difficulty/form.html",
        {"form": form, "person": cert.person, "cert": cert, "title": f"退出就业困难人员认定：{cert.person.name}",
         "submit_label": "确认退出", "back": ("people:difficulty_detail", cert.pk)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


# -- 公益性岗位 --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def difficulty_placements(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's 公益性岗位 placements with subsidy totals, and the form to add one."""
    person = access.access_person(request.user, pk)
    editable = can_place(request.user)
    if request.method == "POST" and not editable:
        raise Http404
    form = PlacementForm(request.POST or None) if editable else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            actions.place_in_public_welfare_post(person, actor=request.user, **form.cleaned_data)
        except (PlacementError, actions.RegistryError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记{person.name}的公益性岗位安置，并添加了就业记录")
            return redirect("people:difficulty_placements", pk=person.pk)
    else:
        audit.record_read(person, actor=request.user, purpose="查看公益性岗位安置")
    limit = placement_limit(person, timezone.localdate()) if actions.is_working_age(person) else None
    return render(
        request,
        "people/difficulty/placements.html",
        {
            "person": person,
            "form": form,
            "limit": limit,
            "summary": queries.difficulty_summary(person, user=request.user),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def difficulty_placement_list(request: HttpRequest) -> HttpResponse:
    if not access.can_list_people(request.user):
        raise Http404
    state = apply_list(request, queries.list_placements(), queries.PLACEMENT_LIST)
    rows = queries.placement_rows(state.page)
    _log_list_read(request.user, "公益性岗位安置列表", [r.placement.person_id for r in rows], state.values,
                   state.page.paginator.count)  # fmt: skip
    return render(
        request,
        "people/difficulty/placement_list.html",
        {"state": state, "rows": rows, "districts": _districts(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def difficulty_placement_end(request: HttpRequest, pk: int) -> HttpResponse:
    placement = access_placement_for_edit(request.user, pk)
    form = EndPlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_public_welfare_placement(placement, actor=request.user, **form.cleaned_data)
        except (PlacementError, actions.RegistryError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已登记离岗，就业记录同时结束")
            return redirect("people:difficulty_placements", pk=placement.person_id)
    person: Person = placement.person
    return render(
        request,
        "people/difficulty/form.html",
        {"form": form, "person": person, "title": f"公益性岗位离岗：{person.name}（{placement.post}）",
         "submit_label": "登记离岗", "back": ("people:difficulty_placements", person.pk)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


urlpatterns: list[URLPattern] = [
    path("difficulty/", difficulty_queue, name="difficulty_queue"),
    path("difficulty/certified/", difficulty_certified, name="difficulty_certified"),
    path("difficulty/<int:pk>/", difficulty_detail, name="difficulty_detail"),
    path("difficulty/<int:pk>/decide/", difficulty_decide, name="difficulty_decide"),
    path("difficulty/<int:pk>/exit/", difficulty_exit, name="difficulty_exit"),
    path("difficulty/placements/", difficulty_placement_list, name="difficulty_placement_list"),
    path("difficulty/placements/<int:pk>/end/", difficulty_placement_end, name="difficulty_placement_end"),
    path("<int:pk>/difficulty/apply/", difficulty_apply, name="difficulty_apply"),
    path("<int:pk>/public-welfare/", difficulty_placements, name="difficulty_placements"),
]
