import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.models import AuditEntry
from reports.models import Cycle
from reviews.ballots import services
from reviews.ballots.selectors import ballot_scores, evaluation_tally, evaluation_turnout
from reviews.models import Ballot, BallotCode, BallotCodeUse, Evaluation, PaperTally, Result, Vote
from reviews.results.selectors import cycle_results, results_state
from reviews.results.services import results_compute
from reviews.rubric_services import result_settings_update
from reviews.services import routine_scores_set
from tests.reviews.ballots.helpers import GROUPS, marks_by_label, setup_evaluation, vote
from tests.reviews.helpers import submit_review

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- setting up and codes


def test_setup_issues_one_unique_hashed_code_per_voter(scene):
    codes = scene.codes
    assert [len(codes[name]) for name, _size, _weight in GROUPS] == [3, 4]
    plain = [code for group in codes.values() for code in group]
    assert len(set(plain)) == 7
    stored = set(BallotCode.objects.values_list("digest", flat=True))
    assert stored == {hashlib.sha256(code.encode()).hexdigest() for code in plain}
    assert list(scene.evaluation.entries.values_list("report_id", flat=True)) == [scene.report_a.pk, scene.report_b.pk]
    assert AuditEntry.objects.filter(summary__contains="生成7个测评码").exists()


def test_opening_erases_the_plain_codes(scene):
    services.evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    assert not BallotCode.objects.exclude(plain="").exists()
    assert BallotCode.objects.count() == 7
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN


def test_saving_the_setup_again_replaces_the_codes_while_a_draft(scene):
    old = set(BallotCode.objects.values_list("digest", flat=True))
    _evaluation, codes = setup_evaluation(scene.cycle, scene.admin, groups=(("党员代表", 5, "100"),))
    assert BallotCode.objects.count() == 5
    assert not old & set(BallotCode.objects.values_list("digest", flat=True))


@pytest.mark.parametrize(
    "groups, marks, field",
    [
        ((), services.DEFAULT_MARKS, "groups"),
        ((("班子成员", 0, "50"),), services.DEFAULT_MARKS, "groups"),
        ((("班子成员", 3, "50"), ("班子成员", 3, "50")), services.DEFAULT_MARKS, "groups"),
        ((("班子成员", 3, "150"),), services.DEFAULT_MARKS, "groups"),
        (GROUPS, [("好", "1")], "marks"),
        (GROUPS, [("好", "1"), ("差", "1.5")], "marks"),
        (GROUPS, [("好", "1"), ("好", "0.5")], "marks"),
    ],
)
def test_setup_rejects_bad_settings_with_a_clear_message(submitted, groups, marks, field):
    with pytest.raises(ValidationError) as error:
        setup_evaluation(submitted.cycle, submitted.admin, groups=groups, marks=marks)
    assert field in error.value.message_dict
    assert not Evaluation.objects.exists()


def test_setup_rejects_a_report_of_another_cycle(submitted):
    with pytest.raises(ValidationError):
        setup_evaluation(submitted.cycle, submitted.admin, reports=[submitted.report_c])


def test_setup_cannot_change_once_open(opened):
    with pytest.raises(ValidationError, match="已经开始"):
        setup_evaluation(opened.cycle, opened.admin)


def test_closing_only_an_open_evaluation(scene):
    with pytest.raises(ValidationError):
        services.evaluation_close(evaluation=scene.evaluation, by=scene.admin)
    services.evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    with pytest.raises(ValidationError):
        services.evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    services.evaluation_close(evaluation=scene.evaluation, by=scene.admin)
    assert Evaluation.objects.get().status == Evaluation.Status.CLOSED


# ---------------------------------------------------------------- voting


def test_a_code_votes_once(opened):
    code = opened.codes["班子成员"][0]
    vote(opened.evaluation, code, "好", "较好")
    with pytest.raises(services.CodeUsed):
        vote(opened.evaluation, code, "差", "差")
    assert Ballot.objects.count() == 1
    assert Vote.objects.count() == 2


def test_the_code_may_be_typed_in_its_display_form(opened):
    code = opened.codes["群众代表"][1]
    typed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
    vote(opened.evaluation, typed, "一般", "好")
    assert Ballot.objects.get().group.name == "群众代表"


def test_a_wrong_code_is_refused(opened):
    with pytest.raises(services.CodeInvalid):
        vote(opened.evaluation, "ABCD-EFGH-JKLM-NPQR", "好", "好")
    with pytest.raises(services.CodeInvalid):
        vote(opened.evaluation, "nonsense", "好", "好")
    assert not Ballot.objects.exists()


def test_votes_are_refused_before_opening_after_closing_and_after_the_closing_time(scene):
    code = scene.codes["班子成员"][0]
    with pytest.raises(services.VotingClosed):
        vote(scene.evaluation, code, "好", "好")
    services.evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    Evaluation.objects.update(closes_at=timezone.now() - timezone.timedelta(minutes=1))
    with pytest.raises(services.VotingClosed):
        vote(scene.evaluation, code, "好", "好")
    Evaluation.objects.update(closes_at=None)
    services.evaluation_close(evaluation=scene.evaluation, by=scene.admin)
    with pytest.raises(services.VotingClosed):
        vote(scene.evaluation, code, "好", "好")
    assert not Ballot.objects.exists()
    assert not BallotCode.objects.filter(used=True).exists()


def test_every_organization_must_be_marked_and_the_code_stays_unused(opened):
    evaluation = opened.evaluation
    first = evaluation.entries.all()[0]
    code = opened.codes["班子成员"][0]
    with pytest.raises(ValidationError) as error:
        services.ballot_cast(code=code, choices={first.pk: marks_by_label(evaluation)["好"]})
    assert list(error.value.message_dict) == [f"entry_{evaluation.entries.all()[1].pk}"]
    assert not BallotCode.objects.filter(used=True).exists()
    assert not Ballot.objects.exists()


def test_a_mark_of_another_evaluation_is_not_accepted(opened):
    code = opened.codes["班子成员"][0]
    entries = list(opened.evaluation.entries.all())
    with pytest.raises(ValidationError):
        services.ballot_cast(code=code, choices={entry.pk: 999999 for entry in entries})


def test_secrecy_the_stored_ballot_has_no_link_to_code_time_or_address(opened):
    vote(opened.evaluation, opened.codes["班子成员"][2], "好", "差")
    ballot_fields = {field.name for field in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "evaluation", "group", "votes"}  # no date or time of voting
    vote_fields = {field.name for field in Vote._meta.get_fields()}
    assert vote_fields == {"id", "ballot", "entry", "mark"}
    code_fields = {field.name for field in BallotCode._meta.get_fields()}
    assert code_fields == {"id", "group", "digest", "plain", "used", "rehearsal", "uses"}  # no ballot, no time
    # Per-speech voting records which organization a code voted on — never the mark, ballot or time.
    use_fields = {field.name for field in BallotCodeUse._meta.get_fields()}
    assert use_fields == {"id", "code", "entry"}
    ballot = Ballot.objects.get()
    # A random id: nothing orders the ballots by the moment they were cast.
    assert ballot.pk.version == 4


# ---------------------------------------------------------------- tallies and score


def _cast_example(scene):
    """班子成员 (weight 60): A gets 好 好 较好, B gets 一般 差 较好;
    群众代表 (weight 40): A gets 好 一般 差 (one voter abstains), B gets 好 好 好."""
    evaluation, codes = scene.evaluation, scene.codes
    for code, marks in zip(codes["班子成员"], [("好", "一般"), ("好", "差"), ("较好", "较好")], strict=True):
        vote(evaluation, code, *marks)
    for code, marks in zip(codes["群众代表"], [("好", "好"), ("一般", "好"), ("差", "好")], strict=False):
        vote(evaluation, code, *marks)


def test_tally_hand_computed(opened):
    _cast_example(opened)
    services.evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    tally_a, tally_b = evaluation_tally(opened.evaluation)
    leaders_a, public_a, overall_a = tally_a.lines
    assert leaders_a.counts == [2, 1, 0, 0]
    # (2 × 1 + 0.9) / 3 × 100 = 96.67
    assert leaders_a.score == Decimal("96.67")
    assert leaders_a.best_share == Decimal("66.67")
    assert leaders_a.top_two_share == Decimal("100.00")
    assert public_a.counts == [1, 0, 1, 1]
    # (1 + 0.7 + 0.5) / 3 × 100 = 73.33
    assert public_a.score == Decimal("73.33")
    assert overall_a.counts == [3, 1, 1, 1]
    assert overall_a.total == 6
    assert overall_a.best_share == Decimal("50.00")
    assert overall_a.top_two_share == Decimal("66.67")
    # (96.67 × 60 + 73.33 × 40) / 100 = 87.334 → 87.33
    assert tally_a.score == Decimal("87.33")
    # B: leaders 一般, 差, 较好: (0.7 + 0.5 + 0.9) / 3 = 70.00; public 3 × 好 = 100.00;
    # 70 × 0.6 + 100 × 0.4 = 82.00
    assert [line.score for line in tally_b.lines] == [Decimal("70.00"), Decimal("100.00"), Decimal("82.00")]
    assert ballot_scores(opened.cycle) == {opened.report_a.pk: Decimal("87.33"), opened.report_b.pk: Decimal("82.00")}


def test_turnout_by_group_while_open(opened):
    vote(opened.evaluation, opened.codes["群众代表"][0], "好", "好")
    turnout = {line.group.name: (line.cast, line.codes, line.percent) for line in evaluation_turnout(opened.evaluation)}
    assert turnout == {"班子成员": (0, 3, Decimal("0.00")), "群众代表": (1, 4, Decimal("25.00"))}


def test_no_ballot_scores_until_closed(opened):
    vote(opened.evaluation, opened.codes["班子成员"][0], "好", "好")
    assert ballot_scores(opened.cycle) is None


# ---------------------------------------------------------------- paper ballots


def _paper(scene, entry_index, group_name, **counts):
    evaluation = scene.evaluation
    entry = evaluation.entries.all()[entry_index]
    group = evaluation.groups.get(name=group_name)
    marks = marks_by_label(evaluation)
    return {(entry.pk, group.pk, marks[label]): value for label, value in counts.items()}


def test_paper_tallies_count_like_electronic_votes(opened):
    vote(opened.evaluation, opened.codes["班子成员"][0], "好", "好")
    counts = {**_paper(opened, 0, "班子成员", 较好=1, 一般="1"), **_paper(opened, 1, "班子成员", 好=2)}
    assert services.paper_tallies_set(evaluation=opened.evaluation, counts=counts, by=opened.admin) == 3
    services.evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    tally_a, tally_b = evaluation_tally(opened.evaluation)
    assert tally_a.lines[0].counts == [1, 1, 1, 0]
    # (1 + 0.9 + 0.7) / 3 = 86.67; only the leaders voted, so it is the ballot score.
    assert tally_a.score == Decimal("86.67")
    assert tally_b.lines[0].counts == [3, 0, 0, 0]
    assert PaperTally.objects.count() == 3
    assert AuditEntry.objects.filter(summary__contains="纸质票").exists()


def test_paper_and_electronic_votes_cannot_exceed_the_head_count(opened):
    vote(opened.evaluation, opened.codes["班子成员"][0], "好", "好")
    with pytest.raises(ValidationError) as error:
        services.paper_tallies_set(evaluation=opened.evaluation, counts=_paper(opened, 0, "班子成员", 好=2, 差=1), by=opened.admin)
    assert "超过该类测评人数 3" in str(error.value)
    assert not PaperTally.objects.exists()


@pytest.mark.parametrize("value", ["-1", "abc", "1.5"])
def test_paper_tallies_reject_what_is_not_a_count(opened, value):
    with pytest.raises(ValidationError):
        services.paper_tallies_set(evaluation=opened.evaluation, counts=_paper(opened, 0, "班子成员", 好=value), by=opened.admin)


def test_paper_tallies_need_an_opened_evaluation(scene):
    with pytest.raises(ValidationError, match="开始后"):
        services.paper_tallies_set(evaluation=scene.evaluation, counts=_paper(scene, 0, "班子成员", 好=1), by=scene.admin)


# ---------------------------------------------------------------- results


def test_the_ballot_score_becomes_the_results_component_with_its_weight(opened):
    settings = opened.cycle.result_settings
    result_settings_update(
        settings=settings, data={"review_weight": Decimal(40), "routine_weight": Decimal(30), "ballot_weight": Decimal(30)}, by=opened.admin
    )
    _cast_example(opened)
    services.evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    for report, total in [(opened.report_a, 90), (opened.report_b, 80)]:
        submit_review(report, opened.reviewer, total)
    routine_scores_set(cycle=opened.cycle, scores={opened.report_a.pk: 95, opened.report_b.pk: 85}, by=opened.admin)
    results_compute(cycle=opened.cycle, by=opened.admin)
    result_a = Result.objects.get(report=opened.report_a)
    assert result_a.ballot_score == Decimal("87.33")
    # 90 × 0.4 + 95 × 0.3 + 87.33 × 0.3 = 36 + 28.5 + 26.199 = 90.699 → 90.70
    assert result_a.total == Decimal("90.70")
    rows = {row.report.pk: row for row in cycle_results(opened.cycle)}
    assert rows[opened.report_b.pk].ballot_score == Decimal("82.00")
    assert "缺民主测评得分" not in rows[opened.report_a.pk].flags
    assert results_state(opened.cycle) == "current"


def test_paper_entry_after_computing_marks_the_results_stale(opened):
    services.evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    results_compute(cycle=opened.cycle, by=opened.admin)
    services.paper_tallies_set(evaluation=opened.evaluation, counts=_paper(opened, 0, "班子成员", 好=1), by=opened.admin)
    assert results_state(opened.cycle) == "stale"
    results_compute(cycle=opened.cycle, by=opened.admin)
    assert Result.objects.get(report=opened.report_a).ballot_score == Decimal("100.00")


def test_nothing_changes_once_the_cycle_is_closed(opened):
    Cycle.objects.filter(pk=opened.cycle.pk).update(status=Cycle.Status.CLOSED)
    with pytest.raises(ValidationError):
        services.evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    with pytest.raises(ValidationError):
        services.paper_tallies_set(evaluation=opened.evaluation, counts=_paper(opened, 0, "班子成员", 好=1), by=opened.admin)


# ---------------------------------------------------------------- small groups stay secret


@pytest.mark.parametrize(
    "votes, pooled",
    [
        ({"a": 3, "b": 4}, set()),
        ({"a": 0, "b": 5}, set()),  # a group without votes shows nothing
        ({"a": 2, "b": 5}, {"a", "b"}),  # "其他" alone would be a's two ballots: b joins
        ({"a": 1, "b": 1, "c": 1, "d": 9}, {"a", "b", "c"}),
        ({"a": 1, "b": 3, "c": 4}, {"a", "b"}),  # the smallest other group joins
        ({"a": 2, "b": 0}, {"a"}),
    ],
)
def test_groups_pooled_below_the_minimum(votes, pooled):
    from reviews.ballots.selectors import MIN_GROUP_VOTES, groups_pooled

    assert MIN_GROUP_VOTES == 3
    assert groups_pooled(votes) == pooled


def test_a_group_of_one_voter_is_neither_shown_nor_scored_apart(submitted):
    evaluation, codes = setup_evaluation(submitted.cycle, submitted.admin, groups=(("班子成员", 1, "60"), ("群众代表", 4, "40")))
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    vote(evaluation, codes["班子成员"][0], "差", "好")
    for code in codes["群众代表"]:
        vote(evaluation, code, "好", "好")
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    tally_a, _tally_b = evaluation_tally(evaluation)
    # Only the total: the leader's line, or the other group's line beside the total, would be their ballot.
    assert [line.label for line in tally_a.lines] == ["合计（加权）"]
    assert tally_a.overall.counts == [4, 0, 0, 1]
    # Scored as one pool: (4 × 1 + 0.5) / 5 = 90.00. Weighted apart (50 × 0.6 + 100 × 0.4 = 70.00)
    # the score would tell the leader's 差.
    assert tally_a.score == Decimal("90.00")
    assert ballot_scores(submitted.cycle)[submitted.report_a.pk] == Decimal("90.00")


def test_small_groups_are_merged_into_other_with_their_weights(submitted):
    groups = (("班子成员", 3, "50"), ("党员代表", 4, "30"), ("群众代表", 1, "20"))
    evaluation, codes = setup_evaluation(submitted.cycle, submitted.admin, groups=groups)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    for code in codes["班子成员"]:
        vote(evaluation, code, "一般", "好")
    for code in codes["党员代表"]:
        vote(evaluation, code, "好", "好")
    vote(evaluation, codes["群众代表"][0], "差", "好")
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    tally_a = evaluation_tally(evaluation)[0]
    members, other, overall = tally_a.lines
    assert (members.label, members.counts, members.score) == ("党员代表", [4, 0, 0, 0], Decimal("100.00"))
    # 群众代表 (1) with the smallest other group, 班子成员 (3): (3 × 0.7 + 0.5) / 4 = 65.00, weight 70
    assert (other.label, other.pooled, other.counts, other.weight) == ("其他", ["班子成员", "群众代表"], [0, 0, 3, 1], Decimal("70"))
    assert other.score == Decimal("65.00")
    assert overall.counts == [4, 0, 3, 1]
    # (100 × 30 + 65 × 70) / 100 = 75.50
    assert tally_a.score == Decimal("75.50")
