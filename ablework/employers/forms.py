"""Forms of the employer registry.  The rules themselves (which fields a kind needs, the credit code
against the kind) live in ``rules.py``; forms call them so that the officer sees every problem at the
field it belongs to, and the warnings before saving."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from ablework.core.forms import USCCField
from ablework.core.identifiers import USCC
from ablework.core.models import District, Industry
from ablework.employers import rules
from ablework.employers.enums import AgencyLevel, EmployerKind

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


class EmployerForm(_Styled):
    """Register or change a unit (officers).  ``warnings`` holds what the officer must confirm
    (``confirm`` ticked) before the unit is saved."""

    uscc = USCCField(
        label="统一社会信用代码",
        help_text="18位，按国家标准检查校验位；字母不区分大小写",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": "20"}),
    )
    name = forms.CharField(label="单位名称", max_length=200)
    kind = forms.ChoiceField(label="单位类型", choices=[("", "—"), *EmployerKind.choices])
    agency_level = forms.ChoiceField(
        label="机关层级", choices=[("", "—"), *AgencyLevel.choices], required=False, help_text="仅机关填写"
    )
    establishment_size = forms.IntegerField(
        label="编制数（核定编制人数）",
        required=False,
        min_value=0,
        max_value=rules.MAX_ESTABLISHMENT,
        help_text="机关、事业单位必填，其他单位不填",
    )
    is_school = forms.BooleanField(label="中小学或幼儿园（仅事业单位）", required=False)
    district = forms.ModelChoiceField(label="税务登记区", queryset=District.objects.none())
    industry = forms.ModelChoiceField(label="行业", queryset=Industry.objects.none(), required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    legal_representative = forms.CharField(label="法定代表人（负责人）", max_length=60, required=False)
    # Shown only once there is something to confirm (see ``clean``).
    confirm = forms.BooleanField(label="我已核实以上提示，仍然保存", required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, district_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["district"].queryset = District.objects.filter(pk__in=district_ids)  # type: ignore[attr-defined]
        self.fields["industry"].queryset = Industry.objects.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not {"kind", "name"} <= set(data):
            return data
        errors = rules.field_errors(
            name=data.get("name") or "",
            kind=data["kind"],
            agency_level=data.get("agency_level") or "",
            establishment_size=data.get("establishment_size"),
            is_school=bool(data.get("is_school")),
        )
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        code: USCC | None = data.get("uscc")
        if code is not None and not errors:
            self.warnings = rules.code_warnings(code, data["kind"])
        if self.warnings:
            self.fields["confirm"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        return data

    @property
    def needs_confirmation(self) -> bool:
        """Valid, but with warnings the officer has not confirmed yet."""
        return bool(self.warnings) and not self.cleaned_data.get("confirm")

    def action_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("confirm", None)
        data["uscc"] = data["uscc"].code
        return data


class ContactForm(_Styled):
    name = forms.CharField(label="姓名", max_length=60)
    title = forms.CharField(label="职务", max_length=60, required=False, help_text="如：人事经理、财务负责人")
    phone = forms.CharField(
        label="联系电话",
        max_length=30,
        required=False,
        help_text="手机号，或带区号的固定电话如022-23456789",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)
    is_primary = forms.BooleanField(label="设为主要联系人", required=False)


class EmployerUserForm(_Styled):
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": "用户名为3至150位字母、数字或 _ . @ + -"},
        help_text="登录时使用，如单位简称拼音加编号",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    display_name = forms.CharField(label="使用人姓名", max_length=60)
    phone = forms.CharField(
        label="手机号", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.CharField(label="电子邮箱", max_length=254, required=False)


class DeregisterForm(_Styled):
    on = forms.DateField(label="注销日期", widget=_DATE)
    reason = forms.CharField(label="注销原因", max_length=200, help_text="如：已办理工商注销、被吊销营业执照、合并")


class ReactivateForm(_Styled):
    reason = forms.CharField(label="恢复原因", max_length=200, help_text="如：注销登记有误")


MAX_UPLOAD_BYTES = 30 * 1024 * 1024
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="文件",
        help_text="Excel文件（.xlsx、.xls）或CSV文件（UTF-8或GBK编码），不超过30MB；请使用下方模板的列名。",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ",".join(EXTENSIONS)}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过30MB，请分成几个文件上传")
        if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("只能上传Excel文件（.xlsx、.xls）或CSV文件")
        return upload
