"""Views of the review workflow: thin — parse, check, call a service, render.

Every object comes from a queryset scoped to the user (another committee's report or
cycle by guessed URL is a 404). The reviewers' and secretaries' pages, and a report's
reviews as its administrators see them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.tables import Table
from reports.models import Report
from reports.permissions import can_return_report
from reports.report_checks import findings_context, report_findings
from reports.selectors import report_latest_version, report_versions
from reports.services import ReportLocked, report_return
from reviews import services
from reviews.forms import (
    AnswerForm,
    ProblemFormSet,
    QuestionForm,
    ReturnForm,
    ReviewForm,
    problem_initial,
    score_field_name,
)
from reviews.models import Meeting, ProblemCategory
from reviews.selectors import (
    QUEUE_SORTS,
    ReviewState,
    administered_reports,
    cycles_administered_by,
    cycles_for_reviewer,
    questions_for_report,
    queue_counts,
    queue_filtered,
    queue_first_todo,
    queue_next,
    reports_led_by,
    result_settings_for,
    review_changes,
    review_of,
    review_queue,
    reviewable_reports,
    reviewer_pseudonyms,
    reviews_for_report,
    rubric_max,
)
from reviews.signals import review_page_context
from reviews.view_helpers import add_errors, call_with_form, redirect_back

REVIEW_ACTIONS = {"draft", "submit", "draft_next", "submit_next"}


# ---------------------------------------------------------------- reviewers


@login_required
@require_GET
def index(request):
    """The reviewer's cycles with progress, and the secretary's own reports (questions, results)."""
    cycles = list(cycles_for_reviewer(request.user))
    led = list(reports_led_by(request.user))
    if not cycles and not led:
        raise PermissionDenied
    # Cycles whose review meeting is under way: a "current speaker" link opens the review form.
    live = set(Meeting.objects.filter(cycle__in=cycles, status=Meeting.Status.RUNNING).values_list("cycle_id", flat=True))
    for cycle in cycles:
        cycle.meeting_live = cycle.pk in live
    return render(request, "reviews/index.html", {"cycles": cycles, "led_reports": led})


@login_required
@require_GET
def queue(request, cycle_pk):
    cycle = get_object_or_404(cycles_for_reviewer(request.user), pk=cycle_pk)
    queue = review_queue(request.user, cycle)
    done, total = queue_counts(queue)
    state = request.GET.get("state", "")
    if state != "todo" and state not in ReviewState.LABELS:
        state = ""
    search = request.GET.get("q", "").strip()[:100]
    table = Table(request, queue_filtered(queue, state=state, search=search), sorts=QUEUE_SORTS, default="organization")
    return render(
        request,
        "reviews/queue.html",
        {
            "cycle": cycle,
            "table": table,
            "reports": table.rows,
            "meeting_live": Meeting.objects.filter(cycle=cycle, status=Meeting.Status.RUNNING).exists(),
            "done": done,
            "total": total,
            "state": state,
            "search": search,
            "state_labels": ReviewState.LABELS,
            "next_report": queue_first_todo(queue),
        },
    )


def _reviewable_report_or_404(request, report_pk):
    report = get_object_or_404(reviewable_reports(request.user), pk=report_pk)
    version = report_latest_version(report)
    if version is None:  # nothing submitted yet: nothing to review
        raise Http404
    return report, version


def _review_forms(report, review, settings, data=None):
    criteria = list(report.cycle.criteria.all())
    categories = list(ProblemCategory.objects.all())
    if data is not None:
        return (
            ReviewForm(data, criteria=criteria, settings=settings),
            ProblemFormSet(data, prefix="problems", categories=categories),
        )
    initial = {}
    if review:
        initial = {"comment": review.comment, "suggested_grade": review.suggested_grade}
        initial.update({score_field_name(s.criterion): s.points for s in review.scores.all()})
    return (
        ReviewForm(initial=initial, criteria=criteria, settings=settings),
        ProblemFormSet(initial=problem_initial(review), prefix="problems", categories=categories),
    )


def _render_review(request, report, version, *, form=None, formset=None, question_form=None, status=200):
    settings = result_settings_for(report.cycle)
    review = review_of(report, request.user)
    if form is None:
        form, formset = _review_forms(report, review, settings)
    context = {
        "cycle": report.cycle,
        "report": report,
        "body": version,
        "version": version,
        "versions": list(report_versions(report)),
        "review": review,
        "changes": list(review_changes(review)) if review else [],
        "form": form,
        "formset": formset,
        "rubric_max": rubric_max(report.cycle),
        "questions": list(questions_for_report(report)),
        "question_form": question_form or QuestionForm(),
        "return_form": ReturnForm(),
        "can_return": can_return_report(request.user, report),
        "is_closed": report.cycle.is_closed,
        # Reviews lock at publication: the form is shown read-only.
        "is_locked": report.cycle.is_closed or report.cycle.is_published,
        # The 体检 of the submitted version, as its secretary saw it before submitting.
        "checks": findings_context(report_findings(report, body=version)),
    }
    # Last year's problems and their rectification state, beside this year's report.
    for _receiver, extra in review_page_context.send(sender=Report, report=report):
        context.update(extra)
    return render(request, "reviews/review.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, report_pk):
    """Read the latest submitted version, ask questions, and write, submit or change one's review."""
    report, version = _reviewable_report_or_404(request, report_pk)
    if request.method == "GET":
        return _render_review(request, report, version)
    action = request.POST.get("action", "draft")
    if action not in REVIEW_ACTIONS:
        action = "draft"
    settings = result_settings_for(report.cycle)
    form, formset = _review_forms(report, None, settings, data=request.POST)
    if form.is_valid() and formset.is_valid():
        try:
            services.review_save(
                report=report,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                suggested_grade=form.cleaned_data["suggested_grade"],
                problems=formset.problems(),
                submit=action.startswith("submit"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            saved = "评议已提交。" if action.startswith("submit") else "评议草稿已保存。"
            if action.endswith("_next"):
                following = queue_next(list(review_queue(request.user, report.cycle)), after=report)
                if following is None:
                    messages.success(request, saved + "本年度分配给您的报告已全部评议。")
                    return redirect("reviews:queue", cycle_pk=report.cycle_id)
                messages.success(request, saved + f"下一份：{following.organization}。")
                return redirect("reviews:review", report_pk=following.pk)
            messages.success(request, saved)
            return redirect("reviews:review", report_pk=report.pk)
    messages.error(request, "评议未保存，请按提示修改后重试。")
    return _render_review(request, report, version, form=form, formset=formset, status=400)


@login_required
@require_POST
def question_ask(request, report_pk):
    report, version = _reviewable_report_or_404(request, report_pk)
    form = QuestionForm(request.POST)
    done = call_with_form(
        request,
        form,
        lambda data: services.question_ask(report=report, by=request.user, text=data["text"]),
        "问题已发送给书记。",
        reverse("reviews:review", args=[report.pk]) + "#questions",
    )
    return done or _render_review(request, report, version, question_form=form, status=400)


def _returnable_reports(user):
    """Reports the user may see to send back: as their reviewer or their cycle's administrator."""
    administered = cycles_administered_by(user).values("pk")
    return Report.objects.filter(Q(cycle__in=administered) | Q(pk__in=reviewable_reports(user).values("pk")))


@login_required
@require_POST
def report_return_view(request, report_pk):
    """退回修改 with a reason, by a reviewer or an administrator of the cycle."""
    report = get_object_or_404(_returnable_reports(request.user).select_related("cycle", "organization"), pk=report_pk)
    if not can_return_report(request.user, report):
        messages.error(request, "该报告当前不能退回修改。")
        return redirect_back(request, reverse("reviews:index"))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        # The same form again with the message, so that a typed reason (e.g. too long) is not lost.
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("reviews:index")
        return render(
            request, "reviews/return_retry.html", {"report": report, "return_form": form, "next": target}, status=400
        )
    try:
        report_return(report=report, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, ReportLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"已将{report.organization}的述职报告退回修改，书记将看到退回原因。")
    return redirect_back(request, reverse("reviews:index"))


# ---------------------------------------------------------------- secretaries


@login_required
@require_http_methods(["GET", "POST"])
def secretary_questions(request, report_pk):
    """The secretary reads the reviewers' questions on their report and answers them."""
    report = get_object_or_404(reports_led_by(request.user), pk=report_pk)
    questions = list(questions_for_report(report))
    forms_by_question = {q.pk: AnswerForm(prefix=f"q{q.pk}", initial={"answer": q.answer}) for q in questions}
    status = 200
    if request.method == "POST":
        question = next((q for q in questions if str(q.pk) == request.POST.get("question")), None)
        if question is None:
            raise Http404
        form = AnswerForm(request.POST, prefix=f"q{question.pk}")
        forms_by_question[question.pk] = form
        done = call_with_form(
            request,
            form,
            lambda data: services.question_answer(question=question, by=request.user, answer=data["answer"]),
            "回答已保存。",
            reverse("reviews:secretary_questions", args=[report.pk]) + f"#question-{question.pk}",
        )
        if done:
            return done
        status = 400
    settings = result_settings_for(report.cycle)
    return render(
        request,
        "reviews/secretary_questions.html",
        {
            "report": report,
            "items": [(q, forms_by_question[q.pk]) for q in questions],
            "show_names": settings.show_reviewer_names,
            "pseudonyms": reviewer_pseudonyms(report.cycle),
            "is_closed": report.cycle.is_closed,
        },
        status=status,
    )


@login_required
@require_GET
def admin_report(request, report_pk):
    """All reviews of one report for the administrator: scores, comments, problems, change history."""
    report = get_object_or_404(administered_reports(request.user), pk=report_pk)
    reviews = list(
        reviews_for_report(report, submitted_only=False).prefetch_related("changes__changed_by")
    )
    return render(
        request,
        "reviews/admin/report.html",
        {
            "cycle": report.cycle,
            "report": report,
            "reviews": reviews,
            "grade_labels": result_settings_for(report.cycle).grade_labels,
            "questions": list(questions_for_report(report)),
            "versions": list(report_versions(report)),
            "return_form": ReturnForm(),
            "can_return": can_return_report(request.user, report),
            "active": "results",
        },
    )
