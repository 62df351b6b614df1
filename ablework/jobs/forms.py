"""Forms of ablework.jobs: types and required fields only; the rules are in ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.core.models import District
from ablework.jobs.enums import (
    ACCESSIBILITY,
    ACCOMMODATIONS,
    CATEGORIES,
    OCCUPATIONS,
    WORK_TIMES,
    CarrierType,
    ConsentStatus,
    DirectoryKind,
    FairKind,
    PostingSource,
    RetentionResult,
)
from ablework.jobs.models import Fair

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Bootstrap:
    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PostingForm(_Bootstrap, forms.Form):
    title = forms.CharField(label="岗位名称", max_length=100)
    occupation = forms.ChoiceField(label="岗位类型", choices=[("", "请选择"), *OCCUPATIONS])
    work_time = forms.ChoiceField(label="工作时间", choices=WORK_TIMES)
    hours_note = forms.CharField(
        label="工作时间说明", max_length=100, required=False, help_text="例如：周一至周五 9:00–17:00"
    )
    wage_min = forms.DecimalField(label="月工资下限（元）", required=False, min_value=0, max_digits=9, decimal_places=2)
    wage_max = forms.DecimalField(label="月工资上限（元）", required=False, min_value=0, max_digits=9, decimal_places=2)
    headcount = forms.IntegerField(label="招聘人数", min_value=1, max_value=999, initial=1)
    requirements = forms.CharField(label="任职要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    district = forms.ModelChoiceField(label="工作地点所在区", queryset=District.objects.all(), required=False,
                                      help_text="不选则为单位所在区")  # fmt: skip
    address = forms.CharField(label="工作地址", max_length=200, required=False)
    accessibility = forms.MultipleChoiceField(
        label="工作场所无障碍条件", choices=ACCESSIBILITY, required=False, widget=forms.CheckboxSelectMultiple
    )
    accommodations = forms.MultipleChoiceField(
        label="可提供的合理便利", choices=ACCOMMODATIONS, required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.TypedMultipleChoiceField(
        label="可支持的残疾类别", choices=CATEGORIES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    source = forms.ChoiceField(label="岗位来源", choices=PostingSource.choices, initial=PostingSource.ORDINARY)
    relaxed_conditions = forms.CharField(
        label="放宽条件",
        max_length=300,
        required=False,
        help_text="预留或定向岗位必填，例如：年龄放宽至50周岁、不限学历",
    )
    fair = forms.ModelChoiceField(label="所属招聘专场", queryset=Fair.objects.none(), required=False)
    valid_from = forms.DateField(label="发布日期", widget=DATE)
    valid_until = forms.DateField(label="截止日期", widget=DATE)
    contact = forms.CharField(label="联系方式", max_length=100, required=False)

    def __init__(self, *args: Any, fairs: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fairs is not None:
            self.fields["fair"].queryset = fairs  # type: ignore[attr-defined]
        self._style()


class FairForm(_Bootstrap, forms.Form):
    name = forms.CharField(label="专场名称", max_length=120)
    kind = forms.ChoiceField(label="专场类型", choices=FairKind.choices)
    district = forms.ModelChoiceField(label="主办区", queryset=District.objects.none())
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    venue = forms.CharField(label="地点或网址", max_length=200, required=False)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    published = forms.BooleanField(label="在门户公开", required=False, initial=True)

    def __init__(self, *args: Any, districts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self._style()


class NoteForm(_Bootstrap, forms.Form):
    note = forms.CharField(label="说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ReferForm(NoteForm):
    person = forms.IntegerField(widget=forms.HiddenInput)


class HireForm(_Bootstrap, forms.Form):
    hired_on = forms.DateField(label="入职日期", widget=DATE)
    monthly_wage = forms.DecimalField(label="月工资（元）", required=False, min_value=0, max_digits=9, decimal_places=2)
    contract_months = forms.IntegerField(label="合同期限（月）", required=False, min_value=1, max_value=600)
    social_insurance = forms.BooleanField(label="缴纳社会保险", required=False)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class RetentionForm(_Bootstrap, forms.Form):
    checked_on = forms.DateField(label="回访日期", widget=DATE)
    result = forms.ChoiceField(label="回访结果", choices=[("", "请选择"), *RetentionResult.choices])
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class ConsentForm(_Bootstrap, forms.Form):
    status = forms.ChoiceField(
        label="自动匹配与向用人单位展示",
        choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        help_text="同意：系统根据您登记的就业需求推荐岗位，并在用人单位查找求职者时展示您的意向岗位、所在区和残疾类别（不展示姓名全称和证件号）。"
        "拒绝：不再为您自动推荐岗位，也不向任何单位展示；您仍可自己搜索和申请岗位，经办人员仍可为您人工推荐。",
    )


class DirectoryForm(_Bootstrap, forms.Form):
    kind = forms.ChoiceField(label="目录", choices=DirectoryKind.choices)
    name = forms.CharField(label="名称", max_length=120)
    carrier_type = forms.ChoiceField(
        label="载体类型（仅就业创业服务载体）", choices=CarrierType.choices, required=False
    )
    district = forms.ModelChoiceField(label="所在区", queryset=District.objects.none())
    address = forms.CharField(label="地址", max_length=200)
    phone = forms.CharField(label="联系电话", max_length=40, required=False)
    licence_no = forms.CharField(label="许可证或备案编号", max_length=60, required=False)
    services = forms.CharField(label="服务内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accessible = forms.BooleanField(label="场所无障碍", required=False)
    published = forms.BooleanField(label="在门户公开", required=False, initial=True)

    def __init__(self, *args: Any, districts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self._style()
