"""Reminders to secretaries: one by one, all the late ones, and the deadline notice (3 days before)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Notification
from branches.services import notify
from reports.models import Cycle, Report
from reviews.console.progress import late_reports

DEADLINE_NOTICE_DAYS = 3


def deadline_label(when):
    return f"{timezone.localtime(when):%Y年%-m月%-d日 %H:%M}"


def reminder_text(report):
    cycle = report.cycle
    if cycle.is_past_deadline:
        return f"《{cycle.title}》述职报告已过提交截止时间（{deadline_label(cycle.submission_deadline)}），请尽快完成并提交。"
    return f"请按时完成并提交《{cycle.title}》述职报告，截止时间：{deadline_label(cycle.submission_deadline)}。"


def _notify_by_text(texts):
    """notify() once per distinct text: {text: [users]} (a cycle's reminders share one text)."""
    for text, users in texts.items():
        notify(users=users, text=text, url=reverse("reports:home"), email=True)


def _remind(reports):
    texts = {}
    for report in reports:
        texts.setdefault(reminder_text(report), []).append(report.organization.secretary)
    _notify_by_text(texts)
    return sum(len(users) for users in texts.values())


@transaction.atomic
def reminder_send(*, report, by):
    """Remind one report's secretary to submit."""
    if report.status == Report.Status.SUBMITTED:
        raise ValidationError(f"{report.organization}的述职报告已提交，无需提醒。")
    if report.organization.secretary_id is None:
        raise ValidationError(f"{report.organization}尚未设置书记，无法提醒。")
    if not report.cycle.accepts_reports:
        raise ValidationError("本年度述职报告收集已结束。")
    return _remind([report])


@transaction.atomic
def reminders_send_late(*, cycle, by):
    """Remind every late secretary of the cycle (not submitted, past the deadline). Returns how many."""
    if not cycle.accepts_reports:
        raise ValidationError("本年度述职报告收集已结束。")
    return _remind(late_reports(cycle))


@transaction.atomic
def deadline_reminders_send(*, now=None):
    """Tell the secretaries who have not submitted that the deadline is at most 3 days away.

    Idempotent per day: a secretary already told today about a report is not told again.
    Returns the number of notices sent."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    reports = list(
        Report.objects.filter(
            cycle__status__in=[Cycle.Status.COLLECTING, Cycle.Status.REVIEWING],
            cycle__submission_deadline__gt=now,
            cycle__submission_deadline__lte=now + datetime.timedelta(days=DEADLINE_NOTICE_DAYS),
            status__in=[Report.Status.NOT_STARTED, Report.Status.DRAFT, Report.Status.RETURNED],
            organization__secretary__isnull=False,
        ).select_related("cycle", "organization__secretary")
    )
    texts = {report.pk: deadline_text(report) for report in reports}
    already = set(
        Notification.objects.filter(created_at__gte=start_of_day, text__in=set(texts.values())).values_list(
            "user_id", "text"
        )
    )
    to_send = {}
    for report in reports:
        secretary = report.organization.secretary
        if (secretary.pk, texts[report.pk]) not in already:
            to_send.setdefault(texts[report.pk], []).append(secretary)
            already.add((secretary.pk, texts[report.pk]))
    _notify_by_text(to_send)
    return sum(len(users) for users in to_send.values())


def deadline_text(report):
    # One text per cycle, so that a cycle's notices are written at once.
    return f"《{report.cycle.title}》述职报告将于 {deadline_label(report.cycle.submission_deadline)} 截止提交，请抓紧完成。"
