"""Keys, scopes, rate limits, JSON errors and the audit of every call."""

from __future__ import annotations

import pytest

from ablework.core.models import AuditLog
from ablework.exchange import actions
from ablework.exchange.enums import Scope
from ablework.exchange.models import ApiKey

pytestmark = pytest.mark.django_db
URL = "/api/v1/certificates/verify"


def test_key_is_stored_hashed_with_a_visible_prefix(make_client) -> None:
    client, key = make_client(Scope.PERSONS_VERIFY)
    stored = ApiKey.objects.get(client=client)
    assert key.startswith(stored.prefix + "_")
    assert stored.key_hash == actions.hash_key(key)
    assert key not in stored.key_hash and len(stored.key_hash) == 64


def test_missing_and_wrong_key_are_401_json(api, make_client) -> None:
    r = api().post(URL, {"number": "x"}, format="json")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"
    assert "密钥" in r.json()["message"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = api("awk_deadbeef_nope").post(URL, {"number": "x"}, format="json")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"


def test_scope_is_required(api, make_client) -> None:
    _, key = make_client(Scope.FEEDS_SI)
    r = api(key).post(URL, {"number": "x"}, format="json")
    assert r.status_code == 403
    assert r.json() == {"code": "forbidden", "message": "该接入单位没有“persons:verify”权限"}


def test_rotate_revokes_the_old_key_and_revoke_stops_the_client(api, make_client, registered) -> None:
    client, old = make_client(Scope.PERSONS_VERIFY)
    _, _, number = registered()
    assert api(old).post(URL, {"number": number}, format="json").status_code == 200
    new = actions.rotate_key(client, actor=None)
    assert api(old).post(URL, {"number": number}, format="json").status_code == 401
    assert api(new).post(URL, {"number": number}, format="json").status_code == 200
    actions.revoke_client(client, actor=None)
    assert api(new).post(URL, {"number": number}, format="json").status_code == 401
    with pytest.raises(actions.ExchangeError, match="已停用"):
        actions.rotate_key(client, actor=None)


def test_rate_limit_is_per_client(api, make_client, registered) -> None:
    _, slow = make_client(Scope.PERSONS_VERIFY, rate="2/min")
    _, fast = make_client(Scope.PERSONS_VERIFY, rate="100/min")
    _, _, number = registered()
    codes = [api(slow).post(URL, {"number": number}, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = api(slow).post(URL, {"number": number}, format="json")
    assert r.json()["code"] == "throttled" and "秒后重试" in r.json()["message"]
    assert int(r.headers["Retry-After"]) > 0
    assert api(fast).post(URL, {"number": number}, format="json").status_code == 200


def test_every_call_is_audited_including_refused_ones(api, make_client) -> None:
    client, key = make_client(Scope.FEEDS_SI)
    before = AuditLog.objects.count()
    api(key).post(URL, {"number": "x"}, format="json")  # 403
    api().post(URL, {"number": "x"}, format="json")  # 401
    entries = list(AuditLog.objects.order_by("seq")[before:])
    assert [e.changes["status"] for e in entries] == [403, 401]
    assert entries[0].actor_label == f"接口:{client.name}" and entries[0].role == "api_client"
    assert entries[0].object_type == "exchange.apiclient" and entries[0].object_id == str(client.pk)


def test_malformed_json_is_a_json_error(api, make_client) -> None:
    _, key = make_client(Scope.PERSONS_VERIFY)
    r = api(key).post(URL, "{not json", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "malformed"


def test_client_validation_messages() -> None:
    with pytest.raises(actions.ExchangeError, match="未知的权限范围"):
        actions.create_client(actor=None, name="甲", department="人社", scopes=["all"])
    with pytest.raises(actions.ExchangeError, match="访问频率上限格式"):
        actions.create_client(actor=None, name="甲", department="人社", scopes=[], rate="fast")
    with pytest.raises(actions.ExchangeError, match="所属部门"):
        actions.create_client(actor=None, name="甲", department="x", scopes=[])
