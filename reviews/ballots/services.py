"""Writes of the democratic evaluation (民主测评): setting it up, issuing codes, opening and
closing, casting a ballot, entering paper tallies.

Secrecy by construction: a code is stored as its SHA-256 digest; its plain text lives only
while the evaluation is a draft (so the sheet can be printed again) and is erased when
voting opens. A cast ballot stores its voter group and the marks — no code, no time, no
address, and a random id. Marking the code used and storing the ballot are one transaction,
and the code is taken by a conditional UPDATE (… WHERE used = false): of concurrent
submissions of one code the database lets exactly one through.

While voting is open the database itself still knows more than the application shows: on
PostgreSQL a ballot and its code's row carry the same transaction id (xmin), and rows sit in
the order they were written (ctid; SQLite's rowid). Closing removes all of that: in the
closing transaction every ballot and vote is rewritten with a fresh random id in a random
order and every code row is rewritten too, so all of them carry the closing transaction's
id and their physical order is the shuffle's; then the tables are vacuumed (see
`_vacuum_ballot_tables`) so the dead row versions of the voting are gone from the files.
"""

import logging
import secrets
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from branches.models import AuditEntry
from reviews.ballots.computation import best_limit_count, code_new, code_normalize
from reviews.ballots.selectors import (
    code_digest,
    code_lookup,
    electronic_votes_by_entry_and_group,
    evaluation_of,
    evaluation_tally,
    is_accepting_votes,
)
from reviews.common import audit, audit_change, ensure_not_published, ensure_open, upsert_with_changes
from reviews.models import (
    Ballot,
    BallotCode,
    BallotCodeUse,
    Evaluation,
    EvaluationEntry,
    Mark,
    PaperTally,
    Vote,
    VoterGroup,
)

DEFAULT_GROUPS = [("班子成员", 7, Decimal("40")), ("党员代表", 20, Decimal("40")), ("群众代表", 10, Decimal("20"))]
DEFAULT_MARKS = [("好", Decimal("1")), ("较好", Decimal("0.9")), ("一般", Decimal("0.7")), ("差", Decimal("0.5"))]
MAX_GROUP_SIZE = 1000
MAX_CODES = 3000
MAX_MARKS = 6
MAX_REHEARSAL_CODES = 50

logger = logging.getLogger(__name__)


class BallotRefused(Exception):
    """A voter's code cannot vote; `message` says why, in words for the voter."""

    message = ""

    def __init__(self, message=None):
        super().__init__(message or self.message)
        self.message = message or self.message


class CodeInvalid(BallotRefused):
    message = "测评码不正确，请核对后重新输入（共16位，由数字和大写字母组成）。"


class CodeUsed(BallotRefused):
    message = "此测评码已经投过票。每个测评码只能投票一次，您的票已计入。"


class VotingClosed(BallotRefused):
    message = "本次民主测评现在不在投票时间内（尚未开始或已经结束）。"


class RehearsalCode(BallotRefused):
    message = "这是演练用的测评码，演练已经结束，不能用于正式投票。请使用正式测评码。"


class RehearsalOnly(BallotRefused):
    message = "现在是投票演练，只能使用演练测评码；正式投票尚未开始，请稍候。"


# ---------------------------------------------------------------- setting up


def _clean_setup(*, cycle, title, report_orders, groups, marks, abstain_label=""):
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写测评会议名称。"
    elif len(title) > 120:
        errors["title"] = "测评会议名称最多 120 字。"
    reports = set(cycle.reports.values_list("pk", flat=True))
    if not report_orders:
        errors["entries"] = "请至少选择一个测评对象。"
    elif not set(report_orders) <= reports:
        raise ValidationError("包含不属于本年度的述职报告。")
    names = [group["name"] for group in groups]
    if not groups:
        errors["groups"] = "请至少设置一类测评人。"
    elif any(not name or len(name) > 30 for name in names) or len(set(names)) < len(names):
        errors["groups"] = "测评人类别须填写名称（最多30字），且不能重复。"
    elif any(not (1 <= group["size"] <= MAX_GROUP_SIZE) for group in groups):
        errors["groups"] = f"每类测评人的人数须在 1 到 {MAX_GROUP_SIZE} 之间。"
    elif any(not (0 <= group["weight"] <= 100) for group in groups):
        errors["groups"] = "权重须在 0 到 100 之间。"
    elif sum(group["size"] for group in groups) > MAX_CODES:
        errors["groups"] = f"测评人总数不能超过 {MAX_CODES}。"
    labels = [mark["label"] for mark in marks]
    if not (2 <= len(marks) <= MAX_MARKS):
        errors["marks"] = f"评价选项须有 2 到 {MAX_MARKS} 个。"
    elif any(not label or len(label) > 10 for label in labels) or len(set(labels)) < len(labels):
        errors["marks"] = "评价选项须填写名称（最多10字），且不能重复。"
    elif any(not (0 <= mark["factor"] <= 1) for mark in marks):
        errors["marks"] = "折算系数须在 0 到 1 之间。"
    if abstain_label and (len(abstain_label) > 10 or abstain_label in labels):
        errors["abstain_label"] = "“不了解”选项的名称最多10字，且不能与评价选项重复。"
    if errors:
        raise ValidationError(errors)
    return title


def _codes_issue(groups):
    """Issue one fresh code per head of each group (they replace no existing codes)."""
    codes = []
    seen = set()
    for group in groups:
        for _ in range(group.size):
            code = code_new()
            while code in seen:  # 80 bits: practically never; the unique digest guards the rest
                code = code_new()
            seen.add(code)
            codes.append(BallotCode(group=group, digest=code_digest(code), plain=code))
    BallotCode.objects.bulk_create(codes)
    return len(codes)


@transaction.atomic
def evaluation_save(
    *, cycle, by, title, report_orders, groups, marks, closes_at=None,
    mode=Evaluation.Mode.ONCE, quorum_required=False, best_limit="", abstain_label="",
):
    """Create or change (while a draft) the cycle's evaluation.

    report_orders {report id: meeting order}; groups [{"name", "size", "weight"}];
    marks [{"label", "factor"}], best first; `abstain_label` (e.g. 不了解) adds a last mark that
    counts as taking part but not in the score. Saving issues new codes for every group:
    sheets printed before no longer work.
    """
    ensure_not_published(cycle)  # the ballot is an input of the published results
    abstain_label = (abstain_label or "").strip()
    if mode not in Evaluation.Mode.values or best_limit not in Evaluation.BestLimit.values:
        raise ValidationError("投票方式或“好”的数量限制不正确。")
    title = _clean_setup(
        cycle=cycle, title=title, report_orders=report_orders, groups=groups, marks=marks, abstain_label=abstain_label
    )
    evaluation = Evaluation.objects.select_for_update().filter(cycle=cycle).first()
    if evaluation is not None and evaluation.status != Evaluation.Status.DRAFT:
        raise ValidationError("民主测评已经开始，不能再修改设置。")
    rules = {"mode": mode, "quorum_required": quorum_required, "best_limit": best_limit}
    if evaluation is None:
        evaluation = Evaluation.objects.create(cycle=cycle, title=title, closes_at=closes_at, **rules)
        action = "设置"
    else:
        evaluation.title, evaluation.closes_at = title, closes_at
        for name, value in rules.items():
            setattr(evaluation, name, value)
        evaluation.save(update_fields=["title", "closes_at", *rules])
        evaluation.entries.all().delete()
        evaluation.groups.all().delete()
        evaluation.marks.all().delete()
        action = "修改"
    ordered = sorted(report_orders.items(), key=lambda item: (item[1], item[0]))
    EvaluationEntry.objects.bulk_create(
        [EvaluationEntry(evaluation=evaluation, report_id=report_id, order=index) for index, (report_id, _o) in enumerate(ordered)]
    )
    created_groups = VoterGroup.objects.bulk_create(
        [
            VoterGroup(evaluation=evaluation, name=group["name"], size=group["size"], weight=group["weight"], order=index)
            for index, group in enumerate(groups)
        ]
    )
    Mark.objects.bulk_create(
        [Mark(evaluation=evaluation, label=mark["label"], factor=mark["factor"], order=index) for index, mark in enumerate(marks)]
        + ([Mark(evaluation=evaluation, label=abstain_label, factor=0, order=len(marks), abstain=True)] if abstain_label else [])
    )
    issued = _codes_issue(created_groups)
    audit(
        cycle, by, AuditEntry.Action.SETTINGS_CHANGED,
        f"{action}民主测评“{title}”：{len(ordered)}个测评对象，生成{issued}个测评码",
        obj=evaluation,
        changes={
            "groups": [[g["name"], g["size"], str(g["weight"])] for g in groups],
            "marks": [[m["label"], str(m["factor"])] for m in marks],
            "rules": {**rules, "abstain": abstain_label},
        },
    )
    return evaluation


def _locked(evaluation):
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


def _shared_lock(evaluation):
    """The evaluation as committed now, share-locked: ballots are cast side by side, but not
    while it opens or closes (those take FOR UPDATE). SQLite's IMMEDIATE transactions
    serialize every write anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(Evaluation._meta.db_table)} WHERE id = %s FOR SHARE", [evaluation.pk])
    return Evaluation.objects.get(pk=evaluation.pk)


@transaction.atomic
def evaluation_open(*, evaluation, by):
    """Start voting. The codes' plain text is erased: from now on only their digests exist."""
    evaluation = _locked(evaluation)
    ensure_not_published(evaluation.cycle)
    if evaluation.status == Evaluation.Status.REHEARSAL:
        raise ValidationError("投票演练尚未结束：请先结束演练（清除演练票），再开始正式测评。")
    if evaluation.status != Evaluation.Status.DRAFT:
        raise ValidationError("民主测评已经开始过，不能重复开始。")
    if evaluation.closes_at is not None and evaluation.closes_at <= timezone.now():
        raise ValidationError("投票截止时间已过，请先修改截止时间。")
    BallotCode.objects.filter(group__evaluation=evaluation).update(plain="")
    evaluation.status = Evaluation.Status.OPEN
    evaluation.opened_at = timezone.now()
    evaluation.save(update_fields=["status", "opened_at"])
    audit(evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"开始民主测评“{evaluation}”", obj=evaluation)
    return evaluation


@transaction.atomic
def evaluation_rehearsal_start(*, evaluation, by, count=5):
    """Rehearse the vote (演练) before the real one: `count` test codes that vote while rehearsing;
    the real codes cannot vote yet. Their ballots are wiped by evaluation_rehearsal_end."""
    evaluation = _locked(evaluation)
    ensure_not_published(evaluation.cycle)
    if evaluation.status != Evaluation.Status.DRAFT:
        raise ValidationError("只能在正式测评开始前演练。")
    if not (1 <= count <= MAX_REHEARSAL_CODES):
        raise ValidationError(f"演练测评码须为 1 到 {MAX_REHEARSAL_CODES} 个。")
    group = evaluation.groups.order_by("order", "id").first()
    codes = []
    for _ in range(count):
        code = code_new()
        codes.append(BallotCode(group=group, digest=code_digest(code), plain=code, rehearsal=True))
    BallotCode.objects.bulk_create(codes)
    evaluation.status = Evaluation.Status.REHEARSAL
    evaluation.save(update_fields=["status"])
    audit(evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"开始投票演练（{count}个演练测评码）", obj=evaluation)
    return [code.plain for code in codes]


@transaction.atomic
def evaluation_rehearsal_end(*, evaluation, by):
    """End the rehearsal: every ballot cast so far (only test codes could vote) and the test codes
    are deleted, per-speech voting is reset; the evaluation is a draft again, ready for the real vote."""
    evaluation = _locked(evaluation)
    if evaluation.status != Evaluation.Status.REHEARSAL:
        raise ValidationError("当前没有进行中的演练。")
    wiped = Ballot.objects.filter(evaluation=evaluation).count()
    BallotCodeUse.objects.filter(entry__evaluation=evaluation).delete()
    Vote.objects.filter(ballot__evaluation=evaluation).delete()
    Ballot.objects.filter(evaluation=evaluation).delete()
    BallotCode.objects.filter(group__evaluation=evaluation, rehearsal=True).delete()
    evaluation.entries.update(voting_opened_at=None, voting_closed_at=None)
    evaluation.status = Evaluation.Status.DRAFT
    evaluation.save(update_fields=["status"])
    audit(evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"结束投票演练，清除演练票{wiped}张", obj=evaluation)
    return wiped


def _quorum_summary(tally):
    rule = "须过半数" if tally.quorum_required else "不要求过半数"
    verdict = "有效" if tally.stands else "无效（未过半数）"
    return f"{tally.entry.report.organization}：应到{tally.expected}人，实投{tally.voted}票，{rule}，{verdict}"


@transaction.atomic
def entry_voting_open(*, evaluation, entry, by):
    """Per-speech voting: open the ballot on one organization (one at a time)."""
    evaluation = _locked(evaluation)
    ensure_open(evaluation.cycle)
    if evaluation.mode != Evaluation.Mode.PER_SPEECH:
        raise ValidationError("本次测评为集中测评，不能逐个开始投票。")
    if evaluation.status not in (Evaluation.Status.OPEN, Evaluation.Status.REHEARSAL):
        raise ValidationError("请先开始民主测评（或演练），再逐个开始投票。")
    entry = EvaluationEntry.objects.select_for_update().get(pk=entry.pk, evaluation=evaluation)
    if entry.voting_opened_at is not None:
        raise ValidationError("对该书记的投票已经开始过。")
    if evaluation.entries.filter(voting_opened_at__isnull=False, voting_closed_at__isnull=True).exists():
        raise ValidationError("另一位书记的投票尚未结束，请先结束。")
    entry.voting_opened_at = timezone.now()
    entry.save(update_fields=["voting_opened_at"])
    audit(evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"开始对{entry.report.organization}投票", obj=evaluation)
    return entry


@transaction.atomic
def entry_voting_close(*, evaluation, entry, by):
    """Per-speech voting: close the ballot on one organization; the quorum is recorded."""
    evaluation = _locked(evaluation)
    entry = EvaluationEntry.objects.select_for_update().get(pk=entry.pk, evaluation=evaluation)
    if not entry.is_voting:
        raise ValidationError("对该书记的投票不在进行中。")
    entry.voting_closed_at = timezone.now()
    entry.save(update_fields=["voting_closed_at"])
    tally = next(t for t in evaluation_tally(evaluation_of(evaluation.cycle)) if t.entry.pk == entry.pk)
    audit(evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"结束对{entry.report.organization}投票：{_quorum_summary(tally)}", obj=evaluation)
    return entry


def _ballots_reshuffle(evaluation):
    """Rewrite the evaluation's ballots and votes with fresh random ids in a random order, and
    touch every code row: afterwards all of them carry this transaction's id (PostgreSQL's
    xmin), and neither ids nor physical order (ctid, SQLite's rowid) follow the order of voting.
    Constant number of queries (bulk writes)."""
    sheets = {}
    for pk, group_id in Ballot.objects.filter(evaluation=evaluation).values_list("pk", "group_id"):
        sheets[pk] = (group_id, [])
    for ballot_id, entry_id, mark_id in Vote.objects.filter(ballot__evaluation=evaluation).values_list(
        "ballot_id", "entry_id", "mark_id"
    ):
        sheets[ballot_id][1].append((entry_id, mark_id))
    Vote.objects.filter(ballot__evaluation=evaluation).delete()
    Ballot.objects.filter(evaluation=evaluation).delete()
    shuffled = list(sheets.values())
    rng = secrets.SystemRandom()
    rng.shuffle(shuffled)
    ballots = [Ballot(id=uuid.uuid4(), evaluation=evaluation, group_id=group_id) for group_id, _votes in shuffled]
    Ballot.objects.bulk_create(ballots, batch_size=500)
    votes = [
        Vote(id=uuid.uuid4(), ballot=ballot, entry_id=entry_id, mark_id=mark_id)
        for ballot, (_group_id, marks) in zip(ballots, shuffled, strict=True)
        for entry_id, mark_id in marks
    ]
    rng.shuffle(votes)
    Vote.objects.bulk_create(votes, batch_size=500)
    # Per-speech voting: which codes voted on which organization, rewritten in a random order too.
    uses = list(BallotCodeUse.objects.filter(entry__evaluation=evaluation).values_list("code_id", "entry_id"))
    BallotCodeUse.objects.filter(entry__evaluation=evaluation).delete()
    rng.shuffle(uses)
    BallotCodeUse.objects.bulk_create([BallotCodeUse(id=uuid.uuid4(), code_id=c, entry_id=e) for c, e in uses], batch_size=500)
    # A no-op UPDATE still writes a new row version: the codes' xmin becomes this transaction's too.
    BallotCode.objects.filter(group__evaluation=evaluation).update(used=F("used"))
    return len(ballots)


def _vacuum_ballot_tables():
    """After the closing commit: drop the dead row versions the voting left behind.

    PostgreSQL keeps deleted and updated rows (with their xmin and old position) in the table
    files until VACUUM; VACUUM FULL writes the three tables anew without them. SQLite with
    secure_delete (reviews.apps) zeroes deleted rows at once; VACUUM also rebuilds the file
    without free pages. Best effort: a failure (another long transaction, a busy database) is
    logged, and the next manual or automatic VACUUM finishes the job.
    """
    tables = [model._meta.db_table for model in (Ballot, Vote, BallotCode, BallotCodeUse)]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM FULL " + ", ".join(connection.ops.quote_name(t) for t in tables))
            elif connection.vendor == "sqlite":
                cursor.execute("VACUUM")
    except Exception:  # noqa: BLE001 — the close itself has committed; say so and move on
        logger.warning("VACUUM after closing the evaluation failed; run it by hand", exc_info=True)


@transaction.atomic
def evaluation_close(*, evaluation, by):
    """End voting. The tallies show, and the ballot score feeds the next results computation.

    The ballots are rewritten so that nothing stored keeps the order of voting or ties a
    ballot to a code (`_ballots_reshuffle`); the tables are vacuumed after the commit."""
    evaluation = _locked(evaluation)
    ensure_open(evaluation.cycle)
    if evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError("只能结束正在进行的民主测评。")
    ballots = _ballots_reshuffle(evaluation)
    now = timezone.now()
    evaluation.entries.filter(voting_opened_at__isnull=False, voting_closed_at__isnull=True).update(voting_closed_at=now)
    evaluation.status = Evaluation.Status.CLOSED
    evaluation.closed_at = now
    evaluation.save(update_fields=["status", "closed_at"])
    quorum = "；".join(_quorum_summary(tally) for tally in evaluation_tally(evaluation_of(evaluation.cycle)))
    audit_change(
        evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED,
        f"结束民主测评“{evaluation}”（手机投票{ballots}张）",
        obj=evaluation,
        changes={"quorum": quorum},
    )
    transaction.on_commit(_vacuum_ballot_tables)
    return evaluation


# ---------------------------------------------------------------- voting


def ballot_entries(evaluation):
    """The organizations a ballot marks now: all of them, or in per-speech voting the one open."""
    entries = evaluation.entries.select_related("report__organization__secretary")
    if evaluation.mode == Evaluation.Mode.PER_SPEECH:
        entries = entries.filter(voting_opened_at__isnull=False, voting_closed_at__isnull=True)
    return list(entries)


def code_check(code):
    """The BallotCode a typed code names if it may vote now; raises BallotRefused otherwise. Reads only."""
    ballot_code = code_lookup(code_normalize(code))
    if ballot_code is None:
        raise CodeInvalid
    evaluation = ballot_code.group.evaluation
    if ballot_code.used:
        raise CodeUsed
    if not is_accepting_votes(evaluation):
        raise VotingClosed
    rehearsing = evaluation.status == Evaluation.Status.REHEARSAL
    if ballot_code.rehearsal and not rehearsing:
        raise RehearsalCode
    if rehearsing and not ballot_code.rehearsal:
        raise RehearsalOnly
    if evaluation.mode == Evaluation.Mode.PER_SPEECH:
        entries = ballot_entries(evaluation)
        if not entries:
            raise BallotRefused("现在没有正在进行的投票，请等待主持人宣布开始对下一位书记投票。")
        if BallotCodeUse.objects.filter(code=ballot_code, entry__in=entries).exists():
            raise CodeUsed("您已经对本位书记投过票，请等待下一位书记的投票开始。")
    return ballot_code


def choices_check(evaluation, choices):
    """{entry id: mark id} with every entry of the ballot marked; ValidationError naming the missing
    ones, or (with a limit on the best mark) saying how many best marks are allowed."""
    marks = list(evaluation.marks.all())
    entries = ballot_entries(evaluation)
    missing = [entry.pk for entry in entries if choices.get(entry.pk) not in {mark.pk for mark in marks}]
    if missing:
        raise ValidationError({f"entry_{pk}": "请选择一项评价。" for pk in missing})
    limit = best_limit_count(evaluation.best_limit, evaluation.entries.count()) if evaluation.mode == Evaluation.Mode.ONCE else None
    if limit is not None and marks:
        given = sum(1 for entry in entries if choices[entry.pk] == marks[0].pk)
        if given > limit:
            raise ValidationError(
                {"best_limit": f"每张测评票最多评 {limit} 个“{marks[0].label}”，您评了 {given} 个，请改掉 {given - limit} 个后再提交。"}
            )
    return {entry.pk: choices[entry.pk] for entry in entries}


@transaction.atomic
def ballot_cast(*, code, choices):
    """Cast one voter's ballot: `choices` {entry id: mark id} must mark every organization.

    Raises BallotRefused (wrong code, used code, voting not open) or ValidationError (marks
    missing). A code votes once, also under concurrent submissions (see the module docstring).
    """
    ballot_code = code_check(code)
    evaluation = ballot_code.group.evaluation
    choices = choices_check(evaluation, choices)
    # Closing (FOR UPDATE) waits for the ballots being cast, and a ballot cast while it closes
    # sees the new status: no ballot lands after the closing rewrite.
    if not is_accepting_votes(_shared_lock(evaluation)):
        raise VotingClosed
    if evaluation.mode == Evaluation.Mode.PER_SPEECH:
        # Read again under the lock: the host may have closed this organization's ballot (its
        # turnout recorded) since the choices were checked.
        if set(choices) != {entry.pk for entry in ballot_entries(evaluation)}:
            raise BallotRefused("对本位书记的投票已经结束，您的票未计入。")
        # The unique (code, entry) pair is the gate: one submission per code and organization.
        try:
            with transaction.atomic():
                BallotCodeUse.objects.bulk_create([BallotCodeUse(code=ballot_code, entry_id=entry_id) for entry_id in choices])
        except IntegrityError:
            raise CodeUsed("您已经对本位书记投过票。") from None
    # The conditional UPDATE is the gate: the database lets one submission of a code through.
    elif not BallotCode.objects.filter(pk=ballot_code.pk, used=False).update(used=True):
        raise CodeUsed
    ballot = Ballot.objects.create(evaluation=evaluation, group_id=ballot_code.group_id)
    Vote.objects.bulk_create([Vote(ballot=ballot, entry_id=entry_id, mark_id=mark_id) for entry_id, mark_id in choices.items()])
    return ballot


# ---------------------------------------------------------------- paper ballots


@transaction.atomic
def paper_tallies_set(*, evaluation, counts, by):
    """Enter the counted paper ballots. `counts` {(entry id, group id, mark id): votes (int or text)}.

    Paper ballots count like electronic ones. For each organization and group, paper and
    electronic votes together cannot exceed the group's head count.
    """
    evaluation = _locked(evaluation)
    ensure_not_published(evaluation.cycle)
    # Not while rehearsing either: the rehearsal's wipe leaves paper counts alone, so they would count.
    if evaluation.status in (Evaluation.Status.DRAFT, Evaluation.Status.REHEARSAL):
        raise ValidationError("民主测评正式开始后才能录入纸质票。")
    entries = {entry.pk: entry for entry in evaluation.entries.select_related("report__organization")}
    groups = {group.pk: group for group in evaluation.groups.all()}
    marks = {mark.pk: mark for mark in evaluation.marks.all()}
    errors, cleaned = {}, {}
    for (entry_id, group_id, mark_id), value in counts.items():
        if entry_id not in entries or group_id not in groups or mark_id not in marks:
            raise ValidationError("包含不属于本次测评的项目。")
        key = f"paper_{entry_id}_{group_id}_{mark_id}"
        try:
            number = int(str(value).strip() or 0)
        except (TypeError, ValueError):
            errors[key] = "须为整数。"
            continue
        if number < 0:
            errors[key] = "不能为负数。"
            continue
        cleaned[(entry_id, group_id, mark_id)] = number
    electronic = electronic_votes_by_entry_and_group(evaluation)
    existing = {(t.entry_id, t.group_id, t.mark_id): t for t in PaperTally.objects.filter(entry__evaluation=evaluation)}
    totals = {}
    for (entry_id, group_id, mark_id), tally in existing.items():
        totals[(entry_id, group_id)] = totals.get((entry_id, group_id), 0) + cleaned.get((entry_id, group_id, mark_id), tally.count)
    for (entry_id, group_id, mark_id), number in cleaned.items():
        if (entry_id, group_id, mark_id) not in existing:
            totals[(entry_id, group_id)] = totals.get((entry_id, group_id), 0) + number
    for (entry_id, group_id), paper in totals.items():
        group = groups[group_id]
        phone = electronic.get((entry_id, group_id), 0)
        if paper + phone > group.size:
            errors[f"paper_{entry_id}_{group_id}"] = (
                f"{entries[entry_id].report.organization}·{group.name}：纸质票 {paper} 张加手机投票 "
                f"{phone} 张，超过该类测评人数 {group.size}。"
            )
    if errors:
        raise ValidationError(errors)
    changes = upsert_with_changes(
        PaperTally,
        "count",
        existing=existing,
        values=cleaned,
        default=0,
        new=lambda key, number: PaperTally(entry_id=key[0], group_id=key[1], mark_id=key[2], count=number),
        label=lambda key: f"{entries[key[0]].report.organization}·{groups[key[1]].name}·{marks[key[2]].label}",
    )
    if changes:
        audit_change(
            evaluation.cycle, by, AuditEntry.Action.SETTINGS_CHANGED,
            f"录入民主测评“{evaluation}”的纸质票（{len(changes)}项）",
            obj=evaluation,
            changes=changes,
        )
    return len(changes)
