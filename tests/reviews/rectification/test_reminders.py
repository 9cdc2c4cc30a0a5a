"""Reminders: due within 7 days, overdue, plans waiting — at most once a day per thing."""

import datetime

from django.core import mail
from django.core.management import call_command

from branches.models import Notification
from reviews.rectification.reminders import reminders_send
from reviews.rectification.services import item_confirm, progress_report
from tests.reviews.rectification.scenes import fill_plan

DEADLINE = datetime.date(2026, 6, 30)


def texts(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_due_soon_reminds_the_secretary_once_a_day(approved):
    Notification.objects.all().delete()
    assert reminders_send(today=DEADLINE - datetime.timedelta(days=7)) == 3
    assert reminders_send(today=DEADLINE - datetime.timedelta(days=7)) == 0  # same day: nothing again
    assert len(texts(approved.secretary_a)) == 3 and all("7天后到期" in t for t in texts(approved.secretary_a))
    assert texts(approved.admin) == []
    assert reminders_send(today=DEADLINE - datetime.timedelta(days=6)) == 3  # the next day: again


def test_nothing_due_more_than_a_week_ahead(approved):
    Notification.objects.all().delete()
    assert reminders_send(today=DEADLINE - datetime.timedelta(days=8)) == 0


def test_overdue_reminds_secretary_and_administrators_and_completed_items_are_left_alone(approved):
    Notification.objects.all().delete()
    done = approved.items_a[0]
    progress_report(item=done, by=approved.secretary_a, text="完成")
    item_confirm(item=done, by=approved.admin)
    Notification.objects.all().delete()

    sent = reminders_send(today=DEADLINE + datetime.timedelta(days=1))

    assert sent == 4  # two open items × (secretary + administrator)
    assert all("已逾期" in t for t in texts(approved.secretary_a))
    assert len(texts(approved.admin)) == 2
    assert texts(approved.other_admin) == []


def test_plans_waiting_for_approval_remind_administrators(published):
    fill_plan(published.plan_b, published.secretary_b)
    Notification.objects.all().delete()
    reminders_send(today=datetime.date(2026, 3, 1))
    assert texts(published.admin) == ["乙社区党支部的整改清单等待审核。"]
    assert texts(published.secretary_b) == []


def test_command_sends_email_when_asked(approved, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    approved.secretary_a.email = "a@example.com"
    approved.secretary_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rectification_reminders", "--date", "2026-06-28", "--email", stdout=None)
    assert len(mail.outbox) == 3
    assert "到期" in mail.outbox[0].subject
    call_command("rectification_reminders", "--date", "2026-06-28")
    assert len(mail.outbox) == 3
