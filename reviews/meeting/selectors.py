"""Reads of the review meeting: the meeting with its agenda, attendance, the timer, and the
state the big screen polls (a constant number of queries, cached for a second)."""

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reviews.ballots.selectors import MIN_GROUP_VOTES, evaluation_of, evaluation_tally
from reviews.models import Attendee, BallotCode, BallotCodeUse, Evaluation, Meeting, MeetingQuestion, Speech, VoterGroup

SCREEN_CACHE_SECONDS = 0.5

# The screen's state, built at most twice a second per link and process, kept in this process's
# memory: a shared cache (the database cache by default) would write a row per second and, on
# SQLite, queue that write behind the votes. A change made in another process shows within
# SCREEN_CACHE_SECONDS; one made in this process drops the entry at once (screen_state_forget).
# Keyed by the screen link, so that a cached poll needs no query at all.
_screen_cache = {}
_screen_cache_lock = threading.Lock()


def screen_state_cached(token, build):
    """The cached body of the screen state of the link `token`, or build() (which may raise
    Http404 for a wrong link: nothing is kept then) and keep it for a second."""
    now = time.monotonic()
    with _screen_cache_lock:
        entry = _screen_cache.get(token)
    if entry is not None and now - entry[0] < SCREEN_CACHE_SECONDS:
        return entry[1]
    body = build()
    with _screen_cache_lock:
        _screen_cache[token] = (now, body)
    return body


def screen_state_forget(token=None):
    """Drop the cached screen state of the link `token` (of every link without it)."""
    with _screen_cache_lock:
        if token is None:
            _screen_cache.clear()
        else:
            _screen_cache.pop(token, None)


def speech_elapsed(speech, now=None):
    """Seconds spoken: banked before the last pause, plus the running stretch."""
    elapsed = speech.elapsed_seconds
    if speech.running_since is not None:
        elapsed += max(0, int(((now or timezone.now()) - speech.running_since).total_seconds()))
    return elapsed


def speech_remaining(speech, now=None):
    """Seconds left of the time limit; negative once over time."""
    return speech.time_limit_minutes * 60 - speech_elapsed(speech, now)


def meeting_of(cycle):
    """The cycle's meeting with its agenda (speeches with organization and secretary, questions), or None."""
    return (
        Meeting.objects.filter(cycle=cycle)
        .select_related("cycle__organization", "drawn_by", "current_speech__report__organization__secretary")
        .prefetch_related(
            Prefetch("speeches", queryset=Speech.objects.select_related("report__organization__secretary").order_by("order", "pk")),
            Prefetch("speeches__questions", queryset=MeetingQuestion.objects.order_by("recorded_at", "pk")),
        )
        .first()
    )


def meeting_by_screen_token_or_404(token):
    return get_object_or_404(Meeting.objects.select_related("cycle"), screen_token=token)


def meeting_by_checkin_token_or_404(token):
    return get_object_or_404(Meeting.objects.select_related("cycle"), checkin_token=token)


def checkin_version(meeting):
    """A short digest of the check-in link: the screen reloads its QR code when it changes (rotated)."""
    return hashlib.sha256(meeting.checkin_token.encode()).hexdigest()[:12]


def next_speech(meeting):
    """The first speech not yet ended after the current one (speaking order). One query."""
    speeches = Speech.objects.filter(meeting=meeting, ended_at__isnull=True).select_related("report__organization__secretary")
    if meeting.current_speech_id:
        speeches = speeches.exclude(pk=meeting.current_speech_id)
    return speeches.order_by("order", "pk").first()


@dataclass
class AttendanceLine:
    group: VoterGroup
    expected: int  # 应到: the group's head count
    listed: int  # named on the attendee list
    present: int  # 实到: checked in


def attendance(meeting):
    """[AttendanceLine] per voter group of the cycle's evaluation. One query."""
    groups = (
        VoterGroup.objects.filter(evaluation__cycle=meeting.cycle)
        .annotate(
            listed=Count("attendees", filter=Q(attendees__meeting=meeting)),
            present=Count("attendees", filter=Q(attendees__meeting=meeting, attendees__checked_in_at__isnull=False)),
        )
        .order_by("order", "id")
    )
    return [AttendanceLine(group, group.size, group.listed, group.present) for group in groups]


def attendees_by_group(meeting):
    """{group id: [Attendee]} in list order.
    Each carries `shared_device`: how many people its phone checked in (more than 1 is worth a look). One query."""
    attendees = list(Attendee.objects.filter(meeting=meeting).order_by("group__order", "pk"))
    by_device = Counter(a.checked_in_device for a in attendees if a.checked_in_device)
    grouped = {}
    for attendee in attendees:
        attendee.shared_device = by_device.get(attendee.checked_in_device, 0)
        grouped.setdefault(attendee.group_id, []).append(attendee)
    return grouped


@dataclass
class Turnout:
    expected: int  # 应到
    present: int  # 实到
    voted: int  # 已投: ballots cast (per-speech voting: on the organization being voted on)


def live_turnout(meeting, evaluation=None):
    """Counts only — never who or in which order. Three queries, whatever the number of voters."""
    expected = VoterGroup.objects.filter(evaluation__cycle=meeting.cycle).aggregate(n=Sum("size"))["n"] or 0
    present = Attendee.objects.filter(meeting=meeting, checked_in_at__isnull=False).count()
    voted = 0
    if evaluation is not None and evaluation.status != Evaluation.Status.DRAFT:
        rehearsal = evaluation.status == Evaluation.Status.REHEARSAL
        if evaluation.mode == Evaluation.Mode.PER_SPEECH:
            # The organization being voted on; once closed, still the current speaker's (the final
            # count stays up), but not a previous speaker's once the next one has begun.
            current_report = Speech.objects.filter(pk=meeting.current_speech_id).values("report_id")[:1]
            shown = evaluation.entries.filter(
                Q(voting_opened_at__isnull=False, voting_closed_at__isnull=True) | Q(voting_opened_at__isnull=False, report_id__in=current_report)
            ).order_by("-voting_opened_at").values("pk")[:1]
            voted = BallotCodeUse.objects.filter(entry__in=shown, code__rehearsal=rehearsal).count()
        else:
            voted = BallotCode.objects.filter(group__evaluation=evaluation, used=True, rehearsal=rehearsal).count()
    return Turnout(expected, present, voted)


@dataclass
class ScreenTally:
    organization: str
    secretary: str
    labels: list
    counts: list  # None when too few votes to show (secrecy)
    total: int
    score: object
    voted: int
    expected: int
    quorum_required: bool
    quorum_met: bool

    @property
    def bars(self):
        """[(label, count, percent of the votes)] for the stacked bar."""
        if not self.counts or not self.total:
            return []
        return [(label, count, round(count * 100 / self.total, 1)) for label, count in zip(self.labels, self.counts, strict=True)]


def screen_tallies(meeting, evaluation):
    """The tallies the host may reveal: all organizations once voting closed; in per-speech voting
    those whose ballot has closed. Only the all-groups line (small groups never apart), and no
    counts at all for an organization with fewer than MIN_GROUP_VOTES votes."""
    if evaluation is None or evaluation.status in (Evaluation.Status.DRAFT, Evaluation.Status.REHEARSAL):
        return []
    closed = evaluation.status == Evaluation.Status.CLOSED
    if not closed and evaluation.mode != Evaluation.Mode.PER_SPEECH:
        return []
    labels = [mark.label for mark in evaluation.marks.all()]
    tallies = []
    for tally in evaluation_tally(evaluation):
        entry = tally.entry
        if not closed and entry.voting_closed_at is None:
            continue
        overall = tally.overall
        shown = overall.total >= MIN_GROUP_VOTES
        secretary = entry.report.organization.secretary
        tallies.append(
            ScreenTally(
                organization=entry.report.organization.name,
                secretary=secretary.display_name if secretary else "",
                labels=labels,
                counts=overall.counts if shown else None,
                total=overall.total,
                score=overall.score if shown and tally.stands else None,
                voted=tally.voted,
                expected=tally.expected,
                quorum_required=tally.quorum_required,
                quorum_met=tally.quorum_met,
            )
        )
    return tallies


def speaker_view(speech, now=None):
    if speech is None:
        return None
    organization = speech.report.organization
    return {
        "order": speech.order,
        "organization": organization.name,
        "secretary": organization.secretary.display_name if organization.secretary else "",
        "in_writing": speech.in_writing,
        "limit": speech.time_limit_minutes * 60,
        "remaining": speech_remaining(speech, now),
        "running": speech.running_since is not None and speech.ended_at is None,
        "ended": speech.ended_at is not None,
    }


def screen_state(meeting):
    """What the big screen shows now, as plain data (nothing private: no codes, no names of voters,
    no per-group lines). The tallies only while the host reveals them."""
    now = timezone.now()
    evaluation = evaluation_of(meeting.cycle) if meeting.screen in (Meeting.Screen.VOTING, Meeting.Screen.RESULTS) else None
    current = (
        Speech.objects.select_related("report__organization__secretary").filter(pk=meeting.current_speech_id).first()
        if meeting.current_speech_id
        else None
    )
    following = next_speech(meeting)
    turnout = live_turnout(meeting, evaluation) if meeting.screen in (Meeting.Screen.CHECKIN, Meeting.Screen.VOTING) else None
    state = {
        "title": meeting.title,
        "screen": meeting.screen,
        "status": meeting.status,
        "speaker": speaker_view(current, now),
        "next": speaker_view(following, now),
        "turnout": turnout.__dict__ if turnout else None,
        "rehearsal": bool(evaluation and evaluation.status == Evaluation.Status.REHEARSAL),
        "voting_on": None,
        "tallies": None,
        "checkin": checkin_version(meeting),
    }
    if evaluation is not None and meeting.screen == Meeting.Screen.VOTING and evaluation.mode == Evaluation.Mode.PER_SPEECH:
        voting = next((entry for entry in evaluation.entries.all() if entry.is_voting), None)
        state["voting_on"] = voting.report.organization.name if voting else None
    if meeting.screen == Meeting.Screen.RESULTS and meeting.results_revealed:
        state["tallies"] = screen_tallies(meeting, evaluation)
    return state
