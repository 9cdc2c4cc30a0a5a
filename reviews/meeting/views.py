"""Views of the review meeting (述职评议会).

Administrators of the cycle (scoped: another committee's meeting by guessed URL is a 404) set it
up and run it from the console. The big screen needs no login: its unguessable link (rotated by
the host) shows only what the host chooses and polls a small cached JSON state. Attendees check
in on their phones through the check-in code the screen shows. Reviewers jump to the current
speaker's review form.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.confirmations import Confirmation, confirm_then
from branches.downloads import DOCX_CONTENT_TYPE, download_response
from branches.params import id_param
from branches.throttles import Throttle, client_address
from reviews.ballots.documents import qr_svg
from reviews.ballots.selectors import evaluation_of, evaluation_participation, evaluation_tally
from reviews.meeting import services
from reviews.meeting.documents import record_docx, record_filename, record_pdf
from reviews.meeting.forms import MeetingForm, QuestionForm
from reviews.meeting.selectors import (
    attendance,
    attendees_by_group,
    checkin_version,
    live_turnout,
    meeting_by_checkin_token_or_404,
    meeting_by_screen_token_or_404,
    meeting_of,
    next_speech,
    screen_state,
    screen_state_cached,
    speech_elapsed,
)
from reviews.models import Attendee, Evaluation, Meeting, Speech
from reviews.permissions import can_review
from reviews.selectors import cycles_for_reviewer
from reviews.view_helpers import add_errors, administered_cycle_or_404, call_and_tell


def _meeting_or_404(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    meeting = meeting_of(cycle)
    if meeting is None:
        raise Http404
    return cycle, meeting


def _links(request, meeting):
    return {
        "screen_url": request.build_absolute_uri(reverse("screen:page", args=[meeting.screen_token])),
        "checkin_url": request.build_absolute_uri(reverse("screen:checkin", args=[meeting.checkin_token])),
        "vote_url": request.build_absolute_uri(reverse("vote:enter")),
    }


# ---------------------------------------------------------------- setting up


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, cycle_pk):
    """The meeting's page: date and place, agenda (order, in writing, time limit), the draw,
    attendees and check-in, the screen link, the record."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    meeting = meeting_of(cycle)
    initial = {"title": f"{cycle.year}年度党组织书记抓基层党建工作述职评议会"}
    if meeting is not None:
        initial = {"title": meeting.title, "date": meeting.date, "place": meeting.place}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(cycle=cycle, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "会议信息已保存。")
            return redirect("reviews:meeting", cycle_pk=cycle.pk)
    context = {"cycle": cycle, "meeting": meeting, "form": form, "active": "meeting", "errors": {}}
    if meeting is not None:
        context.update(_setup_context(request, meeting))
    return render(request, "reviews/meeting/meeting.html", context, status=400 if form.errors else 200)


def _setup_context(request, meeting, posted=None):
    """The agenda and attendance; with `posted` (a refused form) the typed values stay in the inputs."""
    grouped = attendees_by_group(meeting)
    lines = attendance(meeting)
    speeches = list(meeting.speeches.all())
    for speech in speeches:
        speech.shown_order = posted.get(f"order_{speech.pk}", speech.order) if posted else speech.order
        speech.shown_limit = posted.get(f"limit_{speech.pk}", speech.time_limit_minutes) if posted else speech.time_limit_minutes
    for line in lines:
        people = grouped.get(line.group.pk, [])
        line.names_text = posted.get(f"names_{line.group.pk}", "") if posted else "\n".join(a.name for a in people)
    return {
        "speeches": speeches,
        "attendance": [(line, grouped.get(line.group.pk, [])) for line in lines],
        "present": sum(line.present for line in lines),
        "expected": sum(line.expected for line in lines),
        **_links(request, meeting),
    }


@login_required
@require_POST
def agenda(request, cycle_pk):
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    rows = {}
    errors = {}
    for speech in meeting.speeches.all():
        try:
            order = request.POST.get(f"order_{speech.pk}", "").strip()
            limit = int(request.POST.get(f"limit_{speech.pk}", ""))
            rows[speech.pk] = {
                "order": int(order) if order else None,
                "in_writing": request.POST.get(f"writing_{speech.pk}") == "on",
                "time_limit_minutes": limit,
            }
        except ValueError:
            errors[f"limit_{speech.pk}"] = ["顺序和限时须为整数。"]
    if not errors:
        try:
            services.agenda_set(meeting=meeting, by=request.user, rows=rows)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"order": error.messages}
        else:
            messages.success(request, "议程已保存。")
            return redirect("reviews:meeting", cycle_pk=cycle.pk)
    context = {
        "cycle": cycle, "meeting": meeting, "active": "meeting", "errors": errors, "posted": request.POST,
        "form": MeetingForm(initial={"title": meeting.title, "date": meeting.date, "place": meeting.place}),
        **_setup_context(request, meeting, posted=request.POST),
    }
    return render(request, "reviews/meeting/meeting.html", context, status=400)


@login_required
@require_POST
def attendees(request, cycle_pk):
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    evaluation = evaluation_of(cycle)
    if evaluation is None:
        messages.error(request, "请先设置民主测评（测评人类别和人数即应到人数），再填写参会人员。")
        return redirect("reviews:meeting", cycle_pk=cycle.pk)
    names = {group.pk: request.POST.get(f"names_{group.pk}", "").splitlines() for group in evaluation.groups.all()}
    try:
        services.attendees_set(meeting=meeting, by=request.user, names_by_group=names)
    except ValidationError as error:
        context = {
            "cycle": cycle, "meeting": meeting, "active": "meeting", "posted": request.POST,
            "errors": error.message_dict if hasattr(error, "error_dict") else {"attendees": error.messages},
            "form": MeetingForm(initial={"title": meeting.title, "date": meeting.date, "place": meeting.place}),
            **_setup_context(request, meeting, posted=request.POST),
        }
        return render(request, "reviews/meeting/meeting.html", context, status=400)
    messages.success(request, "参会人员名单已保存。")
    return redirect("reviews:meeting", cycle_pk=cycle.pk)


@login_required
@require_POST
def checkin_tick(request, cycle_pk, attendee_pk):
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    attendee = get_object_or_404(Attendee, pk=attendee_pk, meeting=meeting)
    undo = request.POST.get("undo") == "1"
    call = (
        (lambda: services.attendee_check_in_undo(attendee=attendee, by=request.user))
        if undo
        else (lambda: services.attendee_check_in(attendee=attendee, by=request.user))
    )
    call_and_tell(request, call, f"已撤销{attendee.name}的签到。" if undo else f"{attendee.name}已签到。")
    target = reverse("reviews:meeting_console" if request.POST.get("from") == "console" else "reviews:meeting", args=[cycle.pk])
    return redirect(f"{target}#attendance")


@login_required
@require_POST
def screen_rotate(request, cycle_pk):
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    call_and_tell(request, lambda: services.screen_link_rotate(meeting=meeting, by=request.user), "已更换大屏链接，旧链接已失效。请在投影电脑上打开新链接。")
    return redirect("reviews:meeting", cycle_pk=cycle.pk)


# ---------------------------------------------------------------- confirmations


CONFIRMATIONS = {
    "draw": {
        "title": "抽签确定述职顺序",
        "service": services.agenda_draw,
        "success": "已抽签，述职顺序已确定并记录。",
        "back": "reviews:meeting",
        "consequences": [
            "系统随机打乱述职顺序，记录抽签人、时间、随机种子和结果（审计日志可查）。",
            "抽签只能进行一次：此后述职顺序不能再手动调整，也不能重新抽签。",
            "民主测评尚未开始时，测评票上的顺序随之调整。",
        ],
    },
    "ballot_open": {
        "title": "开始对本位书记投票",
        "service": services.speech_ballot_open,
        "success": "已开始对本位书记投票，大屏显示测评二维码。",
        "back": "reviews:meeting_console",
        "consequences": [
            "大屏立即显示测评二维码，测评人可以用手机为这位书记投票。",
            "对这位书记的投票结束后不能重新开始：请先确认测评人已到场、测评码已发放。",
        ],
    },
    "ballot_close": {
        "title": "结束本位书记的投票",
        "service": services.speech_ballot_close,
        "success": "本位书记的投票已结束，参测人数和是否过半数已记录。",
        "back": "reviews:meeting_console",
        "consequences": [
            "立即停止对这位书记投票，且不能重新开始：尚未投票的测评人不能再投。",
            "记录应到人数、实投票数和是否过半数（法定人数）。",
            "主持人可随后在大屏显示这位书记的测评结果。",
        ],
    },
    "checkin_rotate": {
        "title": "更换签到链接",
        "service": services.checkin_link_rotate,
        "success": "已更换签到链接，旧链接已失效；大屏上的签到二维码随之更新。",
        "back": "reviews:meeting",
        "consequences": [
            "旧的签到链接和二维码立即失效，不能恢复：已打开旧签到页但尚未签到的人需要重新扫码。",
            "已经签到的记录不受影响。",
            "大屏在几秒内自动换成新的签到二维码。",
        ],
    },
    "finish": {
        "title": "结束会议",
        "service": services.meeting_finish,
        "success": "会议已结束。可以下载会议记录。",
        "back": "reviews:meeting_console",
        "consequences": [
            "当前述职结束计时，签到关闭，议程、签到和现场提问不能再修改。",
            "民主测评不受影响：如仍在测评中，请到“民主测评”结束测评。",
        ],
    },
}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_confirm(request, cycle_pk, action):
    """GET: what the action does; POST with `confirm` ticked: do it (once — the service locks and re-checks)."""
    if action not in CONFIRMATIONS:
        raise Http404
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    spec = CONFIRMATIONS[action]
    confirmation = Confirmation(
        title=spec["title"],
        key=action,
        consequences=spec["consequences"],
        cancel_url=reverse(spec["back"], args=[cycle.pk]),
    )

    def act():
        # The service locks the meeting and checks again: of parallel confirmations one acts.
        call_and_tell(request, lambda: spec["service"](meeting=meeting, by=request.user), spec["success"])
        return redirect(spec["back"], cycle_pk=cycle.pk)

    context = {"cycle": cycle, "meeting": meeting, "action": action, "active": "meeting"}
    if action == "ballot_close":
        context["turnout"] = live_turnout(meeting, evaluation_of(cycle))
    return confirm_then(request, confirmation, act, template="reviews/meeting/confirm.html", context=context)


# ---------------------------------------------------------------- the console


@login_required
@require_GET
def console(request, cycle_pk):
    """The host's console, for a laptop or a phone."""
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    evaluation = evaluation_of(cycle)
    current = meeting.current_speech if meeting.current_speech_id else None
    voting = next((entry for entry in evaluation.entries.all() if entry.is_voting), None) if evaluation else None
    current_entry = (
        next((entry for entry in evaluation.entries.all() if current and entry.report_id == current.report_id), None)
        if evaluation
        else None
    )
    context = {
        "cycle": cycle,
        "meeting": meeting,
        "evaluation": evaluation,
        "current": current,
        "elapsed": speech_elapsed(current) if current else 0,
        "following": next_speech(meeting),
        "speeches": list(meeting.speeches.all()),
        "turnout": live_turnout(meeting, evaluation),
        "voting": voting,
        "current_entry": current_entry,
        "question_form": QuestionForm(),
        "screens": Meeting.Screen.choices,
        "active": "meeting",
        **_links(request, meeting),
    }
    return render(request, "reviews/meeting/console.html", context)


ACTIONS = {
    "start": (lambda m, u: services.speech_start(meeting=m, by=u), "已开始下一位书记述职。"),
    "pause": (lambda m, u: services.speech_pause(meeting=m, by=u), "已暂停计时。"),
    "resume": (lambda m, u: services.speech_resume(meeting=m, by=u), "已继续计时。"),
    "end": (lambda m, u: services.speech_end(meeting=m, by=u), "本位书记述职结束。"),
    "hide": (lambda m, u: services.results_hide(meeting=m, by=u), "大屏已隐藏测评结果。"),
}


@login_required
@require_POST
def console_action(request, cycle_pk):
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    action = request.POST.get("action", "")
    if action == "screen":
        screen = request.POST.get("screen", "")
        call_and_tell(request, lambda: services.screen_set(meeting=meeting, by=request.user, screen=screen), "大屏显示已切换。")
    elif action == "speech":
        speech = get_object_or_404(Speech, pk=id_param(request.POST.get("speech")) or 0, meeting=meeting)
        call_and_tell(request, lambda: services.speech_start(meeting=meeting, by=request.user, speech=speech), f"已开始{speech}述职。")
    elif action in ACTIONS:
        call, success = ACTIONS[action]
        call_and_tell(request, lambda: call(meeting, request.user), success)
    else:
        return HttpResponseBadRequest("未知的操作。")
    return redirect("reviews:meeting_console", cycle_pk=cycle.pk)


@login_required
@require_POST
def question(request, cycle_pk):
    cycle, meeting = _meeting_or_404(request, cycle_pk)
    speech = Speech.objects.filter(pk=id_param(request.POST.get("speech")) or 0, meeting=meeting).select_related("report__organization").first()
    if speech is None:
        return HttpResponseBadRequest("请选择提问对象。")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_record(meeting=meeting, by=request.user, speech=speech, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"已记录对{speech}的提问。")
            return redirect("reviews:meeting_console", cycle_pk=cycle.pk)
    messages.error(request, "提问未保存：" + "；".join(m for ms in form.errors.values() for m in ms))
    context = {
        "cycle": cycle, "meeting": meeting, "speech": speech, "question_form": form, "active": "meeting",
    }
    return render(request, "reviews/meeting/question_error.html", context, status=400)


# ---------------------------------------------------------------- the record


def _record_context(meeting):
    evaluation = evaluation_of(meeting.cycle)
    closed = evaluation is not None and evaluation.status == Evaluation.Status.CLOSED
    return {
        "meeting": meeting,
        "cycle": meeting.cycle,
        "speeches": list(meeting.speeches.all()),
        "attendance": attendance(meeting),
        "evaluation": evaluation,
        "participation": evaluation_participation(evaluation) if evaluation else None,
        "tallies": evaluation_tally(evaluation) if closed else None,
        "marks": list(evaluation.marks.all()) if evaluation else [],
    }


@login_required
@require_GET
def record_pdf_download(request, cycle_pk):
    _cycle, meeting = _meeting_or_404(request, cycle_pk)
    return download_response(record_pdf(_record_context(meeting)), record_filename(meeting, "pdf"))


@login_required
@require_GET
def record_docx_download(request, cycle_pk):
    _cycle, meeting = _meeting_or_404(request, cycle_pk)
    return download_response(record_docx(_record_context(meeting)), record_filename(meeting, "docx"), DOCX_CONTENT_TYPE)


# ---------------------------------------------------------------- reviewers


@login_required
@require_GET
def current_speaker(request, cycle_pk):
    """The review form of the speaker now at the lectern (a link the reviewer keeps open on the phone)."""
    cycle = get_object_or_404(cycles_for_reviewer(request.user), pk=cycle_pk)
    meeting = Meeting.objects.filter(cycle=cycle).select_related("current_speech__report__organization", "current_speech__report__cycle").first()
    if meeting is None or meeting.current_speech is None:
        messages.info(request, "现在还没有书记在述职。")
        return redirect("reviews:queue", cycle_pk=cycle.pk)
    report = meeting.current_speech.report
    if not can_review(request.user, report):
        messages.info(request, f"当前述职的是{report.organization}，不在您的评议范围内。")
        return redirect("reviews:queue", cycle_pk=cycle.pk)
    return redirect("reviews:review", report_pk=report.pk)


# ---------------------------------------------------------------- the big screen (no login)


def _screen_response(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token never leaves in a Referer
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def screen_page(request, token):
    meeting = meeting_by_screen_token_or_404(token)
    links = _links(request, meeting)
    context = {
        "meeting": meeting,
        "token": token,
        "vote_qr": mark_safe(qr_svg(links["vote_url"])),  # noqa: S308 — SVG drawn from our own URL
        "checkin_qr": mark_safe(qr_svg(links["checkin_url"])),  # noqa: S308
        "checkin_version": checkin_version(meeting),
        **links,
    }
    return _screen_response(render(request, "reviews/meeting/screen.html", context))


@never_cache
@require_GET
def screen_state_json(request, token):
    """The screen's state, polled every second: built at most once a second per meeting and process
    (screen_state_cached), so any number of screens cost a constant handful of queries."""

    def build():
        meeting = meeting_by_screen_token_or_404(token)
        state = screen_state(meeting)
        tallies = state.pop("tallies")
        state["tallies_html"] = (
            render_to_string("reviews/meeting/_screen_tallies.html", {"tallies": tallies}) if tallies is not None else None
        )
        return json.dumps(state, ensure_ascii=False)

    # Keyed by the link: a poll within the second costs no query at all; a rotated link stops
    # answering within SCREEN_CACHE_SECONDS.
    body = screen_state_cached(token, build)
    return _screen_response(HttpResponse(body, content_type="application/json; charset=utf-8"))


# Phone check-in without an account: each phone keeps a random id in a cookie and checks in one
# person (attendee_check_in refuses a second); the address is limited too, against a script that
# drops the cookie. A room behind one NAT address shares the limit: settings.MEETING_CHECKIN_ADDRESS_LIMIT.
CHECKIN_DEVICE_COOKIE = "shuping_checkin_device"
checkin_tries = Throttle("meeting-checkin", limit=lambda: settings.MEETING_CHECKIN_ADDRESS_LIMIT, window=10 * 60)


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request, token):
    """Attendees check in on their phone: the list of names not yet checked in, tap one's own."""
    meeting = meeting_by_checkin_token_or_404(token)
    device = request.COOKIES.get(CHECKIN_DEVICE_COOKIE, "")
    if not (device.isalnum() and len(device) == 16):
        device = ""
    done = None
    error = ""
    status = 200
    if request.method == "POST":
        address = client_address(request)
        attendee = Attendee.objects.filter(pk=id_param(request.POST.get("attendee")) or 0, meeting=meeting).first()
        if checkin_tries.exceeded(address):
            error, status = "签到过于频繁，请稍后再试，或向会务人员签到。", 429
        elif attendee is None:
            error, status = "请从名单中选择您的姓名。", 400
        else:
            checkin_tries.hit(address)
            try:
                services.attendee_check_in(attendee=attendee, device=device)
            except ValidationError as refusal:
                error, status = " ".join(refusal.messages), 400
            else:
                done = attendee
    if meeting.status == Meeting.Status.FINISHED and not error:
        error = "会议已经结束，签到已关闭。"
    grouped = attendees_by_group(meeting)
    lines = [(line.group, [a for a in grouped.get(line.group.pk, []) if a.checked_in_at is None]) for line in attendance(meeting)]
    context = {"meeting": meeting, "lines": lines, "done": done, "error": error}
    response = render(request, "reviews/meeting/checkin.html", context, status=status)
    if not device:
        response.set_cookie(
            CHECKIN_DEVICE_COOKIE, get_random_string(16), max_age=2 * 24 * 3600, httponly=True, samesite="Lax",
            secure=request.is_secure(),
        )
    return _screen_response(response)
