"""Declarations of the annual review: a unit declares (portal) with a dispatch filing, validation
messages per failed check (R2.3/R2.4), exact averaging of month-end staff (R2.6), the late rule (R3.1),
and the stored levy against the rules for the worked examples (R4.8)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ablework.core.scoping import unscoped
from ablework.quota import actions, rules
from ablework.quota.enums import CountingParty, DeclarationStatus, ReviewOutcome
from ablework.quota.models import DispatchFiling, LevyResult
from ablework.quota.parameters import levy_params
from ablework.quota.tests.helpers import IN_WINDOW, LATE, YEAR, add, declare, employees, fresh, pdf, submitted

pytestmark = pytest.mark.django_db


def test_campaign_windows_come_from_the_parameters(campaign: Any) -> None:
    assert (campaign.declaration_start, campaign.declaration_end) == (date(2023, 3, 1), date(2023, 10, 31))
    assert (campaign.levy_start, campaign.levy_end) == (date(2023, 9, 1), date(2023, 10, 31))
    assert "[S9]" in campaign.window_sources["declaration_window"]["source"]
    with pytest.raises(actions.ReviewError, match="已存在"):
        actions.create_campaign(actor=None, data_year=YEAR)
    # 2024 data is declared in 2025: no declaration window is stored for 2025 → ask for the dates.
    with pytest.raises(actions.ReviewError, match="declaration_window"):
        actions.create_campaign(actor=None, data_year=2024)
    explicit = actions.create_campaign(
        actor=None, data_year=2024, declaration_start=date(2025, 3, 1), declaration_end=date(2025, 10, 31)
    )
    assert (explicit.levy_start, explicit.levy_end) == (date(2025, 9, 25), date(2025, 10, 31))


@pytest.fixture
def open_campaign(db: Any) -> Any:
    """Last year's campaign with the window open today (the portal submits on the real date)."""
    today = timezone.localdate()
    return actions.create_campaign(
        actor=None, data_year=today.year - 1, declaration_start=today - timedelta(days=30),
        declaration_end=today + timedelta(days=30),
    )  # fmt: skip


def test_employer_declares_with_a_dispatch_filing(
    client: Any, open_campaign: Any, make_employer: Any, employer_user: Any, registered: Any
) -> None:
    """The receiving unit declares in the portal: staff as twelve month-end figures, one direct employee,
    one dispatched person counted by itself under a filing with the dispatcher, documents, submission."""
    year = open_campaign.data_year
    receiver = make_employer("120101", name="和平精密制造有限公司")
    dispatcher = make_employer("120103", name="河西人力资源服务有限公司")
    user = employer_user(receiver)
    client.force_login(user)

    page = client.get(reverse("quota:my_declaration"))
    assert page.status_code == 200 and f"{year}年度按比例安排残疾人就业情况申报" in page.content.decode()
    months = {f"month_{i}": "100" for i in range(1, 13)} | {"month_12": "101"}
    resp = client.post(reverse("quota:my_declaration"), {"total_wages": "12000000", **months})
    assert resp.status_code == 302
    with unscoped():
        decl = fresh(actions.Declaration.objects.get(employer_id=receiver.pk))
    assert decl.entered_by == user and decl.monthly_staff[-1] == "101"
    # R2.6: 1201 / 12 is not rounded — the exact quotient is used, the column holds four places.
    assert decl.staff_count == Decimal("100.0833")
    assert decl.staff_count_exact() * 12 == Decimal(1201)

    direct = registered("120101", level=2, name="李明")
    resp = client.post(
        reverse("quota:employee_add", args=[decl.pk]),
        {"cert_kind": "cdpf", "certificate_number": direct, "contract_start": "2020-01-01", "contract_end": "",
         "monthly_wage": "5200", "social_insurance_months": "12", "in_post": "on", "bank_wage": "on"},
    )  # fmt: skip
    assert resp.status_code == 302
    dispatched = registered("120103", level=4, name="王芳")
    resp = client.post(
        reverse("quota:dispatch_add", args=[decl.pk]),
        {"dispatcher_uscc": dispatcher.uscc, "receiver_uscc": receiver.uscc, "cert_kind": "cdpf",
         "certificate_number": dispatched, "agreement_start": "2020-01-01", "agreement_end": "",
         "counting_party": "receiver", "agreement_file": pdf("派遣协议.pdf")},
    )  # fmt: skip
    assert resp.status_code == 302, resp.content.decode()
    with unscoped():
        filing = DispatchFiling.objects.get(declaration=decl)
    assert (filing.dispatcher_name, filing.receiver_name, filing.name) == (dispatcher.name, receiver.name, "王芳")
    assert filing.counting_uscc == receiver.uscc and filing.agreement_file.read() == pdf().read()
    # The counting party lists the person too: no error.
    add(decl, user, dispatched, contract_start=date(2020, 1, 1), contract_end=None, on=timezone.localdate())

    for kind, name in (("declaration_form", "申报表.pdf"), ("pledge", "承诺书.pdf")):
        assert (
            client.post(reverse("quota:upload_add", args=[decl.pk]), {"kind": kind, "file": pdf(name)}).status_code
            == 302
        )
    resp = client.post(reverse("quota:declaration_submit", args=[decl.pk]))
    assert resp.status_code == 302
    decl = fresh(decl)
    assert decl.status == DeclarationStatus.SUBMITTED and decl.late is False
    assert [e.errors for e in employees(decl)] == [[], []]

    detail = client.get(reverse("quota:declaration_detail", args=[decl.pk])).content.decode()
    assert "王芳" in detail and "河西人力资源服务有限公司" in detail and "用工单位（和平精密制造有限公司）" in detail
    assert "待区级审核" in detail and reverse("quota:declaration_submit", args=[decl.pk]) not in detail
    download = client.get(reverse("quota:dispatch_agreement", args=[decl.pk, filing.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf().read()


def test_non_counting_party_may_not_count_the_dispatched_person(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any
) -> None:
    dispatcher, receiver = make_employer("120101"), make_employer("120101")
    number = registered()
    decl = declare(dispatcher, hp_officer, campaign)
    actions.add_dispatch_filing(
        decl, actor=hp_officer, dispatcher_uscc=dispatcher.uscc, receiver_uscc=receiver.uscc,
        certificate_number=number, agreement_start=date(2022, 1, 1), agreement_end=None,
        counting_party=CountingParty.RECEIVER, agreement_file=pdf(), on=IN_WINDOW,
    )  # fmt: skip
    [emp] = employees(decl) or [add(decl, hp_officer, number).employee]
    assert any("约定由" in m and "本单位不得计入（R2.7）" in m for m in fresh(emp).errors)
    # The filing is checked: the declaring unit must be a party, the period must touch the data year.
    stranger = make_employer("120101")
    with pytest.raises(actions.ReviewError, match="须为派遣单位或用工单位之一"):
        actions.add_dispatch_filing(
            decl, actor=hp_officer, dispatcher_uscc=stranger.uscc, receiver_uscc=receiver.uscc,
            certificate_number=registered(), agreement_start=date(2022, 1, 1), agreement_end=None,
            counting_party=CountingParty.RECEIVER, agreement_file=pdf(),
        )  # fmt: skip
    with pytest.raises(actions.ReviewError, match="与2022年度不重叠"):
        actions.add_dispatch_filing(
            decl, actor=hp_officer, dispatcher_uscc=dispatcher.uscc, receiver_uscc=receiver.uscc,
            certificate_number=registered(), agreement_start=date(2023, 1, 1), agreement_end=None,
            counting_party=CountingParty.DISPATCHER, agreement_file=pdf(),
        )  # fmt: skip
    with pytest.raises(actions.ReviewError) as err:
        actions.add_dispatch_filing(
            decl, actor=hp_officer, dispatcher_uscc=dispatcher.uscc, receiver_uscc=receiver.uscc,
            certificate_number=registered(), agreement_start=date(2022, 1, 1), agreement_end=None,
            counting_party=CountingParty.DISPATCHER, agreement_file=pdf("协议.exe"),
        )  # fmt: skip
    assert "应为PDF、JPG或PNG文件" in err.value.errors["agreement_file"]


def test_validation_gives_a_chinese_message_per_failed_check(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any
) -> None:
    decl = declare(make_employer(), hp_officer, campaign)
    cases: dict[str, tuple[str, dict[str, Any]]] = {
        "expired": (registered(valid_until=date(2023, 1, 31)), {}),
        "short": (registered(), {"contract_start": date(2022, 3, 1), "contract_end": date(2022, 8, 31)}),
        "low_wage": (registered(), {"monthly_wage": Decimal("2000")}),
        "no_si": (registered(), {"social_insurance_months": 6}),
        "old": (registered(birth=date(1960, 1, 1)), {}),
        "not_in_post": (registered(), {"in_post": False}),
        "ok": (registered(), {}),
    }
    got = {key: add(decl, hp_officer, number, **kw).employee for key, (number, kw) in cases.items()}
    assert got["expired"].errors == [
        "审核日（2023-05-10）本市残疾人信息库中没有该人员的有效证件（已过期、已注销或未登记）"
    ]
    assert got["short"].errors == ["既不在编，也没有与劳动年龄内的本人签订一年以上劳动合同（服务协议）"]
    assert got["short"].contract_months == 6 and any("就业6个月" in w for w in got["short"].warnings)
    assert got["low_wage"].errors == ["月工资低于当地最低工资标准2180元"]  # min_wage_monthly on 2022-12-31
    assert got["no_si"].errors == ["社会保险未足额缴纳"]
    assert any("少于在职的12个月" in w for w in got["no_si"].warnings)
    assert got["old"].errors == ["既不在编，也没有与劳动年龄内的本人签订一年以上劳动合同（服务协议）"]
    assert any("不在法定劳动年龄内" in w for w in got["old"].warnings)
    assert got["not_in_post"].errors == ["未核实实际在岗"]
    assert got["ok"].errors == [] and got["ok"].validation["counts"] is True
    # On the establishment, no contract is needed (R2.3 item 1).
    on_est = add(decl, hp_officer, registered(), contract_start=None, contract_end=None, on_establishment=True)
    assert on_est.employee.errors == []

    # A certificate from another province (not in the registry) is not refused (R2.2): a warning.
    from conftest import make_resident_id

    outsider = make_resident_id(region="130102", birth=date(1985, 2, 2), serial=77) + "12"
    stranger = add(decl, hp_officer, outsider, name="赵六").employee
    assert stranger.errors == [] and any("外省市证件同样计入" in w for w in stranger.warnings)
    assert stranger.person is None and stranger.level == 2

    # Input errors are refused with the field and the reason.
    with pytest.raises(actions.ReviewError) as err:
        add(decl, hp_officer, "12010119800505001X41")
    assert "校验位" in err.value.errors["certificate_number"]
    with pytest.raises(actions.ReviewError) as err:
        actions.add_employee(decl, actor=hp_officer, cert_kind="military", certificate_number="军残字001",
                             contract_start=date(2021, 1, 1), monthly_wage="5000", social_insurance_months=12)  # fmt: skip
    assert set(err.value.errors) == {"resident_id", "level"}
    with pytest.raises(actions.ReviewError, match="已在本申报中"):
        add(decl, hp_officer, cases["ok"][0])
    with pytest.raises(actions.ReviewError) as err:
        add(decl, hp_officer, registered(), contract_start=None, contract_end=None)
    assert "开始日期" in err.value.errors["contract_start"]


def test_military_certificate_counts_by_its_level(campaign: Any, make_employer: Any, hp_officer: Any) -> None:
    from conftest import make_resident_id

    decl = declare(make_employer(), hp_officer, campaign)
    rid = make_resident_id(birth=date(1975, 3, 3), serial=88)
    base: dict[str, Any] = {"cert_kind": "military", "resident_id": rid, "name": "孙七", "contract_start": date(2020, 1, 1),
            "monthly_wage": "6000", "social_insurance_months": 12, "on": IN_WINDOW}  # fmt: skip
    emp = actions.add_employee(decl, actor=hp_officer, certificate_number="JR2019001", level=9, **base).employee
    assert emp.errors == ["残疾军人证9级不计入按比例安排就业人数（只计1至8级）"]
    assert emp.cert_masked == "JR*****01" and emp.contract_months is None  # open-ended contract


def test_staff_and_wages_are_checked(campaign: Any, make_employer: Any, hp_officer: Any) -> None:
    employer = make_employer()
    with pytest.raises(actions.ReviewError) as err:
        actions.create_declaration(employer, actor=hp_officer, campaign=campaign, staff_count="0", total_wages="1")
    assert err.value.errors == {"staff_count": "在职职工年平均人数必须大于0"}
    with pytest.raises(actions.ReviewError) as err:
        actions.create_declaration(
            employer, actor=hp_officer, campaign=campaign, monthly_staff=["10"] * 11, total_wages="1"
        )
    assert err.value.errors == {"monthly_staff": "应填写12个月末在职职工人数，收到11个"}
    decl = declare(employer, hp_officer, campaign, staff="250.5")
    with pytest.raises(actions.ReviewError, match="已有2022年度的申报"):
        declare(employer, hp_officer, campaign)
    actions.update_declaration(decl, actor=hp_officer, monthly_staff=[250] * 6 + [251] * 6, total_wages="22500000")
    assert fresh(decl).staff_count == Decimal("250.5") and fresh(decl).monthly_staff == ["250"] * 6 + ["251"] * 6


def test_submission_needs_the_window_and_documents(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any
) -> None:
    decl = declare(make_employer(), hp_officer, campaign)
    with pytest.raises(actions.ReviewError, match="请先上传：申报表（加盖公章）、承诺书"):
        actions.submit_declaration(decl, actor=hp_officer, on=IN_WINDOW)
    with pytest.raises(actions.ReviewError, match="申报期为2023-03-01至2023-10-31，尚未开始"):
        submitted(decl, hp_officer, on=date(2023, 2, 28))
    result = actions.submit_declaration(decl, actor=hp_officer, on=IN_WINDOW)
    assert not result.late and fresh(decl).status == DeclarationStatus.SUBMITTED
    with pytest.raises(actions.ReviewError, match="不能修改"):
        add(decl, hp_officer, registered())


def _certify(decl: Any, reviewer: Any) -> LevyResult:
    return actions.certify_declaration(decl, actor=reviewer)


@pytest.mark.parametrize(
    ("staff", "wages", "levels", "due", "required", "shortfall"),
    [
        ("300", "45000000", [2, 4], "112500.00", "4.5", "1.5"),  # R4.8 #2: 3/300 = 1.0 % → 50 %
        ("250", "22500000", [3, 4], "141750.00", "3.75", "1.75"),  # R4.8 #6: 0.8 % → 90 %
        ("100", "40000000", [], "324000.00", "1.5", "1.5"),  # R4.8 #4: wage capped at 2 × 120,000
    ],
)
def test_stored_levy_equals_the_rules_for_the_worked_examples(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any, make_user: Any,
    staff: str, wages: str, levels: list[int], due: str, required: str, shortfall: str,
) -> None:  # fmt: skip
    employer = make_employer()
    decl = declare(employer, hp_officer, campaign, staff=staff, wages=wages)
    for level in levels:
        add(decl, hp_officer, registered(level=level))
    submitted(decl, hp_officer)
    levy = _certify(decl, make_user("district_officer", "120101"))

    expected = rules.compute_levy(
        rules.LevyCase("enterprise", Decimal(staff), Decimal(wages),
                       disabled=[rules.DisabledEmployee("cdpf", lv) for lv in levels]),
        levy_params(YEAR, employer.district),
    )  # fmt: skip
    assert levy.levy_due == expected.levy_due == Decimal(due)
    assert (levy.required, levy.shortfall) == (Decimal(required), Decimal(shortfall))
    assert levy.weighted_count == expected.weighted_count == fresh(decl).accepted_count
    assert levy.rate == expected.rate and levy.exempt is False and levy.error == ""
    assert levy.explanation["steps"][-2]["label"] == "应缴纳金额"
    assert levy.collected_on == date(2023, 9, 1)  # levy window start of 2023 (reliefs read on it)


def test_late_declaration_counts_as_placed_none(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any, make_user: Any
) -> None:
    """R3.1: declared after 2023-10-31 → reviewed, but the count for the levy is 0."""
    decl = declare(make_employer(), hp_officer, campaign)
    for level in (2, 4):
        add(decl, hp_officer, registered(level=level))
    result = submitted(decl, hp_officer, on=LATE)
    assert result.late and fresh(decl).late
    levy = _certify(decl, make_user("district_officer", "120101"))
    decl = fresh(decl)
    assert decl.persons_weighted == Decimal(3) and decl.accepted_count == Decimal(0)
    assert [e.review_outcome for e in employees(decl)] == [ReviewOutcome.ACCEPTED] * 2
    # 300 staff, nobody counted: 4.5 × 150,000 = 675,000 × 90 % (ratio 0 < 1 %).
    assert levy.weighted_count == 0 and levy.levy_due == Decimal("607500.00")
    first = levy.explanation["steps"][0]
    assert first["label"] == "逾期申报" and "视为未安排残疾人就业（R3.1）" in first["formula"]


def test_unit_kind_outside_the_levy_rules_is_certified_with_a_reason(
    campaign: Any, make_employer: Any, hp_officer: Any, make_user: Any
) -> None:
    decl = declare(make_employer(kind="individual"), hp_officer, campaign, staff="5", wages="300000")
    submitted(decl, hp_officer)
    levy = _certify(decl, make_user("district_officer", "120101"))
    assert fresh(decl).status == DeclarationStatus.CERTIFIED
    assert levy.levy_due is None and "单位类型“individual”无效" in levy.error


def test_officer_enters_on_behalf_through_the_pages(
    client: Any, open_campaign: Any, make_employer: Any, registered: Any, hp_officer: Any, city_admin: Any
) -> None:
    """The window channel (R3.3): an officer finds the unit of their district by its code, fills in and
    corrects the declaration; a unit of another district is not found."""
    unit, elsewhere = make_employer("120101", name="和平书店"), make_employer("120103")
    client.force_login(hp_officer)
    form = {"staff_count": "40", "total_wages": "3200000"}
    resp = client.post(reverse("quota:declaration_create"), {"uscc": elsewhere.uscc, **form})
    assert resp.status_code == 422 and "不在您的辖区" in resp.content.decode()
    resp = client.post(reverse("quota:declaration_create"), {"uscc": unit.uscc.lower(), **form})
    assert resp.status_code == 302
    with unscoped():
        decl = actions.Declaration.objects.get(employer_id=unit.pk)
    assert decl.entered_by == hp_officer and decl.staff_count == Decimal(40)

    resp = client.post(reverse("quota:declaration_edit", args=[decl.pk]), {"staff_count": "", "total_wages": "1"})
    assert resp.status_code == 422 and "请填写在职职工年平均人数" in resp.content.decode()
    months = {f"month_{i}": "41" for i in range(1, 13)}
    assert (
        client.post(reverse("quota:declaration_edit", args=[decl.pk]), {"total_wages": "3300000", **months}).status_code
        == 302
    )
    assert fresh(decl).staff_count == Decimal(41)

    resp = client.post(
        reverse("quota:employee_add", args=[decl.pk]),
        {"cert_kind": "cdpf", "certificate_number": "123", "monthly_wage": "5000", "social_insurance_months": "12"},
    )
    assert resp.status_code == 422 and "残疾人证号长度应为20位" in resp.content.decode()
    emp = add(decl, hp_officer, registered(), on=timezone.localdate()).employee
    assert client.post(reverse("quota:employee_remove", args=[decl.pk, emp.pk])).status_code == 302
    assert employees(decl) == []
    assert (
        client.post(reverse("quota:upload_add", args=[decl.pk]), {"kind": "contract", "file": pdf()}).status_code == 302
    )
    with unscoped():
        upload = decl.uploads.get()
    assert client.get(reverse("quota:upload_download", args=[decl.pk, upload.pk])).status_code == 200
    assert client.post(reverse("quota:upload_remove", args=[decl.pk, upload.pk])).status_code == 302
    with unscoped():
        assert not decl.uploads.exists()

    # Campaigns: the city administrator opens one; officers only see the list.
    assert client.post(reverse("quota:campaign_list"), {"data_year": "2025"}).status_code == 404
    client.force_login(city_admin)
    resp = client.post(reverse("quota:campaign_list"), {"data_year": "2024"})
    assert resp.status_code == 422 and "没有2025年的申报期" in resp.content.decode()
    dates = {"declaration_start": "2025-03-01", "declaration_end": "2025-10-31"}
    assert client.post(reverse("quota:campaign_list"), {"data_year": "2024", **dates}).status_code == 302
    page = client.get(reverse("quota:campaign_list")).content.decode()
    assert "2025-03-01 至 2025-10-31" in page and "创建批次时指定" in page and "2025-09-25 至 2025-10-31" in page


def test_social_insurance_feed_is_used_to_verify_the_declared_months(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any
) -> None:
    from ablework.people import api as people_api

    employer = make_employer()
    decl = declare(employer, hp_officer, campaign)
    number = registered()
    person = people_api.find_person_by_certificate(number)
    assert person is not None
    months = [{"person_id": person.pk, "month": date(YEAR, m, 1), "employer_uscc": employer.uscc, "row_key": f"{m}"}
              for m in range(1, 7)]  # fmt: skip
    people_api.record_si_contributions(months, source="人社", batch_id="si-1")
    got = add(decl, hp_officer, number, social_insurance_months=12).employee
    warnings = " ".join(got.validation["warnings"])
    assert "社保共享数据（人社" in warnings and "缴费6个月，与申报的12个月不一致，按共享数据计" in warnings
    assert "缴纳社会保险6个月，少于在职的12个月" in warnings
    assert got.validation["counts"] is False  # R2.3: social insurance for every month employed

    # a unit whose feed agrees gets no warning about it
    other = declare(make_employer(), hp_officer, campaign)
    number2 = registered()
    person2 = people_api.find_person_by_certificate(number2)
    assert person2 is not None
    full = [{"person_id": person2.pk, "month": date(YEAR, m, 1), "employer_uscc": other.employer.uscc,
             "row_key": f"b{m}"} for m in range(1, 13)]  # fmt: skip
    people_api.record_si_contributions(full, source="人社", batch_id="si-2")
    ok = add(other, hp_officer, number2).employee
    assert not any("社保共享数据" in w for w in ok.validation["warnings"]) and ok.validation["counts"] is True


def test_a_person_counted_in_another_province_is_flagged_for_the_reviewer(
    campaign: Any, make_employer: Any, registered: Any, hp_officer: Any
) -> None:
    from ablework.people import api as people_api
    from ablework.quota import api as quota_api

    decl = declare(make_employer(), hp_officer, campaign)
    number = registered()
    emp = add(decl, hp_officer, number).employee
    submitted(decl, hp_officer)
    person = people_api.find_person_by_certificate(number)
    assert person is not None
    quota_api.record_counted_elsewhere(YEAR, person.id_hash, counted=True, province="河北省", unit_name="廊坊某公司")
    warnings = " ".join(fresh(emp).warnings)
    assert "跨省通办核查" in warnings and "河北省廊坊某公司" in warnings and "R2.7" in warnings
    quota_api.record_counted_elsewhere(YEAR, person.id_hash, counted=False)
    assert not any("跨省通办" in w for w in fresh(emp).warnings)
