"""The four "四个一" forms, made for a phone during a home visit: one column, large touch targets,
``type=date`` / ``inputmode`` inputs, radio and check boxes instead of free text where possible.

Each form parses input only; ``details()`` builds the ``ServiceRecord.details`` dict whose schema
is documented in ``people.actions.services`` (where it is checked, so imports and the API get the
same rules).  Errors raised there carry a field name that matches a field here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from ablework.core.models import District
from ablework.people.actions.services import (
    ABILITIES,
    ABILITY_SCALE,
    ACCOMMODATIONS,
    CONCLUSIONS,
    JOB_TYPES,
    LABELS,
    SITUATIONS,
    WORK_TIMES,
)
from ablework.people.enums import ServiceKind, ServiceType
from ablework.people.models import Person

YES_NO = (("1", "是"), ("0", "否"))
WISH = (("1", "有就业意愿"), ("0", "暂无就业意愿"))


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _text_widget(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": str(rows)})


def _radios() -> forms.RadioSelect:
    return forms.RadioSelect(attrs={"class": "form-check-input"})


def _checks() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


def _required(label: str, verb: str = "填写") -> dict[str, str]:
    return {"required": f"请{verb}{label}"}


class ServiceFormBase(forms.Form):
    """Date, unit and outcome, common to the four; subclasses add their own fields before these."""

    kind: str = ""
    outcome_label = "结果"
    outcome_required = False

    date = forms.DateField(
        label="服务日期",
        widget=_date_widget(),
        error_messages={**_required("服务日期"), "invalid": "请按“年-月-日”填写服务日期"},
    )
    unit = forms.CharField(
        label="服务单位", max_length=120, widget=_text_widget(), error_messages=_required("服务单位")
    )
    outcome = forms.CharField(label="结果", required=False, max_length=2000, widget=_area())

    def __init__(self, *args: Any, person: Person, unit: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["date"].initial = timezone.localdate()
        self.fields["unit"].initial = unit
        outcome = self.fields["outcome"]
        outcome.label = self.outcome_label
        outcome.required = self.outcome_required
        if self.outcome_required:
            outcome.error_messages["required"] = f"请填写{self.outcome_label}"
        else:
            outcome.help_text = "可不填，系统按所选内容生成"
        # The common fields go last: the questions of the visit come first on a small screen.
        self.order_fields(
            [n for n in self.fields if n not in ("date", "unit", "outcome")] + ["outcome", "date", "unit"]
        )

    def details(self) -> dict[str, Any]:
        raise NotImplementedError

    def service_type_value(self) -> str:
        return ""

    def follow_up_value(self) -> dt.date | None:
        return None


def _bool(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


class InfoCheckForm(ServiceFormBase):
    """基础信息核对: confirm or correct the contact data, the current situation and the wish to work."""

    kind = ServiceKind.INFO_CHECK
    outcome_label = "核对结果"

    phone = forms.CharField(
        label="联系电话",
        required=False,
        max_length=20,
        widget=_text_widget(type="tel", inputmode="tel", autocomplete="off"),
        help_text="与档案不一致时直接改为核实后的号码",
    )
    address = forms.CharField(label="居住地址", required=False, max_length=200, widget=_text_widget())
    community = forms.CharField(label="社区/村", required=False, max_length=60, widget=_text_widget())
    situation = forms.ChoiceField(
        label="目前状况", choices=SITUATIONS, widget=_radios(), error_messages=_required("目前状况", "选择")
    )
    situation_note = forms.CharField(label="状况说明", required=False, max_length=200, widget=_text_widget())
    wants_job = forms.ChoiceField(
        label="本人是否有就业意愿", choices=WISH, widget=_radios(), error_messages=_required("是否有就业意愿", "选择")
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, person=person, **kwargs)
        for name in ("phone", "address", "community"):
            self.fields[name].initial = getattr(person, name)
        if person.wants_job is not None:
            self.fields["wants_job"].initial = "1" if person.wants_job else "0"

    def details(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "phone": d["phone"],
            "address": d["address"],
            "community": d["community"],
            "situation": d["situation"],
            "situation_note": d["situation_note"],
            "wants_job": _bool(d["wants_job"]),
        }


class AbilityAssessmentForm(ServiceFormBase):
    """职业能力评估: six functional abilities on a four-step scale, skills, suitable jobs, accommodations."""

    kind = ServiceKind.ABILITY_ASSESSMENT
    outcome_label = "评估意见"

    skills = forms.CharField(label="技能特长", required=False, max_length=500, widget=_area(2))
    suitable_jobs = forms.MultipleChoiceField(
        label="适合的岗位类型", choices=JOB_TYPES, widget=_checks(), error_messages=_required("适合的岗位类型", "选择")
    )
    accommodations = forms.MultipleChoiceField(
        label="建议的合理便利", required=False, choices=ACCOMMODATIONS, widget=_checks()
    )
    accommodation_note = forms.CharField(label="合理便利说明", required=False, max_length=200, widget=_text_widget())
    conclusion = forms.ChoiceField(
        label="评估结论", choices=CONCLUSIONS, widget=_radios(), error_messages=_required("评估结论", "选择")
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, person=person, **kwargs)
        abilities = {
            f"ability_{key}": forms.TypedChoiceField(
                label=label,
                choices=[(str(v), f"{v} {text}") for v, text in ABILITY_SCALE],
                coerce=int,
                widget=_radios(),
                error_messages={"required": f"请为“{label}”选择评估等级"},
            )
            for key, label in ABILITIES
        }
        self.fields = {**abilities, **self.fields}

    def details(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "abilities": {key: d[f"ability_{key}"] for key, _ in ABILITIES},
            "skills": d["skills"],
            "suitable_jobs": d["suitable_jobs"],
            "accommodations": d["accommodations"],
            "accommodation_note": d["accommodation_note"],
            "conclusion": d["conclusion"],
        }


class NeedRegistrationForm(ServiceFormBase):
    """就业需求登记: the wish, desired jobs, hours, area, accommodations, training, expected wage."""

    kind = ServiceKind.NEED_REGISTRATION
    outcome_label = "登记结果"

    wants_job = forms.ChoiceField(
        label="本人是否有就业意愿", choices=WISH, widget=_radios(), error_messages=_required("是否有就业意愿", "选择")
    )
    desired_jobs = forms.MultipleChoiceField(label="意向岗位", required=False, choices=JOB_TYPES, widget=_checks())
    desired_jobs_note = forms.CharField(label="意向岗位补充说明", required=False, max_length=200, widget=_text_widget())
    work_time = forms.ChoiceField(label="工作时间要求", required=False, choices=WORK_TIMES, widget=_radios())
    areas = forms.MultipleChoiceField(label="意向工作区域", required=False, choices=(), widget=_checks())
    area_note = forms.CharField(
        label="区域补充说明", required=False, max_length=200, widget=_text_widget(), help_text="例如：离家3公里以内"
    )
    accommodations = forms.MultipleChoiceField(
        label="需要的合理便利", required=False, choices=ACCOMMODATIONS, widget=_checks()
    )
    training_wish = forms.ChoiceField(
        label="是否希望参加职业培训", required=False, choices=YES_NO, initial="0", widget=_radios()
    )
    training_topics = forms.CharField(label="培训意向", required=False, max_length=200, widget=_text_widget())
    expected_wage = forms.DecimalField(
        label="期望月收入（元）",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "期望月收入应为金额，例如 3000",
            "min_value": "期望月收入不能为负数",
            "max_digits": "期望月收入数额过大，请核对",
            "max_decimal_places": "期望月收入最多保留两位小数",
        },
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, person=person, **kwargs)
        field = self.fields["areas"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = list(District.objects.order_by("sort_order", "code").values_list("code", "name"))
        if person.wants_job is not None:
            self.fields["wants_job"].initial = "1" if person.wants_job else "0"

    def details(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {
            "wants_job": _bool(d["wants_job"]),
            "desired_jobs": d["desired_jobs"],
            "desired_jobs_note": d["desired_jobs_note"],
            "areas": d["areas"],
            "area_note": d["area_note"],
            "accommodations": d["accommodations"],
            "training_wish": bool(_bool(d["training_wish"])),
            "training_topics": d["training_topics"],
        }
        if d["work_time"]:
            out["work_time"] = d["work_time"]
        if d["expected_wage"] is not None:
            out["expected_wage"] = str(d["expected_wage"])
        return out


class EmploymentServiceForm(ServiceFormBase):
    """就业服务: the kind of service, what was done, the outcome and the follow-up date."""

    kind = ServiceKind.SERVICE
    outcome_label = "服务结果"
    outcome_required = True

    service_type = forms.ChoiceField(
        label="服务方式", choices=ServiceType.choices, widget=_radios(), error_messages=_required("服务方式", "选择")
    )
    content = forms.CharField(
        label="服务内容",
        max_length=2000,
        widget=_area(),
        error_messages=_required("服务内容"),
        help_text="例如：推荐到某单位客服岗位面试",
    )
    follow_up_on = forms.DateField(
        label="回访日期",
        required=False,
        widget=_date_widget(),
        error_messages={"invalid": "请按“年-月-日”填写回访日期"},
    )

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, person=person, **kwargs)
        self.order_fields(["service_type", "content", "outcome", "follow_up_on", "date", "unit"])

    def details(self) -> dict[str, Any]:
        return {"content": self.cleaned_data["content"]}

    def service_type_value(self) -> str:
        return str(self.cleaned_data["service_type"])

    def follow_up_value(self) -> dt.date | None:
        value = self.cleaned_data.get("follow_up_on")
        return value if isinstance(value, dt.date) else None


FORMS: dict[str, type[ServiceFormBase]] = {
    ServiceKind.INFO_CHECK: InfoCheckForm,
    ServiceKind.ABILITY_ASSESSMENT: AbilityAssessmentForm,
    ServiceKind.NEED_REGISTRATION: NeedRegistrationForm,
    ServiceKind.SERVICE: EmploymentServiceForm,
}
# Error field names of the action that have another name on the form.
FIELD_ALIASES = {"abilities": "ability_mobility"}


def describe_details(kind: str, details: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored answers as (label, text) pairs for display."""

    def names(codes: list[str], table: str) -> str:
        return "、".join(str(LABELS[table].get(c, c)) for c in codes or []) or "—"

    out: list[tuple[str, str]] = []
    if kind == ServiceKind.INFO_CHECK:
        situation = str(LABELS["situation"].get(details.get("situation"), "—"))
        if details.get("situation_note"):
            situation += f"（{details['situation_note']}）"
        out.append(("目前状况", situation))
        out.append(("就业意愿", "有" if details.get("wants_job") else "无"))
        fixed = {"phone": "联系电话", "address": "居住地址", "community": "社区/村"}
        if details.get("corrected"):
            out.append(("已更正", "、".join(fixed.get(k, k) for k in details["corrected"])))
    elif kind == ServiceKind.ABILITY_ASSESSMENT:
        scale = LABELS["scale"]
        levels = details.get("abilities", {})
        out.append(("功能能力", "；".join(f"{label}：{scale.get(levels.get(k), '—')}" for k, label in ABILITIES)))
        if details.get("skills"):
            out.append(("技能特长", details["skills"]))
        out.append(("适合岗位", names(details.get("suitable_jobs", []), "jobs")))
        if details.get("accommodations") or details.get("accommodation_note"):
            acc = names(details.get("accommodations", []), "accommodations")
            out.append(
                (
                    "合理便利",
                    acc + (f"（{details['accommodation_note']}）" if details.get("accommodation_note") else ""),
                )
            )
        out.append(("评估结论", str(LABELS["conclusion"].get(details.get("conclusion"), "—"))))
    elif kind == ServiceKind.NEED_REGISTRATION:
        out.append(("就业意愿", "有" if details.get("wants_job") else "无"))
        if details.get("wants_job"):
            jobs = names(details.get("desired_jobs", []), "jobs")
            if details.get("desired_jobs_note"):
                jobs += f"（{details['desired_jobs_note']}）"
            out.append(("意向岗位", jobs))
            out.append(("工作时间", str(LABELS["work_time"].get(details.get("work_time"), "—"))))
            areas = dict(District.objects.values_list("code", "name"))
            area = "、".join(areas.get(c, c) for c in details.get("areas", [])) or "不限"
            if details.get("area_note"):
                area += f"（{details['area_note']}）"
            out.append(("意向区域", area))
            out.append(("合理便利", names(details.get("accommodations", []), "accommodations")))
            out.append(
                ("培训意愿", ("有：" + details.get("training_topics", "")) if details.get("training_wish") else "无")
            )
            if details.get("expected_wage"):
                out.append(("期望月收入", f"{details['expected_wage']} 元"))
    else:
        out.append(("服务内容", str(details.get("content", ""))))
    return out
