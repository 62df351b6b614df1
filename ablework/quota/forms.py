"""Forms of the annual review: parse input only; the rules are checked by ``quota.actions``."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.quota.enums import CertKind, ConflictDecision, CountingParty, ReviewOutcome, UploadKind

MONTHS = [f"month_{i}" for i in range(1, 13)]
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        w = field.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, (forms.Select, forms.RadioSelect)):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")


class DeclarationForm(forms.Form):
    staff_count = forms.DecimalField(
        label="在职职工年平均人数", required=False, max_digits=14, decimal_places=4, min_value=0,
        help_text="可带小数，不取整；也可改为填写下面12个月末的在职职工人数，由系统精确平均（R2.6）",
    )  # fmt: skip
    total_wages = forms.DecimalField(label="上年在职职工工资总额（元）", max_digits=16, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, name in enumerate(MONTHS, start=1):
            self.fields[name] = forms.DecimalField(
                label=f"{i}月末在职职工人数", required=False, max_digits=12, decimal_places=2, min_value=0
            )
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        months = [data.get(m) for m in MONTHS]
        given = [m for m in months if m is not None]
        if given and len(given) < 12:
            raise forms.ValidationError("按月填写时请填满12个月末在职职工人数，或只填写年平均人数")
        if not given and data.get("staff_count") in (None, ""):
            self.add_error("staff_count", "请填写在职职工年平均人数，或填写12个月末在职职工人数")
        data["monthly_staff"] = months if given else None
        return data

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        if d["monthly_staff"] is not None:
            return {"monthly_staff": d["monthly_staff"], "total_wages": d["total_wages"]}
        return {"staff_count": d["staff_count"], "total_wages": d["total_wages"]}

    @classmethod
    def initial_for(cls, decl: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {"total_wages": decl.total_wages}
        if decl.monthly_staff:
            initial.update(dict(zip(MONTHS, decl.monthly_staff, strict=False)))
        else:
            initial["staff_count"] = decl.staff_count.normalize()
        return initial


class OnBehalfForm(DeclarationForm):
    """An officer starts a unit's declaration (window channel): the unit by its credit code."""

    uscc = forms.CharField(label="单位统一社会信用代码", max_length=18)

    field_order = ["uscc", "staff_count", "total_wages", *MONTHS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class PersonFields(forms.Form):
    cert_kind = forms.ChoiceField(label="证件类型", choices=CertKind.choices, initial=CertKind.CDPF)
    certificate_number = forms.CharField(
        label="证号", max_length=30, help_text="残疾人证号为20位（身份证号+类别+等级，可带补发后缀如B1）"
    )
    resident_id = forms.CharField(label="身份证号", max_length=18, required=False, help_text="残疾军人证须填写")
    level = forms.IntegerField(label="伤残等级（残疾军人证）", required=False, min_value=1, max_value=10)
    name = forms.CharField(label="姓名", max_length=60, required=False, help_text="本市残疾人信息库中有该人员时可不填")


class EmployeeForm(PersonFields):
    on_establishment = forms.BooleanField(label="在编", required=False)
    contract_start = forms.DateField(label="劳动合同（服务协议）开始日期", required=False, widget=DATE)
    contract_end = forms.DateField(
        label="劳动合同（服务协议）结束日期", required=False, widget=DATE, help_text="无固定期限合同不填"
    )
    monthly_wage = forms.DecimalField(label="月实发工资（元）", max_digits=10, decimal_places=2, min_value=0)
    social_insurance_months = forms.IntegerField(label="本年度缴纳社会保险月数", min_value=0, max_value=12)
    in_post = forms.BooleanField(label="实际在岗", required=False, initial=True)
    bank_wage = forms.BooleanField(label="工资通过银行等金融机构发放", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class DispatchForm(PersonFields):
    dispatcher_uscc = forms.CharField(label="派遣单位统一社会信用代码", max_length=18)
    receiver_uscc = forms.CharField(label="用工单位统一社会信用代码", max_length=18)
    agreement_start = forms.DateField(label="协议开始日期", widget=DATE)
    agreement_end = forms.DateField(label="协议结束日期", required=False, widget=DATE)
    counting_party = forms.ChoiceField(
        label="约定计入单位",
        choices=CountingParty.choices,
        help_text="由双方签订的协议约定，计入该单位的残疾人数和在职职工人数（R2.7）",
    )
    agreement_file = forms.FileField(label="残疾人劳务派遣用工认定协议（PDF或图片）")

    field_order = ["dispatcher_uscc", "receiver_uscc", "cert_kind", "certificate_number", "resident_id", "level", "name",
                   "agreement_start", "agreement_end", "counting_party", "agreement_file"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        _styled(self)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=UploadKind.choices)
    file = forms.FileField(label="文件（PDF、JPG或PNG，不超过10MB）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class DecisionForm(forms.Form):
    transition = forms.ChoiceField(choices=[("certify", "审核认定"), ("return", "退回修改")])
    note = forms.CharField(label="审核意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    stage = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs.update({"class": "form-control", "aria-describedby": "note-help"})


class EmployeeReviewForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(ReviewOutcome.ACCEPTED, "认定计入"), (ReviewOutcome.REJECTED, "不予计入")])
    reason = forms.CharField(label="不予计入理由", required=False, max_length=300)


class ConflictForm(forms.Form):
    decision = forms.ChoiceField(label="处理决定", widget=forms.RadioSelect)
    note = forms.CharField(label="处理意见", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, labels: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (k.value, (labels or {}).get(k.value, k.label)) for k in ConflictDecision if k != ConflictDecision.WITHDRAWN
        ]
        self.fields["note"].widget.attrs["class"] = "form-control"


class CampaignForm(forms.Form):
    data_year = forms.IntegerField(label="数据年度", min_value=2015, max_value=2100)
    declaration_start = forms.DateField(label="申报开始日期", required=False, widget=DATE,
                                        help_text="不填则按政策参数“declaration_window”")  # fmt: skip
    declaration_end = forms.DateField(label="申报截止日期", required=False, widget=DATE)
    levy_start = forms.DateField(label="保障金缴纳开始日期", required=False, widget=DATE,
                                 help_text="不填则按政策参数“levy_window”")  # fmt: skip
    levy_end = forms.DateField(label="保障金缴纳截止日期", required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)
