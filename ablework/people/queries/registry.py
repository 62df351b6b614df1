from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ablework.core.crypto import lookup_hash
from ablework.core.identifiers import IdentifierError, parse_resident_id
from ablework.core.listing import ListSpec
from ablework.people.models import Person


def list_people() -> QuerySet[Person]:
    return Person.objects.select_related("district", "street")


def _search(qs: QuerySet[Any], raw: str) -> QuerySet[Any]:
    # A full ID number is matched exactly through the keyed hash; anything else by name.
    try:
        rid = parse_resident_id(raw)
    except IdentifierError:
        return qs.filter(Q(name__startswith=raw))
    return qs.filter(id_hash=lookup_hash(rid.number))


PEOPLE_LIST = ListSpec(
    filters={
        "q": _search,
        "district": lambda qs, v: qs.filter(district__code=v),
        "category": lambda qs, v: qs.filter(disability_category=v) if v.isdigit() else qs.none(),
        "level": lambda qs, v: qs.filter(disability_level=v) if v.isdigit() else qs.none(),
    },
    sorts={
        "name": ("姓名", "name"),
        "birth_date": ("出生日期", "birth_date"),
        "district": ("区", "district__code"),
        "id": ("登记顺序", "id"),
    },
    default_sort="id",
)
