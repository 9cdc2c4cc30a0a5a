from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from .roster import PHONE

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


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.username}）"


class OrganizationForm(forms.Form):
    """An organization's name, order and secretary; the secretary is one of the administrator's people."""

    name = forms.CharField(label="名称", max_length=100)
    order = forms.IntegerField(label="排序", min_value=0, max_value=2_147_483_647)
    secretary = PersonChoiceField(label="书记", queryset=None, required=False, empty_label="（无）")

    def __init__(self, *args, organization, people, **kwargs):
        kwargs.setdefault(
            "initial", {"name": organization.name, "order": organization.order, "secretary": organization.secretary_id}
        )
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["secretary"].queryset = people.order_by("username")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        siblings = type(self.organization).objects.filter(parent_id=self.organization.parent_id, name=name)
        if siblings.exclude(pk=self.organization.pk).exists():
            raise forms.ValidationError("同一上级党组织下已有同名的党组织。")
        return name


class CommitteeMemberAddForm(forms.Form):
    person = PersonChoiceField(label="增加班子成员", queryset=None, empty_label="请选择人员")

    def __init__(self, *args, organization, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people.exclude(committee_organizations=organization).order_by("username")


class CommitteeMemberRemoveForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False)


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.RegexField(
        label="手机号", regex=PHONE, required=False, error_messages={"invalid": "手机号应为 11 位数字，以 1 开头。"}
    )
    email = forms.EmailField(label="邮箱", required=False, error_messages={"invalid": "请填写有效的邮箱地址。"})
    is_active = forms.BooleanField(label="可以登录", required=False, help_text="取消勾选后该账号不能再登录，记录全部保留。")


class PasswordResetReasonForm(forms.Form):
    reason = forms.CharField(
        label="重置原因", max_length=300, help_text="如“本人遗失初始密码”。记入操作记录。",
        error_messages={"required": "请填写重置原因。"},
    )
