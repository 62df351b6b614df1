"""Forms of the officer pages (API clients, feed file upload, exports)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ablework.exchange.enums import Department, FeedKind, Scope

BATCH_ID_HELP = "报送方的批次号（字母、数字、_ . : -）；同一批次号只导入一次"


class ClientForm(forms.Form):
    name = forms.CharField(label="接入单位名称", max_length=100)
    department = forms.ChoiceField(label="所属部门", choices=Department.choices)
    scopes = forms.MultipleChoiceField(
        label="权限范围", choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    rate = forms.RegexField(
        label="访问频率上限", regex=r"^\d{1,6}/(s|sec|m|min|h|hour|d|day)$", initial="600/min",
        help_text="如 600/min、10/s、10000/day", error_messages={"invalid": "格式应为“次数/单位”，如 600/min"},
    )  # fmt: skip
    contact = forms.CharField(label="联系人及电话", max_length=100, required=False)


class FeedUploadForm(forms.Form):
    kind = forms.ChoiceField(label="数据类别", choices=FeedKind.choices)
    source = forms.ChoiceField(label="数据来源部门", choices=Department.choices)
    batch_id = forms.RegexField(
        label="批次号", regex=r"^[A-Za-z0-9_.:-]{1,64}$", help_text=BATCH_ID_HELP,
        error_messages={"invalid": "批次号只能包含字母、数字和 _ . : -，至多64位"},
    )  # fmt: skip
    file = forms.FileField(label="文件（Excel或CSV）")


class ExportForm(forms.Form):
    what = forms.ChoiceField(label="导出内容", choices=[("tax", "税务对接：各单位认定人数及保障金"),
                                                       ("national", "全国就业和培训信息系统（实名）")])  # fmt: skip
    data_year = forms.IntegerField(label="数据年度（税务）", min_value=2000, max_value=2100, required=False)
    on = forms.DateField(label="统计日期（全国系统）", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    fmt = forms.ChoiceField(label="文件格式", choices=[("xlsx", "Excel（.xlsx）"), ("csv", "CSV")])

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("what") == "tax" and not data.get("data_year"):
            self.add_error("data_year", "请填写数据年度")
        if data.get("what") == "national" and not data.get("on"):
            data["on"] = timezone.localdate()
        return data


def default_year() -> int:
    return timezone.localdate().year - 1
