from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person. Roles come from organizations: secretary, committee member, administrator."""

    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.get_full_name() or self.username


class Organization(models.Model):
    """A Party organization. The tree is stored as a materialized path of ids
    ("/1/4/9/") so that a subtree is one indexed prefix query."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委（党工委）"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.BRANCH)
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    order = models.PositiveIntegerField("排序", default=0)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_organizations",
    )
    committee_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="班子成员", blank=True, related_name="committee_organizations"
    )
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="管理员（组织部门）", blank=True, related_name="administered_organizations"
    )

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organization_unique_name_under_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def depth(self):
        return self.path.count("/") - 2 if self.path else 0


class AuditEntry(models.Model):
    """Append-only record of a consequential action: who, when, what, why.

    `organization` scopes visibility: administrators of it or an ancestor see the entry.
    """

    class Action(models.TextChoices):
        REPORT_SUBMITTED = "report_submitted", "提交述职报告"
        REPORT_RETURNED = "report_returned", "退回修改"
        REVIEW_SUBMITTED = "review_submitted", "提交评议"
        REVIEW_CHANGED = "review_changed", "修改已提交评议"
        GRADE_OVERRIDDEN = "grade_overridden", "调整等次"
        RESULTS_COMPUTED = "results_computed", "计算结果"
        CYCLE_PUBLISHED = "cycle_published", "公布结果"
        CYCLE_WITHDRAWN = "cycle_withdrawn", "撤回公布"
        CYCLE_CLOSED = "cycle_closed", "结束年度评议"
        CYCLE_OPENED = "cycle_opened", "启动年度评议"
        SETTINGS_CHANGED = "settings_changed", "修改设置"
        ASSIGNMENT_CHANGED = "assignment_changed", "调整评议分工"
        ROUTINE_SCORE_SET = "routine_score_set", "录入日常考核分"
        ORGANIZATION_CHANGED = "organization_changed", "修改党组织"
        COMMITTEE_MEMBER_ADDED = "committee_member_added", "增加班子成员"
        COMMITTEE_MEMBER_REMOVED = "committee_member_removed", "移除班子成员"
        PERSON_CHANGED = "person_changed", "修改人员信息"
        PASSWORD_RESET = "password_reset", "重置密码"

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField("操作", max_length=40, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    summary = models.CharField("内容", max_length=300)
    reason = models.TextField("原因", blank=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()}：{self.summary}"


class Notification(models.Model):
    """An in-app notice for one person (the bell in the navigation bar)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.text
