"""Rectification (整改): the problem lists that follow a published review, and their progress."""

from django.conf import settings
from django.db import models

from reports.models import Report
from reviews.models.core import Problem, ProblemCategory, Publication

# ---------------------------------------------------------------- rectification (整改)
#
# Naming: `Problem` (reviews.models.core) is one problem as one reviewer named it in one review.
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

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def is_returned(self):
        return self.status == self.Status.RETURNED


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
