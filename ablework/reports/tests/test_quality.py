"""Data-quality report: each check finds exactly the faulty records of the user's districts, links to
where they are fixed, and audits the read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from ablework.core.models import AuditLog
from ablework.people.models import EmploymentRecord

pytestmark = pytest.mark.django_db


def test_checks_scoped_and_linked(client: Any, make_person: Any, hp_officer: Any, hx_officer: Any) -> None:
    today = date.today()
    # 和平: a 70-year-old still "unemployed"; a working-age person without the info check; a person with
    # two overlapping open records.  河西: the same faults, which the 和平 officer must not see.
    old = make_person("120101", name="老年甲", status="wants_work", resident_id=None)
    old.birth_date = date(today.year - 70, 1, 1)
    old.save()
    unchecked = make_person("120101", name="未核对乙", status="no_wish")
    unchecked.birth_date = date(today.year - 30, 1, 1)
    unchecked.save()
    twice = make_person("120101", name="重叠丙", status="employed")
    EmploymentRecord.objects.create(person=twice, district=twice.district, form="quota", start_date=date(2024, 1, 1))
    EmploymentRecord.objects.create(person=twice, district=twice.district, form="flexible", start_date=date(2025, 1, 1))
    fine = make_person("120101", name="正常丁", status="employed")
    EmploymentRecord.objects.create(person=fine, district=fine.district, form="quota", start_date=date(2020, 1, 1),
                                    end_date=date(2021, 1, 1))  # fmt: skip
    EmploymentRecord.objects.create(person=fine, district=fine.district, form="quota", start_date=date(2021, 1, 2))
    hx_old = make_person("120103", name="河西老年", status="wants_work")
    hx_old.birth_date = date(today.year - 70, 1, 1)
    hx_old.save()

    client.force_login(hp_officer)
    index = client.get(reverse("reports:quality")).content.decode()
    assert "非劳动年龄却登记为未就业" in index
    page = client.get(reverse("reports:quality_check", args=["age_status"])).content.decode()
    assert "老年甲" in page and "河西老年" not in page
    assert reverse("people:detail", args=[old.pk]) in page
    page = client.get(reverse("reports:quality_check", args=["info_check"])).content.decode()
    assert "未核对乙" in page and reverse("people:services_person", args=[unchecked.pk]) in page
    page = client.get(reverse("reports:quality_check", args=["employment_overlap"])).content.decode()
    assert page.count("重叠丙") == 2 and "正常丁" not in page
    assert client.get(reverse("reports:quality_check", args=["expired_cert"])).status_code == 200
    assert AuditLog.objects.filter(action="read", purpose__startswith="数据质量报告").count() >= 3
    export = client.get(reverse("reports:quality_check", args=["age_status"]), {"export": "xlsx"})
    assert export.status_code == 200
    assert AuditLog.objects.filter(action="export", purpose__startswith="数据质量报告导出").count() == 1

    client.force_login(hx_officer)
    page = client.get(reverse("reports:quality_check", args=["age_status"])).content.decode()
    assert "河西老年" in page and "老年甲" not in page
    assert client.get(reverse("reports:quality_check", args=["nonsense"])).status_code == 404


def test_expired_certificate_still_counted(
    review: Any, client: Any, make_person: Any, hp_officer: Any, hx_officer: Any
) -> None:
    from ablework.core.scoping import unscoped
    from ablework.quota.models import DeclaredEmployee
    from ablework.reports.tests.conftest import YEAR

    expired = make_person("120101", name="过期戊", cert_valid_until=date(YEAR, 6, 30))
    valid = make_person("120101", name="有效己", cert_valid_until=date(YEAR + 3, 6, 30))
    with unscoped():
        for p in (expired, valid):
            DeclaredEmployee.objects.create(
                declaration=review[0], person=p, id_hash=p.id_hash, id_masked=p.id_masked, cert_hash="x",
                cert_masked="x", level=4, name=p.name, monthly_wage=3000, social_insurance_months=12,
                review_outcome="accepted",
            )  # fmt: skip
    url = reverse("reports:quality_check", args=["expired_cert"])
    client.force_login(hp_officer)
    page = client.get(url, {"year": YEAR}).content.decode()
    assert "过期戊" in page and "有效己" not in page and f"{YEAR}-06-30" in page
    assert reverse("quota:declaration_detail", args=[review[0].pk]) in page
    client.force_login(hx_officer)
    assert "过期戊" not in client.get(url, {"year": YEAR}).content.decode()
