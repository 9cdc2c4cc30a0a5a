"""Issue 13: published results are an official record — gaps and a reason before publishing,
staleness by fingerprint, a frozen snapshot per organization, locks, withdrawal, republication
that records and tells only what changed, and per-cycle random reviewer pseudonyms."""

import io
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from pypdf import PdfReader

from branches.models import AuditEntry, Notification
from reviews.common import REVIEW_LOCKED_MESSAGE
from reviews.models import (
    Grade,
    ProblemCategory,
    Publication,
    PublishedResult,
    Result,
    ResultSettings,
    Review,
    ReviewerPseudonym,
    Score,
)
from reviews.results.documents import result_pdf_for_report
from reviews.results.selectors import publication_gaps, results_state
from reviews.results.services import cycle_close, cycle_publish, cycle_withdraw, result_override, results_compute
from reviews.results.summary import summary_workbook
from reviews.rubric_services import result_settings_update
from reviews.selectors import published_sheet, reviewer_pseudonyms
from reviews.services import assignment_add, reviewer_pseudonyms_draw, routine_scores_set
from tests.factories import UserFactory
from tests.reviews.helpers import submit_review


def organizing():
    return ProblemCategory.objects.get(name="组织建设")


def complete(w):
    """Both reports reviewed, routine scores entered, results computed: nothing missing."""
    submit_review(w.report_a, w.reviewer, 92, comment="甲支部工作有特色。", problems=[{"text": "台账不规范", "category": organizing()}])
    submit_review(w.report_b, w.reviewer, 70, comment="乙支部需加强。")
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90, w.report_b.pk: 80}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    return w


def notices(user, fragment):
    return Notification.objects.filter(user=user, text__contains=fragment).count()


def pdf_text(content):
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


# ---------------------------------------------------------------- before publishing


def test_gaps_name_unsubmitted_reports_missing_reviews_scores_and_stale_results(world):
    from tests.reviews.helpers import submit_report

    submit_report(world.report_a)
    results_compute(cycle=world.cycle, by=world.admin)
    gaps = publication_gaps(world.cycle)
    reviewer = world.reviewer.display_name
    assert gaps == [
        "1份述职报告未提交或退回修改中：乙社区党支部",
        f"{reviewer}尚未提交1份评议：甲社区党支部",
        "2个党组织缺日常考核得分（权重40%）：甲社区党支部、乙社区党支部",
    ]
    # A ballot weight makes missing ballot scores a gap; the settings change makes the results stale.
    result_settings_update(
        settings=world.cycle.result_settings, data={"review_weight": D(50), "routine_weight": D(30), "ballot_weight": D(20)}, by=world.admin
    )
    gaps = publication_gaps(world.cycle)
    assert "2个党组织缺民主测评得分（权重20%）：甲社区党支部、乙社区党支部" in gaps
    assert gaps[-1] == "结果计算后评议、得分、设置或测评结果有变动，须重新计算。"


def test_a_complete_cycle_has_no_gaps_and_publishes_without_a_reason(submitted):
    w = complete(submitted)
    assert publication_gaps(w.cycle) == []
    publication = cycle_publish(cycle=w.cycle, by=w.admin)
    assert publication.reason == "" and publication.incomplete == []



def test_a_review_of_a_superseded_version_is_a_gap(submitted):
    """A report sent back and submitted again after it was reviewed: the reviewer's queue no longer
    counts that review as done (it scores the old text), so publishing must not call it complete."""
    from reports.services import report_return
    from tests.reviews.helpers import submit_report

    w = complete(submitted)
    report_return(report=w.report_a, by=w.admin, reason="请补充数据")
    submit_report(w.report_a, text="一、履职情况：补充了数据。")
    gaps = publication_gaps(w.cycle)
    assert gaps == [f"{w.reviewer.display_name}的1份评议针对重新提交前的旧版报告：甲社区党支部"]
    with pytest.raises(ValidationError):
        cycle_publish(cycle=w.cycle, by=w.admin)
    # Reviewed again against the new version: complete.
    submit_review(w.report_a, w.reviewer, 93, comment="补充后更扎实。")
    results_compute(cycle=w.cycle, by=w.admin)
    assert publication_gaps(w.cycle) == []


def test_a_submitted_report_nobody_reviews_is_a_gap(submitted):
    """With its reviewers unassigned, a report has no review, no total and no grade ("— — —"), yet
    no reviewer owes a review: the gap is the report's."""
    from reviews.models import Assignment
    from reviews.services import assignment_remove

    w = submitted
    submit_review(w.report_a, w.reviewer, 90)
    for assignment in Assignment.objects.filter(report=w.report_b):
        assignment_remove(assignment=assignment, by=w.admin)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90, w.report_b.pk: 80}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    assert Result.objects.get(report=w.report_b).total is None
    assert publication_gaps(w.cycle) == ["1份已提交的述职报告没有评议人，也没有评议：乙社区党支部"]
    with pytest.raises(ValidationError):
        cycle_publish(cycle=w.cycle, by=w.admin)

def test_publishing_incomplete_results_needs_a_reason_kept_in_the_audit_log(submitted):
    w = submitted
    submit_review(w.report_a, w.reviewer, 92)
    results_compute(cycle=w.cycle, by=w.admin)
    with pytest.raises(ValidationError) as error:
        cycle_publish(cycle=w.cycle, by=w.admin, reason="  ")
    assert "请填写理由" in error.value.message_dict["reason"][0]
    assert not Publication.objects.exists() and not Notification.objects.filter(text__contains="结果已公布").exists()

    publication = cycle_publish(cycle=w.cycle, by=w.admin, reason="乙支部书记病休，经党工委会议研究先行公布")
    assert publication.reason == "乙支部书记病休，经党工委会议研究先行公布"
    assert any("尚未提交1份评议" in gap for gap in publication.incomplete)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CYCLE_PUBLISHED)
    assert entry.reason == publication.reason and entry.changes["incomplete"] == publication.incomplete


# ---------------------------------------------------------------- staleness


def test_any_input_changed_behind_the_services_back_makes_results_stale(submitted):
    w = complete(submitted)
    assert results_state(w.cycle) == "current"
    score = Score.objects.filter(review__report=w.report_a).first()
    Score.objects.filter(pk=score.pk).update(points=score.points - 1)  # e.g. a data fix in the database
    assert results_state(w.cycle) == "stale"
    Score.objects.filter(pk=score.pk).update(points=score.points)
    assert results_state(w.cycle) == "current"
    Result.objects.filter(report=w.report_b).update(routine_score=D("81"))
    assert results_state(w.cycle) == "stale"
    results_compute(cycle=w.cycle, by=w.admin)
    ResultSettings.objects.filter(cycle=w.cycle).update(label_excellent="优秀")
    assert results_state(w.cycle) == "stale"
    results_compute(cycle=w.cycle, by=w.admin)
    # Without a closed evaluation the ballot score on a result is an input as well.
    Result.objects.filter(report=w.report_a).update(ballot_score=D("80"))
    assert results_state(w.cycle) == "stale"
    results_compute(cycle=w.cycle, by=w.admin)
    Review.objects.filter(report=w.report_b).update(status=Review.Status.DRAFT)
    assert results_state(w.cycle) == "stale"


def test_stale_results_cannot_be_published(submitted):
    w = complete(submitted)
    Result.objects.filter(report=w.report_b).update(routine_score=D("60"))
    with pytest.raises(ValidationError, match="请重新计算结果后再公布"):
        cycle_publish(cycle=w.cycle, by=w.admin, reason="理由")
    assert not w.cycle.publications.exists()


def test_computing_current_results_again_writes_nothing(submitted):
    w = complete(submitted)
    computed_at = ResultSettings.objects.get(cycle=w.cycle).results_computed_at
    results_compute(cycle=w.cycle, by=w.admin)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESULTS_COMPUTED).count() == 1
    assert ResultSettings.objects.get(cycle=w.cycle).results_computed_at == computed_at


# ---------------------------------------------------------------- the snapshot and the locks


def test_the_publication_freezes_each_organizations_sheet(submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    publication, sheet = published_sheet(w.report_a)
    assert publication.number == 1 and PublishedResult.objects.filter(publication=publication).count() == 2
    # 92 × .6 + 90 × .4 = 91.2
    assert (sheet["total"], sheet["grade_label"], sheet["rank"], sheet["ranked_count"]) == ("91.20", "好", 1, 2)
    assert [c["label"] for c in sheet["components"]] == ["现场评议", "日常考核"]
    assert sheet["reviews"][0]["comment"] == "甲支部工作有特色。"
    assert sheet["reviews"][0]["problems"][0]["text"] == "台账不规范"
    assert sheet["reviews"][0]["reviewer"] == reviewer_pseudonyms(w.cycle)[w.reviewer.pk]
    assert sum(D(points) for points in sheet["reviews"][0]["scores"]) == D("92")

    # Whatever happens to live data afterwards, the published sheet and PDF do not move.
    Review.objects.filter(report=w.report_a).update(comment="事后偷改的点评")
    Result.objects.filter(report=w.report_a).update(total=D("10"), grade=Grade.POOR)
    assert published_sheet(w.report_a)[1] == sheet
    text = pdf_text(result_pdf_for_report(w.report_a).content)
    assert "甲支部工作有特色。" in text and "91.20" in text and "事后偷改" not in text


def test_reviews_and_inputs_lock_at_publication(submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    with pytest.raises(ValidationError) as error:
        submit_review(w.report_a, w.reviewer, 50)
    assert error.value.messages == [REVIEW_LOCKED_MESSAGE]
    locked = [
        lambda: routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 50}, by=w.admin),
        lambda: result_settings_update(settings=w.cycle.result_settings, data={"show_rank": False}, by=w.admin),
        lambda: result_override(result=Result.objects.get(report=w.report_a), grade=Grade.GOOD, reason="理由", by=w.admin),
        lambda: results_compute(cycle=w.cycle, by=w.admin),
    ]
    for call in locked:
        with pytest.raises(ValidationError, match="请先撤回公布"):
            call()
    assert Review.objects.get(report=w.report_a).scores.aggregate(total=Sum("points"))["total"] == D("92")


# ---------------------------------------------------------------- withdraw and republish


def test_withdrawal_needs_a_reason_hides_results_and_tells_every_secretary(submitted):
    w = complete(submitted)
    publication = cycle_publish(cycle=w.cycle, by=w.admin)
    with pytest.raises(ValidationError) as error:
        cycle_withdraw(cycle=w.cycle, by=w.admin, reason="")
    assert error.value.message_dict == {"reason": ["请填写撤回理由。"]}
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="评分录入有误")
    w.cycle.refresh_from_db()
    publication.refresh_from_db()
    assert not w.cycle.is_published and publication.withdrawn_by == w.admin and publication.withdraw_reason == "评分录入有误"
    assert published_sheet(w.report_a) == (None, None)
    assert notices(w.secretary_a, "评分录入有误") == 1 and notices(w.secretary_b, "评分录入有误") == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CYCLE_WITHDRAWN)
    assert entry.reason == "评分录入有误"
    with pytest.raises(ValidationError, match="无需撤回"):
        cycle_withdraw(cycle=w.cycle, by=w.admin, reason="再撤一次")
    # Reviews can be changed again.
    submit_review(w.report_a, w.reviewer, 80)


def test_republication_records_changes_and_tells_only_the_affected_secretary(submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    first_sheet_b = published_sheet(w.report_b)[1]
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="更正甲支部评分")
    # report_a: 80 × .6 + 90 × .4 = 84 → 较好; report_b stays 70 × .6 + 80 × .4 = 74, rank 2.
    submit_review(w.report_a, w.reviewer, 80)
    with pytest.raises(ValidationError, match="重新计算"):
        cycle_publish(cycle=w.cycle, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    Notification.objects.all().delete()

    second = cycle_publish(cycle=w.cycle, by=w.admin)
    assert second.number == 2
    assert second.changes == {
        str(w.report_a.pk): {"organization": "甲社区党支部", "total": ["91.20", "84.00"], "grade": ["好", "较好"], "other": False}
    }
    assert notices(w.secretary_a, "结果已重新公布") == 1
    # (the review no longer names 台账不规范: the secretary's problem list is updated and says so)
    assert notices(w.secretary_a, "问题清单已更新") == 1
    assert Notification.objects.filter(user=w.secretary_b).count() == 0
    assert published_sheet(w.report_b)[1] == first_sheet_b
    assert Publication.objects.get(number=1).results.get(report=w.report_a).sheet["total"] == "91.20"
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CYCLE_PUBLISHED).first()
    assert entry.changes["changes"] == second.changes and "1个党组织的结果有变化" in entry.summary


def test_close_needs_a_current_publication(submitted):
    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="更正")
    with pytest.raises(ValidationError, match="请先公布结果"):
        cycle_close(cycle=w.cycle, by=w.admin)


# ---------------------------------------------------------------- pseudonyms


def test_pseudonyms_are_a_stored_random_draw_not_the_username_order(world, monkeypatch):
    members = [UserFactory(username=f"member_{i}") for i in range(4)]
    world.committee.committee_members.add(*members)

    class Reversed:
        def shuffle(self, items):
            items.reverse()

    monkeypatch.setattr("reviews.services.secrets.SystemRandom", Reversed)
    reviewer_pseudonyms_draw(cycle=world.cycle, reviewers=members)
    labels = reviewer_pseudonyms(world.cycle)
    ordered = sorted(members, key=lambda user: user.pk)
    assert [labels[user.pk] for user in ordered] == ["评议人5", "评议人4", "评议人3", "评议人2"]
    # Stable: drawing again changes nothing; a newcomer gets the next number.
    reviewer_pseudonyms_draw(cycle=world.cycle, reviewers=members)
    assert reviewer_pseudonyms(world.cycle) == labels
    late = UserFactory(username="aaa_late")
    world.committee.committee_members.add(late)
    assignment_add(report=world.report_a, reviewer=late, by=world.admin)
    assert reviewer_pseudonyms(world.cycle)[late.pk] == "评议人6"


def test_the_launch_draws_every_committee_member_a_number(world):
    numbers = dict(ReviewerPseudonym.objects.filter(cycle=world.cycle).values_list("reviewer_id", "number"))
    assert numbers == {world.reviewer.pk: 1}


def test_every_document_uses_the_same_pseudonym(submitted):
    w = submitted
    second = UserFactory(username="aaa_second")  # sorts before reviewer_t by username
    w.committee.committee_members.add(second)
    assignment_add(report=w.report_a, reviewer=second, by=w.admin)
    ReviewerPseudonym.objects.filter(cycle=w.cycle, reviewer=w.reviewer).update(number=7)
    complete(w)
    submit_review(w.report_a, second, 80, comment="第二位评议人的点评")
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin)
    sheet = published_sheet(w.report_a)[1]
    # Columns follow the drawn numbers (评议人2 before 评议人7), not the usernames.
    assert [review["reviewer"] for review in sheet["reviews"]] == ["评议人2", "评议人7"]
    from openpyxl import load_workbook

    detail = load_workbook(io.BytesIO(summary_workbook(w.cycle)))["评分明细"]
    assert {row[1] for row in detail.iter_rows(min_row=2, values_only=True)} == {"评议人2", "评议人7"}
    text = pdf_text(result_pdf_for_report(w.report_a).content)
    assert "评议人2：第二位评议人的点评" in text and "评议人7：甲支部工作有特色。" in text


def test_a_cycle_published_before_snapshots_can_be_withdrawn_and_republished(client, submitted):
    from django.urls import reverse
    from django.utils import timezone

    from reports.models import Cycle

    w = complete(submitted)
    Cycle.objects.filter(pk=w.cycle.pk).update(published_at=timezone.now())  # as published by the old code
    client.force_login(w.admin)
    assert 'id="results-unsnapshotted"' in client.get(reverse("reviews:results", args=[w.cycle.pk])).content.decode()
    client.force_login(w.secretary_a)
    assert 'id="not-published"' in client.get(reverse("reviews:secretary_result", args=[w.report_a.pk])).content.decode()
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="补建定稿")
    assert cycle_publish(cycle=w.cycle, by=w.admin).number == 1
    assert published_sheet(w.report_a)[1]["total"] == "91.20"


def test_no_report_goes_back_for_revision_while_results_are_published(submitted):
    from reports.permissions import can_return_report
    from reports.services import ReportLocked, report_return

    w = complete(submitted)
    cycle_publish(cycle=w.cycle, by=w.admin)
    w.report_a.refresh_from_db()
    assert not can_return_report(w.admin, w.report_a)
    with pytest.raises(ReportLocked, match="先撤回公布"):
        report_return(report=w.report_a, by=w.admin, reason="再改改")
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="复核")
    w.report_a.refresh_from_db()
    assert can_return_report(w.admin, w.report_a)
