"""Public notices (公示) of approved subsidy and reward beneficiaries, with the objection form.

Persons' names are masked (张*); units and institutions are shown by name; no ID numbers, no
accounts.  Anyone may raise an objection while the notice is open; it is recorded and must be
resolved by the district before the payment is made.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ablework.subsidies import api as subsidies_api
from ablework.subsidies.forms import ObjectionForm


@require_safe
def notices(request: HttpRequest) -> HttpResponse:
    items = [(n, subsidies_api.notice_entries(n)) for n in subsidies_api.open_notices()]
    return render(request, "portal/notices.html", {"items": items})


@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, notice_id: int, entry_id: int) -> HttpResponse:
    notice = next((n for n in subsidies_api.open_notices() if n.pk == notice_id), None)
    if notice is None:
        raise Http404
    entry = next((e for e in subsidies_api.notice_entries(notice) if e["id"] == entry_id), None)
    if entry is None:
        raise Http404
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subsidies_api.file_objection(notice, entry_id, **form.cleaned_data)
        except subsidies_api.SubsidyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "异议已收到，区残联将核实处理")
            return redirect("portal:notices")
    return render(request, "portal/notice_objection.html", {"notice": notice, "entry": entry, "form": form})
