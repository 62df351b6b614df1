"""Pages of ablework.jobs for officers and employer users (namespace ``jobs``, under ``/jobs/``).

Officers (city, district, street) see the postings, fairs and directory entries of their districts
and the applications, referrals and retention checks of the persons of their districts.  An
employer user sees their own unit's postings and the applications to them.  Missing and forbidden
both answer 404.  Every page that shows persons records a READ in the audit log (one entry per list
page with the person ids); exports record an EXPORT.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ablework.core import audit
from ablework.core.files import xlsx_response
from ablework.core.listing import ListSpec, apply_list, filtered
from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.core.workflow import TransitionNotAllowed, available_transitions, history
from ablework.employers import api as employers_api
from ablework.jobs import access, actions, queries
from ablework.jobs.enums import ConsentStatus, DirectoryKind, PostingSource, PostingStatus
from ablework.jobs.forms import DirectoryForm, FairForm, HireForm, NoteForm, PostingForm, RetentionForm
from ablework.jobs.models import Application, DirectoryEntry, Fair, Posting
from ablework.people import api as people_api

app_name = "jobs"


def _districts(request: HttpRequest) -> Any:
    return District.objects.filter(id__in=request.user.scope_district_ids())  # type: ignore[union-attr]


def _log_persons(user: Any, label: str, person_ids: list[int], extra: dict[str, Any] | None = None) -> None:
    if person_ids:
        audit.record_many(
            audit.AuditAction.READ,
            actor=user,
            object_type="people.person",
            object_ids=person_ids,
            object_label=f"{label}（{len(person_ids)}人）",
            changes={"count": len(person_ids), **(extra or {})},
            purpose=label,
        )


def _form_errors(form: Any, exc: actions.JobsError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


# -- postings ---------------------------------------------------------------------------------------


def _posting_scope(request: HttpRequest) -> Any:
    """Postings the user may list: staff → scoped manager; employer user → own unit's (else 404)."""
    if access.is_staff(request.user):
        return queries.list_postings(), None
    employer = access.own_employer(request.user)
    if employer is None:
        raise Http404
    with unscoped():
        return Posting.objects.select_related("employer", "district", "fair").filter(employer=employer), employer


POSTING_HEADERS = [
    "岗位名称",
    "用人单位",
    "岗位类型",
    "工作地点",
    "工作时间",
    "月工资",
    "招聘人数",
    "岗位来源",
    "状态",
    "发布日期",
    "截止日期",
]


@login_required
def posting_list(request: HttpRequest) -> HttpResponseBase:
    qs, employer = _posting_scope(request)
    if request.GET.get("export") == "xlsx":
        with unscoped() if employer is not None else nullcontext():
            rows_qs, values, _sort = filtered(request, qs, queries.POSTING_LIST)
            rows = list(rows_qs[:20000])
        audit.record_many(
            audit.AuditAction.EXPORT, actor=request.user, object_type="jobs.posting", object_ids=[p.pk for p in rows],
            object_label=f"岗位导出（{len(rows)}条）", changes={"filters": {k: v for k, v in values.items() if v}},
        )  # fmt: skip
        return xlsx_response(
            "岗位.xlsx",
            POSTING_HEADERS,
            [
                [p.title, p.employer.name, p.get_occupation_display(), p.district.name, p.get_work_time_display(),
                 _wage(p), p.headcount, p.get_source_display(), p.get_status_display(), p.valid_from, p.valid_until]
                for p in rows
            ],
        )  # fmt: skip
    with unscoped() if employer is not None else nullcontext():
        state = apply_list(request, qs, queries.POSTING_LIST)
        page = list(state.page)
    return render(
        request,
        "jobs/posting_list.html",
        {"state": state, "postings": page, "employer": employer, "districts": _districts(request), **queries.choice_labels(),
         "statuses": PostingStatus.choices, "can_create": access.can_edit(request.user) or employer is not None},
    )  # fmt: skip


def _wage(p: Posting) -> str:
    if p.wage_min is None and p.wage_max is None:
        return "面议"
    if p.wage_min is not None and p.wage_max is not None and p.wage_min != p.wage_max:
        return f"{p.wage_min:.0f}–{p.wage_max:.0f}元"
    return f"{(p.wage_max or p.wage_min):.0f}元"


def _fairs_for(request: HttpRequest) -> Any:
    today = timezone.localdate()
    with unscoped():
        return Fair.objects.filter(ends_on__gte=today).order_by("starts_on")


def _employer_from_request(request: HttpRequest, form: PostingForm) -> Any:
    employer = access.own_employer(request.user)
    if employer is not None:
        return employer
    uscc = (request.POST.get("employer_uscc") or request.GET.get("employer_uscc") or "").strip().upper()
    found = employers_api.find_employer_by_uscc(uscc) if uscc else None
    # An officer posts for a unit of their own districts only.
    if found is not None and employers_api.get_employer(found.pk) is None:
        found = None
    if found is None:
        form.add_error(
            None, "请填写本区已登记用人单位的统一社会信用代码" if uscc else "请填写用人单位的统一社会信用代码"
        )
    return found


@login_required
@require_http_methods(["GET", "POST"])
def posting_create(request: HttpRequest) -> HttpResponse:
    employer = access.own_employer(request.user)
    if employer is None and not access.can_edit(request.user):
        raise Http404
    today = timezone.localdate()
    form = PostingForm(
        request.POST or None,
        fairs=_fairs_for(request),
        initial={"valid_from": today, "valid_until": today + timedelta(days=90)},
    )
    if request.method == "POST" and form.is_valid():
        unit = _employer_from_request(request, form)
        if unit is not None:
            try:
                posting = actions.save_posting(None, actor=request.user, employer=unit, data=form.cleaned_data)
            except actions.JobsError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已保存岗位草稿；核对后请点击“发布”")
                return redirect("jobs:posting_detail", pk=posting.pk)
    return render(
        request,
        "jobs/posting_form.html",
        {"form": form, "employer": employer, "ask_uscc": employer is None,
         "uscc": request.POST.get("employer_uscc", request.GET.get("employer_uscc", "")), "title": "发布岗位"},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def posting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    posting = access.access_posting_for_edit(request.user, pk)
    initial = {f: getattr(posting, f) for f in actions.POSTING_FIELDS}
    form = PostingForm(request.POST or None, fairs=_fairs_for(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_posting(posting, actor=request.user, employer=posting.employer, data=form.cleaned_data)
        except actions.JobsError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存岗位")
            return redirect("jobs:posting_detail", pk=posting.pk)
    return render(
        request,
        "jobs/posting_form.html",
        {"form": form, "employer": posting.employer, "posting": posting, "title": f"修改岗位：{posting.title}"},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def posting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    posting = access.access_posting(request.user, pk)
    employer_view = not access.is_staff(request.user)
    if employer_view:
        with unscoped():
            apps = list(Application.objects.select_related("person", "district").filter(posting=posting))
    else:
        apps = list(Application.objects.select_related("person", "district").filter(posting=posting))
    candidates: list[queries.CandidateMatch] = []
    if posting.status == PostingStatus.OPEN and request.GET.get("candidates") == "1":
        district_ids = None if employer_view else request.user.scope_district_ids()  # type: ignore[union-attr]
        candidates = queries.candidates_for_posting(posting, district_ids=district_ids, consented_only=employer_view)
        applied = {a.person_id for a in apps}
        candidates = [c for c in candidates if c.profile.person_id not in applied]
    _log_persons(request.user, "查看岗位的申请人", [a.person_id for a in apps], {"posting": posting.pk})
    _log_persons(
        request.user, "查看岗位匹配的求职者", [c.profile.person_id for c in candidates], {"posting": posting.pk}
    )
    return render(
        request,
        "jobs/posting_detail.html",
        {
            "posting": posting,
            "apps": apps,
            "candidates": candidates,
            "employer_view": employer_view,
            "can_refer": access.can_edit(request.user),
            "can_edit": access.can_edit(request.user) or (employer_view and posting.employer_id == getattr(access.own_employer(request.user), "pk", None)),
            "transitions": available_transitions(posting, request.user),
            "history": history(posting),
            "wage": _wage(posting),
            "labels": queries.labels(),
            "show_candidates": request.GET.get("candidates") == "1",
        },
    )  # fmt: skip


@login_required
@require_POST
def posting_transition(request: HttpRequest, pk: int) -> HttpResponse:
    posting = access.access_posting_for_edit(request.user, pk)
    name = request.POST.get("transition", "")
    try:
        actions.set_posting_status(posting, name, actor=request.user, note=request.POST.get("note", ""))
    except (actions.JobsError, TransitionNotAllowed, KeyError) as exc:
        messages.error(request, str(exc) if not isinstance(exc, KeyError) else "操作无效")
    else:
        messages.success(request, "已发布岗位" if name == "publish" else "已结束招聘")
    return redirect("jobs:posting_detail", pk=posting.pk)


@login_required
@require_POST
def posting_refer(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer a person of the officer's district (from the candidates or the person's matches)."""
    if not access.can_edit(request.user):
        raise Http404
    posting = access.access_posting(request.user, pk)
    person_id = request.POST.get("person", "")
    person = people_api.get_person(int(person_id)) if person_id.isdigit() else None  # scoped: own districts only
    if person is None:
        raise Http404
    score = request.POST.get("score", "")
    try:
        app = actions.refer_person(posting, person, actor=request.user, note=request.POST.get("note", ""),
                                   score=int(score) if score.isdigit() else None)  # fmt: skip
    except actions.JobsError as exc:
        messages.error(request, str(exc))
        return (
            redirect(_safe_next(request))
            if request.POST.get("next")
            else redirect("jobs:posting_detail", pk=posting.pk)
        )
    messages.success(request, f"已将{person.name}推荐到“{posting.title}”")
    return redirect("jobs:application_detail", pk=app.pk)


def _safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else "/jobs/"


# -- applications and referrals ---------------------------------------------------------------------

APPLICATION_HEADERS = ["姓名", "身份证号（脱敏）", "户籍区", "岗位", "用人单位", "方式", "状态", "日期", "入职日期"]


@login_required
def application_list(request: HttpRequest) -> HttpResponseBase:
    if not access.is_staff(request.user):
        raise Http404
    qs = queries.list_applications()
    if request.GET.get("export") == "xlsx":
        rows_qs, values, _sort = filtered(request, qs, queries.APPLICATION_LIST)
        rows = list(rows_qs[:20000])
        audit.record_many(
            audit.AuditAction.EXPORT, actor=request.user, object_type="people.person",
            object_ids=[a.person_id for a in rows], object_label=f"求职申请与推荐导出（{len(rows)}条）",
            changes={"filters": {k: v for k, v in values.items() if v}, "format": "xlsx"}, purpose="求职申请与推荐导出",
        )  # fmt: skip
        return xlsx_response(
            "求职申请与推荐.xlsx",
            APPLICATION_HEADERS,
            [[a.person.name, a.person.id_masked, a.district.name, a.posting.title, a.posting.employer.name,
              a.get_channel_display(), a.get_status_display(), a.created_at.date(), a.hired_on] for a in rows],
        )  # fmt: skip
    state = apply_list(request, qs, queries.APPLICATION_LIST)
    page = list(state.page)
    _log_persons(request.user, "求职申请与推荐列表", [a.person_id for a in page])
    from ablework.jobs.enums import ApplicationStatus, Channel

    return render(
        request,
        "jobs/application_list.html",
        {"state": state, "apps": page, "districts": _districts(request), "statuses": ApplicationStatus.choices,
         "channels": Channel.choices},
    )  # fmt: skip


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = access.access_application(request.user, pk)
    if access.is_person_user(request.user):
        raise Http404  # persons see their applications on the portal
    audit.record_read(app.person, actor=request.user, purpose="查看求职申请")
    transitions = [t for t in available_transitions(app, request.user) if t.name != "hire"]
    can_hire = any(t.name == "hire" for t in available_transitions(app, request.user))
    with unscoped():
        checks = list(app.retention_checks.all())
    return render(
        request,
        "jobs/application_detail.html",
        {"app": app, "transitions": transitions, "can_hire": can_hire, "history": history(app), "checks": checks,
         "note_form": NoteForm(), "employer_view": not access.is_staff(request.user)},
    )  # fmt: skip


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    app = access.access_application(request.user, pk)
    if access.is_person_user(request.user):
        raise Http404
    try:
        actions.set_application_status(app, request.POST.get("transition", ""), actor=request.user,
                                       note=request.POST.get("note", ""))  # fmt: skip
    except (actions.JobsError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    except KeyError:
        messages.error(request, "操作无效")
    else:
        messages.success(request, f"已更新为“{app.get_status_display()}”")
    return redirect("jobs:application_detail", pk=app.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_hire(request: HttpRequest, pk: int) -> HttpResponse:
    app = access.access_application(request.user, pk)
    if access.is_person_user(request.user) or not any(
        t.name == "hire" for t in available_transitions(app, request.user)
    ):
        raise Http404
    form = HireForm(request.POST or None, initial={"hired_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.hire(app, actor=request.user, **form.cleaned_data)
        except (actions.JobsError, TransitionNotAllowed) as exc:
            form.add_error(getattr(exc, "field", "") or None, str(exc))
        else:
            messages.success(request, f"已登记录用：{app.person.name}，就业记录已写入残疾人档案，并生成稳岗回访计划")
            return redirect("jobs:application_detail", pk=app.pk)
    return render(
        request,
        "jobs/form.html",
        {"form": form, "title": f"登记录用：{app.person.name} → {app.posting.title}", "submit": "确认录用",
         "back": ("jobs:application_detail", app.pk)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


# -- retention checks -------------------------------------------------------------------------------


RETENTION_LIST = ListSpec(
    filters={
        "months": lambda qs, v: qs.filter(months=int(v)) if v.isdigit() else qs.none(),
        "overdue": lambda qs, v: qs.filter(due_on__lt=timezone.localdate()) if v == "1" else qs,
    },
    page_size=30,
)


@login_required
def retention_due(request: HttpRequest) -> HttpResponseBase:
    if not access.is_staff(request.user):
        raise Http404
    qs = queries.due_retention_checks()
    if request.GET.get("export") == "xlsx":
        rows_qs, values, _sort = filtered(request, qs, RETENTION_LIST)
        rows = list(rows_qs)
        audit.record_many(
            audit.AuditAction.EXPORT, actor=request.user, object_type="people.person",
            object_ids=[c.application.person_id for c in rows], object_label=f"稳岗回访待办导出（{len(rows)}条）",
            changes={"filters": {k: v for k, v in values.items() if v}, "format": "xlsx"}, purpose="稳岗回访待办导出",
        )  # fmt: skip
        return xlsx_response(
            "稳岗回访待办.xlsx",
            ["姓名", "身份证号（脱敏）", "岗位", "用人单位", "入职日期", "入职后月数", "应回访日期"],
            [[c.application.person.name, c.application.person.id_masked, c.application.posting.title,
              c.application.posting.employer.name, c.application.hired_on, c.months, c.due_on] for c in rows],
        )  # fmt: skip
    state = apply_list(request, qs, RETENTION_LIST)
    page = list(state.page)
    _log_persons(request.user, "稳岗回访待办", [c.application.person_id for c in page])
    return render(request, "jobs/retention_due.html", {"state": state, "checks": page, "today": timezone.localdate(),
                                                       "months_choices": actions.retention_months(timezone.localdate())[0]})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def retention_record(request: HttpRequest, pk: int) -> HttpResponse:
    check = access.access_retention_check(request.user, pk)
    form = RetentionForm(request.POST or None, initial={"checked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_retention_check(check, actor=request.user, **form.cleaned_data)
        except actions.JobsError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已登记回访")
            return redirect("jobs:retention_due")
    return render(
        request,
        "jobs/form.html",
        {"form": form, "title": f"稳岗回访（入职{check.months}个月）：{check.application.person.name}",
         "submit": "保存回访", "back": ("jobs:retention_due", None)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


# -- matching for a person (officers) ---------------------------------------------------------------


@login_required
def person_matches(request: HttpRequest, pk: int) -> HttpResponse:
    if not access.is_staff(request.user):
        raise Http404
    person = people_api.get_person(pk)  # scoped: own districts only
    if person is None:
        raise Http404
    audit.record_read(person, actor=request.user, purpose="岗位匹配")
    profile, matches = queries.matches_for_person(person.pk, limit=20)
    return render(
        request,
        "jobs/person_matches.html",
        {"person": person, "profile": profile, "matches": matches, "consent": queries.consent_of(person.pk),
         "can_refer": access.can_edit(request.user), "labels": queries.labels(), "consent_choices": ConsentStatus.choices},
    )  # fmt: skip


@login_required
@require_POST
def person_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """An officer records the choice the person stated (e.g. at the need registration)."""
    if not access.can_edit(request.user):
        raise Http404
    person = people_api.get_person(pk)
    if person is None:
        raise Http404
    try:
        actions.set_matching_consent(person, actor=request.user, status=request.POST.get("status", ""))
    except actions.JobsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记本人的选择")
    return redirect("jobs:person_matches", pk=person.pk)


# -- fairs ------------------------------------------------------------------------------------------


@login_required
def fair_list(request: HttpRequest) -> HttpResponse:
    if not access.is_staff(request.user):
        raise Http404
    state = apply_list(request, Fair.objects.select_related("district"), ListSpec(page_size=30))
    return render(request, "jobs/fair_list.html", {"state": state, "fairs": list(state.page),
                                                   "can_edit": access.can_edit(request.user)})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def fair_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    fair = access.access_fair(request.user, pk) if pk else None
    initial = (
        {
            f: getattr(fair, f)
            for f in ("name", "kind", "district", "starts_on", "ends_on", "venue", "description", "published")
        }
        if fair
        else None
    )
    form = FairForm(request.POST or None, initial=initial, districts=_districts(request))
    if request.method == "POST" and form.is_valid():
        try:
            fair = actions.save_fair(fair, actor=request.user, data=form.cleaned_data)
        except actions.JobsError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存招聘专场")
            return redirect("jobs:fair_list")
    return render(
        request,
        "jobs/form.html",
        {"form": form, "title": f"修改招聘专场：{fair.name}" if fair else "新建招聘专场", "submit": "保存",
         "back": ("jobs:fair_list", None)},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


# -- directories ------------------------------------------------------------------------------------

DIRECTORY_LIST = ListSpec(
    filters={
        "kind": lambda qs, v: qs.filter(kind=v),
        "district": lambda qs, v: qs.filter(district__code=v),
        "q": lambda qs, v: (
            qs.filter(name__icontains=v) | qs.filter(address__icontains=v) | qs.filter(services__icontains=v)
        ),
    },
    sorts={"name": ("名称", "name")},
    default_sort="name",
    page_size=30,
)


@login_required
def directory_list(request: HttpRequest) -> HttpResponseBase:
    if not access.is_staff(request.user):
        raise Http404
    qs = DirectoryEntry.objects.select_related("district")
    if request.GET.get("export") == "xlsx":
        rows_qs, _values, _ = filtered(request, qs, DIRECTORY_LIST)
        rows = list(rows_qs)
        audit.record_many(audit.AuditAction.EXPORT, actor=request.user, object_type="jobs.directoryentry",
                          object_ids=[e.pk for e in rows], object_label=f"服务机构目录导出（{len(rows)}条）")  # fmt: skip
        return xlsx_response(
            "服务机构目录.xlsx",
            ["目录", "名称", "载体类型", "所在区", "地址", "联系电话", "许可证或备案编号", "服务内容", "场所无障碍", "公开"],
            [[e.get_kind_display(), e.name, e.get_carrier_type_display() if e.carrier_type else "", e.district.name,
              e.address, e.phone, e.licence_no, e.services, "是" if e.accessible else "否", "是" if e.published else "否"]
             for e in rows],
        )  # fmt: skip
    state = apply_list(request, qs, DIRECTORY_LIST)
    return render(
        request,
        "jobs/directory_list.html",
        {"state": state, "entries": list(state.page), "kinds": DirectoryKind.choices, "districts": _districts(request),
         "can_edit": access.can_edit(request.user)},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def directory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    entry = access.access_directory_entry(request.user, pk) if pk else None
    initial = (
        {f: getattr(entry, f) for f in actions.DIRECTORY_FIELDS} if entry else {"kind": request.GET.get("kind", "")}
    )
    form = DirectoryForm(request.POST or None, initial=initial, districts=_districts(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_directory_entry(entry, actor=request.user, data=form.cleaned_data)
        except actions.JobsError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存目录条目")
            return redirect("jobs:directory_list")
    return render(
        request,
        "jobs/form.html",
        {"form": form, "title": f"修改目录条目：{entry.name}" if entry else "新增目录条目", "submit": "保存",
         "back": ("jobs:directory_list", None), "history": audit.history_for(entry) if entry else None},
        status=422 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_POST
def directory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.access_directory_entry(request.user, pk)
    actions.delete_directory_entry(entry, actor=request.user)
    messages.success(request, f"已删除“{entry.name}”")
    return redirect("jobs:directory_list")


urlpatterns = [
    path("", posting_list, name="posting_list"),
    path("new/", posting_create, name="posting_create"),
    path("<int:pk>/", posting_detail, name="posting_detail"),
    path("<int:pk>/edit/", posting_edit, name="posting_edit"),
    path("<int:pk>/status/", posting_transition, name="posting_transition"),
    path("<int:pk>/refer/", posting_refer, name="posting_refer"),
    path("applications/", application_list, name="application_list"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/status/", application_transition, name="application_transition"),
    path("applications/<int:pk>/hire/", application_hire, name="application_hire"),
    path("retention/", retention_due, name="retention_due"),
    path("retention/<int:pk>/", retention_record, name="retention_record"),
    path("person/<int:pk>/", person_matches, name="person_matches"),
    path("person/<int:pk>/consent/", person_consent, name="person_consent"),
    path("fairs/", fair_list, name="fair_list"),
    path("fairs/new/", fair_edit, name="fair_create"),
    path("fairs/<int:pk>/", fair_edit, name="fair_edit"),
    path("directories/", directory_list, name="directory_list"),
    path("directories/new/", directory_edit, name="directory_create"),
    path("directories/<int:pk>/", directory_edit, name="directory_edit"),
    path("directories/<int:pk>/delete/", directory_delete, name="directory_delete"),
]

__all__ = ["PostingSource", "app_name", "urlpatterns"]
