"""Forms of the public-sector pages and the credit events (§12, §13): parse input only; the rules are
checked by ``quota.credit`` and ``quota.disclosure``."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.quota.enums import CreditEventKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


def _uscc_field() -> forms.CharField:
    return forms.CharField(label="统一社会信用代码", max_length=18, min_length=18, strip=True)


class CreditCreateForm(_Styled):
    uscc = _uscc_field()
    data_year = forms.IntegerField(label="数据年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="失信情形", choices=CreditEventKind.choices)
    amount_owed = forms.DecimalField(
        label="欠缴金额（元）", required=False, max_digits=16, decimal_places=2, min_value=0,
        help_text="保障金类情形：该单位该年度有已认定的保障金计算结果时可不填，由系统按应缴减已缴计算",
    )  # fmt: skip
    decision_number = forms.CharField(label="相关文书文号", required=False, max_length=60)
    description = forms.CharField(label="事实和依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class DetectForm(_Styled):
    data_year = forms.IntegerField(label="数据年度", min_value=2000, max_value=2100)


class CreditActionForm(forms.Form):
    transition = forms.ChoiceField(
        choices=[
            ("send_notice", "发送预先告知"),
            ("uphold_objection", "异议成立"),
            ("reject_objection", "异议不成立"),
            ("propose_push", "提请推送"),
            ("approve_push", "同意推送"),
            ("return_push", "退回"),
            ("withdraw", "撤销"),
        ]
    )
    note = forms.CharField(label="意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    decision_number = forms.CharField(label="告知书文号", required=False, max_length=60)
    stage = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.update({"class": "form-control", "aria-describedby": "credit-note-help"})
        self.fields["decision_number"].widget.attrs.update({"class": "form-control"})


class ObjectionForm(_Styled):
    text = forms.CharField(label="异议理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(
        label="证明材料", required=False, help_text="可选；PDF、JPG或PNG，不超过10MB（如缴款凭证、劳动合同）"
    )


class PaymentForm(_Styled):
    uscc = _uscc_field()
    data_year = forms.IntegerField(label="数据年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="缴纳金额（元）", max_digits=16, decimal_places=2, min_value=0)
    paid_on = forms.DateField(label="缴纳日期", widget=DATE)
    reference = forms.CharField(label="缴款凭证号", required=False, max_length=60)


class DisclosureForm(forms.Form):
    data_year = forms.IntegerField(min_value=2000, max_value=2100)
    action = forms.ChoiceField(choices=[("publish", "发布"), ("unpublish", "撤下")])
