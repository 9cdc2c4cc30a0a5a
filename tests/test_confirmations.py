"""Guard: every irreversible action goes through the one confirmation step (branches.confirmations,
templates/_confirmation.html), the same way. Through the client, one action after another in one
year: the GET renders the step and changes nothing; a POST without the tick changes nothing (400,
with the message); a POST with it acts. A new irreversible action gets a line in ACTIONS."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from branches.confirmations import Confirmation, confirm_then, is_confirmed
from reports.models import Cycle, Report
from reports.services import report_save_draft
from reviews.ballots.selectors import evaluation_of
from reviews.models import Evaluation, RectificationItem, RectificationPlan
from reviews.rectification.services import progress_report
from tests.factories import INCOMPLETE_OK
from tests.reviews.ballots.helpers import setup_evaluation
from tests.reviews.helpers import submit_report
from tests.reviews.rectification.scenes import fill_plan
from tests.reviews.results.test_publication import complete

# (URL name, who acts, the URL's argument, extra POST data, has it happened?) in the order of a year.
ACTIONS = [
    ("reports:submit", "secretary_a", lambda w: w.report_a.pk, {}, lambda w: Report.objects.get(pk=w.report_a.pk).is_submitted),
    ("reviews:evaluation_open", "admin", lambda w: w.cycle.pk, {}, lambda w: evaluation_of(w.cycle).status == Evaluation.Status.OPEN),
    ("reviews:evaluation_close", "admin", lambda w: w.cycle.pk, {}, lambda w: evaluation_of(w.cycle).status == Evaluation.Status.CLOSED),
    ("reviews:cycle_publish", "admin", lambda w: w.cycle.pk, {"reason": INCOMPLETE_OK}, lambda w: published(w)),
    ("reviews:cycle_withdraw", "admin", lambda w: w.cycle.pk, {"reason": "复核评分"}, lambda w: not Cycle.objects.get(pk=w.cycle.pk).is_published),
    ("reviews:cycle_publish", "admin", lambda w: w.cycle.pk, {"reason": INCOMPLETE_OK}, lambda w: published(w)),
    ("reviews:rectification_plan_decide", "admin", lambda w: w.plan.pk, {"action": "approve"}, lambda w: RectificationPlan.objects.get(pk=w.plan.pk).status == RectificationPlan.Status.APPROVED),
    ("reviews:rectification_item_confirm", "admin", lambda w: w.item.pk, {}, lambda w: RectificationItem.objects.get(pk=w.item.pk).status == RectificationItem.Status.COMPLETED),
    ("reviews:cycle_close", "admin", lambda w: w.cycle.pk, {}, lambda w: Cycle.objects.get(pk=w.cycle.pk).is_closed),
]


def published(w):
    return Cycle.objects.get(pk=w.cycle.pk).is_published


def prepare(w, name):
    """What has to be true before the action `name` can be done (through the services)."""
    if name == "reports:submit":
        report_save_draft(
            report=w.report_a,
            by=w.secretary_a,
            data={"performance": "一、履职情况", "problems": "二、存在问题", "plans": "三、下一步打算"},
            base_revision=None,
        )
    elif name == "reviews:evaluation_open":
        submit_report(w.report_b)
        setup_evaluation(w.cycle, w.admin)
    elif name == "reviews:cycle_publish" and not hasattr(w, "plan"):
        complete(w)  # both reports reviewed, routine scores, results computed
    elif name == "reviews:rectification_plan_decide":
        w.plan = RectificationPlan.objects.get(report=w.report_a)
        fill_plan(w.plan, w.secretary_a)
    elif name == "reviews:rectification_item_confirm":
        w.item = w.plan.items.first()
        progress_report(item=w.item, by=w.secretary_a, text="已完成", request_completion=True)


def test_every_irreversible_action_confirms_the_same_way(client, world):
    w = world
    for name, role, argument, data, happened in ACTIONS:
        prepare(w, name)
        client.force_login(getattr(w, role))
        url = reverse(name, args=[argument(w)])

        page = client.get(url)
        assert page.status_code == 200, name
        assert "_confirmation.html" in [t.name for t in page.templates], name
        html = page.content.decode()
        assert 'id="consequences"' in html and 'name="confirm" value="1"' in html and "我已了解上述后果" in html, name
        assert not happened(w), f"{name}: a GET acted"

        refused = client.post(url, data)
        assert refused.status_code == 400, name
        assert "请勾选“我已了解上述后果”后再" in refused.content.decode(), name
        assert not happened(w), f"{name}: acted without the tick"

        done = client.post(url, {**data, "confirm": "1"})
        assert done.status_code == 302, (name, done.content.decode()[:300])
        assert happened(w), f"{name}: did not act once confirmed"


# ---------------------------------------------------------------- the helper itself


def _confirmation(**kwargs):
    return Confirmation(title="结束本年度评议", consequences=["全部锁定"], cancel_url="/back/", **kwargs)


@pytest.mark.parametrize(
    "method, data, acted, status",
    [("get", {}, False, 200), ("post", {}, False, 400), ("post", {"confirm": "0"}, False, 400), ("post", {"confirm": "1"}, True, 302)],
)
def test_confirm_then_acts_only_on_a_ticked_post(rf: RequestFactory, admin_user, method, data, acted, status):
    calls = []
    request = getattr(rf, method)("/x/", data)
    request.user = admin_user

    def act():
        from django.http import HttpResponseRedirect

        calls.append(1)
        return HttpResponseRedirect("/done/")

    response = confirm_then(request, _confirmation(), act)
    assert response.status_code == status and bool(calls) == acted
    assert is_confirmed(request) == acted


def test_a_blocked_confirmation_never_acts_and_offers_no_form(rf, admin_user):
    request = rf.post("/x/", {"confirm": "1"})
    request.user = admin_user
    response = confirm_then(request, _confirmation(blocked="结果尚未公布，不能结束。"), lambda: pytest.fail("acted"))
    html = response.content.decode()
    assert response.status_code == 400 and "结果尚未公布，不能结束。" in html and 'name="confirm"' not in html


def test_an_act_returning_nothing_shows_the_page_again(rf, admin_user):
    request = rf.post("/x/", {"confirm": "1"})
    request.user = admin_user
    response = confirm_then(request, _confirmation(), lambda: None)
    assert response.status_code == 400 and "确认结束本年度评议" in response.content.decode()
