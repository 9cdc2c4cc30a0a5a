"""The meeting's services: agenda, draw, attendance, timer, questions, screen, per-speech ballot."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.models import AuditEntry
from reviews.ballots import services as ballot_services
from reviews.meeting import services
from reviews.meeting.selectors import live_turnout, screen_state, speech_elapsed, speech_remaining
from reviews.models import Attendee, Evaluation, Meeting, Speech
from tests.reviews.ballots.helpers import marks_by_label

pytestmark = pytest.mark.django_db


def test_new_meeting_lists_the_submitted_reports_with_unguessable_links(meeting_scene):
    meeting = meeting_scene.meeting
    assert [s.report for s in meeting.speeches.order_by("order")] == [meeting_scene.report_a, meeting_scene.report_b]
    assert len(meeting.screen_token) >= 32 and meeting.screen_token != meeting.checkin_token
    assert AuditEntry.objects.filter(summary__contains="设置“2026年度述职评议会”").exists()


def test_agenda_by_hand_reorders_and_follows_into_the_draft_ballot(meeting_scene):
    m, a, b = meeting_scene.meeting, meeting_scene.speech_a, meeting_scene.speech_b
    services.agenda_set(meeting=m, by=meeting_scene.admin, rows={
        a.pk: {"order": 2, "in_writing": True, "time_limit_minutes": 8},
        b.pk: {"order": 1, "in_writing": False, "time_limit_minutes": 10},
    })
    a.refresh_from_db()
    assert (a.order, a.in_writing, a.time_limit_minutes) == (2, True, 8)
    entries = list(meeting_scene.evaluation.entries.order_by("order").values_list("report_id", flat=True))
    assert entries == [meeting_scene.report_b.pk, meeting_scene.report_a.pk]


def test_agenda_time_limit_is_bounded(meeting_scene):
    with pytest.raises(ValidationError) as refused:
        services.agenda_set(meeting=meeting_scene.meeting, by=meeting_scene.admin, rows={
            meeting_scene.speech_a.pk: {"order": 1, "in_writing": False, "time_limit_minutes": 0},
        })
    assert "1 到 120" in str(refused.value)


def test_draw_is_recorded_reproducible_and_final(meeting_scene):
    m = meeting_scene.meeting
    before = [s.pk for s in m.speeches.order_by("order", "pk")]
    drawn = services.agenda_draw(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert m.drawn_by == meeting_scene.admin and m.drawn_at is not None and len(m.draw_seed) == 32
    replay = list(before)
    random.Random(m.draw_seed).shuffle(replay)
    assert [s.pk for s in drawn] == replay == [s.pk for s in m.speeches.order_by("order")]
    entry = AuditEntry.objects.filter(summary__contains="抽签确定述职顺序").get()
    assert entry.changes["seed"] == m.draw_seed and entry.actor == meeting_scene.admin
    with pytest.raises(ValidationError):
        services.agenda_draw(meeting=m, by=meeting_scene.admin)
    with pytest.raises(ValidationError):  # no reordering by hand after the draw
        services.agenda_set(meeting=m, by=meeting_scene.admin, rows={
            s.pk: {"order": 10 - s.order, "in_writing": False, "time_limit_minutes": 10} for s in m.speeches.all()
        })


def test_attendance_expected_by_group_and_check_in_once(meeting_scene):
    m = meeting_scene.meeting
    groups = {g.name: g for g in meeting_scene.evaluation.groups.all()}
    with pytest.raises(ValidationError) as refused:  # 班子成员 expects 3
        services.attendees_set(meeting=m, by=meeting_scene.admin, names_by_group={groups["班子成员"].pk: ["甲", "乙", "丙", "丁"]})
    assert "应到 3 人，填写了 4 人" in str(refused.value)
    services.attendees_set(meeting=m, by=meeting_scene.admin, names_by_group={groups["班子成员"].pk: ["张三", "李四", "张三", " "]})
    zhang = Attendee.objects.get(name="张三")
    assert services.attendee_check_in(attendee=zhang, device="phone00000000001") is True
    assert services.attendee_check_in(attendee=zhang, device="phone00000000001") is False  # once
    assert live_turnout(m).present == 1
    assert live_turnout(m).expected == 7
    services.attendee_check_in_undo(attendee=zhang, by=meeting_scene.admin)
    assert live_turnout(m).present == 0


def test_timer_pause_resume_and_next(meeting_scene):
    m, a, b = meeting_scene.meeting, meeting_scene.speech_a, meeting_scene.speech_b
    services.speech_start(meeting=m, by=meeting_scene.admin)
    a.refresh_from_db()
    m.refresh_from_db()
    assert m.status == Meeting.Status.RUNNING and m.current_speech == a and m.screen == Meeting.Screen.SPEECH
    # 100 s spoken, then a pause: the clock stops at 100.
    Speech.objects.filter(pk=a.pk).update(running_since=timezone.now() - timedelta(seconds=100))
    services.speech_pause(meeting=m, by=meeting_scene.admin)
    a.refresh_from_db()
    assert 100 <= a.elapsed_seconds <= 101 and a.running_since is None
    assert speech_remaining(a) == 600 - a.elapsed_seconds
    with pytest.raises(ValidationError):
        services.speech_pause(meeting=m, by=meeting_scene.admin)
    services.speech_resume(meeting=m, by=meeting_scene.admin)
    services.speech_start(meeting=m, by=meeting_scene.admin)  # next speaker: a ends
    a.refresh_from_db()
    m.refresh_from_db()
    assert a.ended_at is not None and m.current_speech_id == b.pk
    with pytest.raises(ValidationError):
        services.speech_start(meeting=m, by=meeting_scene.admin, speech=a)  # already spoken
    services.speech_end(meeting=m, by=meeting_scene.admin)
    with pytest.raises(ValidationError):
        services.speech_start(meeting=m, by=meeting_scene.admin)  # nobody left


def test_elapsed_counts_the_running_stretch():
    now = timezone.now()
    speech = Speech(elapsed_seconds=30, running_since=now - timedelta(seconds=45), time_limit_minutes=1)
    assert speech_elapsed(speech, now) == 75
    assert speech_remaining(speech, now) == -15  # over time


def test_question_recorded_with_answer_and_checked(meeting_scene):
    m = meeting_scene.meeting
    q = services.question_record(meeting=m, by=meeting_scene.admin, speech=meeting_scene.speech_a, asker="王书记", text="发展党员为何滞后？", answer="已制定计划")
    assert (q.asker, q.answer, q.recorded_by) == ("王书记", "已制定计划", meeting_scene.admin)
    with pytest.raises(ValidationError) as refused:
        services.question_record(meeting=m, by=meeting_scene.admin, speech=meeting_scene.speech_a, asker="", text="")
    assert set(refused.value.message_dict) == {"asker", "text"}


def test_screen_link_rotation_revokes_the_old_link(meeting_scene):
    old = meeting_scene.meeting.screen_token
    new = services.screen_link_rotate(meeting=meeting_scene.meeting, by=meeting_scene.admin)
    assert new != old and not Meeting.objects.filter(screen_token=old).exists()


def test_one_phone_checks_in_one_person_the_host_may_tick_others(meeting_scene):
    m = meeting_scene.meeting
    group = meeting_scene.evaluation.groups.get(name="群众代表")
    services.attendees_set(meeting=m, by=meeting_scene.admin, names_by_group={group.pk: ["刘一", "陈二", "张三"]})
    liu, chen, zhang = (Attendee.objects.get(name=n) for n in ("刘一", "陈二", "张三"))
    assert services.attendee_check_in(attendee=liu, device="aaaaaaaaaaaaaaaa") is True
    with pytest.raises(ValidationError, match="这部手机已为刘一签到"):
        services.attendee_check_in(attendee=chen, device="aaaaaaaaaaaaaaaa")
    with pytest.raises(ValidationError, match="无法识别您的手机"):
        services.attendee_check_in(attendee=chen, device="")
    assert services.attendee_check_in(attendee=chen, device="bbbbbbbbbbbbbbbb") is True
    assert services.attendee_check_in(attendee=zhang, by=meeting_scene.admin) is True  # 代签: no phone
    assert dict(Attendee.objects.filter(meeting=m).values_list("name", "checked_in_device")) == {
        "刘一": "aaaaaaaaaaaaaaaa", "陈二": "bbbbbbbbbbbbbbbb", "张三": "",
    }
    services.attendee_check_in_undo(attendee=liu, by=meeting_scene.admin)
    liu.refresh_from_db()
    assert liu.checked_in_device == "" and liu.checked_in_at is None


def test_checkin_link_rotation_revokes_the_old_link_and_is_audited(meeting_scene):
    m = meeting_scene.meeting
    old, screen = m.checkin_token, m.screen_token
    new = services.checkin_link_rotate(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert new != old and m.checkin_token == new and m.screen_token == screen and len(new) >= 32
    assert not Meeting.objects.filter(checkin_token=old).exists()
    assert AuditEntry.objects.filter(summary__contains="更换签到链接", actor=meeting_scene.admin).count() == 1
    services.meeting_finish(meeting=m, by=meeting_scene.admin)
    with pytest.raises(ValidationError):
        services.checkin_link_rotate(meeting=m, by=meeting_scene.admin)


def test_finish_ends_the_speech_and_freezes(meeting_scene):
    m = meeting_scene.meeting
    services.speech_start(meeting=m, by=meeting_scene.admin)
    services.meeting_finish(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert m.status == Meeting.Status.FINISHED and m.current_speech.ended_at is not None
    with pytest.raises(ValidationError):
        services.speech_start(meeting=m, by=meeting_scene.admin)
    with pytest.raises(ValidationError):
        services.meeting_finish(meeting=m, by=meeting_scene.admin)


def _per_speech(scene):
    Evaluation.objects.filter(pk=scene.evaluation.pk).update(mode=Evaluation.Mode.PER_SPEECH, quorum_required=True)
    scene.evaluation.refresh_from_db()
    ballot_services.evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    scene.evaluation.refresh_from_db()


def test_per_speech_ballot_from_the_console_with_live_turnout_and_quorum(meeting_scene):
    m = meeting_scene.meeting
    _per_speech(meeting_scene)
    with pytest.raises(ValidationError):  # nobody speaking yet
        services.speech_ballot_open(meeting=m, by=meeting_scene.admin)
    services.speech_start(meeting=m, by=meeting_scene.admin)
    services.speech_ballot_open(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert m.screen == Meeting.Screen.VOTING
    entry_a = meeting_scene.evaluation.entries.get(report=meeting_scene.report_a)
    good = marks_by_label(meeting_scene.evaluation)["好"]
    for code in meeting_scene.codes["群众代表"]:
        ballot_services.ballot_cast(code=code, choices={entry_a.pk: good})
    assert live_turnout(m, meeting_scene.evaluation).voted == 4
    services.speech_ballot_close(meeting=m, by=meeting_scene.admin)
    # 4 of 7 is more than half: recorded as valid
    assert AuditEntry.objects.filter(summary__contains="应到7人，实投4票，须过半数，有效").exists()
    with pytest.raises(ValidationError):
        services.speech_ballot_close(meeting=m, by=meeting_scene.admin)


def test_screen_state_shows_only_counts_and_hides_tallies_until_revealed(meeting_scene):
    m = meeting_scene.meeting
    _per_speech(meeting_scene)
    services.speech_start(meeting=m, by=meeting_scene.admin)
    services.speech_ballot_open(meeting=m, by=meeting_scene.admin)
    entry_a = meeting_scene.evaluation.entries.get(report=meeting_scene.report_a)
    marks = marks_by_label(meeting_scene.evaluation)
    for code, label in zip(meeting_scene.codes["群众代表"], ["好", "好", "较好", "差"], strict=True):
        ballot_services.ballot_cast(code=code, choices={entry_a.pk: marks[label]})
    m.refresh_from_db()
    state = screen_state(m)
    assert state["turnout"] == {"expected": 7, "present": 0, "voted": 4}
    assert state["voting_on"] == "甲社区党支部"
    assert state["tallies"] is None
    services.speech_ballot_close(meeting=m, by=meeting_scene.admin)
    services.screen_set(meeting=m, by=meeting_scene.admin, screen=Meeting.Screen.RESULTS)
    m.refresh_from_db()
    state = screen_state(m)
    (tally,) = state["tallies"]  # only the closed organization
    assert tally.counts == [2, 1, 0, 1] and tally.voted == 4 and tally.quorum_met
    services.results_hide(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert screen_state(m)["tallies"] is None


def test_screen_never_shows_counts_of_fewer_than_three_votes(meeting_scene):
    m = meeting_scene.meeting
    _per_speech(meeting_scene)
    services.speech_start(meeting=m, by=meeting_scene.admin)
    services.speech_ballot_open(meeting=m, by=meeting_scene.admin)
    entry_a = meeting_scene.evaluation.entries.get(report=meeting_scene.report_a)
    for code in meeting_scene.codes["班子成员"][:2]:
        ballot_services.ballot_cast(code=code, choices={entry_a.pk: marks_by_label(meeting_scene.evaluation)["差"]})
    services.speech_ballot_close(meeting=m, by=meeting_scene.admin)
    services.screen_set(meeting=m, by=meeting_scene.admin, screen=Meeting.Screen.RESULTS)
    m.refresh_from_db()
    (tally,) = screen_state(m)["tallies"]
    assert tally.counts is None and tally.score is None and tally.bars == []
    assert not tally.quorum_met  # 2 of 7


def test_a_speech_in_writing_is_not_timed(meeting_scene):
    m, a = meeting_scene.meeting, meeting_scene.speech_a
    Speech.objects.filter(pk=a.pk).update(in_writing=True)
    services.speech_start(meeting=m, by=meeting_scene.admin)
    a.refresh_from_db()
    assert a.started_at is not None and a.running_since is None
    with pytest.raises(ValidationError):
        services.speech_resume(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert screen_state(m)["speaker"]["in_writing"] is True


def test_per_speech_turnout_starts_again_for_the_next_speaker(meeting_scene):
    m = meeting_scene.meeting
    _per_speech(meeting_scene)
    services.speech_start(meeting=m, by=meeting_scene.admin)
    services.speech_ballot_open(meeting=m, by=meeting_scene.admin)
    entry_a = meeting_scene.evaluation.entries.get(report=meeting_scene.report_a)
    for code in meeting_scene.codes["群众代表"][:2]:
        ballot_services.ballot_cast(code=code, choices={entry_a.pk: marks_by_label(meeting_scene.evaluation)["好"]})
    services.speech_ballot_close(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert live_turnout(m, meeting_scene.evaluation).voted == 2  # the closed count stays up
    services.speech_start(meeting=m, by=meeting_scene.admin)
    m.refresh_from_db()
    assert live_turnout(m, meeting_scene.evaluation).voted == 0  # the next speaker: nothing yet


def test_once_for_all_turnout_counts_ballots_and_rehearsal_apart(meeting_scene):
    m, evaluation = meeting_scene.meeting, meeting_scene.evaluation
    test_codes = ballot_services.evaluation_rehearsal_start(evaluation=evaluation, by=meeting_scene.admin, count=2)
    evaluation.refresh_from_db()
    marks = marks_by_label(evaluation)
    choices = {entry.pk: marks["较好"] for entry in evaluation.entries.all()}
    ballot_services.ballot_cast(code=test_codes[0], choices=choices)
    services.screen_set(meeting=m, by=meeting_scene.admin, screen=Meeting.Screen.VOTING)
    m.refresh_from_db()
    state = screen_state(m)
    assert state["rehearsal"] is True and state["turnout"]["voted"] == 1
    ballot_services.evaluation_rehearsal_end(evaluation=evaluation, by=meeting_scene.admin)
    ballot_services.evaluation_open(evaluation=evaluation, by=meeting_scene.admin)
    evaluation.refresh_from_db()
    assert live_turnout(m, evaluation).voted == 0  # the rehearsal's ballot is gone
    for code in meeting_scene.codes["群众代表"][:2]:
        ballot_services.ballot_cast(code=code, choices=choices)
    state = screen_state(m)
    assert state["rehearsal"] is False and state["turnout"] == {"expected": 7, "present": 0, "voted": 2}
