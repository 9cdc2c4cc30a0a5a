from django.conf import settings
from django.db import models


class Job(models.Model):
    """Long work done in the background (the year's .zip, a large summary, mass reminders), as the
    person who asked for it sees it: what, for which year, how far, the file, or what went wrong.

    The queue itself is django-tasks' (django_tasks_db.DBTaskResult, `task_id`); this row outlives
    a worker that dies mid-task (jobs.services.jobs_requeue_stale runs it again)."""

    class Kind(models.TextChoices):
        CYCLE_ARCHIVE = "cycle_archive", "年度文件打包"
        SUMMARY = "summary", "结果汇总"
        REMINDERS = "reminders", "批量提醒逾期未提交的书记"
        ROSTER = "roster", "党组织名册导入"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务", max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs"
    )
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="jobs"
    )
    cycle = models.ForeignKey(
        "reports.Cycle", verbose_name="年度", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    file = models.FileField("文件", upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    outcome = models.CharField("结果说明", max_length=300, blank=True)
    error = models.CharField("错误说明", max_length=300, blank=True)
    # Which run is current: a run whose attempt is no longer the job's stops at its next step.
    # A roster import's initial passwords, each batch sealed to the public key in `params` (only
    # the requester's browser holds the private key): [{"usernames": [...], "box": base64}].
    sealed = models.JSONField("密封结果", default=list, blank=True)
    attempts = models.PositiveSmallIntegerField("运行次数", default=0)
    task_id = models.CharField("队列任务", max_length=64, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat")]
        constraints = [
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="jobs_done_within_total"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
