"""Demo data of the democratic evaluation, for seed_demo: last year's meeting voted on
phones (and a few on paper), closed, with the ballot counting 30% of the total."""

from decimal import Decimal

from reviews.ballots.selectors import evaluation_of
from reviews.ballots.services import (
    DEFAULT_GROUPS,
    DEFAULT_MARKS,
    ballot_cast,
    evaluation_close,
    evaluation_open,
    evaluation_save,
    paper_tallies_set,
)
from reviews.models import BallotCode
from reviews.rubric_services import result_settings_update


def demo_evaluation_save(*, cycle, by, reports):
    """The demo's ballot: the default voter groups and marks, the reports in the given order."""
    evaluation_save(
        cycle=cycle,
        by=by,
        title=f"{cycle.year}年度党组织书记抓基层党建工作述职评议会民主测评",
        report_orders={report.pk: index for index, report in enumerate(reports)},
        groups=[{"name": name, "size": size, "weight": weight} for name, size, weight in DEFAULT_GROUPS],
        marks=[{"label": label, "factor": factor} for label, factor in DEFAULT_MARKS],
    )


def _mark_for(rng, target, marks):
    """A plausible mark for an organization whose overall standing is `target` (0–100)."""
    roll = rng.random() * 100
    if roll < target - 25:
        return marks[0]
    if roll < target + 5:
        return marks[1]
    if roll < target + 20:
        return marks[2]
    return marks[3]


def seed_ballots(*, cycle, by, rng, targets):
    """Set up, vote and close the democratic evaluation of `cycle` (before its results are
    computed, so the ballot score feeds them). `targets` are the reports' standings in order."""
    result_settings_update(
        settings=cycle.result_settings,
        data={"review_weight": Decimal(40), "routine_weight": Decimal(30), "ballot_weight": Decimal(30)},
        by=by,
    )
    reports = list(cycle.reports.order_by("organization__order"))
    demo_evaluation_save(cycle=cycle, by=by, reports=reports)
    evaluation = evaluation_of(cycle)
    codes = {
        group.pk: list(BallotCode.objects.filter(group=group).order_by("pk").values_list("plain", flat=True))
        for group in evaluation.groups.all()
    }
    evaluation_open(evaluation=evaluation, by=by)
    entries = list(evaluation.entries.all())
    marks = [mark.pk for mark in evaluation.marks.all()]
    groups = list(evaluation.groups.all())
    for group in groups:
        # Two voters of each group are absent; the public's last three vote on paper.
        on_phone = codes[group.pk][: group.size - 2 - (3 if group.name == "群众代表" else 0)]
        for code in on_phone:
            ballot_cast(code=code, choices={entry.pk: _mark_for(rng, targets[i], marks) for i, entry in enumerate(entries)})
    public = groups[-1]
    paper = {}
    for index, entry in enumerate(entries):
        for _ in range(3):
            key = (entry.pk, public.pk, _mark_for(rng, targets[index], marks))
            paper[key] = paper.get(key, 0) + 1
    paper_tallies_set(evaluation=evaluation, counts=paper, by=by)
    evaluation_close(evaluation=evaluation, by=by)
    return evaluation
