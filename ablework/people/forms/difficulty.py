"""Forms of 就业困难人员认定 and 公益性岗位 placements.  The rules are checked by
``actions.difficulty``; the forms parse input and give early, field-level messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
_MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}
_MONEY_ERRORS = {
    "invalid": "请填写金额，例如 1500.00",
    "min_value": "金额不能为负数",
    "max_decimal_places": "金额最多保留两位小数",
    "max_digits": "金额过大",
}


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            widget = f.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _date_field(label: str, **kw: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=_DATE, error_messages={"invalid": "日期格式应为 年-月-日，例如 2026-03-01"}, **kw
    )


class DifficultyApplyForm(_Styled):
    """The facts the applicant declares; the rest (户籍, 年龄, 证件, 就业状态) comes from the record."""

    registered_unemployed = forms.BooleanField(
        label="已在人力社保部门办理失业登记", required=False, help_text="请核验《就业失业登记证》或失业登记记录。"
    )
    able_and_willing = forms.BooleanField(label="有劳动能力和就业意愿", required=False)
    referral_failed = forms.BooleanField(
        label="经公共就业服务机构推荐仍未实现就业", required=False, help_text="请核验职业介绍或岗位推荐记录。"
    )
    applied_on = _date_field("申请日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applied_on"].initial = self.fields["applied_on"].initial or timezone.localdate()

    def clean_applied_on(self) -> date:
        value: date = self.cleaned_data["applied_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("申请日期不能晚于今天")
        return value


class DecisionForm(_Styled):
    """One decision: the button pressed (``transition``) and the opinion — optional for 认定通过,
    required for 退回修改 / 不予认定 (the workflow checks it)."""

    transition = forms.ChoiceField(choices=[("approve", "认定通过"), ("return", "退回修改"), ("reject", "不予认定")])
    note = forms.CharField(
        label="审核意见",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "note-help"}),
    )
    stage = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the stage the reviewer saw


EXIT_REASONS = [
    ("再就业", "实现再就业"),
    ("本人申请", "本人申请退出"),
    ("迁出本市", "户籍迁出本市"),
    ("超出劳动年龄", "超出法定劳动年龄"),
    ("其他", "其他"),
]


class ExitForm(_Styled):
    exited_on = _date_field("退出日期")
    reason = forms.ChoiceField(label="退出原因", choices=[("", "请选择"), *EXIT_REASONS])
    detail = forms.CharField(label="说明", required=False, max_length=150, help_text="选择“其他”时必填。")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exited_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == "其他" and not (data.get("detail") or "").strip():
            self.add_error("detail", "退出原因为“其他”时请填写说明")
        return data

    def reason_text(self) -> str:
        reason, detail = self.cleaned_data["reason"], (self.cleaned_data.get("detail") or "").strip()
        return f"{reason}：{detail}" if detail else reason


class PlacementForm(_Styled):
    post = forms.CharField(label="岗位名称", max_length=100, help_text="例如：社区保洁、公共设施巡查、助残服务。")
    unit = forms.CharField(label="用工单位", max_length=200)
    start_date = _date_field("上岗日期")
    end_date = _date_field(
        "结束日期", help_text="期限上限按政策参数“公益性岗位”计算（见上方说明），距法定退休年龄较近的可延至退休前。"
    )
    post_subsidy_monthly = forms.DecimalField(label="岗位补贴（元/月）", error_messages=_MONEY_ERRORS, **_MONEY)  # type: ignore[arg-type]
    insurance_subsidy_monthly = forms.DecimalField(
        label="社会保险补贴（元/月）",
        error_messages=_MONEY_ERRORS,
        initial=Decimal("0.00"),
        **_MONEY,  # type: ignore[arg-type]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于上岗日期")
        return data


class EndPlacementForm(_Styled):
    end_date = _date_field("离岗日期")
    reason = forms.CharField(label="离岗原因", max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()
