"""Forms of the training and blind-massage pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from ablework.core.forms import DistrictModelForm, StyledForm
from ablework.core.models import District
from ablework.people import api as people_api
from ablework.training.enums import AccessibleFormat, Award, CertificateKind, CompetitionLevel
from ablework.training.models import Course, MassageInstitution, MassagePractitioner, Provider

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class ProviderForm(DistrictModelForm):
    class Meta:
        model = Provider
        fields = ["name", "kind", "uscc", "district", "street", "address", "occupations", "listing_status",
                  "listed_on", "listing_expires", "accessible_site", "contact_name", "contact_phone"]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("listing_status") == "listed" and not data.get("listed_on"):
            self.add_error("listed_on", "已挂牌的机构须填写挂牌日期")
        start, expires = data.get("listed_on"), data.get("listing_expires")
        if start and expires and expires < start:
            self.add_error("listing_expires", "挂牌有效期不能早于挂牌日期")
        return data


class CourseForm(DistrictModelForm):
    # Scoped tables: declared with no queryset (a ModelForm would read the scoped manager at import time).
    provider: forms.ModelChoiceField[Provider] = forms.ModelChoiceField(label="培训机构", queryset=None)
    formats = forms.MultipleChoiceField(
        label="无障碍形式", choices=AccessibleFormat.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Course
        fields = ["district", "name", "occupation", "mode", "start_date", "end_date", "capacity", "hours", "note"]  # fmt: skip

    def __init__(self, *args: Any, district_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, district_ids=district_ids, **kwargs)
        self.fields["provider"].queryset = Provider.objects.filter(district_id__in=district_ids)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["formats"] = self.instance.format_list
            self.initial["provider"] = self.instance.provider_id
        self.fields["formats"].widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结业日期不能早于开班日期")
        provider, district = data.get("provider"), data.get("district")
        if provider and district and provider.district_id != district.pk:
            self.add_error("provider", "所选培训机构不在该区")
        if data.get("capacity") == 0:
            self.add_error("capacity", "计划人数至少为1")
        return data

    def save(self, commit: bool = True) -> Course:
        course: Course = super().save(commit=False)
        course.provider = self.cleaned_data["provider"]
        course.accessible_formats = ",".join(self.cleaned_data.get("formats") or [])
        return course


class EnrolForm(StyledForm):
    person = people_api.PersonLookupField()
    enrolled_on = forms.DateField(label="报名日期", widget=_DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("enrolled_on", timezone.localdate())


class CompleteForm(StyledForm):
    completed_on = forms.DateField(label="结业日期", widget=_DATE)
    certificate_kind = forms.ChoiceField(label="取得证书", choices=CertificateKind.choices, required=False)
    certificate_no = forms.CharField(label="证书编号", max_length=40, required=False)
    certificate_on = forms.DateField(label="发证日期", widget=_DATE, required=False, help_text="不填则按结业日期")


class EntryForm(StyledForm):
    person = people_api.PersonLookupField(label="选手身份证号或残疾人证号")
    district = forms.ModelChoiceField(label="推荐区", queryset=District.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000)
    competition = forms.CharField(label="赛事名称", max_length=120, initial="天津市残疾人职业技能大赛")
    level = forms.ChoiceField(label="级别", choices=CompetitionLevel.choices)
    event = forms.CharField(label="竞赛项目", max_length=80)
    new_form = forms.BooleanField(label="新业态项目", required=False)
    award = forms.ChoiceField(label="成绩", choices=Award.choices)

    def __init__(self, *args: Any, district_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(pk__in=district_ids)  # type: ignore[attr-defined]
        self.initial.setdefault("year", timezone.localdate().year)


class MassageInstitutionForm(DistrictModelForm):
    class Meta:
        model = MassageInstitution
        fields = ["name", "kind", "licence_no", "uscc", "district", "street", "address", "demo_centre", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "medical" and not (data.get("licence_no") or "").strip():
            self.add_error("licence_no", "盲人医疗按摩所须填写医疗机构执业许可证号")
        return data


class PractitionerForm(DistrictModelForm):
    person = people_api.PersonLookupField()
    institution: forms.ModelChoiceField[MassageInstitution] = forms.ModelChoiceField(
        label="执业机构", queryset=None, required=False
    )

    class Meta:
        model = MassagePractitioner
        fields = ["district", "exam_year", "certificate_no", "title_level", "title_year"]

    def save(self, commit: bool = True) -> MassagePractitioner:
        row: MassagePractitioner = super().save(commit=False)
        row.institution = self.cleaned_data.get("institution")
        return row

    def __init__(self, *args: Any, district_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, district_ids=district_ids, **kwargs)
        self.fields["institution"].queryset = MassageInstitution.objects.filter(district_id__in=district_ids)  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["person"]
            self.initial["institution"] = self.instance.institution_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("exam_year") and not (data.get("certificate_no") or "").strip():
            self.add_error("certificate_no", "考试合格的须填写证书编号")
        if data.get("title_level") and not data.get("title_year"):
            self.add_error("title_year", "有职称的须填写评定年度")
        return data

    def clean_exam_year(self) -> int | None:
        v: int | None = self.cleaned_data.get("exam_year")
        this_year = timezone.localdate().year
        if v is not None and not (1990 <= v <= this_year):
            raise forms.ValidationError(f"考试年度应在1990至{this_year}之间")
        return v
