"""Upload form of the bulk import (the file is checked row by row by ``actions.imports``)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from ablework.people.actions.imports import KINDS, get_spec

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(
        label="文件",
        help_text="Excel文件（.xlsx、.xls）或CSV文件（UTF-8或GBK编码），不超过30MB；请使用下方模板的列名。",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, get_spec(k).title) for k in KINDS]

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过30MB，请分成几个文件上传")
        if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError("只能上传Excel文件（.xlsx、.xls）或CSV文件")
        return upload
