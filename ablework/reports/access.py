"""Who may see which report page.  Deny by default; a district outside the user's scope is a 404 (the
same answer as a district that does not exist)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ablework.accounts.enums import Role
from ablework.core.models import District, Street
from ablework.reports.dashboards import Area


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff_role", False))


def is_city_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "role", None) == Role.CITY_ADMIN)


def scope_ids(user: Any) -> list[int]:
    return list(user.scope_district_ids())


def area_for(user: Any, district_code: str | None, street_code: str | None) -> Area:
    """The area a dashboard shows: the user's districts, one of them, or one of its streets (404 outside)."""
    ids = scope_ids(user)
    all_count = District.objects.count()
    if not district_code:
        if len(ids) == 1 and not street_code:
            district = District.objects.get(pk=ids[0])
            return Area("district", ids, district=district)
        return Area("city", ids, all_districts=len(ids) == all_count and getattr(user, "is_city", False))
    found = District.objects.filter(code=district_code, pk__in=ids).first()
    if found is None:
        raise Http404("没有该区或无权查看")
    district = found
    if not street_code:
        return Area("district", [district.pk], district=district)
    street = Street.objects.filter(code=street_code, district=district).first()
    if street is None:
        raise Http404("没有该街道或无权查看")
    return Area("street", [district.pk], district=district, street=street)
