"""The review core: rubric, settings, assignments, reviews, scores, questions, results, publication."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from reports.models import Cycle, Report, ReportVersion

# The default rubric of a new cycle: (name, maximum points), totalling 100.
DEFAULT_CRITERIA = [
    ("履行党建工作责任", Decimal("25"), "落实党建工作责任制，书记抓党建第一责任人职责履行情况"),
    ("提高基层党组织建设质量", Decimal("25"), "组织设置、组织生活、党员教育管理、发展党员等工作质量"),
    ("强化政治功能、完成重大任务", Decimal("20"), "发挥政治功能和组织功能，完成上级部署的重大任务情况"),
    ("解决突出问题", Decimal("20"), "上年度述职评议指出问题的整改及突出问题解决情况"),
    ("述职报告质量", Decimal("10"), "报告实事求是、重点突出、问题查摆深刻、措施具体"),
]

DEFAULT_PROBLEM_CATEGORIES = ["思想政治建设", "组织建设", "作风建设", "党风廉政", "意识形态", "其他"]


class Grade(models.TextChoices):
    """The four grades. Displayed through ResultSettings labels (好 or 优秀 …)."""

    EXCELLENT = "excellent", "好"
    GOOD = "good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


class Criterion(models.Model):
    cycle = models.ForeignKey(Cycle, verbose_name="年度述职评议", on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField("评价指标", max_length=100)
    description = models.TextField("说明", blank=True)
    max_points = models.DecimalField("满分", max_digits=5, decimal_places=1)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评价指标"
        verbose_name_plural = "评价指标"
        ordering = ["cycle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name"], name="criterion_unique_name_per_cycle"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_points_positive"),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points}分）"


class ResultSettings(models.Model):
    """How a cycle's results are computed and shown."""

    class Aggregation(models.TextChoices):
        MEAN = "mean", "算术平均"
        TRIMMED_MEAN = "trimmed_mean", "去掉一个最高分和一个最低分后平均（评议人不少于5人时）"

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="result_settings")
    aggregation = models.CharField("评议得分计算方式", max_length=20, choices=Aggregation.choices, default=Aggregation.MEAN)
    review_weight = models.DecimalField("现场述职评议权重（%）", max_digits=5, decimal_places=2, default=Decimal("60"))
    routine_weight = models.DecimalField("日常考核权重（%）", max_digits=5, decimal_places=2, default=Decimal("40"))
    ballot_weight = models.DecimalField("民主测评权重（%）", max_digits=5, decimal_places=2, default=Decimal("0"))
    threshold_excellent = models.DecimalField("“好”等次最低分", max_digits=5, decimal_places=2, default=Decimal("90"))
    threshold_good = models.DecimalField("“较好”等次最低分", max_digits=5, decimal_places=2, default=Decimal("80"))
    threshold_fair = models.DecimalField("“一般”等次最低分", max_digits=5, decimal_places=2, default=Decimal("60"))
    label_excellent = models.CharField("第一等次名称", max_length=10, default="好")
    label_good = models.CharField("第二等次名称", max_length=10, default="较好")
    label_fair = models.CharField("第三等次名称", max_length=10, default="一般")
    label_poor = models.CharField("第四等次名称", max_length=10, default="差")
    # Cap on the share of the top grade as a fraction, e.g. 1/3; the count is rounded down.
    top_grade_cap_numerator = models.PositiveSmallIntegerField("“好”等次比例上限（分子）", null=True, blank=True)
    top_grade_cap_denominator = models.PositiveSmallIntegerField("“好”等次比例上限（分母）", null=True, blank=True)
    show_rank = models.BooleanField("向书记公布排名", default=True)
    show_reviewer_names = models.BooleanField("向书记显示评议人姓名", default=False)
    # When results were last computed, and when a service last changed something they depend on
    # (kept for the record; staleness is decided by results_fingerprint below).
    results_computed_at = models.DateTimeField("结果计算时间", null=True, blank=True, editable=False)
    results_changed_at = models.DateTimeField("影响结果的最后修改", null=True, blank=True, editable=False)
    # SHA-256 of every input of the computation, taken when results were computed; results are
    # stale when the inputs hash differently now (reviews.results.selectors.results_fingerprint).
    results_fingerprint = models.CharField("结果输入指纹", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "结果设置"
        verbose_name_plural = "结果设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_weight__gte=0) & Q(routine_weight__gte=0) & Q(ballot_weight__gte=0),
                name="result_settings_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(review_weight=Decimal("100") - F("routine_weight") - F("ballot_weight")),
                name="result_settings_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(threshold_excellent__gte=F("threshold_good")) & Q(threshold_good__gte=F("threshold_fair")),
                name="result_settings_thresholds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.cycle} 结果设置"

    def grade_label(self, grade):
        if not grade:
            return ""
        return getattr(self, f"label_{grade}")

    @property
    def grade_labels(self):
        return {grade: self.grade_label(grade) for grade in Grade.values}


class Assignment(models.Model):
    """A reviewer is to review a report. Never the report of an organization they lead."""

    report = models.ForeignKey(Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评议人", on_delete=models.CASCADE, related_name="assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评议分工"
        verbose_name_plural = "评议分工"
        ordering = ["report", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["report", "reviewer"], name="assignment_unique_reviewer_per_report"),
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.report}"


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"

    report = models.ForeignKey(Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评议人", on_delete=models.PROTECT, related_name="reviews"
    )
    # The submitted version this review was written against; a newer version makes it outdated.
    version = models.ForeignKey(
        ReportVersion, verbose_name="评议的版本", null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField("点评意见", blank=True)
    suggested_grade = models.CharField("建议等次", max_length=20, choices=Grade.choices, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    class Meta:
        verbose_name = "评议"
        verbose_name_plural = "评议"
        ordering = ["report", "reviewer"]
        constraints = [
            models.UniqueConstraint(fields=["report", "reviewer"], name="review_unique_reviewer_per_report"),
        ]

    def __str__(self):
        return f"{self.reviewer} 对 {self.report} 的评议"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField("得分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_unique_per_review_criterion"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_points_non_negative"),
        ]

    def __str__(self):
        return f"{self.criterion.name}: {self.points}"


class ProblemCategory(models.Model):
    name = models.CharField("问题类别", max_length=30, unique=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "问题类别"
        verbose_name_plural = "问题类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Problem(models.Model):
    """A problem a reviewer named in a review (the seed of the 问题清单)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="problems")
    text = models.CharField("问题", max_length=300)
    category = models.ForeignKey(ProblemCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="problems")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题"
        ordering = ["review", "order", "id"]

    def __str__(self):
        return self.text


class ReviewChange(models.Model):
    """Append-only history of a review after its first submission."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    old = models.JSONField("修改前", default=dict)
    new = models.JSONField("修改后", default=dict)

    class Meta:
        verbose_name = "评议修改记录"
        verbose_name_plural = "评议修改记录"
        ordering = ["review", "changed_at", "id"]


class Question(models.Model):
    """A reviewer's question (提问/质询) to a report's secretary."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions_asked")
    text = models.TextField("问题")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField("回答", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "提问"
        verbose_name_plural = "提问"
        ordering = ["report", "asked_at", "id"]

    def __str__(self):
        return self.text[:40]


class Result(models.Model):
    """The computed and settled result of one report. Routine score is entered
    by the administrator; the rest is written by results computation."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="result")
    routine_score = models.DecimalField("日常考核得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_score = models.DecimalField("现场评议得分", max_digits=6, decimal_places=2, null=True, blank=True)
    ballot_score = models.DecimalField("民主测评得分", max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField("综合得分", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    computed_grade = models.CharField("计算等次", max_length=20, choices=Grade.choices, blank=True)
    grade = models.CharField("最终等次", max_length=20, choices=Grade.choices, blank=True)
    override_reason = models.TextField("调整理由", blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)

    class Meta:
        verbose_name = "评议结果"
        verbose_name_plural = "评议结果"
        constraints = [
            models.CheckConstraint(
                condition=Q(routine_score__isnull=True) | (Q(routine_score__gte=0) & Q(routine_score__lte=100)),
                name="result_routine_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.report} 结果"

    @property
    def is_overridden(self):
        return bool(self.override_reason)


class ReviewerPseudonym(models.Model):
    """评议人N: a reviewer's number in one cycle, drawn at random once (stable within the cycle),
    used wherever reviewer names are hidden from secretaries."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reviewer_pseudonyms")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField("编号")

    class Meta:
        verbose_name = "评议人编号"
        verbose_name_plural = "评议人编号"
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "reviewer"], name="pseudonym_unique_reviewer_per_cycle"),
            models.UniqueConstraint(fields=["cycle", "number"], name="pseudonym_unique_number_per_cycle"),
        ]

    @property
    def label(self):
        return f"评议人{self.number}"


class Publication(models.Model):
    """One publication (公布) of a cycle's results: a frozen snapshot (PublishedResult per
    organization) of what secretaries see. Withdrawing (撤回公布) keeps the row with who, when
    and why; publishing again makes a new one recording what changed against the previous."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="publications")
    number = models.PositiveIntegerField("第几次公布")
    published_at = models.DateTimeField("公布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Why it was published although incomplete, and what was incomplete then.
    reason = models.TextField("不完整时公布的理由", blank=True)
    incomplete = models.JSONField("公布时未完成事项", default=list, blank=True)
    # Against the previous publication: {report id: {"organization", "total": [old, new], "grade": [old, new]}}.
    changes = models.JSONField("与上次公布相比的变化", default=dict, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdraw_reason = models.TextField("撤回理由", blank=True)

    class Meta:
        verbose_name = "结果公布"
        verbose_name_plural = "结果公布"
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="publication_unique_number"),
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(withdrawn_at__isnull=True), name="publication_one_current_per_cycle"
            ),
        ]

    def __str__(self):
        return f"{self.cycle} 第{self.number}次公布"

    @property
    def is_current(self):
        return self.withdrawn_at is None


class PublishedResult(models.Model):
    """The frozen result sheet of one organization in one publication (see
    reviews.results.documents.result_sheet for the keys of `sheet`)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="results")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="published_results")
    sheet = models.JSONField("公布内容")

    class Meta:
        verbose_name = "公布的结果"
        verbose_name_plural = "公布的结果"
        constraints = [
            models.UniqueConstraint(fields=["publication", "report"], name="published_result_unique_report"),
        ]


class Notice(models.Model):
    """What the administrator writes once per cycle for the documents drafted from the published
    results: the 情况通报's 主送 line and 五、下一步工作要求, and the date by which the feedback
    letters (点评反馈意见书) ask each secretary to hand in their 整改清单."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="notice")
    addressee = models.CharField("主送", max_length=200, default="各党支部")
    requirements = models.TextField("下一步工作要求", blank=True)
    rectification_deadline = models.DateField("整改清单报送时限", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "情况通报"
        verbose_name_plural = "情况通报"

    def __str__(self):
        return f"{self.cycle} 情况通报"
