"""The meeting's pages through the client, for every role: the administrator's setup, console,
confirmations and record; the big screen and check-in without login (with and without the
link); the reviewer's current-speaker link."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from reviews.ballots import services as ballot_services
from reviews.meeting import services
from reviews.meeting.selectors import screen_state_forget
from reviews.meeting.views import CONFIRMATIONS
from reviews.models import Assignment, Attendee, Evaluation, Meeting, MeetingQuestion
from tests.reviews.ballots.helpers import marks_by_label

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "secretary_a", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]
ALLOWED = {"admin", "superuser"}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _url(name, cycle, *args):
    return reverse(f"reviews:{name}", args=[cycle.pk, *args])


def _expected(role):
    return 200 if role in ALLOWED else (302 if role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,args", [
    ("meeting", ()), ("meeting_console", ()), ("meeting_confirm", ("draw",)), ("meeting_confirm", ("finish",)),
    ("meeting_record_pdf", ()), ("meeting_record_docx", ()),
])
def test_admin_pages_by_role(client, meeting_scene, role, name, args):
    response = login(client, meeting_scene, role).get(_url(name, meeting_scene.cycle, *args))
    assert response.status_code == _expected(role)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_the_meeting_page_of_a_cycle_without_meeting_offers_the_setup(client, submitted):
    response = login(client, submitted, "admin").get(_url("meeting", submitted.cycle))
    assert response.status_code == 200 and "设置述职评议会" in response.content.decode()
    response = client.post(_url("meeting", submitted.cycle), {"title": "", "place": "礼堂"})
    assert response.status_code == 400 and "礼堂" in response.content.decode()  # the input stays
    response = client.post(_url("meeting", submitted.cycle), {"title": "述职评议会", "date": "2027-01-15", "place": "礼堂"})
    assert response.status_code == 302
    assert Meeting.objects.get(cycle=submitted.cycle).place == "礼堂"


def test_console_of_another_subtree_is_404_for_posts_too(client, meeting_scene):
    login(client, meeting_scene, "other_admin")
    for name, data in [
        ("meeting_action", {"action": "start"}),
        ("meeting_agenda", {}),
        ("meeting_attendees", {}),
        ("meeting_screen_rotate", {}),
        ("meeting_question", {"speech": meeting_scene.speech_a.pk, "asker": "甲", "text": "问"}),
    ]:
        assert client.post(_url(name, meeting_scene.cycle), data).status_code == 404
    assert client.post(_url("meeting_confirm", meeting_scene.cycle, "draw"), {"confirm": "1"}).status_code == 404
    meeting_scene.meeting.refresh_from_db()
    assert meeting_scene.meeting.status == Meeting.Status.PREPARING and meeting_scene.meeting.drawn_at is None
    assert not MeetingQuestion.objects.exists()


def test_draw_asks_for_confirmation_first(client, meeting_scene):
    login(client, meeting_scene, "admin")
    page = client.get(_url("meeting_confirm", meeting_scene.cycle, "draw")).content.decode()
    assert "抽签只能进行一次" in page
    response = client.post(_url("meeting_confirm", meeting_scene.cycle, "draw"), {})
    assert response.status_code == 400
    meeting_scene.meeting.refresh_from_db()
    assert meeting_scene.meeting.drawn_at is None
    client.post(_url("meeting_confirm", meeting_scene.cycle, "draw"), {"confirm": "1"})
    meeting_scene.meeting.refresh_from_db()
    assert meeting_scene.meeting.drawn_at is not None
    assert "随机种子" in client.get(_url("meeting", meeting_scene.cycle)).content.decode()
    assert client.get(_url("meeting_confirm", meeting_scene.cycle, "nonsense")).status_code == 404


@pytest.mark.parametrize("action", sorted(CONFIRMATIONS))
def test_every_meeting_confirmation_refuses_an_unticked_post(client, meeting_scene, action):
    """抽签, 结束本位投票, 结束会议: a crafted POST without the tick (or with another value) does nothing."""
    login(client, meeting_scene, "admin")
    before = Meeting.objects.filter(pk=meeting_scene.meeting.pk).values().get()
    for data in [{}, {"confirm": "on"}, {"confirm": "true"}]:
        response = client.post(_url("meeting_confirm", meeting_scene.cycle, action), data)
        assert response.status_code == 400 and "我已了解上述后果" in response.content.decode(), data
    assert Meeting.objects.filter(pk=meeting_scene.meeting.pk).values().get() == before


def test_agenda_form_keeps_the_input_on_error(client, meeting_scene):
    login(client, meeting_scene, "admin")
    a, b = meeting_scene.speech_a, meeting_scene.speech_b
    response = client.post(_url("meeting_agenda", meeting_scene.cycle), {
        f"order_{a.pk}": "1", f"limit_{a.pk}": "500", f"order_{b.pk}": "2", f"limit_{b.pk}": "10",
    })
    assert response.status_code == 400 and "1 到 120 分钟" in response.content.decode()
    response = client.post(_url("meeting_agenda", meeting_scene.cycle), {
        f"order_{a.pk}": "2", f"limit_{a.pk}": "8", f"writing_{a.pk}": "on", f"order_{b.pk}": "1", f"limit_{b.pk}": "10",
    })
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.order, a.time_limit_minutes, a.in_writing) == (2, 8, True)


def test_attendees_and_ticked_check_in(client, meeting_scene):
    login(client, meeting_scene, "admin")
    group = meeting_scene.evaluation.groups.get(name="班子成员")
    response = client.post(_url("meeting_attendees", meeting_scene.cycle), {f"names_{group.pk}": "张三\n李四\n王五\n赵六"})
    assert response.status_code == 400 and "赵六" in response.content.decode()
    client.post(_url("meeting_attendees", meeting_scene.cycle), {f"names_{group.pk}": "张三\n李四"})
    zhang = Attendee.objects.get(name="张三")
    client.post(_url("meeting_checkin", meeting_scene.cycle, zhang.pk))
    zhang.refresh_from_db()
    assert zhang.checked_in_at is not None and zhang.checked_in_by == meeting_scene.admin


def test_console_runs_the_meeting(client, meeting_scene):
    login(client, meeting_scene, "admin")
    cycle = meeting_scene.cycle
    client.post(_url("meeting_action", cycle), {"action": "start"})
    page = client.get(_url("meeting_console", cycle)).content.decode()
    assert "甲社区党支部" in page and 'id="pause"' in page and "下一位：乙社区党支部" in page
    client.post(_url("meeting_action", cycle), {"action": "pause"})
    assert 'id="resume"' in client.get(_url("meeting_console", cycle)).content.decode()
    response = client.post(_url("meeting_question", cycle), {"speech": meeting_scene.speech_a.pk, "asker": "王书记", "text": "整改到位了吗？", "answer": "已完成"})
    assert response.status_code == 302
    assert MeetingQuestion.objects.get().answer == "已完成"
    response = client.post(_url("meeting_question", cycle), {"speech": meeting_scene.speech_a.pk, "asker": "", "text": "保留的问题"})
    assert response.status_code == 400 and "保留的问题" in response.content.decode()
    client.post(_url("meeting_action", cycle), {"action": "screen", "screen": "checkin"})
    meeting_scene.meeting.refresh_from_db()
    assert meeting_scene.meeting.screen == "checkin"
    assert client.post(_url("meeting_action", cycle), {"action": "nonsense"}).status_code == 400


def test_record_pdf_and_docx_hold_the_day(client, meeting_scene):
    services.speech_start(meeting=meeting_scene.meeting, by=meeting_scene.admin)
    services.question_record(meeting=meeting_scene.meeting, by=meeting_scene.admin, speech=meeting_scene.speech_a, asker="王书记", text="三会一课落实情况？", answer="按月召开")
    login(client, meeting_scene, "admin")
    response = client.get(_url("meeting_record_docx", meeting_scene.cycle))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "三会一课落实情况？" in text and "答复要点：按月召开" in text and "应到7人" in text
    tables = Document(io.BytesIO(response.content)).tables
    assert tables[0].rows[1].cells[0].text == "班子成员" and tables[0].rows[1].cells[1].text == "3"
    pdf = client.get(_url("meeting_record_pdf", meeting_scene.cycle))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# ---------------------------------------------------------------- the big screen and check-in


@pytest.mark.parametrize("role", ["anonymous", "secretary_a", "other_admin"])
def test_screen_opens_by_link_without_login(client, meeting_scene, role):
    login(client, meeting_scene, role)
    token = meeting_scene.meeting.screen_token
    page = client.get(reverse("screen:page", args=[token]))
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert "<svg" in page.content.decode()  # the QR codes are drawn on the page
    state = client.get(reverse("screen:state", args=[token]))
    assert state.status_code == 200 and json.loads(state.content)["title"] == "2026年度述职评议会"


def test_screen_without_the_right_link_is_404(client, meeting_scene):
    assert client.get(reverse("screen:page", args=["guessed"])).status_code == 404
    assert client.get(reverse("screen:state", args=["guessed"])).status_code == 404
    old = meeting_scene.meeting.screen_token
    services.screen_link_rotate(meeting=meeting_scene.meeting, by=meeting_scene.admin)
    assert client.get(reverse("screen:page", args=[old])).status_code == 404
    assert client.get(reverse("screen:state", args=[old])).status_code == 404
    assert client.get(reverse("screen:page", args=[meeting_scene.meeting.checkin_token])).status_code == 404


def test_screen_state_is_cached_and_costs_constant_queries(client, meeting_scene):
    meeting = meeting_scene.meeting
    Evaluation.objects.filter(pk=meeting_scene.evaluation.pk).update(mode=Evaluation.Mode.PER_SPEECH)
    ballot_services.evaluation_open(evaluation=Evaluation.objects.get(pk=meeting_scene.evaluation.pk), by=meeting_scene.admin)
    services.speech_start(meeting=meeting, by=meeting_scene.admin)
    services.speech_ballot_open(meeting=meeting, by=meeting_scene.admin)
    url = reverse("screen:state", args=[meeting.screen_token])
    with CaptureQueriesContext(connection) as first:
        state = json.loads(client.get(url).content)
    assert state["screen"] == "voting" and state["turnout"]["voted"] == 0
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) == 0  # within the second: from memory
    entry = meeting_scene.evaluation.entries.get(report=meeting_scene.report_a)
    good = marks_by_label(meeting_scene.evaluation)["好"]
    for code in meeting_scene.codes["群众代表"]:
        ballot_services.ballot_cast(code=code, choices={entry.pk: good})
    screen_state_forget(meeting.screen_token)  # as one second later
    with CaptureQueriesContext(connection) as later:
        state = json.loads(client.get(url).content)
    assert state["turnout"]["voted"] == 4
    assert len(later) == len(first)  # does not grow with the votes
    body = json.dumps(state, ensure_ascii=False)
    for codes in meeting_scene.codes.values():
        assert not any(code in body for code in codes)


def test_checkin_by_phone(client, meeting_scene):
    group = meeting_scene.evaluation.groups.get(name="群众代表")
    services.attendees_set(meeting=meeting_scene.meeting, by=meeting_scene.admin, names_by_group={group.pk: ["刘一", "陈二"]})
    url = reverse("screen:checkin", args=[meeting_scene.meeting.checkin_token])
    page = client.get(url).content.decode()
    assert "刘一" in page and "陈二" in page
    liu = Attendee.objects.get(name="刘一")
    response = client.post(url, {"attendee": liu.pk})
    assert response.status_code == 200 and "刘一，您已签到" in response.content.decode()
    liu.refresh_from_db()
    assert liu.checked_in_at is not None and liu.checked_in_by is None
    assert "刘一" not in client.get(url).content.decode()
    assert client.post(url, {"attendee": 999999}).status_code == 400
    chen = Attendee.objects.get(name="陈二")
    refused = client.post(url, {"attendee": chen.pk})  # the same phone (cookie) for someone else
    assert refused.status_code == 400 and "这部手机已为刘一签到" in refused.content.decode()
    chen.refresh_from_db()
    assert chen.checked_in_at is None
    assert client.get(reverse("screen:checkin", args=["guessed"])).status_code == 404
    assert client.get(reverse("screen:checkin", args=[meeting_scene.meeting.screen_token])).status_code == 404


def test_checkin_without_the_phone_cookie_is_refused_and_sets_one(client, meeting_scene):
    group = meeting_scene.evaluation.groups.get(name="群众代表")
    services.attendees_set(meeting=meeting_scene.meeting, by=meeting_scene.admin, names_by_group={group.pk: ["刘一"]})
    url = reverse("screen:checkin", args=[meeting_scene.meeting.checkin_token])
    liu = Attendee.objects.get(name="刘一")
    response = client.post(url, {"attendee": liu.pk})  # straight POST, never opened the page
    assert response.status_code == 400 and "无法识别您的手机" in response.content.decode()
    cookie = response.cookies["shuping_checkin_device"]
    assert len(cookie.value) == 16 and cookie["httponly"]
    assert client.post(url, {"attendee": liu.pk}).status_code == 200  # the phone now has its id
    liu.refresh_from_db()
    assert liu.checked_in_device == cookie.value


def test_checkin_is_rate_limited_per_address(client, meeting_scene, settings):
    """A script dropping its cookie each time gets a new phone id, but not past the address limit."""
    settings.MEETING_CHECKIN_ADDRESS_LIMIT = 2
    group = meeting_scene.evaluation.groups.get(name="群众代表")
    services.attendees_set(meeting=meeting_scene.meeting, by=meeting_scene.admin, names_by_group={group.pk: ["甲", "乙", "丙"]})
    url = reverse("screen:checkin", args=[meeting_scene.meeting.checkin_token])
    statuses = []
    for name in ("甲", "乙", "丙"):
        client.cookies.clear()
        client.get(url)  # a fresh phone id
        statuses.append(client.post(url, {"attendee": Attendee.objects.get(name=name).pk}).status_code)
    assert statuses == [200, 200, 429]
    assert set(Attendee.objects.filter(checked_in_at__isnull=False).values_list("name", flat=True)) == {"甲", "乙"}


def test_host_sees_one_phone_used_for_several(client, meeting_scene):
    group = meeting_scene.evaluation.groups.get(name="群众代表")
    services.attendees_set(meeting=meeting_scene.meeting, by=meeting_scene.admin, names_by_group={group.pk: ["甲", "乙", "丙"]})
    # As if two check-ins had come from one phone (e.g. made before this rule): the list flags them.
    Attendee.objects.filter(name__in=["甲", "乙"]).update(checked_in_at="2026-11-26T08:00:00Z", checked_in_device="abcdabcdabcdabcd")
    page = login(client, meeting_scene, "admin").get(_url("meeting", meeting_scene.cycle)).content.decode()
    assert page.count("同一手机签到2人") == 2 and "手机 abcd" in page


@pytest.mark.parametrize("role", ROLES)
def test_checkin_link_rotation_confirms_first_and_only_for_the_administrator(client, meeting_scene, role):
    url = reverse("reviews:meeting_confirm", args=[meeting_scene.cycle.pk, "checkin_rotate"])
    old = meeting_scene.meeting.checkin_token
    login(client, meeting_scene, role)
    shown = client.get(url)
    unticked = client.post(url)
    done = client.post(url, {"confirm": "1"})
    meeting_scene.meeting.refresh_from_db()
    if role in ALLOWED:
        assert shown.status_code == 200 and "旧的签到链接和二维码立即失效" in shown.content.decode()
        assert unticked.status_code == 400
        assert done.status_code == 302 and meeting_scene.meeting.checkin_token != old
        assert client.get(reverse("screen:checkin", args=[old])).status_code == 404
        assert client.get(reverse("screen:checkin", args=[meeting_scene.meeting.checkin_token])).status_code == 200
    else:
        assert meeting_scene.meeting.checkin_token == old
        assert shown.status_code in (302, 404) and done.status_code in (302, 404)


def test_screen_state_carries_the_checkin_link_version(client, meeting_scene):
    state_url = reverse("screen:state", args=[meeting_scene.meeting.screen_token])
    before = json.loads(client.get(state_url).content)["checkin"]
    page = client.get(reverse("screen:page", args=[meeting_scene.meeting.screen_token])).content.decode()
    assert f'data-checkin="{before}"' in page
    services.checkin_link_rotate(meeting=meeting_scene.meeting, by=meeting_scene.admin)
    screen_state_forget()
    assert json.loads(client.get(state_url).content)["checkin"] != before
def test_ids_that_are_no_numbers_are_a_400_not_a_500(client, meeting_scene):
    """The posted ids the URL converter does not guard: the phone's attendee, the console's speech."""
    client.raise_request_exception = False
    url = reverse("screen:checkin", args=[meeting_scene.meeting.checkin_token])
    for garbage in ["abc", "²", "1.5", "9" * 40]:
        assert client.post(url, {"attendee": garbage}).status_code == 400, garbage
    client.force_login(meeting_scene.admin)
    action = _url("meeting_action", meeting_scene.cycle)
    question = _url("meeting_question", meeting_scene.cycle)
    for garbage in ["abc", "²", "1.5"]:
        assert client.post(action, {"action": "speech", "speech": garbage}).status_code == 400, garbage
        assert client.post(question, {"speech": garbage, "asker": "王五", "text": "问题"}).status_code == 400, garbage


# ---------------------------------------------------------------- reviewers


def test_reviewer_jumps_to_the_current_speaker(client, meeting_scene):
    Assignment.objects.filter(report=meeting_scene.report_b, reviewer=meeting_scene.reviewer).delete()
    login(client, meeting_scene, "reviewer")
    url = _url("current_speaker", meeting_scene.cycle)
    assert client.get(url)["Location"] == _url("queue", meeting_scene.cycle)  # nobody speaking
    services.speech_start(meeting=meeting_scene.meeting, by=meeting_scene.admin)
    assert "为当前述职的书记打分" in client.get(reverse("reviews:index")).content.decode()
    assert "为当前述职的书记打分" in client.get(_url("queue", meeting_scene.cycle)).content.decode()
    assert client.get(url)["Location"] == reverse("reviews:review", args=[meeting_scene.report_a.pk])
    services.speech_start(meeting=meeting_scene.meeting, by=meeting_scene.admin)  # b: not assigned
    assert client.get(url)["Location"] == _url("queue", meeting_scene.cycle)


@pytest.mark.parametrize("role", ["anonymous", "secretary_a", "other_reviewer", "other_admin"])
def test_current_speaker_link_for_others(client, meeting_scene, role):
    services.speech_start(meeting=meeting_scene.meeting, by=meeting_scene.admin)
    response = login(client, meeting_scene, role).get(_url("current_speaker", meeting_scene.cycle))
    assert response.status_code == (302 if role == "anonymous" else 404)


# ---------------------------------------------------------------- ballot rules on the phone and the evaluation page


def test_phone_ballot_shows_the_limit_of_best_marks(client, meeting_scene):
    Evaluation.objects.filter(pk=meeting_scene.evaluation.pk).update(best_limit="1/2")
    ballot_services.evaluation_open(evaluation=Evaluation.objects.get(pk=meeting_scene.evaluation.pk), by=meeting_scene.admin)
    marks = marks_by_label(meeting_scene.evaluation)
    entries = list(meeting_scene.evaluation.entries.all())
    code = meeting_scene.codes["班子成员"][0]
    page = client.get(reverse("vote:code", args=[code])).content.decode()
    assert "每张票最多评 1 个“好”" in page
    data = {"code": code, "step": "review", **{f"entry_{e.pk}": marks["好"] for e in entries}}
    response = client.post(reverse("vote:enter"), data)
    assert response.status_code == 400
    assert "您评了 2 个，请改掉 1 个后再提交" in response.content.decode()
    assert 'checked' in response.content.decode()  # the marks stay


def test_rehearsal_from_the_evaluation_page(client, meeting_scene):
    login(client, meeting_scene, "admin")
    url = _url("evaluation_rehearsal", meeting_scene.cycle)
    client.post(url, {"action": "start", "count": "2"})
    page = client.get(_url("evaluation", meeting_scene.cycle)).content.decode()
    assert "投票演练中" in page
    client.post(url, {"action": "end"})  # box not ticked: nothing happens
    assert Evaluation.objects.get(pk=meeting_scene.evaluation.pk).status == Evaluation.Status.REHEARSAL
    client.post(url, {"action": "end", "confirm": "1"})
    assert Evaluation.objects.get(pk=meeting_scene.evaluation.pk).status == Evaluation.Status.DRAFT
    login(client, meeting_scene, "other_admin")
    assert client.post(url, {"action": "start"}).status_code == 404


def test_record_carries_the_ballot_result_and_quorum(client, meeting_scene):
    evaluation = Evaluation.objects.get(pk=meeting_scene.evaluation.pk)
    Evaluation.objects.filter(pk=evaluation.pk).update(quorum_required=True)
    ballot_services.evaluation_open(evaluation=evaluation, by=meeting_scene.admin)
    marks = marks_by_label(meeting_scene.evaluation)
    entries = list(meeting_scene.evaluation.entries.order_by("order"))
    for code in meeting_scene.codes["群众代表"][:3]:  # 3 of 7: not more than half
        ballot_services.ballot_cast(code=code, choices={e.pk: marks["好"] for e in entries})
    ballot_services.evaluation_close(evaluation=Evaluation.objects.get(pk=evaluation.pk), by=meeting_scene.admin)
    login(client, meeting_scene, "admin")
    document = Document(io.BytesIO(client.get(_url("meeting_record_docx", meeting_scene.cycle)).content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "应到7人" in text and "收回（实投）3票" in text and "未过半数" in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]
    assert rows[1][0] == "甲社区党支部" and rows[1][1:5] == ["3", "0", "0", "0"]
    assert rows[1][-3:] == ["3/7", "—", "无效（未过半数）"]


def test_closing_the_evaluation_from_the_console_comes_back_to_it(client, meeting_scene):
    ballot_services.evaluation_open(evaluation=Evaluation.objects.get(pk=meeting_scene.evaluation.pk), by=meeting_scene.admin)
    login(client, meeting_scene, "admin")
    console = _url("meeting_console", meeting_scene.cycle)
    assert f"?next={console}" in client.get(console).content.decode()
    url = _url("evaluation_close", meeting_scene.cycle) + f"?next={console}"
    assert f'name="next" value="{console}"' in client.get(url).content.decode()
    response = client.post(url, {"confirm": "1", "next": console})
    assert response["Location"] == console
    assert Evaluation.objects.get(pk=meeting_scene.evaluation.pk).status == Evaluation.Status.CLOSED
    # Elsewhere never: an outside address falls back to the evaluation's page.
    assert client.post(_url("evaluation_close", meeting_scene.cycle), {"confirm": "1", "next": "https://evil.example/"})["Location"] == _url("evaluation", meeting_scene.cycle)
