"""A form field other apps use to pick a registered person by a full number (through ``people.api``)."""

from __future__ import annotations

from typing import Any

from django import forms


class PersonLookupField(forms.CharField):
    """A 身份证号 or 残疾人证号; cleans to the registry person (``people.api.find_person``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "身份证号或残疾人证号")
        kwargs.setdefault("max_length", 22)
        kwargs.setdefault("help_text", "输入完整号码，从残疾人信息库中查找此人；页面只显示脱敏号码")
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        from ablework.people.api import find_person

        value = (super().clean(value) or "").strip().upper()
        if len(value) < 18:
            raise forms.ValidationError("请输入18位身份证号或20位残疾人证号")
        person = find_person(value)
        if person is None:
            raise forms.ValidationError("残疾人信息库中没有此人，请先在“残疾人信息”中登记")
        return person
