"""Scenes for the democratic evaluation tests, built through the real services."""

from decimal import Decimal

from reviews.ballots.selectors import evaluation_of
from reviews.ballots.services import DEFAULT_MARKS, ballot_cast, evaluation_save
from reviews.models import BallotCode

GROUPS = (("班子成员", 3, "60"), ("群众代表", 4, "40"))


def setup_evaluation(cycle, by, *, reports=None, groups=GROUPS, marks=DEFAULT_MARKS, title="2026年度述职评议民主测评"):
    """Create the cycle's evaluation; returns (evaluation, {group name: [plain codes]})."""
    reports = list(reports if reports is not None else cycle.reports.order_by("organization__order"))
    evaluation_save(
        cycle=cycle,
        by=by,
        title=title,
        report_orders={report.pk: index for index, report in enumerate(reports)},
        groups=[{"name": name, "size": size, "weight": Decimal(weight)} for name, size, weight in groups],
        marks=[{"label": label, "factor": Decimal(factor)} for label, factor in marks],
    )
    evaluation = evaluation_of(cycle)
    codes = {
        group.name: list(BallotCode.objects.filter(group=group).order_by("pk").values_list("plain", flat=True))
        for group in evaluation.groups.all()
    }
    return evaluation, codes


def marks_by_label(evaluation):
    return {mark.label: mark.pk for mark in evaluation.marks.all()}


def vote(evaluation, code, *labels):
    """Cast a ballot giving the entries, in meeting order, the marks `labels`."""
    marks = marks_by_label(evaluation)
    entries = list(evaluation.entries.all())
    return ballot_cast(code=code, choices={entry.pk: marks[label] for entry, label in zip(entries, labels, strict=True)})
