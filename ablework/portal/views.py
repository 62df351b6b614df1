"""Public pages of the portal (no login): the index and the disclosure (公示) of agencies and
institutions that placed persons with disabilities (policy-rules R12.3).

Only what the city has published is shown (``quota.api.published_disclosure``): unit name, kind,
district and the number of persons placed — never personal data.  Plain HTML that works without
JavaScript, with headings and captioned tables.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ablework.quota import api as quota_api


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/index.html", {"years": quota_api.published_disclosure_years()})


@require_safe
def disclosure(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The published list of ``year`` (default: the latest published year)."""
    years = quota_api.published_disclosure_years()
    if year is None and years:
        year = years[0][0]
    pub = quota_api.published_disclosure(year) if year is not None else None
    if year is not None and pub is None:
        raise Http404
    rows = list(pub.rows) if pub is not None else []
    return render(
        request,
        "portal/disclosure.html",
        {"pub": pub, "year": year, "years": years, "rows": rows, "total": sum(int(r.get("persons", 0)) for r in rows)},
    )
