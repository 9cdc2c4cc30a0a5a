"""Forms parse input; the rules live in services (their ValidationErrors are added to the forms)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MinValueValidator

from reports.checks import KINDS
from reviews.computation import points_text
from reviews.models import Criterion, Grade, ResultSettings
from reviews.rubric_services import SETTINGS_FIELDS


def grade_choices(settings, blank=None):
    """Grade choices in the cycle's wording (好 / 优秀 …)."""
    choices = [(grade, settings.grade_label(grade)) for grade in Grade.values]
    return [("", blank), *choices] if blank else choices


def score_field_name(criterion):
    return f"score_{criterion.pk}"


class ReviewForm(forms.Form):
    """A score per criterion, comment and suggested grade. Problems come in ProblemFormSet."""

    comment = forms.CharField(
        label="点评意见",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "肯定成绩，指出问题，提出具体改进建议"}),
    )
    suggested_grade = forms.ChoiceField(label="建议等次", required=False)

    def __init__(self, *args, criteria, settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            # Range and half steps are checked by the service, with the criterion's name in the message.
            self.fields[score_field_name(criterion)] = forms.DecimalField(
                label=criterion.name,
                required=False,
                max_digits=5,
                decimal_places=1,
                help_text=f"满分 {points_text(criterion.max_points)} 分",
                widget=forms.NumberInput(
                    attrs={"step": "0.5", "min": "0", "max": points_text(criterion.max_points), "class": "score-input"}
                ),
            )
        self.fields["suggested_grade"].choices = grade_choices(settings, blank="（不建议）")
        self.order_fields([score_field_name(c) for c in criteria] + ["comment", "suggested_grade"])

    def score_fields(self):
        return [self[score_field_name(c)] for c in self.criteria]

    def score_rows(self):
        """[(bound field, criterion)]: the desk shows each criterion's description beside its score."""
        return [(self[score_field_name(c)], c) for c in self.criteria]

    def scores(self):
        return {c.pk: self.cleaned_data.get(score_field_name(c)) for c in self.criteria}


class ProblemForm(forms.Form):
    text = forms.CharField(
        label="问题",
        max_length=300,
        required=False,
        # Several lines: a problem is named with its facts (问题及表现), not a keyword.
        widget=forms.Textarea(attrs={"class": "form-control problem-text", "rows": 2, "placeholder": "问题描述（可写多行）"}),
    )
    category = forms.TypedChoiceField(
        label="类别",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select problem-category flex-grow-0 w-auto", "aria-label": "问题类别"}),
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Choices built once per formset (from the list passed in), not one query per row.
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]

    def clean_text(self):
        # A textarea posts its line breaks as \r\n; stored as \n like every other text.
        return self.cleaned_data["text"].replace("\r\n", "\n")


class BaseProblemFormSet(forms.BaseFormSet):
    def __init__(self, *args, categories, **kwargs):
        self.categories = list(categories)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "categories": self.categories}

    def problems(self):
        """[{"text", "category"}] of the rows with text (an emptied row is a deleted one)."""
        by_id = {c.pk: c for c in self.categories}
        return [
            {"text": form.cleaned_data["text"], "category": by_id.get(form.cleaned_data.get("category"))}
            for form in self.forms
            if form.cleaned_data.get("text", "").strip()
        ]


ProblemFormSet = forms.formset_factory(ProblemForm, formset=BaseProblemFormSet, extra=1, max_num=50)


def problem_initial(review):
    return [{"text": p.text, "category": p.category_id} for p in review.problems.all()] if review else []


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="向书记提问", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "请说明……"})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="回答", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=2000,
        error_messages={"required": "请填写退回原因。"},
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "请具体说明需要修改的内容"}),
    )


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only parses: the model's rules are checked by the service, with
    Chinese messages, instead of the model validation repeating them in English."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def _post_clean(self):
        pass


class CriterionForm(ServiceModelForm):
    # The model's TextField has no limit; a rubric item's explanation is a few sentences.
    description = forms.CharField(label="说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Criterion
        fields = ["name", "max_points", "order", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "max_points": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "100"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = self.fields["order"]
        order.required = False
        order.min_value = 1  # users count from 1
        order.validators.append(MinValueValidator(1))
        order.widget.attrs.update({"min": 1, "placeholder": "留空则排在最后"})
        if not self.instance.pk:
            order.initial = None  # not the model's 0: the service puts a new criterion last


class ResultSettingsForm(ServiceModelForm):
    class Meta:
        model = ResultSettings
        fields = SETTINGS_FIELDS
        widgets = {"aggregation": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["top_grade_cap_numerator"].help_text = "例如最多三分之一：分子 1，分母 3（人数向下取整）；不限则留空"


class RoutineScoresForm(forms.Form):
    """One score field per report of the page shown: entered and saved at once."""

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = reports
        for report in reports:
            result = getattr(report, "result", None)
            self.fields[f"routine_{report.pk}"] = forms.DecimalField(
                label=str(report.organization),
                required=False,
                max_digits=6,
                decimal_places=2,
                initial=result.routine_score if result else None,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            )

    def rows(self):
        return [(report, self[f"routine_{report.pk}"]) for report in self.reports]

    def scores(self):
        return {report.pk: self.cleaned_data.get(f"routine_{report.pk}") for report in self.reports}


class OverrideForm(forms.Form):
    grade = forms.ChoiceField(label="最终等次")
    reason = forms.CharField(label="调整理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = grade_choices(settings)


class PublishForm(forms.Form):
    """公布结果: a reason is needed only when something is incomplete (the service decides)."""

    reason = forms.CharField(
        label="不完整时公布的理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：部分党组织书记因故书面述职，经党委会研究同意先行公布"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤回理由",
        max_length=2000,
        error_messages={"required": "请填写撤回理由，书记将看到这一理由。"},
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：发现一名评议人的评分录入有误，更正后重新公布"}),
    )


class CheckSettingsForm(forms.Form):
    """The kinds of 体检 finding that block submission in a cycle (reports.services.cycle_set_blocking_check_kinds)."""

    blocking_check_kinds = forms.MultipleChoiceField(
        label="提交前须解决的体检项",
        choices=list(KINDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="未勾选的只作提示；勾选的，书记须先修改报告、体检中不再出现此类问题，才能提交。",
    )


class NoticeForm(forms.Form):
    """What the administrator writes for the 情况通报 (reviews.results.services.notice_save)."""

    addressee = forms.CharField(
        label="主送",
        max_length=200,
        error_messages={"required": "请填写主送单位，如“各党支部”。"},
        widget=forms.TextInput(attrs={"placeholder": "各党支部"}),
    )
    requirements = forms.CharField(
        label="五、下一步工作要求",
        required=False,
        max_length=8000,
        help_text="每段一行；以“（一）”“1.”开头的行按小标题排版。通报的其余部分由公布的结果自动生成。",
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": "（一）压紧压实党建工作责任。……\n（二）抓好问题整改落实。……"}),
    )
    rectification_deadline = forms.DateField(
        label="整改清单报送时限",
        required=False,
        help_text="写入每个党组织的点评反馈意见书（整改要求）；不填则不写日期。",
        error_messages={"invalid": "请按“2026-03-31”的格式填写日期。"},
        widget=forms.DateInput(attrs={"type": "date"}),
    )
