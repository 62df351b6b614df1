"""The person's own record ("我的档案") for a portal user (role ``person``: the person or a guardian),
with correction requests and the log of who accessed the record; and, for officers, the queue of
correction requests of their districts and the linking of portal accounts to a person.

A portal user has no district scope: the record is fetched through the user's ``PortalLink`` rows only
(``queries.portal``), so a portal user can reach exactly the persons linked to them and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods, require_POST

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.people import access, actions
from ablework.people.actions.portal import HANDLER_ROLES, display_value, field_label, may_handle
from ablework.people.enums import CorrectionStatus
from ablework.people.forms.portal import CorrectionForm, HandleCorrectionForm, PortalLinkForm
from ablework.people.models import CorrectionRequest, PortalLink
from ablework.people.queries import portal as queries

OWN_READ_PURPOSE = "本人或监护人通过门户查阅"


def _portal_user(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) == Role.PERSON)


def _own(request: HttpRequest, pk: int) -> queries.LinkedPerson:
    if not _portal_user(request.user):
        raise Http404
    linked = queries.get_own_person(request.user, pk)
    if linked is None:
        raise Http404
    return linked


def _corrections_view(corrections: list[CorrectionRequest]) -> list[dict[str, Any]]:
    return [
        {
            "req": c,
            "label": field_label(c.field),
            "current": display_value(c.field, c.current_value),
            "requested": display_value(c.field, c.requested_value),
        }
        for c in corrections
    ]


@login_required
def portal_me(request: HttpRequest) -> HttpResponse:
    """The landing page: straight to the record when one is linked, a choice for a guardian of several."""
    if not _portal_user(request.user):
        raise Http404
    linked = queries.linked_persons(request.user)
    if len(linked) == 1:
        return redirect("people:portal_record", pk=linked[0].person.pk)
    return render(request, "people/portal/me.html", {"linked": linked})


def _record_context(request: HttpRequest, linked: queries.LinkedPerson, form: CorrectionForm) -> dict[str, Any]:
    person = linked.person
    file = queries.person_file(person)
    log = queries.access_log(person, exclude_user_ids=queries.portal_user_ids(person))
    return {
        "person": person,
        "relation": linked.relation,
        "file": file,
        "corrections": _corrections_view(file.corrections),
        "access_page": Paginator(log, 20).get_page(request.GET.get("page")),
        "form": form,
        "others": len(queries.linked_persons(request.user)) > 1,
    }


@login_required
def portal_record(request: HttpRequest, pk: int) -> HttpResponse:
    linked = _own(request, pk)
    audit.record_read(linked.person, actor=request.user, purpose=OWN_READ_PURPOSE)
    return render(request, "people/portal/record.html", _record_context(request, linked, CorrectionForm()))


@login_required
@require_POST
def portal_correction(request: HttpRequest, pk: int) -> HttpResponse:
    linked = _own(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            actions.request_correction(
                linked.person,
                actor=request.user,
                field=form.cleaned_data["field"],
                requested_value=form.cleaned_data["requested_value"],
                reason=form.cleaned_data["reason"],
            )
        except actions.PortalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "更正申请已提交，区残联处理后会通知您。")
            return redirect("people:portal_record", pk=pk)
    return render(request, "people/portal/record.html", _record_context(request, linked, form), status=422)


# --- officers ---------------------------------------------------------------------------------------


def _handler(user: Any) -> bool:
    return bool(access.can_list_people(user) and getattr(user, "role", None) in HANDLER_ROLES)


@login_required
def corrections_list(request: HttpRequest) -> HttpResponse:
    if not _handler(request.user):
        raise Http404
    status = request.GET.get("status", CorrectionStatus.PENDING)
    qs = queries.list_corrections()
    if status in CorrectionStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    rows = _corrections_view(list(page.object_list))
    return render(
        request,
        "people/portal/corrections.html",
        {"page": page, "rows": rows, "status": status, "statuses": CorrectionStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def corrections_handle(request: HttpRequest, pk: int) -> HttpResponse:
    if not _handler(request.user):
        raise Http404
    req = queries.list_corrections().filter(pk=pk).first()
    if req is None or not may_handle(request.user, req.district_id):
        raise Http404
    form = HandleCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.handle_correction(
                req,
                actor=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reply=form.cleaned_data["reply"],
            )
        except actions.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "更正申请已处理，申请人已收到通知。")
            return redirect("people:corrections_list")
    return render(
        request,
        "people/portal/correction_handle.html",
        {"req": req, "row": _corrections_view([req])[0], "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Officers: which portal accounts see this person's record; link one more."""
    person = access.access_person(request.user, pk)
    if not may_handle(request.user, person.district_id):
        raise Http404
    form = PortalLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.link_portal_user(
                person, form.cleaned_data["username"], actor=request.user, relation=form.cleaned_data["relation"]
            )
        except actions.PortalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "门户账户已关联。")
            return redirect("people:portal_links", pk=person.pk)
    links = PortalLink.objects.filter(person_id=person.pk).select_related("user").order_by("id")
    return render(
        request,
        "people/portal/links.html",
        {"person": person, "links": links, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def portal_unlink(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    if not may_handle(request.user, person.district_id):
        raise Http404
    link = PortalLink.objects.filter(pk=link_id, person_id=person.pk).select_related("person", "user").first()
    if link is None:
        raise Http404
    actions.unlink_portal_user(link, actor=request.user)
    messages.success(request, "已解除关联。")
    return redirect("people:portal_links", pk=person.pk)


urlpatterns: list[URLPattern] = [
    path("me/", portal_me, name="portal_me"),
    path("me/<int:pk>/", portal_record, name="portal_record"),
    path("me/<int:pk>/correction/", portal_correction, name="portal_correction"),
    path("corrections/", corrections_list, name="corrections_list"),
    path("corrections/<int:pk>/", corrections_handle, name="corrections_handle"),
    path("<int:pk>/portal-links/", portal_links, name="portal_links"),
    path("<int:pk>/portal-links/<int:link_id>/delete/", portal_unlink, name="portal_unlink"),
]
