"""Views of the democratic evaluation (民主测评).

Administrators (scoped: another committee's cycle by guessed URL is a 404) set it up,
print the code sheet, open and close voting, enter paper ballots and read turnout and
tallies. Voters use the phone pages under /vote/: no account and no login, CSRF-protected,
no JavaScript, no session; the code travels in the POST body after the first page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.confirmations import Confirmation, confirm_then
from branches.downloads import download_response
from branches.throttles import Throttle, client_address
from reviews.ballots import services
from reviews.ballots.computation import best_limit_count, code_display, code_normalize
from reviews.ballots.documents import code_sheet_filename, code_sheet_pdf
from reviews.ballots.forms import EvaluationSetupForm
from reviews.ballots.selectors import (
    MIN_GROUP_VOTES,
    evaluation_of,
    evaluation_participation,
    evaluation_tally,
    evaluation_turnout,
    is_accepting_votes,
    paper_tally_values,
    rehearsal_codes,
)
from reviews.models import Evaluation
from reviews.view_helpers import add_errors, administered_cycle_or_404, call_and_tell, redirect_back

# Wrong codes per address before the voting page stops checking unknown codes for a while
# (counted in the shared cache; a real code is always accepted).
WRONG_CODE_LIMIT = 20
WRONG_CODE_WINDOW = 15 * 60
wrong_codes = Throttle("vote-wrong", limit=WRONG_CODE_LIMIT, window=WRONG_CODE_WINDOW)


# ---------------------------------------------------------------- administrators


def _evaluation_or_404(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    evaluation = evaluation_of(cycle)
    if evaluation is None:
        raise Http404
    return cycle, evaluation


@login_required
@require_GET
def evaluation(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    evaluation = evaluation_of(cycle)
    context = {"cycle": cycle, "evaluation": evaluation, "active": "evaluation"}
    if evaluation is not None:
        context.update(
            {
                "turnout": evaluation_turnout(evaluation),
                "accepting": is_accepting_votes(evaluation),
                "marks": list(evaluation.marks.all()),
                "tallies": evaluation_tally(evaluation) if evaluation.status == Evaluation.Status.CLOSED else None,
                "min_group_votes": MIN_GROUP_VOTES,
                "vote_url": request.build_absolute_uri(reverse("vote:enter")),
                "rehearsal_codes": [
                    (code_display(code), request.build_absolute_uri(reverse("vote:code", args=[code])))
                    for code in rehearsal_codes(evaluation)
                ],
            }
        )
    return render(request, "reviews/ballots/evaluation.html", context)


@login_required
@require_POST
def evaluation_rehearsal(request, cycle_pk):
    """Start a rehearsal (test codes), or end it (its ballots wiped: the box must be ticked)."""
    _cycle, evaluation = _evaluation_or_404(request, cycle_pk)
    if request.POST.get("action") == "end":
        if request.POST.get("confirm") != "1":
            messages.error(request, "请勾选“清除全部演练票”后再结束演练。")
        else:
            call_and_tell(
                request, lambda: services.evaluation_rehearsal_end(evaluation=evaluation, by=request.user),
                "演练已结束，演练票和演练测评码已全部清除。现在可以开始正式测评。",
            )
    else:
        try:
            count = int(request.POST.get("count", "5"))
        except ValueError:
            count = 0
        call_and_tell(
            request, lambda: services.evaluation_rehearsal_start(evaluation=evaluation, by=request.user, count=count),
            "投票演练已开始：请用下方的演练测评码试投，正式测评码此时不能投票。",
        )
    return redirect("reviews:evaluation", cycle_pk=cycle_pk)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_setup(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    evaluation = evaluation_of(cycle)
    if evaluation is not None and evaluation.status != Evaluation.Status.DRAFT:
        messages.error(request, "民主测评已经开始，不能再修改设置。")
        return redirect("reviews:evaluation", cycle_pk=cycle.pk)
    reports = list(cycle.reports.select_related("organization__secretary").order_by("organization__order", "organization_id"))
    form = EvaluationSetupForm(
        request.POST or None,
        reports=reports,
        evaluation=evaluation,
        initial={"title": f"{cycle.year}年度党组织书记抓基层党建工作述职评议民主测评"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_save(cycle=cycle, by=request.user, **form.service_arguments())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "民主测评设置已保存，测评码已生成。请下载并打印测评码。")
            return redirect("reviews:evaluation", cycle_pk=cycle.pk)
    status = 400 if request.method == "POST" else 200
    context = {"cycle": cycle, "evaluation": evaluation, "form": form, "active": "evaluation"}
    return render(request, "reviews/ballots/setup.html", context, status=status)


@login_required
@require_GET
def evaluation_codes_pdf(request, cycle_pk):
    _cycle, evaluation = _evaluation_or_404(request, cycle_pk)
    if evaluation.status != Evaluation.Status.DRAFT:
        messages.error(request, "测评已开始，测评码明文已销毁，不能再打印。如需补发，请使用纸质票。")
        return redirect("reviews:evaluation", cycle_pk=cycle_pk)
    pdf = code_sheet_pdf(
        evaluation,
        vote_url=lambda code: request.build_absolute_uri(reverse("vote:code", args=[code])),
        entry_url=request.build_absolute_uri(reverse("vote:enter")),
    )
    return download_response(pdf.content, code_sheet_filename(evaluation))


# What opening and closing do, for the confirmation page (GET shows it, POST with the box ticked acts).
CONFIRMATIONS = {
    "open": {
        "title": "开始测评",
        "service": services.evaluation_open,
        "status": Evaluation.Status.DRAFT,
        "success": "民主测评已开始，测评人现在可以投票。测评码明文已销毁。",
        "consequences": [
            "测评码明文立即销毁，只保留不可逆的摘要：此后不能再下载或打印测评码，丢失或未打印的测评码无法补发（只能用纸质票）。",
            "测评设置（测评对象、测评人类别、评价选项）不能再修改。",
            "测评人即可扫码投票，每个测评码只能投一次。",
        ],
    },
    "close": {
        "title": "结束测评",
        "service": services.evaluation_close,
        "status": Evaluation.Status.OPEN,
        "success": "民主测评已结束。请在结果页重新计算，民主测评得分将计入综合得分。",
        "consequences": [
            "立即停止投票，且不能重新开始：尚未投票的测评码全部作废。",
            "全部手机测评票以新的随机编号、随机顺序重新保存，此后数据库中也无法看出投票先后或哪张票来自哪个测评码。",
            "显示各党组织的票数统计和得分；重新计算结果后，民主测评得分计入综合得分。纸质票仍可补录。",
        ],
    },
}


def _evaluation_confirm(request, cycle_pk, action):
    """The one confirmation step (branches.confirmations): GET the consequences and the turnout;
    POST with the box ticked: do it (once)."""
    cycle, evaluation = _evaluation_or_404(request, cycle_pk)
    spec = CONFIRMATIONS[action]
    if evaluation.status != spec["status"] or cycle.is_closed:
        messages.error(request, f"民主测评当前状态为“{evaluation.get_status_display()}”，不能{spec['title']}。")
        return redirect("reviews:evaluation", cycle_pk=cycle.pk)
    participation = evaluation_participation(evaluation)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    confirmation = Confirmation(
        title=spec["title"],
        key=action,
        consequences=spec["consequences"],
        cancel_url=reverse("reviews:evaluation", args=[cycle.pk]),
        danger=action == "close" and not participation.quorum_met,
        # Back where the host came from (the meeting's console), else the evaluation's page.
        hidden={"next": next_url} if next_url else {},
    )

    def act():
        # The service locks the row: of parallel confirmations one acts, the others get its message.
        call_and_tell(request, lambda: spec["service"](evaluation=evaluation, by=request.user), spec["success"])
        return redirect_back(request, reverse("reviews:evaluation", args=[cycle.pk]))

    context = {
        "cycle": cycle,
        "evaluation": evaluation,
        "action": action,
        "participation": participation,
        "accepting": is_accepting_votes(evaluation),
        "active": "evaluation",
    }
    return confirm_then(request, confirmation, act, template="reviews/ballots/confirm.html", context=context)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_open(request, cycle_pk):
    return _evaluation_confirm(request, cycle_pk, "open")


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_close(request, cycle_pk):
    return _evaluation_confirm(request, cycle_pk, "close")


def _paper_key(entry_id, group_id, mark_id):
    return f"paper_{entry_id}_{group_id}_{mark_id}"


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_paper(request, cycle_pk):
    cycle, evaluation = _evaluation_or_404(request, cycle_pk)
    entries, groups, marks = list(evaluation.entries.all()), list(evaluation.groups.all()), list(evaluation.marks.all())
    keys = [(entry.pk, group.pk, mark.pk) for entry in entries for group in groups for mark in marks]
    errors = {}
    values = paper_tally_values(evaluation)
    if request.method == "POST":
        posted = {key: request.POST.get(_paper_key(*key), "") for key in keys}
        try:
            services.paper_tallies_set(evaluation=evaluation, counts=posted, by=request.user)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            values = posted  # the typed figures stay on the page
        else:
            messages.success(request, "纸质票已保存，与手机投票合并统计。")
            return redirect("reviews:evaluation", cycle_pk=cycle.pk)
    table = [
        (
            entry,
            [
                (group, [(_paper_key(entry.pk, group.pk, m.pk), values.get((entry.pk, group.pk, m.pk), 0)) for m in marks],
                 errors.get(f"paper_{entry.pk}_{group.pk}"))
                for group in groups
            ],
        )
        for entry in entries
    ]
    cell_errors = [message for key, messages_ in errors.items() if key.count("_") == 3 for message in messages_]
    context = {
        "cycle": cycle,
        "evaluation": evaluation,
        "marks": marks,
        "table": table,
        "errors": errors.get("__all__", []) + cell_errors,
        "has_errors": bool(errors),
        "active": "evaluation",
    }
    return render(request, "reviews/ballots/paper.html", context, status=400 if errors else 200)


# ---------------------------------------------------------------- voters


def _private(response):
    # The pages carry the voter's code: nothing is cached, and no Referer names the page, not
    # even to the site's own stylesheet (a proxy's access log would keep the code beside the
    # voter's address). "no-referrer" would make browsers send Origin: null, failing CSRF.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin"
    return response


def _code_page(request, *, code="", error="", status=200):
    return _private(render(request, "reviews/ballots/vote_code.html", {"code": code, "error": error}, status=status))


def _ballot_page(request, ballot_code, *, choices=None, errors=None, confirm=False):
    """The ballot (or, with `confirm`, the summary to confirm) of a checked code."""
    evaluation = evaluation_of(ballot_code.group.evaluation.cycle)
    choices = choices or {}
    errors = errors or {}
    marks = {mark.pk: mark for mark in evaluation.marks.all()}
    entries = [(entry, choices.get(entry.pk), errors.get(f"entry_{entry.pk}")) for entry in services.ballot_entries(evaluation)]
    context = {
        "evaluation": evaluation,
        "group": ballot_code.group,
        # The code itself goes on in a hidden field (the POST body), never in a URL.
        "code": ballot_code.plain_code,
        "entries": entries,
        "marks": list(marks.values()),
        "chosen": [(entry, marks.get(mark_id)) for entry, mark_id, _error in entries],
        "missing": len([key for key in errors if key.startswith("entry_")]),
        "limit_error": (errors.get("best_limit") or [""])[0],
        "best_limit": best_limit_count(evaluation.best_limit, len(evaluation.entries.all()))
        if evaluation.mode == Evaluation.Mode.ONCE
        else None,
        "rehearsal": evaluation.status == Evaluation.Status.REHEARSAL,
    }
    template = "reviews/ballots/vote_confirm.html" if confirm else "reviews/ballots/vote_ballot.html"
    return _private(render(request, template, context, status=400 if errors else 200))


def _parse_choices(request, evaluation_entries):
    choices = {}
    for entry in evaluation_entries:
        try:
            choices[entry.pk] = int(request.POST.get(f"entry_{entry.pk}", ""))
        except ValueError:
            continue
    return choices


THROTTLED_MESSAGE = "此网络输错测评码的次数过多，请 15 分钟后再试。正确的测评码不受影响，可以直接使用。"


def _refused(request, refusal, code=""):
    # The limit applies to unknown codes only: a locked-out address (one Wi-Fi for the whole
    # venue) still votes with a real code; guessing one among 2^80 gets nowhere either way.
    if isinstance(refusal, services.CodeInvalid):
        if wrong_codes.exceeded(client_address(request)):
            return _code_page(request, code=code, error=THROTTLED_MESSAGE, status=429)
        wrong_codes.hit(client_address(request))
        return _code_page(request, code=code, error=refusal.message, status=404)
    status = 409 if isinstance(refusal, services.CodeUsed) else 403
    return _code_page(request, error=refusal.message, status=status)


@never_cache
@require_GET
def vote_code(request, code):
    """The page a QR code opens: the ballot of that code."""
    try:
        ballot_code = services.code_check(code)
    except services.BallotRefused as refusal:
        return _refused(request, refusal, code_display(code_normalize(code)) or code[:40])
    ballot_code.plain_code = code_normalize(code)
    return _ballot_page(request, ballot_code)


@never_cache
@sensitive_post_parameters("code")  # an error report never prints the code
@require_http_methods(["GET", "POST"])
def vote_enter(request):
    """GET: the code form. POST step "enter" (a typed code) → the ballot; "review" → the
    confirmation (or the ballot again with what is missing); "edit" → back to the ballot;
    "confirm" → cast, and the receipt."""
    if request.method == "GET":
        return _code_page(request)
    typed = request.POST.get("code", "")
    try:
        ballot_code = services.code_check(typed)
    except services.BallotRefused as refusal:
        return _refused(request, refusal, typed[:40])
    ballot_code.plain_code = code_normalize(typed)
    step = request.POST.get("step", "enter")
    if step == "enter":
        return _ballot_page(request, ballot_code)
    entries = list(ballot_code.group.evaluation.entries.all())
    choices = _parse_choices(request, entries)
    if step == "edit":
        return _ballot_page(request, ballot_code, choices=choices)
    try:
        services.choices_check(ballot_code.group.evaluation, choices)
        if step == "confirm":
            services.ballot_cast(code=typed, choices=choices)
    except ValidationError as error:
        return _ballot_page(request, ballot_code, choices=choices, errors=error.message_dict)
    except services.BallotRefused as refusal:
        return _refused(request, refusal)
    if step == "confirm":
        evaluation = ballot_code.group.evaluation
        return _private(render(request, "reviews/ballots/vote_receipt.html", {"evaluation": evaluation}))
    return _ballot_page(request, ballot_code, choices=choices, confirm=True)
