"""The review meeting (述职评议会): its day as the administrator runs it — attendance
(签到), the agenda of speeches in speaking order (by hand or drawn by lot), the timer,
questions asked on the spot, and what the projector page (大屏) shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from reports.models import Cycle, Report
from reviews.models.ballots import VoterGroup


class Meeting(models.Model):
    """One per cycle. The big screen is opened by `screen_token` (no login; rotating it
    revokes the old link); phones check in through `checkin_token`."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "准备中"
        RUNNING = "running", "进行中"
        FINISHED = "finished", "已结束"

    class Screen(models.TextChoices):
        WELCOME = "welcome", "会议名称"
        CHECKIN = "checkin", "扫码签到"
        SPEECH = "speech", "当前述职"
        VOTING = "voting", "扫码测评"
        RESULTS = "results", "测评结果"

    cycle = models.OneToOneField(Cycle, verbose_name="年度述职评议", on_delete=models.CASCADE, related_name="meeting")
    title = models.CharField("会议名称", max_length=120)
    date = models.DateField("会议日期", null=True, blank=True)
    place = models.CharField("会议地点", max_length=120, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PREPARING)
    screen = models.CharField("大屏显示", max_length=20, choices=Screen.choices, default=Screen.WELCOME)
    screen_token = models.CharField(max_length=64, unique=True)
    checkin_token = models.CharField(max_length=64, unique=True)
    current_speech = models.ForeignKey(
        "reviews.Speech", verbose_name="当前述职", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    results_revealed = models.BooleanField("大屏显示测评结果", default=False)
    drawn_at = models.DateTimeField("抽签时间", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    draw_seed = models.CharField("抽签随机种子", max_length=64, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "述职评议会"
        verbose_name_plural = "述职评议会"

    def __str__(self):
        return self.title


class Speech(models.Model):
    """One secretary's 述职 on the agenda. The timer is `elapsed_seconds` banked before the last
    pause plus the time since `running_since` while it runs."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speeches")
    report = models.ForeignKey(Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="speeches")
    order = models.PositiveIntegerField("述职顺序", default=0)
    in_writing = models.BooleanField("书面述职", default=False)
    time_limit_minutes = models.PositiveSmallIntegerField("限时（分钟）", default=10)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "述职"
        verbose_name_plural = "述职"
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "report"], name="speech_unique_report"),
            models.CheckConstraint(condition=Q(time_limit_minutes__gte=1) & Q(time_limit_minutes__lte=120), name="speech_time_limit_range"),
        ]

    def __str__(self):
        return str(self.report.organization)


class Attendee(models.Model):
    """A person expected at the meeting in one voter group (应到); checked in (实到) by
    scanning the check-in code or ticked by the administrator (`checked_in_by`)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    group = models.ForeignKey(VoterGroup, verbose_name="测评人类别", on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField("姓名", max_length=30)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The phone that checked in (a random id in its cookie): the host sees one phone signing for several.
    checked_in_device = models.CharField("签到设备", max_length=16, blank=True)

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["meeting", "group__order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "group", "name"], name="attendee_unique_name")]

    def __str__(self):
        return self.name


class MeetingQuestion(models.Model):
    """A question asked on the spot during a speech, with the summary of the answer."""

    speech = models.ForeignKey(Speech, on_delete=models.CASCADE, related_name="questions")
    asker = models.CharField("提问人", max_length=30)
    text = models.TextField("问题")
    answer = models.TextField("答复要点", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "现场提问"
        verbose_name_plural = "现场提问"
        ordering = ["speech", "recorded_at", "id"]
