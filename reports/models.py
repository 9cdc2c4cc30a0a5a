from django.conf import settings
from django.db import models
from django.utils import timezone

from branches.models import Organization

# The four sections of a report, in order: field name -> label.
SECTIONS = {
    "performance": "履职情况",
    "problems": "存在问题",
    "plans": "下一步打算",
    "rectification": "上年度问题整改情况",
}

# Maximum length of each section in characters; a 9-page report has ~6,000.
SECTION_MAX_LENGTH = {
    "preamble": 3000,
    "performance": 20000,
    "problems": 8000,
    "plans": 8000,
    "rectification": 8000,
}

# Key figures a report quotes: field name -> label.
FIGURES = {
    "member_meetings": "支部党员大会（次）",
    "committee_meetings": "支委会（次）",
    "group_meetings": "党小组会（次）",
    "party_lectures": "党课（次）",
    "theme_days": "主题党日（次）",
    "member_count": "党员人数",
    "new_members": "发展党员（名）",
}


class Cycle(models.Model):
    """One year's 述职评议 of the organizations directly below a reviewing organization."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "准备中"
        COLLECTING = "collecting", "述职报告收集中"
        REVIEWING = "reviewing", "评议中"
        CLOSED = "closed", "已结束"

    organization = models.ForeignKey(
        Organization, verbose_name="评议党组织", on_delete=models.PROTECT, related_name="cycles"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    submission_deadline = models.DateTimeField("报告提交截止时间")
    review_deadline = models.DateTimeField("评议截止时间", null=True, blank=True)
    meeting_date = models.DateField("述职评议会日期", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PREPARING)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # 报告体检: the kinds of finding (reports.checks.KINDS) that block submission in this cycle.
    blocking_check_kinds = models.JSONField("提交前须解决的体检项", default=list, blank=True)

    class Meta:
        verbose_name = "年度述职评议"
        verbose_name_plural = "年度述职评议"
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="cycle_unique_year_per_organization"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    @property
    def accepts_reports(self):
        return self.status in (self.Status.COLLECTING, self.Status.REVIEWING)

    @property
    def is_past_deadline(self):
        return timezone.now() > self.submission_deadline


class Report(models.Model):
    """The annual report of one organization's secretary in one cycle."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回修改"

    cycle = models.ForeignKey(Cycle, verbose_name="年度述职评议", on_delete=models.PROTECT, related_name="reports")
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)

    preamble = models.TextField("导语及未归类内容", blank=True)
    performance = models.TextField(SECTIONS["performance"], blank=True)
    problems = models.TextField(SECTIONS["problems"], blank=True)
    plans = models.TextField(SECTIONS["plans"], blank=True)
    rectification = models.TextField(SECTIONS["rectification"], blank=True)

    member_meetings = models.PositiveIntegerField(FIGURES["member_meetings"], null=True, blank=True)
    committee_meetings = models.PositiveIntegerField(FIGURES["committee_meetings"], null=True, blank=True)
    group_meetings = models.PositiveIntegerField(FIGURES["group_meetings"], null=True, blank=True)
    party_lectures = models.PositiveIntegerField(FIGURES["party_lectures"], null=True, blank=True)
    theme_days = models.PositiveIntegerField(FIGURES["theme_days"], null=True, blank=True)
    member_count = models.PositiveIntegerField(FIGURES["member_count"], null=True, blank=True)
    new_members = models.PositiveIntegerField(FIGURES["new_members"], null=True, blank=True)

    # Incremented on every save; an editor saving with an older revision is told
    # about the conflict instead of overwriting (optimistic locking).
    revision = models.PositiveIntegerField("修订号", default=0)
    updated_at = models.DateTimeField("最后修改", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    is_late = models.BooleanField("逾期提交", default=False)
    return_reason = models.TextField("退回原因", blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "述职报告"
        verbose_name_plural = "述职报告"
        ordering = ["cycle", "organization__order", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization"], name="report_unique_per_cycle_organization"),
        ]

    def __str__(self):
        return f"{self.organization} · {self.cycle.year}年度述职报告"

    @property
    def is_editable(self):
        return self.status in (self.Status.NOT_STARTED, self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_returned(self):
        return self.status == self.Status.RETURNED

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    def section_items(self):
        """[(field, label, text)] of the four sections, in order."""
        return [(field, label, getattr(self, field)) for field, label in SECTIONS.items()]

    def figure_items(self):
        return [(field, label, getattr(self, field)) for field, label in FIGURES.items()]


class ReportVersion(models.Model):
    """Immutable snapshot of a report taken at each submission."""

    report = models.ForeignKey(Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    preamble = models.TextField(blank=True)
    performance = models.TextField(blank=True)
    problems = models.TextField(blank=True)
    plans = models.TextField(blank=True)
    rectification = models.TextField(blank=True)
    figures = models.JSONField("关键数据", default=dict)
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_late = models.BooleanField("逾期提交", default=False)

    class Meta:
        verbose_name = "报告版本"
        verbose_name_plural = "报告版本"
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.report} 第{self.number}版"

    def section_items(self):
        return [(field, label, getattr(self, field)) for field, label in SECTIONS.items()]

    def figure_items(self):
        return [(field, label, self.figures.get(field)) for field, label in FIGURES.items()]
