"""Forms of the person record: registration, editing, certificates, employment records."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.core.forms import ResidentIdField, USCCField
from ablework.core.models import District, Street
from ablework.people.enums import CertificateKind, Education, EmploymentForm, UrbanRural

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PersonFieldsForm(_Styled):
    """The editable fields of a person (``actions.EDITABLE_FIELDS``)."""

    name = forms.CharField(label="姓名", max_length=60)
    district = forms.ModelChoiceField(label="户籍区", queryset=District.objects.none())
    street = forms.ModelChoiceField(label="街道/乡镇", queryset=Street.objects.none(), required=False)
    community = forms.CharField(label="社区/村", max_length=60, required=False)
    address = forms.CharField(label="居住地址", max_length=200, required=False)
    tianjin_hukou = forms.BooleanField(label="本市户籍", required=False, initial=True)
    urban_rural = forms.ChoiceField(label="城乡类别", choices=[("", "—"), *UrbanRural.choices], required=False)
    education = forms.ChoiceField(label="文化程度", choices=[("", "—"), *Education.choices], required=False)
    phone = forms.RegexField(
        label="联系电话", regex=r"^[0-9\-+ ]{7,20}$", required=False,
        error_messages={"invalid": "联系电话只能包含数字、空格、+ 和 -，7至20位"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    guardian_name = forms.CharField(label="监护人姓名", max_length=60, required=False)
    guardian_relation = forms.CharField(label="监护人与本人关系", max_length=20, required=False)
    guardian_phone = forms.CharField(label="监护人电话", max_length=20, required=False)

    def __init__(self, *args: Any, district_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(pk__in=district_ids)  # type: ignore[attr-defined]
        self.fields["street"].queryset = Street.objects.filter(  # type: ignore[attr-defined]
            district_id__in=district_ids
        ).select_related("district")
        self.fields["street"].label_from_instance = lambda s: f"{s.district.name} {s.name}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        street, district = data.get("street"), data.get("district")
        if street and district and street.district_id != district.pk:
            self.add_error("street", f"“{street.name}”不属于{district.name}")
        return data


class PersonCreateForm(PersonFieldsForm):
    resident_id = ResidentIdField(label="身份证号", widget=forms.TextInput(attrs={"autocomplete": "off"}))
    cert_kind = forms.ChoiceField(label="证件类型", choices=CertificateKind.choices)
    cert_number = forms.CharField(
        label="残疾人证号 / 残疾军人证号", max_length=40,
        help_text="残疾人证号为20位（身份证号+类别+等级），补发证加后缀如B1",
    )  # fmt: skip
    military_level = forms.TypedChoiceField(
        label="伤残等级（残疾军人证）", coerce=int, required=False, empty_value=None,
        choices=[("", "—"), *[(i, f"{i}级") for i in range(1, 11)]],
    )  # fmt: skip
    issued_on = forms.DateField(label="发证日期", required=False, widget=_DATE)
    valid_until = forms.DateField(label="有效期至", required=False, widget=_DATE)

    field_order = ["resident_id", "name", "cert_kind", "cert_number", "military_level", "issued_on", "valid_until"]


class CertificateForm(_Styled):
    kind = forms.ChoiceField(label="证件类型", choices=CertificateKind.choices)
    number = forms.CharField(label="证号", max_length=40)
    military_level = forms.TypedChoiceField(
        label="伤残等级（残疾军人证）", coerce=int, required=False, empty_value=None,
        choices=[("", "—"), *[(i, f"{i}级") for i in range(1, 11)]],
    )  # fmt: skip
    issued_on = forms.DateField(label="发证日期", required=False, widget=_DATE)
    valid_until = forms.DateField(label="有效期至", required=False, widget=_DATE)


class EmploymentRecordForm(_Styled):
    form = forms.ChoiceField(label="就业形式", choices=EmploymentForm.choices)
    employer_uscc = USCCField(label="统一社会信用代码", required=False, help_text="已在本平台登记的单位会自动关联")
    employer_name = forms.CharField(label="单位名称", max_length=200, required=False)
    start_date = forms.DateField(label="开始日期", widget=_DATE)
    end_date = forms.DateField(label="结束日期", required=False, widget=_DATE)
    contract_months = forms.IntegerField(label="合同期限（月）", required=False, min_value=0, max_value=600)
    on_establishment = forms.BooleanField(label="在编", required=False)
    monthly_wage = forms.DecimalField(
        label="月工资（元）", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    social_insurance = forms.BooleanField(label="缴纳社会保险", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("form") in (EmploymentForm.QUOTA, EmploymentForm.CONCENTRATED) and not (
            data.get("employer_uscc") or data.get("employer_name")
        ):
            self.add_error("employer_name", "按比例就业和集中就业须填写用人单位")
        return data


class EndEmploymentForm(_Styled):
    end_date = forms.DateField(label="结束日期", widget=_DATE)
    reason = forms.CharField(label="原因", max_length=200, required=False)
