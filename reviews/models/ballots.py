"""Democratic evaluation (民主测评): the ballot's setup (Evaluation), codes, ballots and votes."""

import uuid

from django.db import models
from django.db.models import Q

from reports.models import Cycle, Report

# ---------------------------------------------------------------- democratic evaluation (民主测评)


class Evaluation(models.Model):
    """The democratic evaluation (民主测评) of a cycle's review meeting, as the administrator
    sets it up: the organizations on the ballot (EvaluationEntry, in meeting order), the
    voter groups (VoterGroup, head count and weight), the marks a voter can give (Mark,
    with their score factors), and when voting closes.

    Vocabulary (domain glossary): the sheet one voter submits is a Ballot, one mark on
    it a Vote. Each voter gets a one-time BallotCode; paper ballots enter as PaperTally.
    Lifecycle: draft (set up, codes printable) → open (codes' plain text erased, voting)
    → closed (tallies shown; the ballot score feeds the cycle's results).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "准备中"
        REHEARSAL = "rehearsal", "演练中"
        OPEN = "open", "测评中"
        CLOSED = "closed", "已结束"

    class Mode(models.TextChoices):
        ONCE = "once", "集中测评（全部述职后一次投票）"
        PER_SPEECH = "per_speech", "逐个测评（每位书记述职后投票）"

    class BestLimit(models.TextChoices):
        NONE = "", "不限"
        THIRD = "1/3", "不超过测评对象的三分之一"
        HALF = "1/2", "不超过测评对象的二分之一"

    cycle = models.OneToOneField(Cycle, verbose_name="年度述职评议", on_delete=models.CASCADE, related_name="evaluation")
    title = models.CharField("测评会议名称", max_length=120)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField("投票方式", max_length=20, choices=Mode.choices, default=Mode.ONCE)
    # The vote of an organization stands only if more than half of those expected took part.
    quorum_required = models.BooleanField("须过半数参加方为有效", default=False)
    # At most this share of the organizations may get the best mark on one ballot (once mode).
    best_limit = models.CharField("每张票“好”的数量", max_length=5, choices=BestLimit.choices, blank=True, default="")
    closes_at = models.DateTimeField("投票截止时间", null=True, blank=True)
    opened_at = models.DateTimeField("开始时间", null=True, blank=True, editable=False)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "民主测评"
        verbose_name_plural = "民主测评"

    def __str__(self):
        return self.title


class EvaluationEntry(models.Model):
    """An organization (its report and secretary) on the ballot, in the order of the meeting."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="entries")
    report = models.ForeignKey(Report, verbose_name="述职报告", on_delete=models.CASCADE, related_name="evaluation_entries")
    order = models.PositiveIntegerField("顺序", default=0)
    # Per-speech voting (Evaluation.Mode.PER_SPEECH): the host opens and closes each entry.
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    voting_closed_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_voting(self):
        return self.voting_opened_at is not None and self.voting_closed_at is None

    class Meta:
        verbose_name = "测评对象"
        verbose_name_plural = "测评对象"
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "report"], name="evaluation_entry_unique_report"),
        ]


class VoterGroup(models.Model):
    """A group of voters (班子成员, 党员代表 …): one code per head; weight relative to the other groups."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("测评人类别", max_length=30)
    size = models.PositiveIntegerField("人数")
    weight = models.DecimalField("权重", max_digits=5, decimal_places=2)
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "测评人类别"
        verbose_name_plural = "测评人类别"
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "name"], name="voter_group_unique_name"),
            models.CheckConstraint(condition=Q(size__gt=0), name="voter_group_size_positive"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="voter_group_weight_non_negative"),
        ]

    def __str__(self):
        return self.name


class Mark(models.Model):
    """A mark a voter can give (好 / 较好 / 一般 / 差 …), best first, with its score factor."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="marks")
    label = models.CharField("评价", max_length=10)
    factor = models.DecimalField("折算系数", max_digits=4, decimal_places=3)
    order = models.PositiveIntegerField("顺序", default=0)
    # 不了解 / 弃权: a vote that counts as taking part but not in the score.
    abstain = models.BooleanField("不计分（不了解/弃权）", default=False)

    class Meta:
        verbose_name = "评价选项"
        verbose_name_plural = "评价选项"
        ordering = ["evaluation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "label"], name="mark_unique_label"),
            models.CheckConstraint(condition=Q(factor__gte=0) & Q(factor__lte=1), name="mark_factor_range"),
        ]

    def __str__(self):
        return self.label


class BallotCode(models.Model):
    """A one-time voting code of one voter group. Only its SHA-256 digest identifies it once
    voting opens: the plain text exists while the evaluation is a draft (to print the
    sheet) and is erased when it opens. Nothing links a code to the Ballot cast with it."""

    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, unique=True)
    plain = models.CharField(max_length=16, blank=True)
    used = models.BooleanField(default=False)
    # A test code of the rehearsal (演练): votes only while rehearsing; deleted with its votes after.
    rehearsal = models.BooleanField(default=False)

    class Meta:
        verbose_name = "测评码"
        verbose_name_plural = "测评码"


class BallotCodeUse(models.Model):
    """Per-speech voting: the code has voted on this entry (the unique pair is the gate). Says
    nothing about the mark; rewritten in random order when the evaluation closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.ForeignKey(BallotCode, on_delete=models.CASCADE, related_name="uses")
    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="code_uses")

    class Meta:
        verbose_name = "测评码使用"
        verbose_name_plural = "测评码使用"
        constraints = [models.UniqueConstraint(fields=["code", "entry"], name="ballot_code_use_unique")]


class Ballot(models.Model):
    """One voter's sheet (测评票). Deliberately without code, time or address: a random id
    (no sequence to reveal the order of voting) and the voter group only. Closing the
    evaluation rewrites every ballot and vote with fresh ids in a random order (see
    reviews.ballots.services.evaluation_close), so neither rows nor system columns keep the order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="ballots")

    class Meta:
        verbose_name = "测评票"
        verbose_name_plural = "测评票"


class Vote(models.Model):
    """One mark on a ballot: the voter's mark for one organization."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="votes")
    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="votes")

    class Meta:
        verbose_name = "测评意见"
        verbose_name_plural = "测评意见"
        constraints = [
            models.UniqueConstraint(fields=["ballot", "entry"], name="vote_unique_entry_per_ballot"),
        ]


class PaperTally(models.Model):
    """Paper ballots counted by hand: how many voters of a group gave an organization a mark."""

    entry = models.ForeignKey(EvaluationEntry, on_delete=models.CASCADE, related_name="paper_tallies")
    group = models.ForeignKey(VoterGroup, on_delete=models.CASCADE, related_name="paper_tallies")
    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="paper_tallies")
    count = models.PositiveIntegerField("票数", default=0)

    class Meta:
        verbose_name = "纸质票统计"
        verbose_name_plural = "纸质票统计"
        constraints = [
            models.UniqueConstraint(fields=["entry", "group", "mark"], name="paper_tally_unique_cell"),
        ]
