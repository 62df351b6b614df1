"""Access to the annual review: a 和平 officer never sees a 河西 unit's declaration (404 on every
route, absent from the lists), a unit's user sees only their own, other roles see nothing, and every
page showing persons is in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ablework.core.models import AuditLog, District
from ablework.core.scoping import ScopeError, district_scope, unscoped
from ablework.quota import actions
from ablework.quota.models import Declaration, DeclaredEmployee
from ablework.quota.tests.helpers import add, declare, employees, pdf, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def hx_declaration(campaign: Any, make_employer: Any, registered: Any, make_user: Any) -> Declaration:
    """A certified declaration of a 河西 unit with one person, one filing-free document set."""
    unit = make_employer("120103", name="河西机械厂")
    entered = make_user("district_officer", "120103")
    decl = declare(unit, entered, campaign)
    add(decl, entered, registered("120103", name="吴九"))
    submitted(decl, entered)
    actions.certify_declaration(decl, actor=make_user("district_officer", "120103"))
    return decl


def _routes(decl: Declaration) -> list[str]:
    with unscoped():
        emp = DeclaredEmployee.objects.filter(declaration=decl).get()
        upload = decl.uploads.all()[0]
    return [
        reverse("quota:declaration_detail", args=[decl.pk]),
        reverse("quota:declaration_edit", args=[decl.pk]),
        reverse("quota:employee_add", args=[decl.pk]),
        reverse("quota:dispatch_add", args=[decl.pk]),
        reverse("quota:upload_download", args=[decl.pk, upload.pk]),
        reverse("quota:notice_pdf", args=[decl.pk]),
        reverse("quota:employee_remove", args=[decl.pk, emp.pk]),
        reverse("quota:employee_review", args=[decl.pk, emp.pk]),
        reverse("quota:declaration_submit", args=[decl.pk]),
        reverse("quota:declaration_decide", args=[decl.pk]),
    ]


def test_other_district_officer_gets_404_and_empty_lists(
    client: Any, hx_declaration: Declaration, hp_officer: Any, hx_officer: Any, make_employer: Any, campaign: Any
) -> None:
    declare(make_employer("120101", name="和平商店"), hp_officer, campaign)
    client.force_login(hp_officer)
    for url in _routes(hx_declaration):
        resp = (
            client.post(url, {"transition": "certify"})
            if url.endswith(("/remove/", "/review/", "/submit/", "/decide/"))
            else client.get(url)
        )
        assert resp.status_code == 404, url
    listing = client.get(reverse("quota:declaration_list")).content.decode()
    assert "和平商店" in listing and "河西机械厂" not in listing
    assert "没有符合条件的申报" in client.get(reverse("quota:declaration_list") + "?q=河西机械厂").content.decode()

    client.force_login(hx_officer)  # the unit's own district sees it
    assert client.get(reverse("quota:declaration_detail", args=[hx_declaration.pk])).status_code == 200
    assert client.get(reverse("quota:notice_pdf", args=[hx_declaration.pk])).status_code == 200
    listing = client.get(reverse("quota:declaration_list")).content.decode()
    assert "河西机械厂" in listing and "和平商店" not in listing


def test_scoped_managers_fail_closed_and_filter_by_the_unit_district(hx_declaration: Declaration) -> None:
    with pytest.raises(ScopeError):
        list(Declaration.objects.all())
    with pytest.raises(ScopeError):
        list(DeclaredEmployee.objects.all())
    hp, hx = _district_ids("120101"), _district_ids("120103")
    with district_scope(hp):
        assert not Declaration.objects.filter(pk=hx_declaration.pk).exists()
        assert not DeclaredEmployee.objects.exists()
    with district_scope(hx):
        assert Declaration.objects.filter(pk=hx_declaration.pk).exists()


def _district_ids(code: str) -> list[int]:
    return [District.objects.get(code=code).pk]


def test_employer_user_sees_only_their_own(
    client: Any, hx_declaration: Declaration, campaign: Any, make_employer: Any, employer_user: Any, registered: Any
) -> None:
    own_unit = make_employer("120103", name="本单位")
    user = employer_user(own_unit)
    client.force_login(user)
    # No declaration yet: the page offers to start one.
    page = client.get(reverse("quota:my_declaration"))
    assert page.status_code == 200 and "开始申报" in page.content.decode()
    own = declare(own_unit, user, campaign)
    add(own, user, registered("120103"))
    assert client.get(reverse("quota:my_declaration")).url == reverse("quota:declaration_detail", args=[own.pk])
    assert client.get(reverse("quota:declaration_detail", args=[own.pk])).status_code == 200

    for url in _routes(hx_declaration):  # another unit of the same district
        resp = (
            client.post(url, {}) if url.endswith(("/remove/", "/review/", "/submit/", "/decide/")) else client.get(url)
        )
        assert resp.status_code == 404, url
    assert client.get(reverse("quota:declaration_list")).status_code == 404  # the officers' list
    assert client.get(reverse("quota:campaign_list")).status_code == 404
    # The unit may not review its own persons even on its own declaration.
    emp = employees(own)[0]
    submitted(own, user)
    resp = client.post(reverse("quota:employee_review", args=[own.pk, emp.pk]), {"outcome": "accepted"})
    assert resp.status_code == 404


def test_other_roles_and_anonymous_see_nothing(client: Any, hx_declaration: Declaration, make_user: Any) -> None:
    url = reverse("quota:declaration_detail", args=[hx_declaration.pk])
    assert client.get(url).status_code == 302  # to the login page
    for role in ("person", "street_worker", "api_client"):
        client.force_login(make_user(role, "120103" if role == "street_worker" else None))
        assert client.get(url).status_code == 404, role
        assert client.get(reverse("quota:my_declaration")).status_code == 404, role
        assert client.get(reverse("quota:conflict_list")).status_code == 404, role


def test_reads_are_audited_and_menus_follow_the_role(
    client: Any, hx_declaration: Declaration, hx_officer: Any, employer_user: Any, make_employer: Any
) -> None:
    client.force_login(hx_officer)
    client.get(reverse("quota:declaration_detail", args=[hx_declaration.pk]))
    entry = AuditLog.objects.filter(action="read", object_type="quota.declaration").latest("seq")
    assert entry.object_id == str(hx_declaration.pk) and entry.district_code == "120103"
    assert entry.changes["person_ids"] == [e.person_id for e in employees(hx_declaration)] != [None]
    with unscoped():
        upload = hx_declaration.uploads.all()[0]
    client.get(reverse("quota:upload_download", args=[hx_declaration.pk, upload.pk]))
    assert AuditLog.objects.filter(action="read", object_type="quota.upload", object_id=str(upload.pk)).exists()

    labels = [item["label"] for item in hx_officer.navigation()]
    assert "年审审核" in labels and "年审申报" not in labels
    unit_user = employer_user(make_employer("120103"))
    labels = [item["label"] for item in unit_user.navigation()]
    assert "年审申报" in labels and "年审审核" not in labels


def test_uploads_are_checked_and_only_editable_before_submission(
    client: Any, campaign: Any, make_employer: Any, employer_user: Any
) -> None:
    unit = make_employer("120101")
    user = employer_user(unit)
    decl = declare(unit, user, campaign)
    client.force_login(user)
    resp = client.post(
        reverse("quota:upload_add", args=[decl.pk]),
        {"kind": "pledge", "file": SimpleUploadedFile("承诺书.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert resp.status_code == 422 and "内容与扩展名“.pdf”不符" in resp.content.decode()
    submitted(decl, user)
    resp = client.post(reverse("quota:upload_add", args=[decl.pk]), {"kind": "other", "file": pdf()})
    assert resp.status_code == 404  # no longer editable
