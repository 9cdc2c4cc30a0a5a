"""Overdue (逾期) is derived from the deadline and today's date in Asia/Shanghai, never stored."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from reviews.models import RectificationItem
from reviews.rectification.selectors import OVERDUE, ledger, rectification_today, with_state
from reviews.rectification.services import item_confirm, progress_report

UTC = datetime.timezone.utc
DEADLINE = datetime.date(2026, 6, 30)


def state(item, today):
    return with_state(RectificationItem.objects.filter(pk=item.pk), today).get().state


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 6, 29), "not_started"),
        (DEADLINE, "not_started"),  # the deadline day itself is still in time
        (datetime.date(2026, 7, 1), OVERDUE),
    ],
)
def test_overdue_starts_the_day_after_the_deadline(approved, today, expected):
    assert state(approved.item_a, today) == expected
    assert approved.item_a.is_overdue(today) == (expected == OVERDUE)


def test_completed_items_are_never_overdue_and_in_progress_ones_are(approved):
    late = datetime.date(2026, 8, 1)
    first, second = approved.items_a[:2]
    progress_report(item=first, by=approved.secretary_a, text="推进中")
    progress_report(item=second, by=approved.secretary_a, text="完成")
    item_confirm(item=second, by=approved.admin)
    assert state(first, late) == OVERDUE
    assert state(second, late) == RectificationItem.Status.COMPLETED


def test_items_without_a_deadline_are_not_overdue(published):
    assert state(published.item_a, datetime.date(2030, 1, 1)) == "not_started"


@pytest.mark.parametrize(
    ("utc_now", "local_date", "overdue"),
    [
        # 23:59 on 30 June in Shanghai is 15:59 UTC: still the deadline day.
        (datetime.datetime(2026, 6, 30, 15, 59, tzinfo=UTC), datetime.date(2026, 6, 30), False),
        # 00:01 on 1 July in Shanghai is still 30 June in UTC: already overdue.
        (datetime.datetime(2026, 6, 30, 16, 1, tzinfo=UTC), datetime.date(2026, 7, 1), True),
    ],
)
def test_today_is_the_date_in_shanghai_around_midnight(approved, utc_now, local_date, overdue):
    with mock.patch.object(timezone, "now", return_value=utc_now):
        today = rectification_today()
    assert today == local_date
    assert (state(approved.item_a, today) == OVERDUE) is overdue


def test_ledger_counts_overdue_first_and_completion_rates(approved):
    late = datetime.date(2026, 7, 1)
    first = approved.items_a[0]
    progress_report(item=first, by=approved.secretary_a, text="完成")
    item_confirm(item=first, by=approved.admin)

    data = ledger(approved.cycle, late)

    counts = {state: count for state, _label, count in data["state_counts"]}
    assert counts == {"not_started": 1, "in_progress": 0, OVERDUE: 2, "completed": 1}
    assert data["total"] == 4 and data["completion_rate"] == 25
    assert [item.state for item in data["items"]][:2] == [OVERDUE, OVERDUE]
    assert data["items"][-1].state in ("not_started", "completed")
    lines = {line.plan.report.organization.name: line for line in data["lines"]}
    assert (lines["甲社区党支部"].total, lines["甲社区党支部"].completed, lines["甲社区党支部"].overdue) == (3, 1, 2)
    assert lines["甲社区党支部"].completion_rate == 33
    assert lines["乙社区党支部"].completion_rate == 0
    by_category = {row["category__name"]: row for row in data["by_category"]}
    assert by_category["组织建设"]["total"] == 2 and by_category["组织建设"]["completed"] + by_category["组织建设"]["overdue"] == 2
