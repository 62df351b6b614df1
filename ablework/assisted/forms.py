"""Forms of the assisted-employment pages.  Field checks here; cross-row checks in ``actions`` (their
``AssistedError.errors`` are attached to the field by the view)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from ablework.assisted.enums import HelpKind, SignedWith, StaffRole, SupportKind
from ablework.assisted.models import Institution, LabourProject, RuralBase
from ablework.core.forms import DistrictModelForm, StyledForm
from ablework.people import api as people_api

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _money(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=10, decimal_places=2, min_value=Decimal("0"))


class InstitutionForm(DistrictModelForm):
    class Meta:
        model = Institution
        fields = [
            "name", "kind", "uscc", "district", "street", "address", "operator", "capacity", "barrier_free",
            "barrier_free_facilities", "safety_measures", "status", "production_start", "closed_on",
            "contact_name", "contact_phone", "note",
        ]  # fmt: skip
        widgets = {"contact_phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == "closed" and not data.get("closed_on"):
            self.add_error("closed_on", "关闭的机构须填写关闭日期")
        start, closed = data.get("production_start"), data.get("closed_on")
        if start and closed and closed < start:
            self.add_error("closed_on", "关闭日期不能早于开始生产日期")
        if start and start > timezone.localdate():
            self.add_error("production_start", "开始生产日期不能晚于今天")
        if data.get("barrier_free") and not (data.get("barrier_free_facilities") or "").strip():
            self.add_error("barrier_free_facilities", "场地无障碍时请写明有哪些无障碍设施")
        return data


class StaffForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=60)
    role = forms.ChoiceField(label="岗位", choices=[("", "—请选择—"), *StaffRole.choices])
    phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    full_time = forms.BooleanField(label="专职", required=False, initial=True)
    qualification = forms.CharField(label="资质", max_length=100, required=False, help_text="如：残疾人就业辅导员证书")


class ParticipantForm(StyledForm):
    person = people_api.PersonLookupField()
    joined_on = forms.DateField(label="进入机构日期", widget=_DATE)
    work_content = forms.CharField(label="从事工作", max_length=120, required=False, help_text="如：手工串珠、洗衣折叠")
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean_joined_on(self) -> date:
        value: date = self.cleaned_data["joined_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("进入日期不能晚于今天")
        return value


class LeaveForm(StyledForm):
    left_on = forms.DateField(label="离开日期", widget=_DATE)


class AgreementForm(StyledForm):
    signed_with = forms.ChoiceField(label="签订对象", choices=SignedWith.choices, widget=forms.RadioSelect)
    guardian_name = forms.CharField(label="监护人姓名", max_length=60, required=False, help_text="与监护人签订时必填")
    start_date = forms.DateField(label="协议开始日期", widget=_DATE)
    end_date = forms.DateField(label="协议结束日期", widget=_DATE, required=False, help_text="无固定期限可不填")
    accident_insurance = forms.BooleanField(label="已购买意外伤害保险", required=False)
    insurance_amount = _money("保险费（元）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signed_with"].widget.attrs["class"] = "form-check-input"


class MonthField(forms.DateField):
    """An ``<input type="month">`` (YYYY-MM), cleaned to the first day of the month."""

    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": "请按“年-月”填写月份，如 2025-03"}

    def to_python(self, value: Any) -> date | None:
        d = super().to_python(value)
        return d.replace(day=1) if d else None


class MonthForm(StyledForm):
    month = MonthField(label="月份")
    hours = forms.DecimalField(label="工作时长（小时）", max_digits=6, decimal_places=1, min_value=Decimal("0"))
    pay = _money("劳动报酬（元）")
    paid_by_bank = forms.BooleanField(label="通过银行发放", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("hours", "pay"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"


class ProjectForm(DistrictModelForm):
    class Meta:
        model = LabourProject
        fields = [
            "district", "source_unit", "source_kind", "content", "volume", "unit", "unit_price", "start_date",
            "end_date", "note",
        ]  # fmt: skip
        labels = {"district": "调配的区残联"}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于开始日期")
        for name in ("volume", "unit_price"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, "不能为负数")
        return data


class AllocateForm(StyledForm):
    institution: forms.ModelChoiceField[Institution] = forms.ModelChoiceField(
        label="承接机构", queryset=None, empty_label="—请选择—"
    )
    allocated_on = forms.DateField(label="调配日期", widget=_DATE)

    def __init__(self, *args: Any, project: LabourProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
            district_id=project.district_id, status="active"
        ).order_by("name")
        self.initial.setdefault("allocated_on", timezone.localdate())


class OutputForm(StyledForm):
    month = MonthField(label="月份")
    quantity = forms.DecimalField(label="完成数量", max_digits=12, decimal_places=2, min_value=Decimal("0"))
    income = forms.DecimalField(label="收入（元）", max_digits=12, decimal_places=2, min_value=Decimal("0"))


class RuralBaseForm(DistrictModelForm):
    class Meta:
        model = RuralBase
        fields = ["name", "kind", "district", "street", "operator", "uscc", "industry", "recognised_on", "status",
                  "contact_phone"]  # fmt: skip


class SupportForm(StyledForm):
    person = people_api.PersonLookupField()
    year = forms.IntegerField(label="年度", min_value=2000)
    support_kind = forms.ChoiceField(label="带动方式", choices=SupportKind.choices)
    help_kind = forms.ChoiceField(label="帮扶内容", choices=HelpKind.choices)
    income = _money("带来收入（元/年）")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)
