"""The ballot as real rules demand: quorum, 不了解/弃权, a limit on 好 per ballot, rehearsal,
per-speech voting. Figures computed by hand in the comments."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.ballots import services
from reviews.ballots.computation import best_limit_count, group_score, quorum_met
from reviews.ballots.selectors import ballot_scores, evaluation_of, evaluation_tally, evaluation_turnout
from reviews.models import Ballot, BallotCode, BallotCodeUse, Evaluation, Vote
from tests.reviews.ballots.helpers import marks_by_label, vote

FACTORS = {"e": Decimal("1"), "g": Decimal("0.9"), "f": Decimal("0.7"), "p": Decimal("0.5")}


def test_quorum_needs_more_than_half():
    assert quorum_met(4, 7)  # 4 of 7: more than half
    assert not quorum_met(3, 7)
    assert not quorum_met(5, 10)  # exactly half is NOT enough
    assert quorum_met(6, 10)
    assert not quorum_met(0, 0)


def test_best_limit_rounds_down():
    assert best_limit_count("1/3", 8) == 2  # 8 / 3 = 2.67
    assert best_limit_count("1/3", 9) == 3
    assert best_limit_count("1/2", 7) == 3
    assert best_limit_count("", 8) is None


def test_abstain_votes_are_left_out_of_the_score():
    # 2 好, 1 差, 3 不了解: (2 + 0.5) / 3 × 100 = 83.33 — not ÷ 6
    counts = {"e": 2, "g": 0, "f": 0, "p": 1, "x": 3}
    assert group_score(counts, FACTORS) == Decimal("83.33")
    assert group_score({"e": 0, "x": 3}, FACTORS) is None  # only abstentions: no score


def _setup(scene, **rules):
    services.evaluation_save(
        cycle=scene.cycle, by=scene.admin, title="测评",
        report_orders={scene.report_a.pk: 0, scene.report_b.pk: 1},
        groups=[{"name": "班子成员", "size": 3, "weight": Decimal("60")}, {"name": "群众代表", "size": 4, "weight": Decimal("40")}],
        marks=[{"label": label, "factor": Decimal(f)} for label, f in (("好", "1"), ("较好", "0.9"), ("一般", "0.7"), ("差", "0.5"))],
        **rules,
    )
    evaluation = evaluation_of(scene.cycle)
    codes = {
        g.name: list(BallotCode.objects.filter(group=g).order_by("pk").values_list("plain", flat=True)) for g in evaluation.groups.all()
    }
    return evaluation, codes


def test_abstain_mark_counts_as_taking_part_but_not_in_the_score(submitted):
    evaluation, codes = _setup(submitted, abstain_label="不了解")
    assert [m.label for m in evaluation.marks.all()][-1] == "不了解"
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    # 班子成员: A gets 好, 差, 不了解 → (1 + 0.5) / 2 = 75.00; 3 took part
    for code, mark in zip(codes["班子成员"], ["好", "差", "不了解"], strict=True):
        vote(evaluation, code, mark, "好")
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    tally = evaluation_tally(evaluation_of(submitted.cycle))[0]
    assert tally.lines[0].score == Decimal("75.00")
    assert tally.voted == 3
    assert tally.lines[0].best_share == Decimal("50.00")  # 1 好 of the 2 scored votes


def test_quorum_exactly_half_voids_the_ballot_score(submitted):
    # 应到 3 + 4 = 7; with 3 ballots not more than half; with 4 more than half.
    evaluation, codes = _setup(submitted, quorum_required=True)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    for code in codes["群众代表"][:3]:
        vote(evaluation, code, "好", "好")
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    tally = evaluation_tally(evaluation_of(submitted.cycle))[0]
    assert (tally.voted, tally.expected, tally.quorum_met, tally.stands) == (3, 7, False, False)
    assert ballot_scores(submitted.cycle) == {submitted.report_a.pk: None, submitted.report_b.pk: None}


def test_quorum_more_than_half_keeps_the_ballot_score(submitted):
    evaluation, codes = _setup(submitted, quorum_required=True)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    for code in codes["群众代表"]:
        vote(evaluation, code, "好", "一般")
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    assert ballot_scores(submitted.cycle) == {submitted.report_a.pk: Decimal("100.00"), submitted.report_b.pk: Decimal("70.00")}


def test_without_quorum_rule_few_votes_still_score(submitted):
    evaluation, codes = _setup(submitted)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    for code in codes["群众代表"][:3]:
        vote(evaluation, code, "好", "好")
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    assert ballot_scores(submitted.cycle)[submitted.report_a.pk] == Decimal("100.00")


def test_limit_of_best_marks_refused_with_a_clear_message(submitted):
    # 2 organizations, at most one half: 1 好 per ballot.
    evaluation, codes = _setup(submitted, best_limit="1/2")
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    with pytest.raises(ValidationError) as refused:
        vote(evaluation, codes["班子成员"][0], "好", "好")
    assert "最多评 1 个“好”，您评了 2 个" in refused.value.message_dict["best_limit"][0]
    assert not Ballot.objects.exists()
    assert not BallotCode.objects.filter(used=True).exists()
    vote(evaluation, codes["班子成员"][0], "好", "较好")
    assert Ballot.objects.count() == 1


def test_rehearsal_votes_are_wiped_and_real_codes_wait(submitted):
    evaluation, codes = _setup(submitted)
    test_codes = services.evaluation_rehearsal_start(evaluation=evaluation, by=submitted.admin, count=3)
    with pytest.raises(services.RehearsalOnly):
        services.code_check(codes["班子成员"][0])
    with pytest.raises(ValidationError):
        services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    vote(evaluation, test_codes[0], "好", "差")
    vote(evaluation, test_codes[1], "差", "差")
    assert Vote.objects.count() == 4
    assert services.evaluation_rehearsal_end(evaluation=evaluation, by=submitted.admin) == 2
    assert not Ballot.objects.exists() and not Vote.objects.exists()
    assert not BallotCode.objects.filter(rehearsal=True).exists()
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    with pytest.raises(services.CodeInvalid):  # the test code is gone
        services.code_check(test_codes[2])
    vote(evaluation, codes["班子成员"][0], "好", "好")
    assert Ballot.objects.count() == 1


def test_no_paper_ballots_during_the_rehearsal(submitted):
    """Paper counts entered while rehearsing would survive the rehearsal's wipe (which deletes
    ballots, not PaperTally rows) and count in the real tally: refused until the real vote."""
    evaluation, _codes = _setup(submitted)
    services.evaluation_rehearsal_start(evaluation=evaluation, by=submitted.admin, count=1)
    entry = evaluation.entries.first()
    group = evaluation.groups.get(name="班子成员")
    good = marks_by_label(evaluation)["好"]
    with pytest.raises(ValidationError, match="正式开始后"):
        services.paper_tallies_set(evaluation=evaluation, counts={(entry.pk, group.pk, good): 1}, by=submitted.admin)
    services.evaluation_rehearsal_end(evaluation=evaluation, by=submitted.admin)
    assert not entry.paper_tallies.exists()


def test_a_test_code_cannot_vote_for_real(submitted):
    evaluation, _codes = _setup(submitted)
    test_codes = services.evaluation_rehearsal_start(evaluation=evaluation, by=submitted.admin, count=1)
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.OPEN)  # as if not wiped
    with pytest.raises(services.RehearsalCode):
        services.code_check(test_codes[0])


def test_per_speech_voting_one_organization_at_a_time_one_vote_per_code(submitted):
    evaluation, codes = _setup(submitted, mode=Evaluation.Mode.PER_SPEECH)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    entry_a, entry_b = evaluation.entries.all()
    code = codes["班子成员"][0]
    with pytest.raises(services.BallotRefused):  # nothing open yet
        services.code_check(code)
    services.entry_voting_open(evaluation=evaluation, entry=entry_a, by=submitted.admin)
    with pytest.raises(ValidationError):
        services.entry_voting_open(evaluation=evaluation, entry=entry_b, by=submitted.admin)
    marks = marks_by_label(evaluation)
    services.ballot_cast(code=code, choices={entry_a.pk: marks["好"], entry_b.pk: marks["差"]})
    assert list(Vote.objects.values_list("entry_id", flat=True)) == [entry_a.pk]  # only the open one
    with pytest.raises(services.CodeUsed):
        services.ballot_cast(code=code, choices={entry_a.pk: marks["好"]})
    services.entry_voting_close(evaluation=evaluation, entry=entry_a, by=submitted.admin)
    with pytest.raises(ValidationError):  # closed is final
        services.entry_voting_open(evaluation=evaluation, entry=entry_a, by=submitted.admin)
    services.entry_voting_open(evaluation=evaluation, entry=entry_b, by=submitted.admin)
    services.ballot_cast(code=code, choices={entry_b.pk: marks["较好"]})  # the same code, the next speaker
    assert BallotCodeUse.objects.count() == 2
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    tallies = evaluation_tally(evaluation_of(submitted.cycle))
    assert [t.voted for t in tallies] == [1, 1]
    assert [t.overall.counts for t in tallies] == [[1, 0, 0, 0], [0, 1, 0, 0]]


def test_per_speech_evaluation_refuses_the_limit_rule_silently_not(submitted):
    # The limit of 好 needs the whole sheet: in per-speech voting it is not applied.
    evaluation, codes = _setup(submitted, mode=Evaluation.Mode.PER_SPEECH, best_limit="1/2")
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    entry_a, _b = evaluation.entries.all()
    services.entry_voting_open(evaluation=evaluation, entry=entry_a, by=submitted.admin)
    services.ballot_cast(code=codes["班子成员"][0], choices={entry_a.pk: marks_by_label(evaluation)["好"]})
    assert Ballot.objects.count() == 1


def test_per_speech_closing_rewrites_which_code_voted_on_which_organization(submitted):
    evaluation, codes = _setup(submitted, mode=Evaluation.Mode.PER_SPEECH)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    entry_a, _b = evaluation.entries.all()
    services.entry_voting_open(evaluation=evaluation, entry=entry_a, by=submitted.admin)
    for code in codes["群众代表"]:
        services.ballot_cast(code=code, choices={entry_a.pk: marks_by_label(evaluation)["好"]})
    before = set(BallotCodeUse.objects.values_list("pk", flat=True))
    pairs = set(BallotCodeUse.objects.values_list("code_id", "entry_id"))
    services.evaluation_close(evaluation=evaluation, by=submitted.admin)
    assert set(BallotCodeUse.objects.values_list("code_id", "entry_id")) == pairs  # kept: the code voted
    assert not before & set(BallotCodeUse.objects.values_list("pk", flat=True))  # but every row rewritten
    entry_a.refresh_from_db()
    assert entry_a.voting_closed_at is not None  # closing the evaluation closes the open ballot


def test_setup_form_saves_the_rules_and_shows_them_again(client, submitted):
    client.force_login(submitted.admin)
    url = reverse("reviews:evaluation_setup", args=[submitted.cycle.pk])
    data = {
        "title": "测评", f"entry_{submitted.report_a.pk}": "on", f"order_{submitted.report_a.pk}": "1",
        "group_name_0": "班子成员", "group_size_0": "3", "group_weight_0": "100",
        "mark_label_0": "好", "mark_factor_0": "1", "mark_label_1": "差", "mark_factor_1": "0.5",
        "mode": "per_speech", "quorum_required": "on", "best_limit": "1/3", "abstain_label": "不了解",
    }
    assert client.post(url, data).status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.mode, evaluation.quorum_required, evaluation.best_limit) == ("per_speech", True, "1/3")
    assert [(m.label, m.abstain) for m in evaluation.marks.all()] == [("好", False), ("差", False), ("不了解", True)]
    page = client.get(url).content.decode()
    assert 'value="不了解"' in page and 'value="per_speech" selected' in page
    assert page.count('name="mark_label_') == 6 and 'name="mark_label_2" value=""' in page  # 不了解 is not a scored mark
    # The abstain label may not repeat a mark.
    response = client.post(url, {**data, "abstain_label": "差"})
    assert response.status_code == 400 and "不能与评价选项重复" in response.content.decode()


def test_a_per_speech_ballot_closed_while_being_cast_is_refused(submitted, monkeypatch):
    """The host closes the ballot on A between the check of the voter's marks and the write: the
    ballot does not land after the close (whose turnout the audit log already holds)."""
    evaluation, codes = _setup(submitted, mode=Evaluation.Mode.PER_SPEECH)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    entry_a = evaluation.entries.first()
    good = marks_by_label(evaluation)["好"]
    services.entry_voting_open(evaluation=evaluation, entry=entry_a, by=submitted.admin)
    checked = services.choices_check

    def check_then_close(*args):
        result = checked(*args)
        services.entry_voting_close(evaluation=evaluation, entry=entry_a, by=submitted.admin)
        return result

    monkeypatch.setattr(services, "choices_check", check_then_close)
    with pytest.raises(services.BallotRefused, match="已经结束"):
        services.ballot_cast(code=codes["班子成员"][0], choices={entry_a.pk: good})
    assert not Ballot.objects.exists() and not BallotCodeUse.objects.exists()


def test_per_speech_paper_ballots_and_turnout_count_per_organization(submitted):
    # 班子成员 3: two phones vote on A, two on B — 2 per organization, not 4; one paper ballot fits each.
    evaluation, codes = _setup(submitted, mode=Evaluation.Mode.PER_SPEECH)
    services.evaluation_open(evaluation=evaluation, by=submitted.admin)
    entry_a, entry_b = evaluation.entries.all()
    good = marks_by_label(evaluation)["好"]
    for entry in (entry_a, entry_b):
        services.entry_voting_open(evaluation=evaluation, entry=entry, by=submitted.admin)
        for code in codes["班子成员"][:2]:
            services.ballot_cast(code=code, choices={entry.pk: good})
        services.entry_voting_close(evaluation=evaluation, entry=entry, by=submitted.admin)
    group = evaluation.groups.get(name="班子成员")
    assert {line.group.name: line.cast for line in evaluation_turnout(evaluation)} == {"班子成员": 2, "群众代表": 0}
    assert services.paper_tallies_set(evaluation=evaluation, counts={(entry_a.pk, group.pk, good): 1}, by=submitted.admin) == 1
    with pytest.raises(ValidationError):  # 2 phone + 2 paper > 3
        services.paper_tallies_set(evaluation=evaluation, counts={(entry_b.pk, group.pk, good): 2}, by=submitted.admin)
