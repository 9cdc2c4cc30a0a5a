from django import forms

from .docx_import import docx_to_text
from .models import FIGURES, SECTION_MAX_LENGTH
from .services import FIELD_LABELS, TEXT_FIELDS

FIGURE_MAX = 1_000_000


def report_field_values(body):
    """{field: str} of a report's text fields and figures, as the editor shows them ("" for empty)."""
    values = {field: getattr(body, field) for field in TEXT_FIELDS}
    values.update({field: "" if getattr(body, field) is None else str(getattr(body, field)) for field in FIGURES})
    return values


class TextPartField(forms.CharField):
    """Browsers post a textarea's line breaks as CRLF, the autosave sends LF: store LF only, so that
    lengths, diffs and the editor's "unsaved changes" check agree whichever way the text came."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class ReportTextForm(forms.Form):
    """The five text parts and the revision the editor started from. Lengths are checked by
    the service (one Chinese message for the editor, the import and the autosave)."""

    base_revision = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, error_messages={"required": "缺少修订号，请刷新页面后重试。"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in TEXT_FIELDS:
            self.fields[field] = TextPartField(
                label=FIELD_LABELS[field],
                required=False,
                strip=False,  # keep the user's indentation and line breaks exactly
                widget=forms.Textarea(attrs={"rows": 12 if field != "preamble" else 5, "class": "form-control"}),
            )
            self.fields[field].max_chars = SECTION_MAX_LENGTH[field]

    def report_data(self, only=None):
        """The cleaned values to pass to report_save_draft, limited to the keys in `only`."""
        names = [name for name in self.cleaned_data if name != "base_revision"]
        return {name: self.cleaned_data[name] for name in names if only is None or name in only}


IMPORT_KEEP_CHOICES = [
    ("both", "保留两者：原有内容在前，导入的内容接在后面"),
    ("imported", "用导入的内容替换原有内容"),
    ("draft", "保留原有内容，不导入这一部分"),
]


def import_merged_text(*, drafted, imported, keep):
    """What a part holds after an import: the drafted text is never dropped unless the user chose
    "imported"; a part the import leaves empty keeps its draft."""
    if not drafted.strip() or drafted.strip() == imported.strip():
        return imported
    if not imported.strip() or keep == "draft":
        return drafted
    if keep == "imported":
        return imported
    return drafted.rstrip("\n") + "\n" + imported


class ImportConfirmForm(ReportTextForm):
    """The import preview: the split parts, and for each part that already has drafted text
    (e.g. 上年度问题整改情况 drafted from last year's problems) what to do with it (keep_<part>,
    keep both unless the user chooses otherwise). `drafted`: {part: text} of the report now."""

    def __init__(self, *args, drafted=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.drafted = {name: (drafted or {}).get(name, "") for name in TEXT_FIELDS}
        for name in TEXT_FIELDS:
            if self.drafted[name].strip():
                self.fields[f"keep_{name}"] = forms.ChoiceField(
                    label=f"“{FIELD_LABELS[name]}”已有内容", choices=IMPORT_KEEP_CHOICES, initial="both",
                    required=False, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                )

    def report_data(self, only=None):
        data = super().report_data(only)
        return {
            name: import_merged_text(
                drafted=self.drafted[name], imported=value, keep=self.cleaned_data.get(f"keep_{name}") or "both"
            )
            if name in self.drafted
            else value
            for name, value in data.items()
            if not name.startswith("keep_")
        }

    def drafted_parts(self):
        """{part: (drafted text, keep bound field or None)} of parts whose draft the import meets."""
        return {
            name: (text, self[f"keep_{name}"] if f"keep_{name}" in self.fields else None)
            for name, text in self.drafted.items()
            if text.strip()
        }


class ReportForm(ReportTextForm):
    """The editor: text parts and key figures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in FIGURES.items():
            self.fields[field] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=FIGURE_MAX,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric", "min": 0}),
            )

    @classmethod
    def for_report(cls, report):
        """A bound form holding the report's saved values (so that service errors can be attached)."""
        form = cls(data={**report_field_values(report), "base_revision": report.revision})
        form.is_valid()
        return form


class ImportForm(forms.Form):
    full_text = forms.CharField(
        label="粘贴全文",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control", "placeholder": "把整篇述职报告粘贴到这里"}),
    )
    docx_file = forms.FileField(
        label="或上传 Word 文件（.docx，不超过 5 MB）",
        required=False,
        widget=forms.FileInput(
            attrs={
                "class": "form-control",
                "accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            }
        ),
    )

    def clean_docx_file(self):
        upload = self.cleaned_data.get("docx_file")
        if upload:
            self.docx_text = docx_to_text(upload)  # raises a Chinese ValidationError for a bad file
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("docx_file"):
            cleaned["text"] = self.docx_text
        elif (cleaned.get("full_text") or "").strip():
            cleaned["text"] = cleaned["full_text"]
        else:
            raise forms.ValidationError("请粘贴报告全文，或选择一个 Word（.docx）文件。")
        return cleaned
