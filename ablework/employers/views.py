from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ablework.core.listing import ListSpec, apply_list
from ablework.employers.enums import EmployerKind
from ablework.employers.models import Employer

EMPLOYER_LIST = ListSpec(
    filters={
        "q": lambda qs, v: qs.filter(name__contains=v) if len(v) != 18 else qs.filter(uscc=v.upper()),
        "kind": lambda qs, v: qs.filter(kind=v),
    },
    sorts={"name": ("单位名称", "name"), "uscc": ("统一社会信用代码", "uscc"), "id": ("登记顺序", "id")},
    default_sort="id",
)


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_staff_role", False):
        raise Http404
    state = apply_list(request, Employer.objects.select_related("district", "industry"), EMPLOYER_LIST)
    return render(request, "employers/employer_list.html", {"state": state, "kinds": EmployerKind.choices})
