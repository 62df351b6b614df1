"""Forms of the college-student ledger (一人一策).  Rules are checked again by ``actions.students``;
the forms only parse input and give early, field-level messages."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.core.forms import ResidentIdField
from ablework.people.enums import Education, EmploymentForm, ServiceType, StudentStatus

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


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        org = obj.organisation.name if obj.organisation else ""
        return f"{obj.display_name or obj.username}（{org}）" if org else str(obj.display_name or obj.username)


class StudentFieldsForm(_Styled):
    school = forms.CharField(label="学校", max_length=120)
    major = forms.CharField(label="专业", max_length=120, required=False)
    degree = forms.ChoiceField(label="学历", choices=Education.choices, initial=Education.BACHELOR)
    graduation_year = forms.IntegerField(
        label="毕业年份", min_value=1950, max_value=2100,
        error_messages={"invalid": "毕业年份应为四位数字年份", "min_value": "毕业年份不能早于1950年",
                        "max_value": "毕业年份不正确"},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    plan = forms.CharField(
        label="一人一策帮扶计划", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="帮扶目标、措施和时间安排，例如：求职意向、岗位推荐、培训、政策落实。",
    )  # fmt: skip


class StudentAddForm(StudentFieldsForm):
    """Put a person on the ledger: the person is named by the full resident ID (exact match in the
    user's districts) unless the page was opened from the person's record."""

    resident_id = ResidentIdField(label="身份证号", help_text="填写完整的18位身份证号，须已在残疾人信息库中登记")
    officer = OfficerChoiceField(label="责任人", queryset=None, empty_label="请选择")  # type: ignore[arg-type]

    field_order = ["resident_id", "school", "major", "degree", "graduation_year", "officer", "plan"]

    def __init__(self, *args: Any, officers: Any, with_resident_id: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        if not with_resident_id:
            del self.fields["resident_id"]


class StudentEditForm(StudentFieldsForm):
    outcome = forms.CharField(label="帮扶结果", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AssignOfficerForm(_Styled):
    officer = OfficerChoiceField(label="责任人", queryset=None, empty_label="请选择")  # type: ignore[arg-type]
    reason = forms.CharField(label="调整原因", max_length=100, required=False)

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class PlanEntryForm(_Styled):
    date = forms.DateField(label="服务日期", widget=_DATE, error_messages={"invalid": "请按“年-月-日”填写日期"})
    service_type = forms.ChoiceField(label="服务方式", choices=[("", "请选择"), *ServiceType.choices])
    note = forms.CharField(label="服务内容", widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label="结果", max_length=200, required=False)


class StudentStatusForm(_Styled):
    """Status change; "已就业" also asks for the employment record unless the person has a current one."""

    status = forms.ChoiceField(label="状态", choices=StudentStatus.choices)
    outcome = forms.CharField(label="帮扶结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    form = forms.ChoiceField(
        label="就业形式（已就业时填写）", choices=[("", "—"), *EmploymentForm.choices], required=False
    )
    employer_name = forms.CharField(label="就业单位（已就业时填写）", max_length=200, required=False)
    start_date = forms.DateField(
        label="入职日期（已就业时填写）", required=False, widget=_DATE,
        error_messages={"invalid": "请按“年-月-日”填写日期"},
    )  # fmt: skip

    def __init__(self, *args: Any, needs_employment: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_employment = needs_employment

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == StudentStatus.EMPLOYED and self.needs_employment:
            if not data.get("form"):
                self.add_error("form", "状态为“已就业”时请选择就业形式")
            if not data.get("employer_name"):
                self.add_error("employer_name", "状态为“已就业”时请填写就业单位")
            if not data.get("start_date"):
                self.add_error("start_date", "状态为“已就业”时请填写入职日期")
        return data

    def employment(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("status") != StudentStatus.EMPLOYED or not data.get("form"):
            return None
        return {"form": data["form"], "employer_name": data["employer_name"], "start_date": data["start_date"]}
