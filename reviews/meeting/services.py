"""Writes of the review meeting (述职评议会): setting it up, the agenda and the draw, attendance,
the host's console (timer, speakers, ballot, screen, questions) and the screen link.

Every state change locks the meeting row (select_for_update), re-checks the state inside the
lock, writes an audit entry and drops the screen's cached state so that the projector follows
within one poll.
"""

import random
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.models import AuditEntry
from reviews.ballots import services as ballot_services
from reviews.common import audit, clean_text, ensure_open
from reviews.meeting.selectors import screen_state_forget, speech_elapsed
from reviews.models import Attendee, Evaluation, EvaluationEntry, Meeting, MeetingQuestion, Speech

MAX_TIME_LIMIT = 120
MAX_ATTENDEES_PER_GROUP = 1000


def _token():
    return secrets.token_urlsafe(24)


def _changed(meeting):
    screen_state_forget(Meeting.objects.filter(pk=meeting.pk).values_list("screen_token", flat=True).first())


def _locked(meeting):
    return Meeting.objects.select_for_update().select_related("cycle__organization").get(pk=meeting.pk)


def _log(meeting, by, summary, **kwargs):
    audit(meeting.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"述职评议会：{summary}", obj=meeting, **kwargs)
    transaction.on_commit(lambda: _changed(meeting))


def _ensure_not_finished(meeting):
    if meeting.status == Meeting.Status.FINISHED:
        raise ValidationError("述职评议会已经结束，不能再修改。")


# ---------------------------------------------------------------- setting up


@transaction.atomic
def meeting_save(*, cycle, by, title, date=None, place=""):
    """Create or change the cycle's meeting. A new meeting's agenda holds every submitted report
    (in the evaluation's order if there is one, else the organizations' order)."""
    ensure_open(cycle)
    title = clean_text(title, field="title", label="会议名称", max_length=120)
    place = clean_text(place, field="place", label="会议地点", max_length=120, required=False)
    meeting = Meeting.objects.select_for_update().filter(cycle=cycle).first()
    if meeting is not None:
        _ensure_not_finished(meeting)
        meeting.title, meeting.date, meeting.place = title, date, place
        meeting.save(update_fields=["title", "date", "place"])
        _log(meeting, by, f"修改会议信息（{title}，{date or '日期未定'}，{place or '地点未定'}）")
        return meeting
    meeting = Meeting.objects.create(
        cycle=cycle, title=title, date=date, place=place, screen_token=_token(), checkin_token=_token()
    )
    evaluation_order = dict(EvaluationEntry.objects.filter(evaluation__cycle=cycle).values_list("report_id", "order"))
    reports = sorted(
        cycle.reports.filter(submitted_at__isnull=False).select_related("organization"),
        key=lambda r: (evaluation_order.get(r.pk, len(evaluation_order)), r.organization.order, r.organization_id),
    )
    Speech.objects.bulk_create([Speech(meeting=meeting, report=report, order=index + 1) for index, report in enumerate(reports)])
    _log(meeting, by, f"设置“{title}”，议程{len(reports)}位书记述职")
    return meeting


def _sync_evaluation_order(meeting):
    """The ballot lists the organizations in speaking order while it is still a draft."""
    evaluation = Evaluation.objects.filter(cycle=meeting.cycle, status=Evaluation.Status.DRAFT).first()
    if evaluation is None:
        return
    order = dict(meeting.speeches.values_list("report_id", "order"))
    entries = list(evaluation.entries.all())
    for entry in entries:
        entry.order = order.get(entry.report_id, len(order) + entry.order)
    EvaluationEntry.objects.bulk_update(entries, ["order"])


@transaction.atomic
def agenda_set(*, meeting, by, rows):
    """rows {speech id: {"order", "in_writing", "time_limit_minutes"}}. The order can be set by hand
    only before the draw and before the meeting starts; writing/time limit until the speech starts."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    speeches = {speech.pk: speech for speech in meeting.speeches.select_related("report__organization")}
    if set(rows) - set(speeches):
        raise ValidationError("包含不属于本次会议的述职。")
    errors = {}
    changes = {}
    orders = {}
    for pk, row in rows.items():
        speech = speeches[pk]
        limit = row.get("time_limit_minutes")
        if not isinstance(limit, int) or not (1 <= limit <= MAX_TIME_LIMIT):
            errors[f"limit_{pk}"] = f"限时须为 1 到 {MAX_TIME_LIMIT} 分钟。"
            continue
        orders[pk] = row.get("order") if row.get("order") is not None else speech.order
        if speech.started_at is not None and (limit != speech.time_limit_minutes or bool(row.get("in_writing")) != speech.in_writing):
            errors[f"limit_{pk}"] = f"{speech}已开始述职，不能再修改方式和限时。"
            continue
        if (limit, bool(row.get("in_writing"))) != (speech.time_limit_minutes, speech.in_writing):
            changes[str(speech)] = {"限时": limit, "书面述职": bool(row.get("in_writing"))}
            speech.time_limit_minutes, speech.in_writing = limit, bool(row.get("in_writing"))
    reorder = any(orders[pk] != speeches[pk].order for pk in orders)
    if reorder and (meeting.drawn_at is not None or meeting.status != Meeting.Status.PREPARING):
        errors["order"] = "述职顺序已经抽签确定或会议已经开始，不能再调整。"
    if errors:
        raise ValidationError(errors)
    if reorder:
        ranked = sorted(speeches.values(), key=lambda s: (orders.get(s.pk, s.order), s.order, s.pk))
        for index, speech in enumerate(ranked):
            speech.order = index + 1
        changes["述职顺序"] = [str(s) for s in ranked]
    Speech.objects.bulk_update(list(speeches.values()), ["order", "in_writing", "time_limit_minutes"])
    if reorder:
        _sync_evaluation_order(meeting)
    if changes:
        _log(meeting, by, "调整议程", changes=changes)
    return meeting


@transaction.atomic
def agenda_draw(*, meeting, by):
    """Draw the speaking order by lot (抽签), once: a fresh random seed shuffles the speeches (taken
    in their current order); who drew, when, the seed and the resulting order are recorded, so the
    draw can be re-done by hand from the seed: random.Random(seed).shuffle(list in prior order)."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    if meeting.drawn_at is not None:
        raise ValidationError("已经抽过签，述职顺序不能再改变。")
    if meeting.status != Meeting.Status.PREPARING:
        raise ValidationError("会议已经开始，不能再抽签。")
    speeches = list(meeting.speeches.select_related("report__organization").order_by("order", "pk"))
    if len(speeches) < 2:
        raise ValidationError("至少两位书记述职才需要抽签。")
    seed = secrets.token_hex(16)
    random.Random(seed).shuffle(speeches)  # noqa: S311 — reproducible from the recorded seed; the seed itself is secret-random
    for index, speech in enumerate(speeches):
        speech.order = index + 1
    Speech.objects.bulk_update(speeches, ["order"])
    meeting.drawn_at, meeting.drawn_by, meeting.draw_seed = timezone.now(), by, seed
    meeting.save(update_fields=["drawn_at", "drawn_by", "draw_seed"])
    _sync_evaluation_order(meeting)
    result = [str(speech) for speech in speeches]
    _log(meeting, by, f"抽签确定述职顺序：{'、'.join(result)}", changes={"seed": seed, "order": result})
    return speeches


# ---------------------------------------------------------------- attendance (签到)


def _groups(meeting):
    evaluation = Evaluation.objects.filter(cycle=meeting.cycle).first()
    if evaluation is None:
        raise ValidationError("请先设置民主测评（测评人类别和人数即应到人数），再填写参会人员。")
    return {group.pk: group for group in evaluation.groups.all()}


@transaction.atomic
def attendees_set(*, meeting, by, names_by_group):
    """names_by_group {voter group id: [names]}: the expected attendees by name. Names already
    checked in stay; others not listed any more are removed. At most the group's head count."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    groups = _groups(meeting)
    if set(names_by_group) - set(groups):
        raise ValidationError("包含不属于本次测评的测评人类别。")
    errors = {}
    cleaned = {}
    for group_id, names in names_by_group.items():
        group = groups[group_id]
        unique = list(dict.fromkeys(name.strip() for name in names if name.strip()))
        if any(len(name) > 30 for name in unique):
            errors[f"names_{group_id}"] = "姓名最多30字。"
        elif len(unique) > group.size:
            errors[f"names_{group_id}"] = f"{group.name}应到 {group.size} 人，填写了 {len(unique)} 人；请核对人数，或先修改民主测评的人数。"
        cleaned[group_id] = unique
    if errors:
        raise ValidationError(errors)
    existing = {(a.group_id, a.name): a for a in meeting.attendees.all()}
    wanted = {(group_id, name) for group_id, names in cleaned.items() for name in names}
    removed = [a.pk for key, a in existing.items() if key[0] in cleaned and key not in wanted and a.checked_in_at is None]
    Attendee.objects.filter(pk__in=removed).delete()
    Attendee.objects.bulk_create(
        [Attendee(meeting=meeting, group_id=g, name=n) for g, n in sorted(wanted - set(existing), key=lambda k: (k[0], k[1]))]
    )
    _log(meeting, by, f"更新参会人员名单（{len(wanted)}人）")
    return len(wanted)


@transaction.atomic
def attendee_check_in(*, attendee, by=None, device=""):
    """Check in (签到): by scanning (by None, `device` the phone's id) or ticked by the administrator.
    Once only; True if this call did it. One phone checks in one person: a second name from the
    same phone is refused (the host can still tick it), so one person cannot sign for a room."""
    meeting = _locked(Meeting(pk=attendee.meeting_id))  # two taps from one phone: the second sees the first
    if meeting.status == Meeting.Status.FINISHED:
        raise ValidationError("会议已经结束，签到已关闭。")
    if by is None:
        if not device:
            raise ValidationError("无法识别您的手机，请允许浏览器保存 Cookie 后重新扫码，或向会务人员签到。")
        earlier = meeting.attendees.filter(checked_in_device=device).exclude(pk=attendee.pk).first()
        if earlier is not None:
            raise ValidationError(f"这部手机已为{earlier.name}签到，每部手机只能签到一人。如需代签，请向会务人员说明。")
    done = bool(
        Attendee.objects.filter(pk=attendee.pk, checked_in_at__isnull=True).update(
            checked_in_at=timezone.now(), checked_in_by=by, checked_in_device="" if by is not None else device
        )
    )
    if done and by is not None:
        audit(meeting.cycle, by, AuditEntry.Action.SETTINGS_CHANGED, f"述职评议会：代{attendee.name}签到", obj=meeting)
    transaction.on_commit(lambda: _changed(meeting))
    return done


@transaction.atomic
def attendee_check_in_undo(*, attendee, by):
    """The administrator takes back a check-in made by mistake."""
    meeting = _locked(Meeting(pk=attendee.meeting_id))
    _ensure_not_finished(meeting)
    if Attendee.objects.filter(pk=attendee.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, checked_in_by=None, checked_in_device=""
    ):
        _log(meeting, by, f"撤销{attendee.name}的签到")


# ---------------------------------------------------------------- the console


def _now_running(speech, now):
    """The speech becomes current: its clock runs — unless it is in writing (书面述职: nothing to time)."""
    if not speech.in_writing:
        speech.running_since = now
    if speech.started_at is None:
        speech.started_at = now


def _bank(speech, now):
    """Stop the clock of a running speech, keeping the time spoken."""
    if speech.running_since is not None:
        speech.elapsed_seconds = speech_elapsed(speech, now)
        speech.running_since = None


@transaction.atomic
def speech_start(*, meeting, by, speech=None):
    """Start (or go on to) a speech: the current one ends, `speech` (default: the next one not yet
    ended, in speaking order) becomes current and its timer runs; the screen shows it."""
    meeting = _locked(meeting)
    ensure_open(meeting.cycle)
    _ensure_not_finished(meeting)
    now = timezone.now()
    current = Speech.objects.select_for_update().filter(pk=meeting.current_speech_id).first()
    if speech is None:
        speech = meeting.speeches.filter(ended_at__isnull=True).exclude(pk=meeting.current_speech_id).order_by("order", "pk").first()
        if speech is None:
            raise ValidationError("所有书记都已述职完毕。")
    speech = Speech.objects.select_for_update().select_related("report__organization").get(pk=speech.pk, meeting=meeting)
    if speech.ended_at is not None:
        raise ValidationError(f"{speech}已经述职完毕。")
    if current is not None and current.pk != speech.pk and current.ended_at is None:
        _bank(current, now)
        current.ended_at = now
        current.save(update_fields=["elapsed_seconds", "running_since", "ended_at"])
    _now_running(speech, now)
    speech.save(update_fields=["running_since", "started_at"])
    if meeting.status == Meeting.Status.PREPARING:
        meeting.status, meeting.started_at = Meeting.Status.RUNNING, now
    meeting.current_speech = speech
    meeting.screen = Meeting.Screen.SPEECH
    meeting.save(update_fields=["status", "started_at", "current_speech", "screen"])
    _log(meeting, by, f"第{speech.order}位：{speech}开始{'书面述职' if speech.in_writing else '述职'}")
    return speech


def _current(meeting):
    speech = Speech.objects.select_for_update().select_related("report__organization").filter(pk=meeting.current_speech_id).first()
    if speech is None or speech.ended_at is not None:
        raise ValidationError("当前没有进行中的述职。")
    return speech


@transaction.atomic
def speech_pause(*, meeting, by):
    meeting = _locked(meeting)
    speech = _current(meeting)
    if speech.running_since is None:
        raise ValidationError("计时已经暂停。")
    _bank(speech, timezone.now())
    speech.save(update_fields=["elapsed_seconds", "running_since"])
    _log(meeting, by, f"{speech}暂停计时（已用{speech.elapsed_seconds}秒）")


@transaction.atomic
def speech_resume(*, meeting, by):
    meeting = _locked(meeting)
    speech = _current(meeting)
    if speech.running_since is not None:
        raise ValidationError("计时正在进行。")
    if speech.in_writing:
        raise ValidationError("书面述职不计时。")
    speech.running_since = timezone.now()
    speech.save(update_fields=["running_since"])
    _log(meeting, by, f"{speech}继续计时")


@transaction.atomic
def speech_end(*, meeting, by):
    meeting = _locked(meeting)
    speech = _current(meeting)
    now = timezone.now()
    _bank(speech, now)
    speech.ended_at = now
    speech.save(update_fields=["elapsed_seconds", "running_since", "ended_at"])
    _log(meeting, by, f"{speech}述职结束（用时{speech.elapsed_seconds // 60}分{speech.elapsed_seconds % 60}秒）")


@transaction.atomic
def screen_set(*, meeting, by, screen, revealed=None):
    """What the big screen shows; `revealed` shows or hides the tallies."""
    meeting = _locked(meeting)
    if screen not in Meeting.Screen.values:
        raise ValidationError("大屏显示内容不正确。")
    if screen == Meeting.Screen.RESULTS and revealed is None and not meeting.results_revealed:
        revealed = True
    meeting.screen = screen
    if revealed is not None:
        meeting.results_revealed = revealed
    meeting.save(update_fields=["screen", "results_revealed"])
    what = Meeting.Screen(screen).label + ("（显示测评结果）" if meeting.results_revealed and screen == Meeting.Screen.RESULTS else "")
    _log(meeting, by, f"大屏切换为“{what}”")


@transaction.atomic
def results_hide(*, meeting, by):
    meeting = _locked(meeting)
    meeting.results_revealed = False
    if meeting.screen == Meeting.Screen.RESULTS:
        meeting.screen = Meeting.Screen.WELCOME
    meeting.save(update_fields=["screen", "results_revealed"])
    _log(meeting, by, "大屏隐藏测评结果")


@transaction.atomic
def screen_link_rotate(*, meeting, by):
    """A new screen link; the old one stops working at once (also a link shown by mistake)."""
    meeting = _locked(meeting)
    old = meeting.screen_token
    meeting.screen_token = _token()
    meeting.save(update_fields=["screen_token"])
    transaction.on_commit(lambda: screen_state_forget(old))
    _log(meeting, by, "更换大屏链接（旧链接立即失效）")
    return meeting.screen_token


@transaction.atomic
def checkin_link_rotate(*, meeting, by):
    """A new check-in link (and QR code on the screen); the old one stops working at once, e.g.
    after it was sent around outside the room. Check-ins already made stay."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    meeting.checkin_token = _token()
    meeting.save(update_fields=["checkin_token"])
    _log(meeting, by, "更换签到链接（旧链接立即失效）")
    return meeting.checkin_token


@transaction.atomic
def speech_ballot_open(*, meeting, by):
    """Per-speech voting: open the ballot on the current speaker; the screen shows the voting code."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    speech = Speech.objects.filter(pk=meeting.current_speech_id).first()
    if speech is None:
        raise ValidationError("请先开始一位书记的述职。")
    entry = EvaluationEntry.objects.filter(evaluation__cycle=meeting.cycle, report_id=speech.report_id).select_related("evaluation").first()
    if entry is None:
        raise ValidationError("当前书记不在民主测评的测评对象中。")
    ballot_services.entry_voting_open(evaluation=entry.evaluation, entry=entry, by=by)
    meeting.screen = Meeting.Screen.VOTING
    meeting.save(update_fields=["screen"])
    transaction.on_commit(lambda: _changed(meeting))


@transaction.atomic
def speech_ballot_close(*, meeting, by):
    """Per-speech voting: close the open ballot (final; its quorum is recorded)."""
    meeting = _locked(meeting)
    entry = (
        EvaluationEntry.objects.filter(evaluation__cycle=meeting.cycle, voting_opened_at__isnull=False, voting_closed_at__isnull=True)
        .select_related("evaluation")
        .first()
    )
    if entry is None:
        raise ValidationError("当前没有进行中的投票。")
    ballot_services.entry_voting_close(evaluation=entry.evaluation, entry=entry, by=by)
    transaction.on_commit(lambda: _changed(meeting))


@transaction.atomic
def question_record(*, meeting, by, speech, asker, text, answer=""):
    """A question asked on the spot during `speech`, with the summary of the answer."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    if speech.meeting_id != meeting.pk:
        raise ValidationError("该述职不属于本次会议。")
    errors = {}
    try:
        asker = clean_text(asker, field="asker", label="提问人", max_length=30)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        text = clean_text(text, field="text", label="问题", max_length=2000)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        answer = clean_text(answer, field="answer", label="答复要点", max_length=2000, required=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    question = MeetingQuestion.objects.create(speech=speech, asker=asker, text=text, answer=answer, recorded_by=by)
    _log(meeting, by, f"记录{asker}对{speech.report.organization}的提问")
    return question


@transaction.atomic
def meeting_finish(*, meeting, by):
    """End the meeting: the current speech ends, check-in closes, the agenda is final."""
    meeting = _locked(meeting)
    _ensure_not_finished(meeting)
    now = timezone.now()
    current = Speech.objects.select_for_update().filter(pk=meeting.current_speech_id, ended_at__isnull=True).first()
    if current is not None:
        _bank(current, now)
        current.ended_at = now
        current.save(update_fields=["elapsed_seconds", "running_since", "ended_at"])
    meeting.status, meeting.finished_at = Meeting.Status.FINISHED, now
    meeting.save(update_fields=["status", "finished_at"])
    _log(meeting, by, "会议结束")
