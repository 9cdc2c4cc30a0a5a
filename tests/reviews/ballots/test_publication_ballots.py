"""Issue 13 with a democratic evaluation: the tallies are inputs of the results (a changed tally
makes them stale) and the published sheet freezes the ballot tally shown to the secretary."""

from decimal import Decimal

from reviews.models import EvaluationEntry, Mark, PaperTally, VoterGroup
from reviews.results.selectors import results_state
from reviews.results.services import cycle_publish
from reviews.selectors import published_sheet
from tests.factories import INCOMPLETE_OK
from tests.reviews.ballots.test_documents import computed  # noqa: F401 (fixture)


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
