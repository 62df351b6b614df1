"""Import of an institution's monthly hours and pay: per-row errors in Chinese, re-upload is a no-op,
scoping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ablework.assisted.imports import month_spec
from ablework.assisted.models import MonthlyRecord
from ablework.core.crypto import decrypt
from ablework.core.files import xlsx_bytes
from ablework.core.models import AuditLog


def _file(rows: list[list[Any]] | bytes, name: str = "月度.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, rows if isinstance(rows, bytes) else xlsx_bytes(month_spec().headers, rows))


def test_month_import(client: Any, hp_officer: Any, hx_officer: Any, make_institution: Any, registered: Any,
                      place: Any) -> None:  # fmt: skip
    inst = make_institution("120101")
    person = registered("120101", name="冯一")
    part = place(inst, person, joined=date(2024, 1, 1), months={1: ("600", True)})
    outsider = registered("120101", name="陈二")
    rid, other = decrypt(person.id_cipher), decrypt(outsider.id_cipher)
    rows = [
        [rid, "冯一", "2024-01", "80", "600", "是"],  # same as recorded: unchanged
        [rid, "冯一", "2024年2月", "90", "700", "是"],  # created
        [rid, "冯二", "2024-03", "90", "700", "是"],  # name mismatch
        [other, "陈二", "2024-03", "90", "700", "是"],  # not placed here
        ["120101199001011230", "", "2024-03", "90", "700", "否"],  # bad check digit
        [rid, "冯一", "2099-01", "90", "700", "是"],  # future month
        [rid, "冯一", "三月", "90", "700", "是"],  # month format
        [rid, "冯一", "2024-04", "900", "700", "是"],  # hours above 744
    ]
    url = f"/assisted/institutions/{inst.pk}/months/import/"
    client.force_login(hx_officer)
    assert client.get(url).status_code == 404
    client.force_login(hp_officer)
    data = xlsx_bytes(month_spec().headers, rows)
    page = client.post(url, {"file": _file(data)}).content.decode()
    assert "新增1行，更新0行，无变化1行，未导入6行" in page
    for message in ("姓名与信息库不一致（信息库为“冯一”）", "此人未在本机构登记", "不能登记未来月份",
                    "月份格式不正确：“三月”，应为如2025-03", "工作时长应在0至744小时之间"):  # fmt: skip
        assert message in page, message
    assert MonthlyRecord.objects.get(participant=part, month=date(2024, 2, 1)).pay == Decimal("700")
    assert AuditLog.objects.filter(object_type="assisted.monthlyrecord", action="create").count() == 1
    # The same file again changes nothing; a corrected file updates.
    page = client.post(url, {"file": _file(data)}).content.decode()
    assert "本次未重复导入" in page
    page = client.post(url, {"file": _file([[rid, "冯一", "2024-02", "95", "720", "是"]], "改.xlsx")}).content.decode()
    assert "新增0行，更新1行" in page
    assert MonthlyRecord.objects.get(participant=part, month=date(2024, 2, 1)).pay == Decimal("720")
    assert client.get(f"/assisted/institutions/{inst.pk}/months/import/template.xlsx").status_code == 200
