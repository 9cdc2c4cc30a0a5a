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
