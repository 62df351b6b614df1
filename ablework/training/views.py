"""Pages of vocational training (providers, courses, enrolments, completion, certificates, employment
within the window after completion, skills competitions) and blind massage (institutions, practitioners).

Access first (``training.access``: 404 for missing and forbidden alike), then an action or a query.
Reads and exports of lists naming persons are audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from ablework.core import audit
from ablework.core.files import xlsx_response
from ablework.core.listing import ListSpec, apply_list, filtered
from ablework.core.models import District
from ablework.core.policy import read_once
from ablework.training import access, actions, facts, queries
from ablework.training.enums import (
    AccessibleFormat,
    LengthClass,
    ListingStatus,
    MassageKind,
    ProviderKind,
    TitleLevel,
)
from ablework.training.forms import (
    CompleteForm,
    CourseForm,
    EnrolForm,
    EntryForm,
    MassageInstitutionForm,
    PractitionerForm,
    ProviderForm,
)
from ablework.training.models import Course, Enrolment, MassageInstitution, MassagePractitioner, Provider

FORMAT_LABELS = {k: str(v) for k, v in AccessibleFormat.choices}


def _district_ids(request: HttpRequest) -> list[int]:
    return list(request.user.scope_district_ids())  # type: ignore[union-attr]


def _add_errors(form: forms.BaseForm, exc: actions.TrainingError) -> None:
    if not exc.errors:
        form.add_error(None, str(exc))
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _form_page(
    request: HttpRequest, form: forms.BaseForm, *, title: str, back: str, crumb: str, submit: str = "保存"
) -> HttpResponse:
    ctx = {"form": form, "title": title, "back": back, "crumb": crumb, "submit": submit}
    return render(request, "training/form.html", ctx)


def _list(
    request: HttpRequest,
    qs: QuerySet[Any],
    spec: ListSpec,
    *,
    template: str,
    filename: str,
    headers: Sequence[str],
    rows: Callable[[Iterable[Any]], Iterable[list[Any]]],
    object_type: str,
    personal: bool,
    extra: dict[str, Any],
) -> HttpResponseBase:
    if not access.can_list(request.user):
        raise Http404
    if request.GET.get("export") == "xlsx":
        fqs, values, _ = filtered(request, qs, spec)
        items = list(fqs)
        filters = {k: v for k, v in values.items() if v}
        if personal:
            audit.record_many(
                audit.AuditAction.EXPORT, actor=request.user, object_type=object_type,
                object_ids=[o.pk for o in items], object_label=f"{filename}导出（{len(items)}条）",
                changes={"filters": filters, "format": "xlsx"}, purpose="导出名单",
            )  # fmt: skip
        else:
            with transaction.atomic():
                audit.record(
                    audit.AuditAction.EXPORT, actor=request.user, object_type=object_type,
                    object_label=f"{filename}导出（{len(items)}条）",
                    changes={"filters": filters, "format": "xlsx", "count": len(items)}, purpose="导出名单",
                )  # fmt: skip
        return xlsx_response(f"{filename}.xlsx", headers, list(rows(items)))
    state = apply_list(request, qs, spec)
    if personal and state.page.object_list:
        audit.record_many(
            audit.AuditAction.READ, actor=request.user, object_type=object_type,
            object_ids=[o.pk for o in state.page], object_label=filename, purpose="查看名单",
        )  # fmt: skip
    ctx = {
        "state": state,
        "districts": District.objects.filter(pk__in=_district_ids(request)),
        "can_edit": access.can_edit(request.user),
        "can_record": access.can_record(request.user),
    } | extra
    return render(request, template, ctx)


def _edit(
    request: HttpRequest,
    form: forms.ModelForm,  # type: ignore[type-arg]
    save: Callable[..., Any],
    *,
    title: str,
    back: str,
    crumb: str,
    done: Callable[[Any], str],
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.save(commit=False), actor=request.user)
        except actions.TrainingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect(done(obj))
    return _form_page(request, form, title=title, back=back, crumb=crumb)


# --- providers ----------------------------------------------------------------------------------------------


@login_required
def provider_list(request: HttpRequest) -> HttpResponseBase:
    return _list(
        request, queries.list_providers(), queries.PROVIDER_LIST, template="training/provider_list.html",
        filename="培训机构名单", headers=queries.PROVIDER_HEADERS, rows=queries.provider_rows,
        object_type="training.provider", personal=False,
        extra={"kinds": ProviderKind.choices, "listings": ListingStatus.choices},
    )  # fmt: skip


@login_required
def provider_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = ProviderForm(request.POST or None, district_ids=_district_ids(request))
    return _edit(
        request, form, actions.save_provider, title="登记培训机构", back=reverse("training:provider_list"),
        crumb="培训机构", done=lambda p: reverse("training:provider_detail", args=[p.pk]),
    )  # fmt: skip


@login_required
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = access.access_object(request.user, Provider.objects.select_related("district"), pk)
    courses = queries.list_courses().filter(provider=provider)
    ctx = {"provider": provider, "courses": courses, "can_edit": access.can_edit(request.user)}
    return render(request, "training/provider_detail.html", ctx)


@login_required
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    provider = access.access_object(request.user, Provider.objects.all(), pk)
    if not access.can_edit(request.user):
        raise Http404
    form = ProviderForm(request.POST or None, instance=provider, district_ids=_district_ids(request))
    back = reverse("training:provider_detail", args=[pk])
    return _edit(request, form, actions.save_provider, title=f"修改：{provider.name}", back=back, crumb=provider.name,
                 done=lambda p: back)  # fmt: skip


# --- courses ------------------------------------------------------------------------------------------------


@login_required
def course_list(request: HttpRequest) -> HttpResponseBase:
    return _list(
        request, queries.list_courses(), queries.COURSE_LIST, template="training/course_list.html",
        filename="培训班名单", headers=queries.COURSE_HEADERS,
        rows=lambda qs: queries.course_rows(qs, FORMAT_LABELS), object_type="training.course", personal=False,
        extra={"lengths": LengthClass.choices, "formats": AccessibleFormat.choices},
    )  # fmt: skip


@login_required
def course_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = CourseForm(request.POST or None, district_ids=_district_ids(request))
    if request.GET.get("provider", "").isdigit():
        form.initial["provider"] = int(request.GET["provider"])
    return _edit(
        request, form, actions.save_course, title="登记培训班", back=reverse("training:course_list"), crumb="培训班",
        done=lambda c: reverse("training:course_detail", args=[c.pk]),
    )  # fmt: skip


@login_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = access.access_object(request.user, Course.objects.select_related("provider"), pk)
    if not access.can_edit(request.user):
        raise Http404
    form = CourseForm(request.POST or None, instance=course, district_ids=_district_ids(request))
    back = reverse("training:course_detail", args=[pk])
    return _edit(request, form, actions.save_course, title=f"修改：{course.name}", back=back, crumb=course.name,
                 done=lambda c: back)  # fmt: skip


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = access.access_object(request.user, Course.objects.select_related("provider", "district"), pk)
    enrolments = queries.enrolments_of(course)
    if enrolments:
        audit.record_many(
            audit.AuditAction.READ, actor=request.user, object_type="training.enrolment",
            object_ids=[e.pk for e in enrolments], object_label=f"{course.name}学员名单", purpose="查看学员名单",
            district_code=course.district.code,
        )  # fmt: skip
    with read_once():
        outcomes = facts.outcomes(enrolments)
    rows = [{"e": e, "outcome": outcomes.get(e.pk)} for e in enrolments]
    counts = {
        "enrolled": sum(1 for e in enrolments if e.status != "dropped"),
        "completed": sum(1 for e in enrolments if e.status == "completed"),
        "certified": sum(1 for e in enrolments if e.certificate_kind),
        "employed": sum(1 for o in outcomes.values() if o.employed),
    }
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "rows": rows,
            "counts": counts,
            "formats": [FORMAT_LABELS.get(f, f) for f in course.format_list],
            "window": facts.window_months(course.end_date),
            "can_edit": access.can_edit(request.user),
            "can_record": access.can_record(request.user),
        },
    )


@login_required
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    course = access.access_object(request.user, Course.objects.all(), pk)
    if not access.can_record(request.user):
        raise Http404
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.enrol(course, form.cleaned_data["person"], actor=request.user,
                          enrolled_on=form.cleaned_data["enrolled_on"])  # fmt: skip
        except actions.TrainingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已为{form.cleaned_data['person'].name}报名")
            return redirect("training:course_detail", pk=course.pk)
    back = reverse("training:course_detail", args=[pk])
    return _form_page(request, form, title=f"报名：{course.name}", back=back, crumb=course.name, submit="报名")


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    e = access.access_object(request.user, Enrolment.objects.select_related("course", "person"), pk)
    if not access.can_record(request.user):
        raise Http404
    return e  # type: ignore[no-any-return]


@login_required
def enrolment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    e = _enrolment(request, pk)
    form = CompleteForm(request.POST or None, initial={"completed_on": e.course.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete(e, actor=request.user, **form.cleaned_data)
        except actions.TrainingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已登记{e.person.name}结业")
            return redirect("training:course_detail", pk=e.course_id)
    back = reverse("training:course_detail", args=[e.course_id])
    return _form_page(request, form, title=f"登记结业与证书：{e.person.name}", back=back, crumb=e.course.name)


@login_required
def enrolment_drop(request: HttpRequest, pk: int) -> HttpResponse:
    e = _enrolment(request, pk)
    if request.method != "POST":
        raise Http404
    try:
        actions.drop(e, actor=request.user)
    except actions.TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已登记{e.person.name}中途退出")
    return redirect("training:course_detail", pk=e.course_id)


# --- skills competition ------------------------------------------------------------------------------------


@login_required
def entry_list(request: HttpRequest) -> HttpResponseBase:
    return _list(
        request, queries.list_entries(), queries.ENTRY_LIST, template="training/entry_list.html",
        filename="技能竞赛参赛名单", headers=queries.ENTRY_HEADERS, rows=queries.entry_rows,
        object_type="training.competitionentry", personal=True, extra={},
    )  # fmt: skip


@login_required
def entry_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = EntryForm(request.POST or None, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person, district = data.pop("person"), data.pop("district")
        try:
            actions.add_entry(person, actor=request.user, district_id=district.pk, **data)
        except actions.TrainingError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已登记参赛")
            return redirect("training:entry_list")
    return _form_page(request, form, title="登记技能竞赛参赛", back=reverse("training:entry_list"), crumb="技能竞赛")


# --- blind massage -------------------------------------------------------------------------------------------


@login_required
def massage_list(request: HttpRequest) -> HttpResponseBase:
    return _list(
        request, queries.list_massage_institutions(), queries.MASSAGE_LIST, template="training/massage_list.html",
        filename="盲人按摩机构名单", headers=queries.MASSAGE_HEADERS, rows=queries.massage_rows,
        object_type="training.massageinstitution", personal=False, extra={"kinds": MassageKind.choices},
    )  # fmt: skip


@login_required
def massage_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = MassageInstitutionForm(request.POST or None, district_ids=_district_ids(request))
    return _edit(request, form, actions.save_massage_institution, title="登记盲人按摩机构",
                 back=reverse("training:massage_list"), crumb="盲人按摩机构",
                 done=lambda m: reverse("training:massage_list"))  # fmt: skip


@login_required
def massage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_object(request.user, MassageInstitution.objects.all(), pk)
    if not access.can_edit(request.user):
        raise Http404
    form = MassageInstitutionForm(request.POST or None, instance=inst, district_ids=_district_ids(request))
    return _edit(request, form, actions.save_massage_institution, title=f"修改：{inst.name}",
                 back=reverse("training:massage_list"), crumb="盲人按摩机构",
                 done=lambda m: reverse("training:massage_list"))  # fmt: skip


@login_required
def practitioner_list(request: HttpRequest) -> HttpResponseBase:
    titles = [("none", "无职称"), *[(k, v) for k, v in TitleLevel.choices if k]]
    return _list(
        request, queries.list_practitioners(), queries.PRACTITIONER_LIST, template="training/practitioner_list.html",
        filename="盲人按摩人员名单", headers=queries.PRACTITIONER_HEADERS, rows=queries.practitioner_rows,
        object_type="training.massagepractitioner",
        personal=True, extra={"titles": titles},
    )  # fmt: skip


@login_required
def practitioner_create(request: HttpRequest) -> HttpResponse:
    if not access.can_edit(request.user):
        raise Http404
    form = PractitionerForm(request.POST or None, district_ids=_district_ids(request))
    if request.method == "POST" and form.is_valid():
        row: MassagePractitioner = form.save(commit=False)
        row.person = form.cleaned_data["person"]
        if MassagePractitioner.objects.filter(person=row.person).exists():
            form.add_error("person", "此人已登记为盲人按摩人员")
        else:
            try:
                actions.save_practitioner(row, actor=request.user)
            except actions.TrainingError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "已登记")
                return redirect("training:practitioner_list")
    return _form_page(
        request, form, title="登记盲人按摩人员", back=reverse("training:practitioner_list"), crumb="盲人按摩人员"
    )


@login_required
def practitioner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = access.access_object(request.user, MassagePractitioner.objects.select_related("person"), pk)
    if not access.can_edit(request.user):
        raise Http404
    audit.record_read(row, actor=request.user, purpose="修改盲人按摩人员")
    form = PractitionerForm(request.POST or None, instance=row, district_ids=_district_ids(request))
    return _edit(request, form, actions.save_practitioner, title=f"修改：{row.person.name}",
                 back=reverse("training:practitioner_list"), crumb="盲人按摩人员",
                 done=lambda m: reverse("training:practitioner_list"))  # fmt: skip
