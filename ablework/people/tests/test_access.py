"""District scoping fails closed, and every route keeps one district's officer out of another's records."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scope

from ablework.core.models import AuditLog, District
from ablework.core.scoping import ScopeError, scope_for_user
from ablework.people.models import Person


def test_query_without_scope_raises(make_person: Any) -> None:
    make_person("120101")
    with pytest.raises(ScopeError):
        list(Person.objects.all())


def test_officer_scope_contains_only_their_district(hp_officer: Any, hx_officer: Any, city_admin: Any) -> None:
    hp = District.objects.get(code="120101")
    assert hp_officer.scope_district_ids() == [hp.id]
    assert len(city_admin.scope_district_ids()) == 16


def test_extra_district_is_added(hp_officer: Any) -> None:
    hx = District.objects.get(code="120103")
    hp_officer.extra_districts.add(hx)
    assert hx.id in hp_officer.scope_district_ids()


def test_inactive_and_non_staff_users_see_nothing(make_user: Any, make_person: Any, hp_officer: Any) -> None:
    make_person("120101")
    hp_officer.is_active = False
    assert hp_officer.scope_district_ids() == []
    employer = make_user("employer_user")
    with scope_for_user(employer):
        assert Person.objects.count() == 0


def test_scoped_manager_filters(make_person: Any, hp_officer: Any, hx_officer: Any) -> None:
    make_person("120101", name="和平甲")
    make_person("120103", name="河西乙")
    with scope_for_user(hp_officer):
        assert list(Person.objects.values_list("name", flat=True)) == ["和平甲"]
    with scope_for_user(hx_officer):
        assert list(Person.objects.values_list("name", flat=True)) == ["河西乙"]
    with scope(district=[]):
        assert Person.objects.count() == 0


@pytest.fixture
def two_districts(make_person: Any) -> dict[str, Any]:
    return {
        "120101": make_person("120101", name="和平甲"),
        "120103": make_person("120103", name="河西乙"),
    }


def test_list_detail_and_export_are_scoped(client: Any, hp_officer: Any, two_districts: dict[str, Any]) -> None:
    client.force_login(hp_officer)
    page = client.get("/people/").content.decode()
    assert "和平甲" in page and "河西乙" not in page
    assert client.get(f"/people/{two_districts['120101'].pk}/").status_code == 200
    assert client.get(f"/people/{two_districts['120103'].pk}/").status_code == 404
    assert client.get("/people/999999/").status_code == 404  # same answer for missing and forbidden
    export = b"".join(client.get("/people/?export=csv").streaming_content).decode("utf-8-sig")
    assert "和平甲" in export and "河西乙" not in export
    assert "120101********" in export  # masked
    xlsx = client.get("/people/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="export", actor=hp_officer).count() == 2


def test_person_read_and_unmask_are_audited(client: Any, hp_officer: Any, two_districts: dict[str, Any]) -> None:
    person = two_districts["120101"]
    client.force_login(hp_officer)
    client.get(f"/people/{person.pk}/")
    assert AuditLog.objects.filter(action="read", object_id=str(person.pk), actor=hp_officer).exists()
    refused = client.post(f"/people/{person.pk}/unmask/", {"purpose": ""})
    assert refused.status_code == 422 and "请填写查看用途" in refused.content.decode()
    shown = client.post(f"/people/{person.pk}/unmask/", {"purpose": "核对就业登记"}).content.decode()
    from ablework.core.crypto import decrypt

    assert decrypt(person.id_cipher) in shown
    entry = AuditLog.objects.get(action="unmask", object_id=str(person.pk))
    assert entry.purpose == "核对就业登记" and entry.district_code == "120101"
    other = two_districts["120103"]
    assert client.post(f"/people/{other.pk}/unmask/", {"purpose": "x"}).status_code == 404


def test_reviewer_cannot_unmask(client: Any, make_user: Any, two_districts: dict[str, Any]) -> None:
    reviewer = make_user("district_reviewer", "120101")
    client.force_login(reviewer)
    person = two_districts["120101"]
    assert "查看完整号码" not in client.get(f"/people/{person.pk}/").content.decode()
    assert client.post(f"/people/{person.pk}/unmask/", {"purpose": "x"}).status_code == 404


def test_dashboard_counts_only_own_district(client: Any, hp_officer: Any, two_districts: dict[str, Any]) -> None:
    client.force_login(hp_officer)
    page = client.get("/").content.decode()
    assert "和平区" in page and "河西区" not in page


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str]]:
    """Every (path pattern, name) of the project, flattened."""
    resolver = resolver or get_resolver()
    out: list[tuple[str, str]] = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            out += _routes(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            out.append((prefix + str(p.pattern), p.name or ""))
    return out


def test_every_route_keeps_districts_apart(
    client: Any, hp_officer: Any, hx_officer: Any, two_districts: dict[str, Any]
) -> None:
    """For each route, each district officer GETs it — with any <int:pk> pointing at the other district's
    record — and must never see the other district's person."""
    checked = 0
    for officer, other in ((hp_officer, "120103"), (hx_officer, "120101")):
        client.force_login(officer)
        foreign = two_districts[other]
        for pattern, _name in _routes():
            if pattern.startswith(("static", "api/schema")):
                continue
            url = "/" + pattern.replace("<int:pk>", str(foreign.pk)).replace("^", "").replace("$", "")
            if "<" in url:
                continue
            response = client.get(url)
            body = b"" if response.streaming else response.content
            assert foreign.name.encode() not in body, f"{officer.username} saw {foreign.name} at {url}"
            if "<int:pk>" in pattern and pattern.startswith("people/"):
                assert response.status_code in (403, 404, 405), url
            checked += 1
    assert checked >= 20
