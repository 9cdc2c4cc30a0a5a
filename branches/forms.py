from django import forms
from django.contrib.auth.forms import PasswordChangeForm

ROSTER_MAX_BYTES = 2 * 1024 * 1024


class RosterUploadForm(forms.Form):
    file = forms.FileField(label="名册文件（.xlsx）", help_text="使用下载的名册模板或导出的名册填写，最大 2 MB。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 Excel 工作簿（.xlsx）文件。")
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError("文件超过 2 MB，请分批导入。")
        return upload


class OwnPasswordChangeForm(PasswordChangeForm):
    """Changing one's password; the first change replaces the one-time initial password."""

    def clean(self):
        data = super().clean()
        password = data.get("new_password2")
        if password and not self.has_error("new_password2") and self.user.check_password(password):
            self.add_error("new_password2", "新密码不能与当前密码相同。")
        return data

    def save(self, commit=True):
        self.user.must_change_password = False
        return super().save(commit=commit)
