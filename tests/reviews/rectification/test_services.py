"""Rectification services: the problem list at publication, merging, the plan, progress,
销号 and reopening, everything recorded and notified."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from branches.models import Notification
from reviews.models import RectificationEvent, RectificationItem, RectificationPlan
from reviews.rectification.problem_lists import item_edit, items_merge, problem_list_generate
from reviews.rectification.services import (
    item_confirm,
    item_reopen,
    plan_approve,
    plan_return,
    plan_save,
    progress_report,
)
from tests.reviews.rectification.scenes import category, fill_plan

Kind = RectificationEvent.Kind


def by_text(plan, text):
    return plan.items.get(text=text)


def notified(user, fragment):
    return Notification.objects.filter(user=user, text__contains=fragment).exists()


# ---------------------------------------------------------------- the problem list


def test_publication_gives_each_organization_one_item_per_reviewer_problem(published):
    assert sorted(published.plan_a.items.values_list("text", flat=True)) == sorted(
        ["“三会一课”记录不规范", "理论学习不够深入", "三会一课记录不够规范"]
    )
    assert list(published.plan_b.items.values_list("text", flat=True)) == ["党建与业务融合不够"]
    item = by_text(published.plan_a, "理论学习不够深入")
    assert item.category == category("思想政治建设")
    assert [p.review.reviewer for p in item.problems.all()] == [published.reviewer]
    assert published.plan_a.status == RectificationPlan.Status.DRAFTING
    assert published.plan_a.events.filter(kind=Kind.GENERATED).count() == 1


def test_generating_again_changes_nothing(published):
    assert problem_list_generate(cycle=published.cycle, by=published.admin) == 0
    assert RectificationItem.objects.filter(plan__report__cycle=published.cycle).count() == 4


def test_no_problem_list_before_publication(world):
    with pytest.raises(ValidationError, match="公布后"):
        problem_list_generate(cycle=world.cycle, by=world.admin)
    assert not RectificationPlan.objects.exists()


def test_merging_keeps_every_reviewer_who_named_the_problem(published):
    first = by_text(published.plan_a, "“三会一课”记录不规范")
    second = by_text(published.plan_a, "三会一课记录不够规范")

    merged = items_merge(
        plan=published.plan_a, items=[first, second], by=published.admin, text="“三会一课”记录不规范、不完整"
    )

    merged.refresh_from_db()
    assert published.plan_a.items.count() == 2
    assert merged.text == "“三会一课”记录不规范、不完整"
    assert merged.category == category("组织建设")
    assert {p.review.reviewer for p in merged.problems.all()} == {published.reviewer, published.reviewer2}
    # The reviewers' own problems are untouched: the review still says what each named.
    assert second.problems.first().review.problems.filter(text="三会一课记录不够规范").exists()
    event = published.plan_a.events.get(kind=Kind.MERGED)
    assert event.actor == published.admin and "三会一课记录不够规范" in event.text


def test_merging_needs_two_items_of_the_same_plan_and_the_administrator(published):
    item_b = published.plan_b.items.get()
    with pytest.raises(ValidationError):
        items_merge(plan=published.plan_a, items=[published.item_a], by=published.admin)
    with pytest.raises(ValidationError):
        items_merge(plan=published.plan_a, items=[published.item_a, item_b], by=published.admin)
    with pytest.raises(ValidationError, match="管理员"):
        items_merge(plan=published.plan_a, items=published.items_a[:2], by=published.secretary_a)
    with pytest.raises(ValidationError, match="管理员"):
        items_merge(plan=published.plan_a, items=published.items_a[:2], by=published.other_admin)
    assert published.plan_a.items.count() == 3


def test_administrator_edits_text_and_category_and_it_is_recorded(published):
    item = item_edit(item=published.item_a, by=published.admin, text="组织生活记录不规范", category=category("其他"))
    assert (item.text, item.category.name) == ("组织生活记录不规范", "其他")
    assert published.plan_a.events.filter(kind=Kind.EDITED, item=item).exists()
    with pytest.raises(ValidationError):
        item_edit(item=published.item_a, by=published.admin, text="  ", category=category("其他"))


# ---------------------------------------------------------------- the plan


def test_submitting_requires_measures_owner_and_deadline_for_every_item(published):
    item = published.item_a
    with pytest.raises(ValidationError) as error:
        plan_save(plan=published.plan_a, by=published.secretary_a, entries={item.pk: {"measures": "建立台账"}}, submit=True)
    assert f"owner_{item.pk}" in error.value.message_dict
    assert f"deadline_{item.pk}" in error.value.message_dict
    published.plan_a.refresh_from_db()
    assert published.plan_a.status == RectificationPlan.Status.DRAFTING


def test_saving_keeps_a_draft_and_a_bad_date_is_a_field_error(published):
    item = published.item_a
    plan_save(plan=published.plan_a, by=published.secretary_a, entries={item.pk: {"measures": "建立台账", "owner": "王"}})
    item.refresh_from_db()
    assert (item.measures, item.owner, item.deadline) == ("建立台账", "王", None)
    with pytest.raises(ValidationError) as error:
        plan_save(plan=published.plan_a, by=published.secretary_a, entries={item.pk: {"deadline": "明年"}})
    assert f"deadline_{item.pk}" in error.value.message_dict


def test_only_the_organizations_secretary_fills_the_plan(published):
    for user in (published.secretary_b, published.admin, published.reviewer):
        with pytest.raises(ValidationError):
            fill_plan(published.plan_a, user)


def test_submit_notifies_administrators_then_approval_notifies_the_secretary(published):
    fill_plan(published.plan_a, published.secretary_a)
    published.plan_a.refresh_from_db()
    assert published.plan_a.status == RectificationPlan.Status.SUBMITTED
    assert notified(published.admin, "待审核")
    assert not notified(published.other_admin, "待审核")
    with pytest.raises(ValidationError):
        fill_plan(published.plan_a, published.secretary_a)  # locked while waiting

    plan_approve(plan=published.plan_a, by=published.admin)
    published.plan_a.refresh_from_db()
    assert published.plan_a.status == RectificationPlan.Status.APPROVED
    assert published.plan_a.decided_by == published.admin
    assert notified(published.secretary_a, "审核通过")


def test_sending_back_needs_a_reason_and_reopens_the_plan_for_the_secretary(published):
    fill_plan(published.plan_a, published.secretary_a)
    with pytest.raises(ValidationError):
        plan_return(plan=published.plan_a, by=published.admin, reason=" ")
    with pytest.raises(ValidationError):
        plan_return(plan=published.plan_a, by=published.other_admin, reason="措施太笼统")
    plan_return(plan=published.plan_a, by=published.admin, reason="措施太笼统")
    published.plan_a.refresh_from_db()
    assert (published.plan_a.status, published.plan_a.return_reason) == (RectificationPlan.Status.RETURNED, "措施太笼统")
    assert notified(published.secretary_a, "措施太笼统")
    fill_plan(published.plan_a, published.secretary_a)  # editable again
    assert published.plan_a.events.filter(kind=Kind.PLAN_RETURNED, reason="措施太笼统").exists()


def test_merging_and_editing_stop_once_the_plan_is_approved(approved):
    with pytest.raises(ValidationError, match="审核通过"):
        items_merge(plan=approved.plan_a, items=approved.items_a[:2], by=approved.admin)
    with pytest.raises(ValidationError, match="审核通过"):
        item_edit(item=approved.item_a, by=approved.admin, text="x", category=category("其他"))


# ---------------------------------------------------------------- progress, 销号, reopening


def test_progress_needs_an_approved_plan(published):
    with pytest.raises(ValidationError, match="审核通过后"):
        progress_report(item=published.item_a, by=published.secretary_a, text="已开始")


def test_progress_moves_the_item_on_and_completion_is_confirmed_by_the_administrator(approved):
    item = approved.item_a
    progress_report(item=item, by=approved.secretary_a, text="已建立组织生活记录台账")
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.IN_PROGRESS

    progress_report(item=item, by=approved.secretary_a, text="全部整改到位", request_completion=True)
    item.refresh_from_db()
    assert item.completion_requested_at is not None
    assert item.status == RectificationItem.Status.IN_PROGRESS  # the secretary cannot close it alone
    assert notified(approved.admin, "申请")

    with pytest.raises(ValidationError):
        item_confirm(item=item, by=approved.secretary_a)
    item_confirm(item=item, by=approved.admin)
    item.refresh_from_db()
    assert (item.status, item.completed_by) == (RectificationItem.Status.COMPLETED, approved.admin)
    assert notified(approved.secretary_a, "销号")
    with pytest.raises(ValidationError, match="已销号"):
        progress_report(item=item, by=approved.secretary_a, text="补充")

    with pytest.raises(ValidationError):
        item_reopen(item=item, by=approved.admin, reason="")
    item_reopen(item=item, by=approved.admin, reason="台账仍不完整")
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.IN_PROGRESS
    assert item.completed_at is None and item.completion_requested_at is None
    assert notified(approved.secretary_a, "台账仍不完整")
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [Kind.PROGRESS, Kind.PROGRESS, Kind.COMPLETION_REQUESTED, Kind.CONFIRMED, Kind.REOPENED]


def test_progress_text_is_required_and_only_the_secretary_reports(approved):
    with pytest.raises(ValidationError):
        progress_report(item=approved.item_a, by=approved.secretary_a, text="  ")
    with pytest.raises(ValidationError):
        progress_report(item=approved.item_a, by=approved.admin, text="代报")
    with pytest.raises(ValidationError):
        progress_report(item=approved.item_a, by=approved.secretary_b, text="代报")


def test_reopen_is_only_for_completed_or_requested_items(approved):
    with pytest.raises(ValidationError, match="只有已销号或申请销号"):
        item_reopen(item=approved.item_a, by=approved.admin, reason="再看看")


def test_rectification_works_after_the_cycle_is_closed(approved):
    from reviews.results.services import cycle_close

    cycle_close(cycle=approved.cycle, by=approved.admin)
    progress_report(item=approved.item_a, by=approved.secretary_a, text="年度评议结束后继续整改")
    item_confirm(item=approved.item_a, by=approved.admin)
    approved.item_a.refresh_from_db()
    assert approved.item_a.status == RectificationItem.Status.COMPLETED


def test_fill_plan_deadline_is_stored_as_a_date(approved):
    assert approved.item_a.deadline == datetime.date(2026, 6, 30)
