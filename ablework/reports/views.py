from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ablework.core.models import District
from ablework.employers.models import Employer
from ablework.people.models import Person


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page.  Staff see the counts of their districts; others a short welcome."""
    user = request.user
    ctx: dict[str, object] = {}
    if getattr(user, "is_staff_role", False):
        people_by_district = dict(Person.objects.values_list("district").annotate(n=Count("id")).order_by())
        employers_by_district = dict(Employer.objects.values_list("district").annotate(n=Count("id")).order_by())
        districts = District.objects.filter(id__in=user.scope_district_ids())  # type: ignore[union-attr]
        ctx["rows"] = [
            {"district": d, "people": people_by_district.get(d.id, 0), "employers": employers_by_district.get(d.id, 0)}
            for d in districts
        ]
        ctx["people_total"] = sum(people_by_district.values())
        ctx["employers_total"] = sum(employers_by_district.values())
    return render(request, "reports/dashboard.html", ctx)
