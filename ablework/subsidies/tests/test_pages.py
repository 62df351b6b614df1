"""The subsidy pages over HTTP: applicant self-service, district scoping, review buttons, the
payment batch files, and the public notice with its objection form."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ablework.core.models import AuditLog
from ablework.subsidies import actions
from ablework.subsidies.enums import ApplicationStatus, PaymentStatus, ProgrammeKind
from ablework.subsidies.models import Application, Objection, PaymentItem, Programme
from ablework.subsidies.tests.conftest import pdf

pytestmark = pytest.mark.django_db


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _employer_user(make_user: Any, employer: Any) -> Any:
    user = make_user("employer_user")
    org = user.organisation
    org.external_ref, org.name = str(employer.pk), employer.name
    org.save(update_fields=["external_ref", "name"])
    return user


def test_employer_applies_for_an_intern_itself(
    client: Client, programme: Any, make_employer: Any, make_holder: Any, make_user: Any
) -> None:
    prog = programme(ProgrammeKind.INTERNSHIP)
    employer = make_employer()
    intern = make_holder(birth_year=2003)
    user = _employer_user(make_user, employer)
    c = _login(client, user)
    page = c.get(reverse("subsidies:apply", args=[prog.pk]))
    assert page.status_code == 200 and "用人单位统一社会信用代码" not in page.content.decode()
    # a bad date range is refused with a Chinese message and nothing is saved
    bad = c.post(reverse("subsidies:apply", args=[prog.pk]), {
        "who-person_number": intern.certificates.first() and "", "data-start": "2025-09-01", "data-end": "2025-03-01",
        "data-monthly_allowance": "2400",
    })  # fmt: skip
    assert bad.status_code == 200 and not Application.objects.exists()
    from ablework.core import crypto

    rid = crypto.decrypt(intern.id_cipher)
    resp = c.post(reverse("subsidies:apply", args=[prog.pk]), {
        "who-person_number": rid, "data-start": "2025-03-01", "data-end": "2025-08-31",
        "data-monthly_allowance": "2400", "data-accident_insurance": "on", "bank-bank_name": "工商银行",
        "bank-bank_account": "6222 0202 0011 2233 445",
    })  # fmt: skip
    app = Application.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("subsidies:application", args=[app.pk])
    assert not app.on_behalf and app.employer == employer and app.bank_account_masked == "6222***********3445"
    assert app.eligible and app.amount > 0
    for code in ("application_form", "agreement"):
        c.post(reverse("subsidies:application_attach", args=[app.pk]), {"doc_type": code, "file": pdf()})
    fake = c.post(reverse("subsidies:application_attach", args=[app.pk]),
                  {"doc_type": "other", "file": pdf("x.exe")})  # fmt: skip
    assert fake.status_code == 302 and app.attachments.count() == 2
    c.post(reverse("subsidies:application_submit", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    detail = c.get(reverse("subsidies:application", args=[app.pk])).content.decode()
    assert "区级初审" in detail and "审核意见" not in detail  # the applicant sees the stage, not the buttons
    # another unit's user cannot open it
    other = _employer_user(make_user, make_employer())
    assert _login(Client(), other).get(reverse("subsidies:application", args=[app.pk])).status_code == 404


def test_officers_see_and_decide_only_their_districts(
    client: Client, programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any
) -> None:
    prog = programme(ProgrammeKind.SELF_EMPLOYMENT)
    person = make_holder()
    app = actions.create_application(prog, actor=reviewers["officer"], person=person,
                                     data={"started_on": "2024-01-01"})  # fmt: skip
    hx = _login(Client(), make_user("district_officer", "120103"))
    assert hx.get(reverse("subsidies:application", args=[app.pk])).status_code == 404
    listing = hx.get(reverse("subsidies:programme", args=[prog.pk])).content.decode()
    assert person.name not in listing
    hp = _login(client, reviewers["officer"])
    page = hp.get(reverse("subsidies:application", args=[app.pk])).content.decode()
    assert person.name in page and person.id_masked in page
    assert AuditLog.objects.filter(action="read", object_id=str(app.pk)).exists()
    export = hp.get(reverse("subsidies:programme", args=[prog.pk]) + "?export=xlsx")
    assert export.status_code == 200 and AuditLog.objects.filter(action="export").exists()
    # employers and persons have no staff pages
    emp = _login(Client(), make_user("employer_user"))
    assert emp.get(reverse("subsidies:programme", args=[prog.pk])).status_code == 403


def test_review_buttons_batch_files_and_public_notice(
    client: Client, programme: Any, make_employer: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any,
    city_admin: Any,
) -> None:  # fmt: skip
    r = reviewers
    prog = programme(ProgrammeKind.NEW_BUSINESS)
    person = make_holder(name="王小明")
    app = actions.create_application(prog, actor=r["officer"], person=person, bank_account="6217000011112222333",
                                     data={"uscc": "92120101MA05L8XK2R", "licence_date": "2025-04-01",
                                           "operator_confirmed": True})  # fmt: skip
    actions.add_attachment(app, actor=r["officer"], doc_type="licence", file=pdf())
    actions.submit(app, actor=r["officer"])
    for who in ("street", "reviewer", "city"):
        c = _login(Client(), r[who])
        page = c.get(reverse("subsidies:application", args=[app.pk])).content.decode()
        assert "提交审核意见" in page
        stage = app.__class__.objects.get(pk=app.pk)
        from ablework.core import workflow

        current = workflow.current_stage(stage)
        assert current is not None
        resp = c.post(reverse("subsidies:application_decide", args=[app.pk]),
                      {"decision": "approve", "note": "同意", "stage": current.pk})  # fmt: skip
        assert resp.status_code == 302
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED

    admin = _login(client, city_admin)
    admin.post(reverse("subsidies:publish_notice", args=[prog.pk]))
    public = Client().get(reverse("portal:notices")).content.decode()
    assert "王**" in public and "王小明" not in public and person.id_masked not in public
    notice = Application.objects.get(pk=app.pk).notice
    assert notice is not None
    form_url = reverse("portal:notice_objection", args=[notice.pk, app.pk])
    refused = Client().post(form_url, {"raised_by": "", "text": "短"})
    assert refused.status_code == 200 and not Objection.objects.exists()
    Client().post(form_url, {"raised_by": "群众", "contact": "138", "text": "该个体户实际由他人经营"})
    obj = Objection.objects.get()
    # the objection is dismissed by the district; the payment can then go out after the notice ends
    _login(Client(), r["reviewer"]).post(reverse("subsidies:objection_resolve", args=[obj.pk]),
                                         {"upheld": "0", "resolution": "经核实由本人经营"})  # fmt: skip
    Application.objects.filter(pk=app.pk).update(notice=notice)
    notice.ends_on = timezone.localdate() - timedelta(days=1)
    notice.save()
    resp = admin.post(reverse("subsidies:build_batch", args=[prog.pk]))
    batch = prog.batches.get()
    assert resp["Location"] == reverse("subsidies:batch", args=[batch.pk])
    officer = _login(Client(), r["officer"])
    assert officer.get(reverse("subsidies:batch", args=[batch.pk])).status_code == 403
    bank = admin.get(reverse("subsidies:batch", args=[batch.pk]) + "?file=bank")
    assert bank.status_code == 200 and bank["Content-Type"].startswith("application/vnd.openxmlformats")
    summary = admin.get(reverse("subsidies:batch", args=[batch.pk]) + "?file=summary").content.decode()
    assert batch.signature in summary
    admin.post(reverse("subsidies:batch", args=[batch.pk]), {"action": "submit"})
    item = batch.items.get()
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = actions.bank_return_csv([[item.pk, "成功", "", "B1", date.today().isoformat()]])
    admin.post(reverse("subsidies:batch", args=[batch.pk]), {"file": SimpleUploadedFile("r.csv", data)})
    assert PaymentItem.objects.get(pk=item.pk).status == PaymentStatus.PAID
    from ablework.subsidies import api

    assert api.payments_for(person=person)[0]["status"] == "paid"
    totals = {t["code"]: t for t in api.programme_totals(2025)}
    assert totals["new_business"]["paid"] == 1 and totals["new_business"]["paid_amount"] == app.approved_amount
    assert api.programme_totals(2025, [r["hx_reviewer"].scope_district_ids()[0]])[0]["applications"] == 0


def test_demo_seed_pays_every_programme_it_can(client: Client) -> None:
    call_command("seed_demo", persons=600, employers=200, seed=3, stdout=StringIO(), verbosity=0)
    out = StringIO()
    call_command("seed_demo_subsidies", "--seed=3", stdout=out)
    text = out.getvalue()
    for kind in ("new_hire", "internship", "new_business", "self_employment"):
        assert f"已发放 {kind}" in text, text
    paid = PaymentItem.objects.filter(status=PaymentStatus.PAID)
    assert paid.values("programme__kind").distinct().count() >= 4
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).exists()  # waiting in the queues
    again = StringIO()
    call_command("seed_demo_subsidies", "--seed=3", "--if-empty", stdout=again)
    assert "跳过" in again.getvalue() and Programme.objects.count() >= 4


def test_person_applies_and_a_closed_business_is_recovered(
    client: Client, programme: Any, make_holder: Any, reviewers: dict[str, Any], make_user: Any, city_admin: Any
) -> None:
    from django.apps import apps

    from ablework.core import crypto
    from ablework.employers import api as employers_api

    prog = programme(ProgrammeKind.NEW_BUSINESS)
    person = make_holder()
    user = make_user("person")
    apps.get_model("people", "PortalLink").objects.create(person=person, user=user, relation="本人")
    uscc = "92120101MA05L8XK2R"
    employers_api.record_business_registrations(
        [employers_api.BusinessRegistrationRow(uscc=uscc, name="小明便利店", row_key="1", licence_date=date(2025, 4, 1),
                                               operator_id_hash=person.id_hash)],
        source="市场监管", batch_id="b1",
    )  # fmt: skip
    c = _login(client, user)
    c.post(reverse("subsidies:apply", args=[prog.pk]), {"data-uscc": uscc, "bank-bank_account": "6217000011112222"})
    app = Application.objects.get()
    assert app.person == person and not app.on_behalf and app.eligible, app.decision
    assert any("市场监管登记：来源市场监管" in n for n in app.decision["notes"])
    assert c.get(reverse("subsidies:mine")).content.decode().count(prog.name) >= 1
    c.post(reverse("subsidies:application_attach", args=[app.pk]), {"doc_type": "licence", "file": pdf()})
    c.post(reverse("subsidies:application_submit", args=[app.pk]))
    for who in ("street", "reviewer", "city"):
        actions.decide(app, "approve", actor=r_(reviewers, who))
    actions.publish_notice(prog, actor=city_admin, starts_on=date(2026, 1, 5))
    batch = actions.build_batch(prog, actor=city_admin, on=date(2026, 3, 1))
    actions.submit_batch(batch, actor=city_admin)
    item = batch.items.get()
    actions.apply_bank_return(batch, actor=city_admin, filename="r.csv",
                              data=actions.bank_return_csv([[item.pk, "成功", "", "X", "2026-03-02"]]))  # fmt: skip
    # the market regulator reports the closure four months after the licence: the payment is recovered
    employers_api.record_business_registrations(
        [employers_api.BusinessRegistrationRow(uscc=uscc, name="小明便利店", row_key="2", licence_date=date(2025, 4, 1),
                                               operator_id_hash=person.id_hash, status="closed",
                                               closed_on=date(2025, 8, 1))],
        source="市场监管", batch_id="b2",
    )  # fmt: skip
    found = actions.detect_clawbacks(actor=city_admin)
    assert len(found) == 1 and "注销" in found[0].reason and found[0].amount == app.approved_amount
    assert crypto.decrypt(Application.objects.get().bank_account_encrypted) == "6217000011112222"


def r_(reviewers: dict[str, Any], who: str) -> Any:
    return reviewers[who]


def test_overdue_stage_is_flagged(client: Client, programme: Any, make_holder: Any, reviewers: dict[str, Any]) -> None:
    from ablework.core.models import TransitionLog

    prog = programme(ProgrammeKind.SELF_EMPLOYMENT)
    app = actions.create_application(prog, actor=reviewers["officer"], person=make_holder(),
                                     data={"started_on": "2024-01-01"})  # fmt: skip
    actions.add_attachment(app, actor=reviewers["officer"], doc_type="licence", file=pdf())
    actions.submit(app, actor=reviewers["officer"])
    TransitionLog.objects.filter(object_id=str(app.pk)).update(at=timezone.now() - timedelta(days=30))
    page = _login(client, reviewers["street"]).get(reverse("subsidies:programme", args=[prog.pk])).content.decode()
    assert "已超期" in page
