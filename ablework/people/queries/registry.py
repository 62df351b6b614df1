from __future__ import annotations

from django.db.models import QuerySet

from ablework.core.listing import ListSpec
from ablework.people.models import Person
from ablework.people.queries import search


def list_people() -> QuerySet[Person]:
    """Persons of the current district scope; records merged into another one are left out."""
    return Person.objects.filter(merged_into__isnull=True).select_related("district", "street")


PEOPLE_LIST = ListSpec(
    filters={
        "q": search.search_people,
        "district": lambda qs, v: qs.filter(district__code=v),
        "street": lambda qs, v: qs.filter(street__code=v),
        "status": search.filter_status,
        "category": lambda qs, v: qs.filter(disability_category=v) if v.isdigit() else qs.none(),
        "level": lambda qs, v: qs.filter(disability_level=v) if v.isdigit() else qs.none(),
        "age_min": search.filter_age_min,
        "age_max": search.filter_age_max,
        "gap": search.filter_gap,
    },
    sorts={
        "name": ("姓名", "name_pinyin"),
        "birth_date": ("出生日期", "birth_date"),
        "district": ("区", "district__code"),
        "status": ("就业状态", "status"),
        "id": ("登记顺序", "id"),
    },
    default_sort="id",
)
