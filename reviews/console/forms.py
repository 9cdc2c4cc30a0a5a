"""The guided form that opens a year's cycle."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils import timezone

from reports.models import Cycle
from reviews.models import ResultSettings

WEIGHT_FIELDS = ["review_weight", "routine_weight", "ballot_weight"]


def default_title(organization, year):
    return f"{year}年度党组织书记抓基层党建工作述职评议"


class CycleSetupForm(forms.Form):
    """Year, deadlines, rubric, weights and participants of a new cycle of `organization`."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="标题", max_length=200, required=False, help_text="不填写则自动生成。")
    submission_deadline = forms.DateTimeField(
        label="报告提交截止时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    review_deadline = forms.DateTimeField(
        label="评议截止时间", required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    meeting_date = forms.DateField(label="述职评议会日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    rubric_source = forms.ChoiceField(label="评价指标与结果设置", required=False)
    review_weight = forms.DecimalField(label="现场述职评议权重（%）", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    routine_weight = forms.DecimalField(label="日常考核权重（%）", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    ballot_weight = forms.DecimalField(label="民主测评权重（%）", max_digits=5, decimal_places=2, min_value=0, max_value=100)
    participants = forms.ModelMultipleChoiceField(
        label="参加述职的党组织", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个参加述职的党组织。"},
    )

    def __init__(self, *args, organization, **kwargs):
        self.organization = organization
        previous = list(Cycle.objects.filter(organization=organization).order_by("-year").select_related("result_settings"))
        self.previous = {str(cycle.pk): cycle for cycle in previous}
        last = previous[0] if previous else None
        year = timezone.localdate().year
        if last and last.year >= year:
            year = last.year + 1
        settings = getattr(last, "result_settings", None) if last else None
        defaults = {field: getattr(settings, field) if settings else ResultSettings._meta.get_field(field).default for field in WEIGHT_FIELDS}
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "year": year,
            # Reports are typically due in mid-January after the year (domain: November to March).
            "submission_deadline": datetime.datetime(year + 1, 1, 15, 18, 0, tzinfo=timezone.get_current_timezone()),
            "rubric_source": str(last.pk) if last else "",
            "participants": list(organization.children.values_list("pk", flat=True)),
            **defaults,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        self.fields["rubric_source"].choices = [("", "默认评价指标（5项，满分100分）")] + [
            (str(cycle.pk), f"复制{cycle.year}年度的评价指标和结果设置") for cycle in previous
        ]
        self.fields["participants"].queryset = organization.children.select_related("secretary").order_by("order", "pk")
        self.fields["participants"].label_from_instance = lambda org: (
            f"{org.name}（书记：{org.secretary.display_name}）" if org.secretary_id else f"{org.name}（未设书记）"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset("1. 年度与标题", "year", "title"),
            Fieldset("2. 时间安排", "submission_deadline", "review_deadline", "meeting_date"),
            Fieldset("3. 评价指标与权重", "rubric_source", *WEIGHT_FIELDS),
            Fieldset("4. 参加述职的党组织", "participants"),
        )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if Cycle.objects.filter(organization=self.organization, year=year).exists():
            raise forms.ValidationError(f"{self.organization}已有{year}年度述职评议。")
        return year

    def clean(self):
        data = super().clean()
        submission, review = data.get("submission_deadline"), data.get("review_deadline")
        if submission and review and review < submission:
            self.add_error("review_deadline", "评议截止时间不能早于报告提交截止时间。")
        weights = [data.get(field) for field in WEIGHT_FIELDS]
        if all(weight is not None for weight in weights) and sum(weights) != 100:
            self.add_error("review_weight", f"各项权重之和须为 100，当前为 {sum(weights).normalize():f}。")
        if data.get("year") and not data.get("title"):
            data["title"] = default_title(self.organization, data["year"])
        return data

    @property
    def copy_from(self):
        return self.previous.get(self.cleaned_data.get("rubric_source") or "")

    @property
    def weights(self):
        return {field: self.cleaned_data[field] for field in WEIGHT_FIELDS}
