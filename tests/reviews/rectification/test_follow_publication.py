"""Issue 13: the problem list follows the publication — generated from the frozen sheet,
regenerated on republication while not approved, offered as a merge once approved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.models import Problem, ProblemListProposal, RectificationEvent, RectificationPlan, Review
from reviews.rectification.problem_lists import problem_list_generate, proposal_decide
from reviews.rectification.services import plan_approve, progress_report
from reviews.results.services import cycle_publish, cycle_withdraw, results_compute
from tests.factories import INCOMPLETE_OK
from tests.reviews.helpers import submit_review
from tests.reviews.rectification.scenes import category, fill_plan


def republish(w, problems):
    """Withdraw, let the first reviewer name `problems` on report_a instead, recompute, publish again."""
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="补充问题")
    submit_review(w.report_a, w.reviewer, 90, problems=problems)
    results_compute(cycle=w.cycle, by=w.admin)
    return cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)


def texts(plan):
    return sorted(plan.items.values_list("text", flat=True))


def test_the_list_comes_from_the_snapshot_not_from_live_reviews(published):
    w = published
    assert texts(w.plan_a) == ["“三会一课”记录不规范", "三会一课记录不够规范", "理论学习不够深入"]
    # A problem appearing in live data after publication (a data fix) does not reach the list.
    review = Review.objects.get(report=w.report_b)
    Problem.objects.create(review=review, text="事后加的问题", category=category("其他"))
    w.plan_b.delete()
    assert problem_list_generate(cycle=w.cycle, by=w.admin) == 1
    assert texts(RectificationPlan.objects.get(report=w.report_b)) == ["党建与业务融合不够"]


def test_no_list_during_withdrawal(published):
    w = published
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核")
    with pytest.raises(ValidationError, match="公布后"):
        problem_list_generate(cycle=w.cycle, by=w.admin)


def test_a_list_not_yet_approved_is_regenerated_keeping_what_still_applies(published):
    w = published
    fill_plan(w.plan_a, w.secretary_a)  # submitted, not approved
    republish(w, [{"text": "“三会一课”记录不规范", "category": category("组织建设")}, {"text": "发展党员程序不规范", "category": category("组织建设")}])
    w.plan_a.refresh_from_db()
    assert w.plan_a.status == RectificationPlan.Status.DRAFTING
    assert texts(w.plan_a) == ["“三会一课”记录不规范", "三会一课记录不够规范", "发展党员程序不规范"]
    kept = w.plan_a.items.get(text="“三会一课”记录不规范")
    assert kept.measures == "针对““三会一课”记录不规范”建立台账，每月检查" and kept.owner == "王书记"
    assert w.plan_a.items.get(text="发展党员程序不规范").measures == ""
    assert w.plan_a.events.filter(kind=RectificationEvent.Kind.REGENERATED).count() == 1
    # report_b's problems did not change: its list is left alone.
    assert not w.plan_b.events.filter(kind=RectificationEvent.Kind.REGENERATED).exists()


def test_an_approved_list_is_offered_the_changes_never_applied_silently(approved, client):
    w = approved
    before = texts(w.plan_a)
    republish(w, [{"text": "“三会一课”记录不规范", "category": category("组织建设")}, {"text": "发展党员程序不规范", "category": category("组织建设")}])
    w.plan_a.refresh_from_db()
    assert w.plan_a.status == RectificationPlan.Status.APPROVED and texts(w.plan_a) == before
    proposals = {(p.kind, p.text): p for p in ProblemListProposal.objects.filter(plan=w.plan_a)}
    assert set(proposals) == {("add", "发展党员程序不规范"), ("remove", "理论学习不够深入")}
    removal = proposals[("remove", "理论学习不够深入")]
    assert removal.item.text == "理论学习不够深入"

    client.force_login(w.admin)
    ledger = client.get(reverse("reviews:rectification_ledger", args=[w.cycle.pk])).content.decode()
    assert 'id="ledger-proposals"' in ledger and "发展党员程序不规范" in ledger
    page = client.get(reverse("reviews:rectification_plan", args=[w.plan_a.pk])).content.decode()
    assert 'id="plan-proposals"' in page and "加入问题清单" in page and "从问题清单删除" in page
    client.force_login(w.secretary_a)
    assert 'id="plan-proposals"' not in client.get(reverse("reviews:rectification_plan", args=[w.plan_a.pk])).content.decode()
    assert client.post(reverse("reviews:rectification_proposal_decide", args=[removal.pk]), {"action": "accept"}).status_code == 404

    client.force_login(w.admin)
    client.post(reverse("reviews:rectification_proposal_decide", args=[proposals[("add", "发展党员程序不规范")].pk]), {"action": "accept"})
    assert "发展党员程序不规范" in texts(w.plan_a)
    proposal_decide(proposal=removal, by=w.admin, accept=False)
    assert "理论学习不够深入" in texts(w.plan_a)
    with pytest.raises(ValidationError, match="已处理"):
        proposal_decide(proposal=removal, by=w.admin, accept=True)
    kinds = list(w.plan_a.events.values_list("kind", flat=True))
    assert RectificationEvent.Kind.PROPOSAL_ACCEPTED in kinds and RectificationEvent.Kind.PROPOSAL_DISMISSED in kinds


def test_a_removal_with_progress_is_refused(approved):
    w = approved
    item = w.plan_a.items.get(text="理论学习不够深入")
    progress_report(item=item, by=w.secretary_a, text="已组织专题学习")
    republish(w, [{"text": "“三会一课”记录不规范", "category": category("组织建设")}])
    removal = ProblemListProposal.objects.get(plan=w.plan_a, kind="remove")
    with pytest.raises(ValidationError, match="已有整改进展"):
        proposal_decide(proposal=removal, by=w.admin, accept=True)
    assert w.plan_a.items.filter(pk=item.pk).exists()


def test_regeneration_keeps_the_plans_history(published):
    w = published
    merged = published.items_a[:2]
    from reviews.rectification.problem_lists import items_merge

    items_merge(plan=w.plan_a, items=merged, by=w.admin, text="三会一课记录问题")
    republish(w, [{"text": "发展党员程序不规范", "category": category("组织建设")}])
    event = w.plan_a.events.get(kind=RectificationEvent.Kind.MERGED)
    assert event.item is None and "三会一课记录问题" in event.text


def test_a_change_offered_by_a_withdrawn_publication_cannot_be_accepted(approved):
    """An offer belongs to the publication that made it: once that publication is withdrawn,
    accepting it would change an approved list after results the secretaries no longer see
    (or that a later publication contradicts); it may only be dismissed."""
    w = approved
    before = texts(w.plan_a)
    republish(w, [{"text": "“三会一课”记录不规范", "category": category("组织建设")}, {"text": "发展党员程序不规范", "category": category("组织建设")}])
    addition = ProblemListProposal.objects.get(plan=w.plan_a, kind="add", text="发展党员程序不规范")
    # Withdrawn and published again without that problem: the old offer to add it is stale.
    republish(w, [{"text": "“三会一课”记录不规范", "category": category("组织建设")}])
    with pytest.raises(ValidationError, match="撤回"):
        proposal_decide(proposal=addition, by=w.admin, accept=True)
    assert texts(w.plan_a) == before
    proposal_decide(proposal=addition, by=w.admin, accept=False)  # dismissing it stays possible
    # During a withdrawal nothing is accepted either.
    republish(w, [{"text": "“三会一课”记录不规范", "category": category("组织建设")}, {"text": "党费收缴不及时", "category": category("组织建设")}])
    fresh = ProblemListProposal.objects.get(plan=w.plan_a, kind="add", text="党费收缴不及时")
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核")
    with pytest.raises(ValidationError, match="撤回"):
        proposal_decide(proposal=fresh, by=w.admin, accept=True)
    assert "党费收缴不及时" not in texts(w.plan_a)


def test_a_list_is_not_approved_while_the_results_are_withdrawn(published):
    """Approving fixes a list; while the results are withdrawn it may still change with the next
    publication (a list not yet approved is regenerated then), so approval waits for it."""
    w = published
    fill_plan(w.plan_a, w.secretary_a)  # submitted
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核")
    with pytest.raises(ValidationError, match="撤回"):
        plan_approve(plan=w.plan_a, by=w.admin)
    w.plan_a.refresh_from_db()
    assert w.plan_a.status == RectificationPlan.Status.SUBMITTED
    # Published again, the list follows the new sheet (regenerated: it was never approved).
    submit_review(w.report_a, w.reviewer, 90, problems=[{"text": "发展党员程序不规范", "category": category("组织建设")}])
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    w.plan_a.refresh_from_db()
    assert w.plan_a.status == RectificationPlan.Status.DRAFTING and "发展党员程序不规范" in texts(w.plan_a)
