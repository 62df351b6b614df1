"""Forms of duplicate handling: merge two records (which one to keep, why) or dismiss a pair."""

from __future__ import annotations

from typing import Any

from django import forms

from ablework.people.models import Person


class MergeForm(forms.Form):
    keep = forms.TypedChoiceField(label="保留哪一份档案", coerce=int, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="合并理由", max_length=200, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="例如：核对户籍信息后确认为同一人，旧档案身份证号录入错误。",
        error_messages={"required": "请填写合并理由"},
    )  # fmt: skip

    def __init__(self, *args: Any, low: Person, high: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.name}（{p.id_masked}，{p.district.name}，登记序号{p.pk}）") for p in (low, high)
        ]
        self.fields["keep"].error_messages["required"] = "请选择保留的档案"


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="不是同一人的理由", max_length=200, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text="例如：经电话核实为同名同生日的两个人。",
        error_messages={"required": "请填写判定不是同一人的理由"},
    )  # fmt: skip
