"""Forms of the person's portal view and the officers' correction queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from ablework.accounts.enums import Role
from ablework.people.actions.portal import CORRECTABLE_FIELDS, RELATIONS


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(
        label="需要更正的项目", choices=[("", "请选择"), *((k, v[0]) for k, v in CORRECTABLE_FIELDS.items())]
    )
    requested_value = forms.CharField(
        label="正确的内容",
        max_length=200,
        help_text="文化程度请填写：未上学、小学、初中、高中、中专/职高、大专、本科或研究生。",
    )
    reason = forms.CharField(
        label="说明（可选）", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class HandleCorrectionForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[("accept", "同意更正"), ("decline", "不予更正")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reply = forms.CharField(
        label="处理意见", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="不予更正时必须填写，申请人可以看到。",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not (data.get("reply") or "").strip():
            self.add_error("reply", "不予更正时请填写处理意见")
        return data


class PortalLinkForm(forms.Form):
    username = forms.CharField(label="门户账户用户名", max_length=150)
    relation = forms.ChoiceField(label="与档案本人的关系", choices=[(r, r) for r in RELATIONS])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or getattr(user, "role", None) != Role.PERSON:
            raise forms.ValidationError("未找到该门户账户（须为“残疾人或监护人”角色的有效账户）")
        return user
