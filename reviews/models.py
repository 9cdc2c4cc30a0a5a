import uuid
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
    # stale when the inputs hash differently now (reviews.selectors.results_fingerprint).
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
    reviews.documents.result_sheet for the keys of `sheet`)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="results")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="published_results")
    sheet = models.JSONField("公布内容")

    class Meta:
        verbose_name = "公布的结果"
        verbose_name_plural = "公布的结果"
        constraints = [
            models.UniqueConstraint(fields=["publication", "report"], name="published_result_unique_report"),
        ]


# ---------------------------------------------------------------- rectification (整改)
#
# Naming: `Problem` (above) is one problem as one reviewer named it in one review.
# The organization-level 问题清单 entry is a `RectificationItem` (整改事项): created one per
# reviewer Problem when results are published, then merged by the administrator where several
# reviewers named the same problem. It keeps its source Problems (M2M `problems`), and through
# them who named it. The item also carries its line of the 整改清单 (measures, owner, deadline)
# and its progress. An organization's items of one cycle form its `RectificationPlan`, which the
# secretary submits and the administrator approves or sends back as a whole.


def rectification_evidence_path(instance, filename):
    """A generated name in a per-item folder; the uploaded name is display text only."""
    return f"rectification/{instance.item_id}/{instance.stored_name}"


class RectificationPlan(models.Model):
    """整改清单 of one organization after one cycle's published review (one per report)."""

    class Status(models.TextChoices):
        DRAFTING = "drafting", "待填报"
        SUBMITTED = "submitted", "待审核"
        APPROVED = "approved", "已通过"
        RETURNED = "returned", "已退回"

    report = models.OneToOneField(
        Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="rectification_plan"
    )
    status = models.CharField("整改清单状态", max_length=20, choices=Status.choices, default=Status.DRAFTING)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField("退回原因", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改清单"
        verbose_name_plural = "整改清单"
        ordering = ["report__cycle", "report__organization__order", "report__organization_id"]

    def __str__(self):
        return f"{self.report.organization} · {self.report.cycle.year}年度整改清单"

    @property
    def is_editable_by_secretary(self):
        return self.status in (self.Status.DRAFTING, self.Status.RETURNED)


class RectificationItem(models.Model):
    """整改事项: one problem of an organization's 问题清单 with its measures, owner, deadline and
    progress. Overdue (逾期) is not stored: deadline before today (Asia/Shanghai) and not completed."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "整改中"
        COMPLETED = "completed", "已完成"

    plan = models.ForeignKey(RectificationPlan, verbose_name="整改清单", on_delete=models.CASCADE, related_name="items")
    text = models.CharField("问题", max_length=300)
    category = models.ForeignKey(
        ProblemCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="rectification_items"
    )
    # The reviewers' problems this item stands for (several after a merge): who named it.
    problems = models.ManyToManyField(Problem, verbose_name="评议人提出的问题", blank=True, related_name="rectification_items")
    order = models.PositiveIntegerField("排序", default=0)
    measures = models.TextField("整改措施", blank=True)
    owner = models.CharField("责任人", max_length=100, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True)
    status = models.CharField("整改状态", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # The secretary reports the item done and asks for 销号; the administrator confirms or reopens.
    completion_requested_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    completed_at = models.DateTimeField("销号时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("最后修改", auto_now=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["plan", "order", "id"]

    def __str__(self):
        return self.text

    def is_overdue(self, today):
        return self.status != self.Status.COMPLETED and self.deadline is not None and self.deadline < today


class RectificationEvent(models.Model):
    """Append-only history of a plan and its items: progress reports, approvals, returns,
    confirmations, reopenings, merges — who, when, what, why."""

    class Kind(models.TextChoices):
        GENERATED = "generated", "生成问题清单"
        MERGED = "merged", "合并问题"
        EDITED = "edited", "修改问题"
        PLAN_SAVED = "plan_saved", "填写整改措施"
        PLAN_SUBMITTED = "plan_submitted", "提交整改清单"
        PLAN_APPROVED = "plan_approved", "审核通过"
        PLAN_RETURNED = "plan_returned", "退回整改清单"
        PROGRESS = "progress", "报告整改进展"
        COMPLETION_REQUESTED = "completion_requested", "申请销号"
        CONFIRMED = "confirmed", "确认销号"
        REOPENED = "reopened", "重新打开"
        REGENERATED = "regenerated", "按新公布结果重新生成"
        PROPOSAL_ACCEPTED = "proposal_accepted", "采纳问题清单变更"
        PROPOSAL_DISMISSED = "proposal_dismissed", "忽略问题清单变更"

    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="events")
    # Kept when its item goes (a list regenerated after republication, a removal accepted): the
    # plan's history loses nothing.
    item = models.ForeignKey(
        RectificationItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField("操作", max_length=30, choices=Kind.choices)
    text = models.TextField("内容", blank=True)
    reason = models.TextField("原因", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.text[:40]}"


class ProblemListProposal(models.Model):
    """A change of an approved problem list offered to the administrator after a republication:
    a problem the new publication names and the list lacks (add), or one it no longer names
    (remove). Never applied until the administrator accepts it."""

    class Kind(models.TextChoices):
        ADD = "add", "新增问题"
        REMOVE = "remove", "不再列出的问题"

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        ACCEPTED = "accepted", "已采纳"
        DISMISSED = "dismissed", "已忽略"

    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="proposals")
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    text = models.CharField("问题", max_length=300)
    category = models.ForeignKey(ProblemCategory, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        RectificationItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "问题清单变更建议"
        verbose_name_plural = "问题清单变更建议"
        ordering = ["plan", "created_at", "id"]


class RectificationEvidence(models.Model):
    """An evidence file (佐证材料) of a progress report. Stored under a generated name and served
    only through a permission-checked view, never from a public media URL."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(RectificationEvent, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=rectification_evidence_path, max_length=255)
    stored_name = models.CharField(max_length=80, editable=False)
    original_name = models.CharField("文件名", max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改佐证材料"
        verbose_name_plural = "整改佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class RectificationReminder(models.Model):
    """One reminder sent: `key` names what it was about; at most one per key and day."""

    key = models.CharField(max_length=60)
    sent_on = models.DateField()

    class Meta:
        verbose_name = "整改提醒"
        verbose_name_plural = "整改提醒"
        constraints = [models.UniqueConstraint(fields=["key", "sent_on"], name="rectification_reminder_once_a_day")]


# ---------------------------------------------------------------- democratic evaluation (民主测评)


class Evaluation(models.Model):
    """The democratic evaluation (民主测评) of a cycle's review meeting, as the administrator
    sets it up: the organizations on the ballot (EvaluationEntry, in meeting order), the
    voter groups (VoterGroup, head count and weight), the marks a voter can give (Mark,
    with their score factors), and when voting closes.

    Vocabulary (domain glossary): the sheet one voter submits is a Ballot, one mark on
    it a Vote. Each voter gets a one-time BallotCode; paper ballots enter as PaperTally.
    Lifecycle: draft (set up, codes printable) → open (codes' plain text erased, voting)
    → closed (tallies shown; the ballot score feeds the cycle's results).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "准备中"
        OPEN = "open", "测评中"
        CLOSED = "closed", "已结束"

    cycle = models.OneToOneField(Cycle, verbose_name="年度述职评议", on_delete=models.CASCADE, related_name="evaluation")
    title = models.CharField("测评会议名称", max_length=120)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    closes_at = models.DateTimeField("投票截止时间", null=True, blank=True)
    opened_at = models.DateTimeField("开始时间", null=True, blank=True, editable=False)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "民主测评"
        verbose_name_plural = "民主测评"

    def __str__(self):
        return self.title


class EvaluationEntry(models.Model):
    """An organization (its report and secretary) on the ballot, in the order of the meeting."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="entries")
    report = models.ForeignKey(Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="evaluation_entries")
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "测评对象"
        verbose_name_plural = "测评对象"
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "report"], name="evaluation_entry_unique_report"),
        ]


class VoterGroup(models.Model):
    """A group of voters (班子成员, 党员代表 …): one code per head; weight relative to the other groups."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("测评人类别", max_length=30)
    size = models.PositiveIntegerField("人数")
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "测评人类别"
        verbose_name_plural = "测评人类别"
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "name"], name="voter_group_unique_name"),
            models.CheckConstraint(condition=Q(size__gt=0), name="voter_group_size_positive"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="voter_group_weight_non_negative"),
        ]

    def __str__(self):
        return self.name


class Mark(models.Model):
    """A mark a voter can give (好 / 较好 / 一般 / 差 …), best first, with its score factor."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="marks")
    label = models.CharField("评价", max_length=10)
    factor = models.DecimalField("折算系数", max_digits=4, decimal_places=3)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评价选项"
        verbose_name_plural = "评价选项"
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "label"], name="mark_unique_label"),
            models.CheckConstraint(condition=Q(factor__gte=0) & Q(factor__lte=1), name="mark_factor_range"),
        ]

    def __str__(self):
        return self.label


class BallotCode(models.Model):
    """A one-time voting code of one voter group. Only its SHA-256 digest identifies it once
    voting opens: the plain text exists while the evaluation is a draft (to print the
    sheet) and is erased when it opens. Nothing links a code to the Ballot cast with it."""

    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    plain = models.CharField(max_length=16, blank=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = "测评码"
        verbose_name_plural = "测评码"


class Ballot(models.Model):
    """One voter's sheet (测评票). Deliberately without code, time or address: a random id
    (no sequence to reveal the order of voting) and the voter group only. Closing the
    evaluation rewrites every ballot and vote with fresh ids in a random order (see
    ballot_services.evaluation_close), so neither rows nor system columns keep the order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="ballots")

    class Meta:
        verbose_name = "测评票"
        verbose_name_plural = "测评票"


class Vote(models.Model):
    """One mark on a ballot: the voter's mark for one organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="votes")
    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="votes")

    class Meta:
        verbose_name = "测评意见"
        verbose_name_plural = "测评意见"
        constraints = [
            models.UniqueConstraint(fields=["ballot", "entry"], name="vote_unique_entry_per_ballot"),
        ]


class PaperTally(models.Model):
    """Paper ballots counted by hand: how many voters of a group gave an organization a mark."""

    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="paper_tallies")
    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="paper_tallies")
    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="paper_tallies")
    count = models.PositiveIntegerField("票数", default=0)

    class Meta:
        verbose_name = "纸质票统计"
        verbose_name_plural = "纸质票统计"
        constraints = [
            models.UniqueConstraint(fields=["entry", "group", "mark"], name="paper_tally_unique_cell"),
        ]
