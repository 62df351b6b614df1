from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ablework.core import policy
from ablework.core.models import AuditLog, District, PolicyParameter


def test_defaults_are_seeded_from_policy_rules() -> None:
    assert policy.get_param("quota_ratio", on=date(2024, 6, 1)).decimal == Decimal("0.015")
    cap = policy.get_param("cap_multiplier", on=date(2022, 1, 1))
    assert cap.decimal == Decimal("2.0") and cap.confirmed
    assert policy.get_param("cap_multiplier", on=date(2018, 5, 1)).decimal == Decimal("1.0")
    reward = policy.get_param("over_quota_reward", on=date(2025, 1, 1))
    assert reward.value["per_person_year_max"] == "9600" and not reward.confirmed


def test_window_ends_and_missing_values_raise_a_chinese_error() -> None:
    assert policy.get_param("levy_tiers", on=date(2027, 12, 31)).value["rate_below"] == "0.9"
    with pytest.raises(policy.PolicyParameterMissing, match=r"levy_tiers.*2028-01-01"):
        policy.get_param("levy_tiers", on=date(2028, 1, 1))
    assert policy.get_param("levy_tiers", on=date(2028, 1, 1), default=None).value is None


def test_district_value_overrides_city_value(city_admin: Any) -> None:
    hp = District.objects.get(code="120101")
    policy.save_param(
        PolicyParameter(key="quota_ratio", district=hp, valid_from=date(2024, 1, 1), value="0.017", source="测试"),
        actor=city_admin,
    )
    assert policy.get_param("quota_ratio", on=date(2024, 6, 1), district=hp).decimal == Decimal("0.017")
    hx = District.objects.get(code="120103")
    assert policy.get_param("quota_ratio", on=date(2024, 6, 1), district=hx).decimal == Decimal("0.015")
    assert policy.get_param("quota_ratio", on=date(2023, 6, 1), district=hp).decimal == Decimal("0.015")


def test_changes_are_audited_with_before_and_after(city_admin: Any) -> None:
    p = PolicyParameter.objects.get(key="social_avg_wage", valid_from=date(2022, 1, 1), district__isnull=True)
    p.value = "130000"
    p.confirmed = True
    policy.save_param(p, actor=city_admin)
    entry = AuditLog.objects.filter(object_type="core.policyparameter", object_id=str(p.pk)).latest("seq")
    assert entry.changes["value"] == ["120000", "130000"]
    assert entry.changes["confirmed"] == [False, True]
    assert entry.actor_id == city_admin.pk


def test_city_admin_edits_a_parameter_in_the_ui(client: Any, city_admin: Any) -> None:
    client.force_login(city_admin)
    p = PolicyParameter.objects.get(key="late_fee_rate_daily")
    data = {
        "key": "late_fee_rate_daily",
        "district": "",
        "valid_from": "2015-01-01",
        "valid_to": "",
        "value": "0.0005",
        "source": p.source,
        "confirmed": "on",
        "note": "",
    }
    response = client.post(f"/core/policy/{p.pk}/", data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.value == "0.0005"  # decimals stay exact strings, never floats
    page = client.get(f"/core/policy/{p.pk}/")
    assert "0.005 → 0.0005" in page.content.decode()


def test_invalid_json_value_gets_a_clear_message(client: Any, city_admin: Any) -> None:
    client.force_login(city_admin)
    response = client.post(
        "/core/policy/new/",
        {"key": "x", "valid_from": "2024-01-01", "value": "{oops", "source": "测试"},
    )
    assert response.status_code == 200
    assert "取值不是有效的数字或JSON" in response.content.decode()


def test_district_officer_cannot_edit_parameters(client: Any, hp_officer: Any) -> None:
    client.force_login(hp_officer)
    assert client.get("/core/policy/").status_code == 403
    assert client.post("/core/policy/new/", {}).status_code == 403


def test_districts_are_loaded_with_agricultural_flags() -> None:
    from ablework.core.models import Street

    assert District.objects.count() == 16
    assert District.objects.filter(is_agricultural=True).count() == 10
    assert Street.objects.count() == 299
    assert Street.objects.filter(district__code="120101").exists()


def test_city_admin_toggles_the_agricultural_flag(client: Any, city_admin: Any, hp_officer: Any) -> None:
    hp = District.objects.get(code="120101")
    client.force_login(hp_officer)
    assert client.post(f"/core/districts/{hp.pk}/agricultural/").status_code == 403
    client.force_login(city_admin)
    assert client.post(f"/core/districts/{hp.pk}/agricultural/").status_code == 302
    hp.refresh_from_db()
    assert hp.is_agricultural
    entry = AuditLog.objects.filter(object_type="core.district", object_id=str(hp.pk)).latest("seq")
    assert entry.changes == {"is_agricultural": [False, True]}
    assert "和平区" in client.get("/core/districts/").content.decode()


def test_edit_form_renders_dates_in_iso_format(client: Any, city_admin: Any) -> None:
    # A type=date input drops any other format, and saving would then fail with "required".
    client.force_login(city_admin)
    p = PolicyParameter.objects.get(key="levy_tiers")
    html = client.get(f"/core/policy/{p.pk}/").content.decode()
    assert 'value="2020-01-01"' in html and 'value="2027-12-31"' in html


@pytest.mark.django_db
def test_read_once_caches_within_the_block_and_save_clears_it(city_admin: Any, django_assert_num_queries: Any) -> None:
    from datetime import date as _date

    from ablework.core.models import PolicyParameter
    from ablework.core.policy import get_param, read_once, save_param

    on = _date(2024, 6, 1)
    with read_once():
        first = get_param("quota_ratio", on=on)
        with django_assert_num_queries(0):
            assert get_param("quota_ratio", on=on) == first
        row = PolicyParameter.objects.get(
            key="quota_ratio", valid_from__lte=on, district__isnull=True, valid_to__isnull=True
        )
        row.value = "0.02"
        save_param(row, actor=city_admin)
        assert get_param("quota_ratio", on=on).value == "0.02"
    assert get_param("quota_ratio", on=on).value == "0.02"
