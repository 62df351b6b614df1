"""Public job pages of the portal (no login needed to search and read) and the person's job
self-service ("我的求职": applications, recommended postings with reasons, the matching choice).

Public pages show only what employers publish (postings) and officers publish (fairs, directories):
no personal data.  The self-service pages act for the persons linked to the portal account
(``people.api.portal_persons``) and nobody else; reads of the person's own data by the person are
not the officers' access log, so they are not recorded as officer reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ablework.accounts.enums import Role
from ablework.core.models import District
from ablework.core.workflow import TransitionNotAllowed
from ablework.employers import api as employers_api
from ablework.jobs import api as jobs_api
from ablework.jobs.enums import ConsentStatus, DirectoryKind, PostingSource
from ablework.people import api as people_api


def _is_person(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) == Role.PERSON)


def _wage(p: Any) -> str:
    if p.wage_min is None and p.wage_max is None:
        return "面议"
    if p.wage_min is not None and p.wage_max is not None and p.wage_min != p.wage_max:
        return f"{p.wage_min:.0f}–{p.wage_max:.0f}元/月"
    return f"{(p.wage_max or p.wage_min):.0f}元/月"


@require_safe
def job_search(request: HttpRequest) -> HttpResponse:
    qs = jobs_api.search_open_postings(request.GET)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    prefix = params.urlencode()
    return render(
        request,
        "portal/jobs.html",
        {
            "page": page,
            "postings": [(p, _wage(p)) for p in page],
            "values": {
                k: request.GET.get(k, "")
                for k in ("q", "district", "occupation", "work_time", "access", "reserved", "fair")
            },
            "querystring_prefix": prefix + ("&" if prefix else ""),
            "districts": District.objects.all(),
            "occupations": jobs_api.OCCUPATIONS,
            "work_times": jobs_api.WORK_TIMES,
            "accessibility": jobs_api.ACCESSIBILITY,
            "fairs": jobs_api.public_fairs(),
        },
    )


@require_safe
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    posting = jobs_api.get_open_posting(pk)
    if posting is None:
        raise Http404
    persons = people_api.portal_persons(request.user) if _is_person(request.user) else []
    return render(
        request,
        "portal/job_detail.html",
        {"posting": posting, "wage": _wage(posting), "persons": persons, "is_person": _is_person(request.user),
         "reserved": posting.source != PostingSource.ORDINARY},
    )  # fmt: skip


@login_required
@require_POST
def job_apply(request: HttpRequest, pk: int) -> HttpResponse:
    if not _is_person(request.user):
        raise Http404
    posting = jobs_api.get_open_posting(pk)
    if posting is None:
        raise Http404
    persons = {p.pk: p for p, _ in people_api.portal_persons(request.user)}
    raw = request.POST.get("person", "")
    person = persons.get(int(raw)) if raw.isdigit() else (next(iter(persons.values())) if len(persons) == 1 else None)
    if person is None:
        messages.error(request, "请选择为哪一位申请")
        return redirect("portal:job_detail", pk=pk)
    note = request.POST.get("note", "")
    try:
        jobs_api.apply_to_posting(posting, person, actor=request.user, note=note)
    except jobs_api.JobsError as exc:
        messages.error(request, str(exc))
        return redirect("portal:job_detail", pk=pk)
    messages.success(request, f"已提交申请：{posting.title}。用人单位和区残联就业服务机构会与您联系。")
    return redirect("portal:my_jobs")


@require_safe
def fairs(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/fairs.html", {"fairs": jobs_api.public_fairs()})


@require_safe
def directories(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in DirectoryKind.values:
        kind = ""
    values = {"kind": kind, "district": request.GET.get("district", ""), "q": request.GET.get("q", "").strip()}
    page = Paginator(jobs_api.public_directory(**values), 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    prefix = params.urlencode()
    return render(
        request,
        "portal/directories.html",
        {"page": page, "values": values, "kinds": DirectoryKind.choices, "districts": District.objects.all(),
         "querystring_prefix": prefix + ("&" if prefix else "")},
    )  # fmt: skip


# -- the person's self-service ----------------------------------------------------------------------


@login_required
def my_jobs(request: HttpRequest) -> HttpResponse:
    if not _is_person(request.user):
        raise Http404
    persons = people_api.portal_persons(request.user)
    sections = []
    for person, relation in persons:
        _profile, matches = jobs_api.matches_for_person(person.pk, limit=10)
        sections.append(
            {"person": person, "relation": relation, "matches": matches, "consent": jobs_api.consent_of(person.pk)}
        )
    apps = jobs_api.applications_of_persons([p.pk for p, _ in persons])
    return render(
        request, "portal/my_jobs.html", {"sections": sections, "apps": apps, "consent_choices": ConsentStatus.choices}
    )


@login_required
@require_POST
def my_jobs_consent(request: HttpRequest, pk: int) -> HttpResponse:
    if not _is_person(request.user):
        raise Http404
    person = next((p for p, _ in people_api.portal_persons(request.user) if p.pk == pk), None)
    if person is None:
        raise Http404
    status = request.POST.get("status", "")
    try:
        jobs_api.set_matching_consent(person, actor=request.user, status=status)
    except jobs_api.JobsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "已保存：同意自动匹配并向用人单位展示。"
            if status == ConsentStatus.CONSENTED
            else "已保存：不再自动匹配，也不向用人单位展示。",
        )
    return redirect("portal:my_jobs")


@login_required
@require_POST
def my_application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    if not _is_person(request.user):
        raise Http404
    try:
        jobs_api.withdraw_application(request.user, pk)
    except (jobs_api.JobsError, TransitionNotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已撤回申请")
    return redirect("portal:my_jobs")


# -- the employer's self-service --------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def employer_home(request: HttpRequest) -> HttpResponse:
    employer = employers_api.employer_for_user(request.user)
    if employer is None:
        raise Http404
    postings = jobs_api.employer_postings(employer)
    apps = jobs_api.applications_of_employer(employer)
    counts: dict[int, int] = {}
    for a in apps:
        counts[a.posting_id] = counts.get(a.posting_id, 0) + 1
    return render(
        request,
        "portal/employer_home.html",
        {"employer": employer, "postings": [(p, counts.get(p.pk, 0)) for p in postings], "apps": apps[:50]},
    )
