"""跨省通办: ask the national proportional-employment certification service (全国按比例就业情况联网认证,
policy-rules §16) whether a person is counted by a unit in another province for a data year.

``CrossProvinceAdapter`` is the interface; ``HttpCrossProvinceAdapter`` speaks JSON over HTTP to the URL
in ``ABLEWORK_CROSS_PROVINCE_URL`` (the real endpoint and its message format are to be confirmed with the
provincial platform: 待确认); ``InMemoryCrossProvince`` is the test double.  Only the keyed ID hash and
the year leave the platform in a question… unless the remote side needs the ID itself, which is also to
be confirmed; the HTTP adapter sends the masked ID and the hash.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils import timezone

__all__ = [
    "CheckSummary",
    "CrossProvinceAdapter",
    "CrossProvinceAnswer",
    "CrossProvinceUnavailable",
    "HttpCrossProvinceAdapter",
    "InMemoryCrossProvince",
    "check_year",
    "get_adapter",
]


class CrossProvinceUnavailable(RuntimeError):
    """The service did not answer (the caller records "not checked", never "not counted")."""


@dataclass(frozen=True)
class CrossProvinceAnswer:
    counted: bool
    province: str = ""
    unit_name: str = ""
    unit_uscc: str = ""
    as_of: datetime | None = None


class CrossProvinceAdapter(Protocol):
    def counted_elsewhere(self, *, id_hash: str, id_masked: str, data_year: int) -> CrossProvinceAnswer: ...


class InMemoryCrossProvince:
    """Test double: ``counted[(id_hash, year)] = (province, unit name, uscc)``."""

    def __init__(self, counted: dict[tuple[str, int], tuple[str, str, str]] | None = None) -> None:
        self.counted = dict(counted or {})
        self.questions: list[tuple[str, int]] = []

    def counted_elsewhere(self, *, id_hash: str, id_masked: str, data_year: int) -> CrossProvinceAnswer:
        self.questions.append((id_hash, data_year))
        hit = self.counted.get((id_hash, data_year))
        if hit is None:
            return CrossProvinceAnswer(counted=False, as_of=timezone.now())
        return CrossProvinceAnswer(True, hit[0], hit[1], hit[2], timezone.now())


class HttpCrossProvinceAdapter:
    def __init__(self, url: str, *, token: str = "", timeout: float = 10) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def counted_elsewhere(self, *, id_hash: str, id_masked: str, data_year: int) -> CrossProvinceAnswer:
        body = json.dumps({"id_hash": id_hash, "id_masked": id_masked, "data_year": data_year}).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data = json.loads(response.read(64 * 1024).decode("utf-8") or "{}")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise CrossProvinceUnavailable(f"跨省通办服务无应答：{exc}") from None
        if not isinstance(data, dict):
            raise CrossProvinceUnavailable("跨省通办服务应答格式不正确")
        return CrossProvinceAnswer(
            counted=bool(data.get("counted")),
            province=str(data.get("province") or ""),
            unit_name=str(data.get("unit_name") or ""),
            unit_uscc=str(data.get("unit_uscc") or ""),
            as_of=timezone.now(),
        )


def get_adapter() -> CrossProvinceAdapter | None:
    """The configured adapter, or ``None`` when no service is configured (nothing is asked)."""
    url = getattr(settings, "ABLEWORK_CROSS_PROVINCE_URL", "") or os.environ.get("ABLEWORK_CROSS_PROVINCE_URL", "")
    if not url:
        return None
    token = getattr(settings, "ABLEWORK_CROSS_PROVINCE_TOKEN", "") or os.environ.get(
        "ABLEWORK_CROSS_PROVINCE_TOKEN", ""
    )
    return HttpCrossProvinceAdapter(str(url), token=str(token))


@dataclass
class CheckSummary:
    asked: int = 0
    counted_elsewhere: int = 0
    unavailable: int = 0


def check_year(data_year: int, *, adapter: CrossProvinceAdapter | None = None, actor: object = None) -> CheckSummary:
    """Ask the service about every person counted or claimed here in ``data_year`` and store each answer
    (``CrossProvinceCheck``, one row per person and year, refreshed on every run).  A person counted by
    a unit in another province is a conflict for the district (R2.7): the answer is handed to the annual
    review (``quota.api.record_counted_elsewhere``), whose validation warns the reviewer on the declaration;
    one the service could not answer for stays "unknown", never "not counted".  One audit entry for the run (the subjects are persons)."""
    from ablework.core import audit
    from ablework.core.enums import AuditAction
    from ablework.exchange.models import CrossProvinceCheck
    from ablework.people import api as people_api
    from ablework.quota import api as quota_api

    adapter = adapter or get_adapter()
    if adapter is None:
        raise CrossProvinceUnavailable("未配置跨省通办服务地址（ABLEWORK_CROSS_PROVINCE_URL）")
    counted = quota_api.counted_persons(data_year)
    ids = people_api.identities(sorted(counted))
    summary = CheckSummary()
    now = timezone.now()
    for person_id, (id_hash, masked, name, district_code) in sorted(ids.items()):
        summary.asked += 1
        values: dict[str, object] = {"employer_id": counted[person_id], "district_code": district_code,
                                     "person_label": f"{name}（{masked}）"[:100], "checked_at": now}  # fmt: skip
        try:
            answer = adapter.counted_elsewhere(id_hash=id_hash, id_masked=masked, data_year=data_year)
        except CrossProvinceUnavailable as exc:
            summary.unavailable += 1
            values |= {"counted": None, "province": "", "unit_name": "", "unit_uscc": "", "error": str(exc)[:200]}
        else:
            summary.counted_elsewhere += int(answer.counted)
            values |= {"counted": answer.counted, "province": answer.province[:20], "unit_name": answer.unit_name[:200],
                       "unit_uscc": answer.unit_uscc[:18], "error": ""}  # fmt: skip
        CrossProvinceCheck.objects.update_or_create(data_year=data_year, person_id=person_id, defaults=values)
        if values["counted"] is not None:  # an answer (not "unavailable"): the annual review validates with it
            quota_api.record_counted_elsewhere(
                data_year, id_hash, counted=bool(values["counted"]), province=str(values["province"]),
                unit_name=str(values["unit_name"]), unit_uscc=str(values["unit_uscc"]),
            )  # fmt: skip
    audit.record_many(
        AuditAction.READ,
        actor=actor,
        object_type="people.person",
        object_ids=list(ids),
        object_label=f"跨省通办核查{data_year}年度（{summary.asked}人，外省已计入{summary.counted_elsewhere}人）",
        purpose="按比例就业跨省重复计入核查",
    )
    return summary
