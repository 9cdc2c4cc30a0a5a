"""Reads of the democratic evaluation (民主测评). Every read is a constant number of queries.

Administrators see turnout while voting is open and tallies once it is closed; nothing
here (or anywhere) can tell which code cast which ballot.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from reviews.ballots.computation import group_score, quorum_met, share, weighted_ballot_score
from reviews.models import BallotCode, Evaluation, EvaluationEntry, PaperTally, Vote, VoterGroup


def code_digest(code):
    """The stored form of a normalized code."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def evaluation_of(cycle):
    """The cycle's evaluation with its entries (organization, secretary), groups and marks; or None."""
    return (
        Evaluation.objects.filter(cycle=cycle)
        .select_related("cycle", "cycle__organization")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=EvaluationEntry.objects.select_related("report__organization__secretary"),
            ),
            # order_by: Meta.ordering does not apply to a GROUP BY query (PostgreSQL returns any order).
            Prefetch("groups", queryset=VoterGroup.objects.annotate(code_count=Count("codes")).order_by("order", "id")),
            "marks",
        )
        .first()
    )


def is_accepting_votes(evaluation, now=None):
    """Open (or rehearsing, for the test codes), and its closing time (if any) not reached."""
    if evaluation.status not in (Evaluation.Status.OPEN, Evaluation.Status.REHEARSAL):
        return False
    return evaluation.closes_at is None or (now or timezone.now()) < evaluation.closes_at


def code_lookup(code):
    """The BallotCode of a normalized code (group and evaluation selected), or None."""
    if not code:
        return None
    return BallotCode.objects.select_related("group__evaluation__cycle").filter(digest=code_digest(code)).first()


def printable_codes(evaluation):
    """[(group, [plain code])] for the code sheet, while the plain text still exists (draft)."""
    codes = {}
    for group_id, plain in (
        BallotCode.objects.filter(group__evaluation=evaluation, rehearsal=False)
        .exclude(plain="")
        .order_by("pk")
        .values_list("group_id", "plain")
    ):
        codes.setdefault(group_id, []).append(plain)
    return [(group, codes.get(group.pk, [])) for group in evaluation.groups.all()]


def rehearsal_codes(evaluation):
    """The plain test codes of a rehearsal under way (they vote only while rehearsing). One query."""
    if evaluation.status != Evaluation.Status.REHEARSAL:
        return []
    return list(
        BallotCode.objects.filter(group__evaluation=evaluation, rehearsal=True).order_by("pk").values_list("plain", flat=True)
    )


@dataclass
class GroupTurnout:
    group: VoterGroup
    cast: int  # electronic ballots
    codes: int
    used: int

    @property
    def percent(self):
        return share(self.cast, self.group.size)


def evaluation_turnout(evaluation):
    """[GroupTurnout] per voter group, in order. One query."""
    groups = VoterGroup.objects.filter(evaluation=evaluation).annotate(
        cast=Count("ballots", distinct=True),
        code_total=Count("codes", distinct=True),
        code_used=Count("codes", filter=Q(codes__used=True), distinct=True),
    ).order_by("order", "id")
    if evaluation.mode == Evaluation.Mode.PER_SPEECH:
        # A ballot per organization: a group took part as far as its best-attended vote.
        best = {}
        for (_entry_id, group_id), n in electronic_votes_by_entry_and_group(evaluation).items():
            best[group_id] = max(best.get(group_id, 0), n)
        return [GroupTurnout(group, best.get(group.pk, 0), group.code_total, group.code_used) for group in groups]
    return [GroupTurnout(group, group.cast, group.code_total, group.code_used) for group in groups]


@dataclass
class Participation:
    """Who took part, for the confirmation of opening and closing: per group the phone
    ballots and the paper ballots (the most any organization received from the group on
    paper), against the head count."""

    lines: list  # [(GroupTurnout, paper ballots)]
    expected: int
    voted: int

    @property
    def percent(self):
        return share(self.voted, self.expected)

    @property
    def quorum_met(self):
        """More than half of those expected took part (the rule of the meeting)."""
        return quorum_met(self.voted, self.expected)


def evaluation_participation(evaluation):
    """Participation of the evaluation. Two queries."""
    paper = {}
    for (_entry_id, group_id), n in _paper_by_entry_and_group(evaluation).items():
        paper[group_id] = max(paper.get(group_id, 0), n)
    lines = [(line, paper.get(line.group.pk, 0)) for line in evaluation_turnout(evaluation)]
    return Participation(
        lines=lines,
        expected=sum(line.group.size for line, _paper in lines),
        voted=sum(min(line.cast + on_paper, line.group.size) for line, on_paper in lines),
    )


def _paper_by_entry_and_group(evaluation):
    """{(entry id, group id): paper ballots counted}. One query."""
    rows = (
        PaperTally.objects.filter(entry__evaluation=evaluation)
        .values("entry_id", "group_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {(row["entry_id"], row["group_id"]): row["n"] for row in rows}


# A voter group with fewer votes than this for an organization is never shown on a line of its
# own, nor scored on its own: with one or two voters, their line (or its score inside the
# weighted ballot score) would be their ballot. Such groups are pooled into an "其他" line.
MIN_GROUP_VOTES = 3
OTHER_LABEL = "其他"


@dataclass
class TallyLine:
    """The votes of one group, of the pooled small groups ("其他"), or of all groups (the
    last line) for one organization."""

    group: VoterGroup | None  # None on the "其他" line and on the all-groups line
    counts: list  # per mark, in mark order
    total: int
    best_share: object  # % of the best mark
    top_two_share: object  # % of the two best marks
    score: object  # group score, or the weighted ballot score on the all-groups line
    label: str = ""
    weight: object = None  # the group's weight; the pooled groups' sum on the "其他" line
    pooled: list = field(default_factory=list)  # names of the groups on the "其他" line

    @property
    def is_total(self):
        return self.group is None and not self.pooled


@dataclass
class EntryTally:
    entry: EvaluationEntry
    lines: list = field(default_factory=list)  # [TallyLine] per group shown apart, "其他", then all groups
    voted: int = 0  # ballots with a mark for the organization, at most the head count per group
    expected: int = 0  # 应到: the groups' head counts
    quorum_required: bool = False

    @property
    def quorum_met(self):
        return quorum_met(self.voted, self.expected)

    @property
    def stands(self):
        """The vote counts: the quorum is met, or the evaluation does not require one."""
        return self.quorum_met or not self.quorum_required

    @property
    def overall(self):
        return self.lines[-1]

    @property
    def score(self):
        return self.overall.score


def _counts(evaluation):
    """{(entry id, group id, mark id): votes}, electronic and paper ballots together. Two queries."""
    counts = {}
    electronic = (
        Vote.objects.filter(ballot__evaluation=evaluation)
        .values_list("entry_id", "ballot__group_id", "mark_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    paper = PaperTally.objects.filter(entry__evaluation=evaluation, count__gt=0).values_list(
        "entry_id", "group_id", "mark_id", "count"
    )
    for entry_id, group_id, mark_id, n in [*electronic, *paper]:
        key = (entry_id, group_id, mark_id)
        counts[key] = counts.get(key, 0) + n
    return counts


def _line(group, counts, score, *, label, weight=None, pooled=(), scored=None):
    """`scored`: how many of the marks (the first ones) are scored; the shares leave out
    the 不了解/弃权 marks after them."""
    total = sum(counts)
    scored_counts = counts[:scored] if scored is not None else counts
    scored_total = sum(scored_counts)
    return TallyLine(
        group=group,
        counts=counts,
        total=total,
        best_share=share(scored_counts[0], scored_total) if scored_counts else None,
        top_two_share=share(sum(scored_counts[:2]), scored_total) if scored_counts else None,
        score=score,
        label=label,
        weight=weight,
        pooled=list(pooled),
    )


def groups_pooled(votes):
    """The groups (keys of `votes` {group: votes}) that may not be shown apart: those with
    1 to MIN_GROUP_VOTES - 1 votes; and while they hold fewer than MIN_GROUP_VOTES votes
    together, the smallest other group with votes joins them (else the pool, or the total
    minus the lines shown, would still be one or two ballots)."""
    pooled = {group for group, n in votes.items() if 0 < n < MIN_GROUP_VOTES}
    while pooled and sum(votes[group] for group in pooled) < MIN_GROUP_VOTES:
        others = [group for group, n in votes.items() if n and group not in pooled]
        if not others:
            break
        pooled.add(min(others, key=lambda group: votes[group]))
    return pooled


def evaluation_tally(evaluation):
    """[EntryTally] in meeting order: per group the count of each mark, the shares of the best
    and two best marks and the group score; then all groups together with the weighted
    ballot score. Groups with too few votes to stay secret (groups_pooled) are counted and
    scored together on one "其他" line, weighted by the sum of their weights.
    `evaluation` comes from evaluation_of (prefetched). Two queries."""
    marks = list(evaluation.marks.all())
    groups = list(evaluation.groups.all())
    # 不了解/弃权 marks come last (see services) and are left out of the score.
    factors = {mark.pk: mark.factor for mark in marks if not mark.abstain}
    scored = len(factors)
    mark_keys = [mark.pk for mark in marks]
    counts = _counts(evaluation)
    expected = sum(group.size for group in groups)
    tallies = []
    for entry in evaluation.entries.all():
        tally = EntryTally(entry, expected=expected, quorum_required=evaluation.quorum_required)
        by_group = {group: [counts.get((entry.pk, group.pk, mark.pk), 0) for mark in marks] for group in groups}
        tally.voted = sum(min(sum(by_group[group]), group.size) for group in groups)
        pooled = groups_pooled({group: sum(group_counts) for group, group_counts in by_group.items()})
        scores, weights = {}, {}
        for group in groups:
            if group in pooled:
                continue
            group_counts = by_group[group]
            scores[group.pk] = group_score(dict(zip(mark_keys, group_counts, strict=True)), factors)
            weights[group.pk] = group.weight
            tally.lines.append(_line(group, group_counts, scores[group.pk], label=group.name, weight=group.weight, scored=scored))
        if pooled:
            members = [group for group in groups if group in pooled]
            pool_counts = [sum(by_group[group][index] for group in members) for index in range(len(marks))]
            scores[OTHER_LABEL] = group_score(dict(zip(mark_keys, pool_counts, strict=True)), factors)
            weights[OTHER_LABEL] = sum((group.weight for group in members), Decimal(0))
            if any(line.total for line in tally.lines):  # else "其他" would repeat the all-groups line
                tally.lines.append(
                    _line(None, pool_counts, scores[OTHER_LABEL], label=OTHER_LABEL, weight=weights[OTHER_LABEL],
                          pooled=[group.name for group in members], scored=scored)
                )
        all_counts = [sum(by_group[group][index] for group in groups) for index in range(len(marks))]
        tally.lines.append(_line(None, all_counts, weighted_ballot_score(scores, weights), label="合计（加权）", scored=scored))
        tallies.append(tally)
    return tallies


def ballot_scores(cycle):
    """{report id: ballot score} from the cycle's closed evaluation (paper tallies included),
    or None when the cycle has no closed evaluation. An organization whose vote does not stand
    (quorum required and not met) has no ballot score."""
    evaluation = evaluation_of(cycle)
    if evaluation is None or evaluation.status != Evaluation.Status.CLOSED:
        return None
    return {tally.entry.report_id: tally.score if tally.stands else None for tally in evaluation_tally(evaluation)}


def electronic_votes_by_entry_and_group(evaluation):
    """{(entry id, group id): phone votes for the organization}. One query. In a once-for-all
    ballot every ballot marks every organization; in per-speech voting each ballot marks one."""
    rows = (
        Vote.objects.filter(ballot__evaluation=evaluation)
        .values_list("entry_id", "ballot__group_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(entry_id, group_id): n for entry_id, group_id, n in rows}


def paper_tally_values(evaluation):
    """{(entry id, group id, mark id): count} of the paper ballots entered so far. One query."""
    return {
        (entry_id, group_id, mark_id): count
        for entry_id, group_id, mark_id, count in PaperTally.objects.filter(entry__evaluation=evaluation).values_list(
            "entry_id", "group_id", "mark_id", "count"
        )
    }



def ballot_tally_for_report(report):
    """(marks, EntryTally) of the report on its cycle's closed evaluation, or None (for the result sheet)."""
    evaluation = evaluation_of(report.cycle)
    if evaluation is None or evaluation.status != Evaluation.Status.CLOSED:
        return None
    tally = next((tally for tally in evaluation_tally(evaluation) if tally.entry.report_id == report.pk), None)
    return (list(evaluation.marks.all()), tally) if tally else None
