"""The daily rectification reminders (management command rectification_reminders)."""


from django.db import IntegrityError, transaction

from branches.services import notify
from reviews.models import RectificationReminder
from reviews.rectification.common import administrators_of, item_url, plan_url, secretary_of
from reviews.rectification.selectors import rectification_today, reminder_candidates

# ---------------------------------------------------------------- reminders


def _remind_once(key, today):
    """True the first time `key` is reminded today (a unique row per key and day)."""
    try:
        with transaction.atomic():
            RectificationReminder.objects.create(key=key, sent_on=today)
    except IntegrityError:
        return False
    return True


def reminders_send(*, today=None, email=False):
    """The day's reminders: items due within 7 days (secretary), overdue items (secretary and
    administrators), plans waiting for approval (administrators). Each at most once a day.
    Returns the number of notifications sent."""
    today = today or rectification_today()
    due_soon, overdue, waiting = reminder_candidates(today)
    reminders = [
        (
            f"item:{item.pk}:due",
            secretary_of(item.plan),
            f"整改事项“{item.text[:40]}”的时限（{item.deadline:%Y-%m-%d}）"
            + ("今天到期。" if item.deadline == today else f"{(item.deadline - today).days}天后到期。"),
            item_url(item),
        )
        for item in due_soon
    ]
    reminders += [
        (
            f"item:{item.pk}:overdue",
            secretary_of(item.plan) + administrators_of(item.plan),
            f"{item.plan.report.organization}的整改事项“{item.text[:40]}”已逾期（时限 {item.deadline:%Y-%m-%d}）。",
            item_url(item),
        )
        for item in overdue
    ]
    reminders += [
        (f"plan:{plan.pk}:waiting", administrators_of(plan), f"{plan.report.organization}的整改清单等待审核。", plan_url(plan))
        for plan in waiting
    ]
    return sum(
        notify(users=users, text=text, url=url, email=email)
        for key, users, text, url in reminders
        if _remind_once(key, today)
    )
