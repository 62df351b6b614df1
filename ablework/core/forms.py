from __future__ import annotations

import json
from typing import Any

from django import forms

from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id, parse_uscc
from ablework.core.models import PolicyParameter


class _IdentifierField(forms.CharField):
    parser: Any = None

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return type(self).parser(value)
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class ResidentIdField(_IdentifierField):
    """A resident ID number; cleans to ``ResidentId``."""

    parser = staticmethod(parse_resident_id)


class DisabilityCertField(_IdentifierField):
    parser = staticmethod(parse_disability_cert)


class USCCField(_IdentifierField):
    parser = staticmethod(parse_uscc)


class PolicyParameterForm(forms.ModelForm):
    value = forms.CharField(
        label="取值（数字，或JSON）",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"}),
        help_text='例如 0.015，或 {"threshold": "0.01"}',
    )

    class Meta:
        model = PolicyParameter
        fields = ["key", "district", "valid_from", "valid_to", "value", "source", "confirmed", "note"]
        widgets = {
            # ISO format: a type=date input shows nothing for the locale's 2023/01/01 form.
            "valid_from": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "valid_to": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "district": forms.Select(attrs={"class": "form-select"}),
            "confirmed": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["value"] = json.dumps(self.instance.value, ensure_ascii=False)
        for name, field in self.fields.items():
            if name != "confirmed":
                field.widget.attrs.setdefault("class", "form-control")

    def clean_value(self) -> Any:
        raw = self.cleaned_data["value"].strip()
        try:
            return json.loads(raw, parse_float=str)  # keep decimals exact
        except json.JSONDecodeError:
            raise forms.ValidationError('取值不是有效的数字或JSON，例如 0.015 或 {"start": "03-01"}') from None
