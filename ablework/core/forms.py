from __future__ import annotations

import json
from typing import Any

from django import forms

from ablework.core.identifiers import IdentifierError, parse_disability_cert, parse_resident_id, parse_uscc
from ablework.core.models import District, PolicyParameter, Street


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


# --- styled forms (Bootstrap classes) and district-limited model forms ----------------------------------


class Styled:
    """Mixin: Bootstrap classes on every widget (call ``_style()`` after the fields are built)."""

    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class StyledForm(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class DistrictModelForm(Styled, forms.ModelForm):
    """A model form whose district (and street) choices are limited to the user's districts; dates use the
    browser's date picker."""

    def __init__(self, *args: Any, district_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "district" in self.fields:
            self.fields["district"].queryset = District.objects.filter(pk__in=district_ids)  # type: ignore[attr-defined]
            self.fields["district"].empty_label = "—请选择—"  # type: ignore[attr-defined]
            if len(district_ids) == 1 and not self.instance.pk:
                self.initial.setdefault("district", district_ids[0])
        if "street" in self.fields:
            self.fields["street"].queryset = Street.objects.filter(district_id__in=district_ids).order_by("code")  # type: ignore[attr-defined]
            self.fields["street"].required = False
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
        self._style()

    def clean(self) -> dict[str, Any]:
        return super().clean() or {}
