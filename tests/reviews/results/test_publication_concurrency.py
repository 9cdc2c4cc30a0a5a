"""Issue 13: compute, publish, withdraw, close and approving a plan are idempotent under
concurrency — five parallel clicks give one state change, one audit entry, one notice per person.

Each thread has its own database connection. On PostgreSQL the cycle's (or plan's) row lock
serialises them and each re-checks the state inside the lock; on SQLite, IMMEDIATE transactions
do. As in tests/abuse/test_concurrent_reviews.py, on SQLite the scene runs in a child process
against a database file (the in-memory shared-cache test database fails a second writer at once)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from tests.concurrency import run_scene

CLICKS = 5


def at_once(call):
    """Run `call` from CLICKS threads released together: (successes, refusal messages, unexpected errors)."""
    from django.core.exceptions import ValidationError

    start = threading.Barrier(CLICKS)
    successes, refusals, unexpected = [], [], []

    def click():
        try:
            start.wait(timeout=10)
            call()
            successes.append(1)
        except ValidationError as error:
            refusals.extend(error.messages)
        except Exception as error:  # reported by the caller
            unexpected.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return len(successes), refusals, unexpected


def five_clicks_on_everything():
    from decimal import Decimal

    from branches.models import AuditEntry, Notification
    from reviews.models import Publication, RectificationEvent, RectificationPlan
    from reviews.rectification.services import plan_approve
    from reviews.results.services import cycle_close, cycle_publish, cycle_withdraw, results_compute
    from reviews.services import routine_scores_set
    from tests.factories import build_world
    from tests.reviews.helpers import submit_report
    from tests.reviews.rectification.scenes import fill_plan
    from tests.reviews.results.test_publication import complete

    w = build_world()
    submit_report(w.report_a)
    submit_report(w.report_b)
    complete(w)
    Action = AuditEntry.Action

    def audits(action):
        return AuditEntry.objects.filter(action=action).count()

    def notices(fragment):
        return Counter(Notification.objects.filter(text__contains=fragment).values_list("user_id", flat=True))

    secretaries = {w.secretary_a.pk: 1, w.secretary_b.pk: 1}

    # Compute: stale after a routine score changed; five clicks, one computation.
    routine_scores_set(cycle=w.cycle, scores={w.report_b.pk: Decimal("85")}, by=w.admin)
    computed = audits(Action.RESULTS_COMPUTED)
    done, _refusals, unexpected = at_once(lambda: results_compute(cycle=w.cycle, by=w.admin))
    assert unexpected == [] and done == CLICKS, unexpected
    assert audits(Action.RESULTS_COMPUTED) == computed + 1

    # Publish.
    done, refusals, unexpected = at_once(lambda: cycle_publish(cycle=w.cycle, by=w.admin))
    assert unexpected == [], unexpected
    assert done == 1 and refusals == ["本年度结果已公布。"] * (CLICKS - 1)
    assert Publication.objects.count() == 1 and audits(Action.CYCLE_PUBLISHED) == 1
    assert notices("结果已公布") == secretaries
    assert RectificationPlan.objects.count() == 1
    assert RectificationEvent.objects.filter(kind=RectificationEvent.Kind.GENERATED).count() == 1

    # Withdraw.
    done, refusals, unexpected = at_once(lambda: cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核评分"))
    assert unexpected == [], unexpected
    assert done == 1 and refusals == ["本年度结果当前未公布，无需撤回。"] * (CLICKS - 1)
    assert audits(Action.CYCLE_WITHDRAWN) == 1 and notices("复核评分") == secretaries

    # Publish again (the same results), then approve the plan.
    cycle_publish(cycle=w.cycle, by=w.admin)
    plan = RectificationPlan.objects.get()
    fill_plan(plan, w.secretary_a)
    done, refusals, unexpected = at_once(lambda: plan_approve(plan=plan, by=w.admin))
    assert unexpected == [], unexpected
    assert done == 1 and refusals == ["只有待审核的整改清单可以审核。"] * (CLICKS - 1)
    assert plan.events.filter(kind=RectificationEvent.Kind.PLAN_APPROVED).count() == 1
    assert notices("整改清单已审核通过") == {w.secretary_a.pk: 1}

    # Close.
    done, refusals, unexpected = at_once(lambda: cycle_close(cycle=w.cycle, by=w.admin))
    assert unexpected == [], unexpected
    assert done == 1 and len(refusals) == CLICKS - 1 and audits(Action.CYCLE_CLOSED) == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_clicks_change_the_state_once(tmp_path):
    run_scene(five_clicks_on_everything, tmp_path=tmp_path)
