"""Issue 13 with a democratic evaluation: the tallies are inputs of the results (a changed tally
makes them stale) and the published sheet freezes the ballot tally shown to the secretary."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reviews.ballots import services as ballot_services
from reviews.models import EvaluationEntry, Mark, PaperTally, VoterGroup
from reviews.results.selectors import results_state
from reviews.results.services import cycle_publish, results_compute
from reviews.selectors import published_sheet
from reviews.services import routine_scores_set
from tests.factories import INCOMPLETE_OK
from tests.reviews.ballots.helpers import marks_by_label, setup_evaluation
from tests.reviews.ballots.test_documents import computed  # noqa: F401 (fixture)
from tests.reviews.helpers import submit_review


def test_a_changed_tally_makes_results_stale(computed):  # noqa: F811
    w = computed
    assert results_state(w.cycle) == "current"
    entry = EvaluationEntry.objects.get(evaluation=w.evaluation, report=w.report_a)
    PaperTally.objects.create(
        entry=entry, group=VoterGroup.objects.get(evaluation=w.evaluation, name="群众代表"),
        mark=Mark.objects.get(evaluation=w.evaluation, label="差"), count=2,
    )
    assert results_state(w.cycle) == "stale"


def test_the_published_sheet_freezes_the_ballot_tally(computed):  # noqa: F811
    w = computed
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    sheet = published_sheet(w.report_a)[1]
    assert sheet["ballot"]["marks"] == ["好", "较好", "一般", "差"]
    # Two leaders voted: pooled below MIN_GROUP_VOTES, so only the all-groups line carries them.
    assert [line["label"] for line in sheet["ballot"]["lines"]] == ["群众代表", "合计（加权）"]
    assert sheet["ballot"]["lines"][-1]["counts"] == [1, 1, 0, 0]
    assert Decimal(sheet["ballot_score"]) == Decimal("95.00")
    PaperTally.objects.create(
        entry=EvaluationEntry.objects.get(evaluation=w.evaluation, report=w.report_a),
        group=VoterGroup.objects.get(evaluation=w.evaluation, name="群众代表"),
        mark=Mark.objects.get(evaluation=w.evaluation, label="差"), count=2,
    )
    assert published_sheet(w.report_a)[1] == sheet



def test_paper_tallies_are_locked_while_results_are_published(computed):  # noqa: F811
    """Routine scores, settings and reviews lock at publication; the paper ballots, another input
    of the published totals, must lock too (withdraw first)."""
    w = computed
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    entry = w.evaluation.entries.all()[0]
    group = w.evaluation.groups.get(name="群众代表")
    counts = {(entry.pk, group.pk, marks_by_label(w.evaluation)["差"]): 3}
    with pytest.raises(ValidationError, match="撤回公布"):
        ballot_services.paper_tallies_set(evaluation=w.evaluation, counts=counts, by=w.admin)
    assert not PaperTally.objects.exists()
    assert results_state(w.cycle) == "current"


def test_no_evaluation_is_set_up_or_opened_while_results_are_published(submitted):
    w = submitted
    for report in (w.report_a, w.report_b):
        submit_review(report, w.reviewer, 88)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: 90, w.report_b.pk: 80}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    evaluation, _codes = setup_evaluation(w.cycle, w.admin)  # a draft before publication is fine
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    with pytest.raises(ValidationError, match="撤回公布"):
        setup_evaluation(w.cycle, w.admin, title="公布后改测评")
    with pytest.raises(ValidationError, match="撤回公布"):
        ballot_services.evaluation_open(evaluation=evaluation, by=w.admin)
