"""Views of the review workflow: thin — parse, check, call a service, render.

Every object comes from a queryset scoped to the user (another committee's report or
cycle by guessed URL is a 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.params import id_param
from branches.permissions import is_administrator
from reports.models import Cycle, Report
from reports.permissions import can_return_report
from reports.selectors import report_latest_version, report_versions
from reports.services import ReportLocked, report_return

from reviews import services
from reviews.forms import (
    AnswerForm,
    CriterionForm,
    OverrideForm,
    ProblemFormSet,
    PublishForm,
    QuestionForm,
    ResultSettingsForm,
    ReturnForm,
    ReviewForm,
    RoutineScoresForm,
    problem_initial,
    WithdrawForm,
    score_field_name,
)
from reviews.models import Assignment, Criterion, ProblemCategory, Result, ResultSettings
from reviews.permissions import can_see_result
from reviews.results.documents import sheet_context
from reviews.rectification.selectors import last_year_items, rectification_today
from reviews.selectors import (
    ReviewState,
    assignments_overview,
    current_publication,
    cycle_results,
    administered_reports,
    publication_gaps,
    publications_of,
    published_sheet,
    reviewer_pseudonyms,
    cycles_administered_by,
    cycles_for_reviewer,
    grade_distribution,
    queue_next,
    queue_progress,
    questions_for_report,
    reports_led_by,
    result_settings_for,
    results_state,
    review_changes,
    review_of,
    review_queue,
    reviewable_reports,
    reviews_for_report,
    rubric_is_locked,
    rubric_max,
)

REVIEW_ACTIONS = {"draft", "submit", "draft_next", "submit_next"}


def _add_errors(form, error):
    """Put a service's ValidationError on the form: keyed messages on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _call_with_form(request, form, call, success, target):
    """If the form is valid, call the service with its cleaned data; on success tell the user and
    redirect to `target`, else return None with the service's errors on the form (the input stays)."""
    if not form.is_valid():
        return None
    try:
        outcome = call(form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return None
    messages.success(request, success(outcome) if callable(success) else success)
    return redirect(target)


def _call_and_tell(request, call, success):
    """Call a service that takes no input from a form; its errors become a message."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


def _redirect_back(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        # Not redirect(): it would take a bare word ("abc") for a URL name and fail with a 500.
        return HttpResponseRedirect(target)
    return redirect(fallback)


# ---------------------------------------------------------------- reviewers


@login_required
@require_GET
def index(request):
    """The reviewer's cycles with progress, and the secretary's own reports (questions, results)."""
    cycles = list(cycles_for_reviewer(request.user))
    led = list(reports_led_by(request.user))
    if not cycles and not led:
        raise PermissionDenied
    return render(request, "reviews/index.html", {"cycles": cycles, "led_reports": led})


@login_required
@require_GET
def queue(request, cycle_pk):
    cycle = get_object_or_404(cycles_for_reviewer(request.user), pk=cycle_pk)
    reports = list(review_queue(request.user, cycle))
    done, total = queue_progress(reports)
    state = request.GET.get("state", "")
    search = request.GET.get("q", "").strip()
    shown = reports
    if state == "todo":
        shown = [r for r in shown if r.state in ReviewState.TODO]
    elif state in ReviewState.LABELS:
        shown = [r for r in shown if r.state == state]
    if search:
        shown = [r for r in shown if search in r.organization.name]
    return render(
        request,
        "reviews/queue.html",
        {
            "cycle": cycle,
            "reports": shown,
            "done": done,
            "total": total,
            "state": state,
            "search": search,
            "state_labels": ReviewState.LABELS,
            "next_report": queue_next(reports),
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
    }
    # Last year's problems and their rectification state, beside this year's report.
    context["last_year_plan"], context["last_year_items"] = last_year_items(report, rectification_today())
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
            _add_errors(form, error)
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
    done = _call_with_form(
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
        return _redirect_back(request, reverse("reviews:index"))
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
    return _redirect_back(request, reverse("reviews:index"))


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
        done = _call_with_form(
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
def secretary_result(request, report_pk):
    """The secretary's own published result; before publication, nothing of it."""
    report = get_object_or_404(reports_led_by(request.user), pk=report_pk)
    context = {"report": report, "cycle": report.cycle, "published": False}
    if can_see_result(request.user, report):
        # The frozen sheet of the publication in force, never live data.
        publication, sheet = published_sheet(report)
        if sheet is not None:
            context.update(sheet_context(sheet, cycle=report.cycle, published_at=publication.published_at))
            context.update({"published": True, "publication": publication, "sheet": sheet})
    return render(request, "reviews/secretary_result.html", context)


# ---------------------------------------------------------------- administrators


def _administered_cycle_or_404(request, cycle_pk):
    return get_object_or_404(cycles_administered_by(request.user), pk=cycle_pk)


@login_required
@require_GET
def admin_index(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    cycles = cycles_administered_by(request.user).annotate(
        report_count=Count("reports", distinct=True),
        submitted_count=Count("reports", filter=Q(reports__status=Report.Status.SUBMITTED), distinct=True),
    ).order_by("-year", "organization_id")
    return render(request, "reviews/admin/index.html", {"cycles": cycles})


@login_required
@require_GET
def admin_cycle(request, cycle_pk):
    cycle = _administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    counts = cycle.reports.aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Report.Status.RETURNED)),
    )
    return render(
        request,
        "reviews/admin/cycle.html",
        {
            "cycle": cycle,
            "counts": counts,
            "criteria": list(cycle.criteria.all()),
            "rubric_max": rubric_max(cycle),
            "settings": settings,
            "results_state": results_state(cycle, settings),
            "active": "overview",
        },
    )


def _rubric_page(request, cycle, criterion=None):
    """The criteria with a form that adds one, or changes `criterion`; editable until the first score."""
    form = CriterionForm(instance=criterion)
    status = 200
    if request.method == "POST":
        form = CriterionForm(request.POST, instance=Criterion.objects.get(pk=criterion.pk) if criterion else None)
        done = _call_with_form(
            request,
            form,
            lambda data: services.criterion_save(cycle=cycle, by=request.user, criterion=criterion, **data),
            "评价指标已修改。" if criterion else "评价指标已增加。",
            reverse("reviews:rubric", args=[cycle.pk]),
        )
        if done:
            return done
        status = 400
    return render(
        request,
        "reviews/admin/rubric.html",
        {
            "cycle": cycle,
            "criteria": list(cycle.criteria.all()),
            "rubric_max": rubric_max(cycle),
            "locked": rubric_is_locked(cycle) or cycle.is_closed,
            "form": form,
            "editing": criterion,
            "other_cycles": Cycle.objects.filter(organization=cycle.organization).exclude(pk=cycle.pk),
            "active": "rubric",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rubric(request, cycle_pk):
    cycle = _administered_cycle_or_404(request, cycle_pk)
    if request.method == "POST" and request.POST.get("action") == "copy":
        source = get_object_or_404(
            Cycle.objects.filter(organization=cycle.organization).exclude(pk=cycle.pk), pk=id_param(request.POST.get("source"))
        )
        _call_and_tell(
            request,
            lambda: services.rubric_copy(cycle=cycle, source=source, by=request.user),
            f"已复制“{source}”的评价指标。",
        )
        return redirect("reviews:rubric", cycle_pk=cycle.pk)
    return _rubric_page(request, cycle)


def _administered_criterion_or_404(request, pk):
    return get_object_or_404(
        Criterion.objects.filter(cycle__in=cycles_administered_by(request.user)).select_related("cycle__organization"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk):
    criterion = _administered_criterion_or_404(request, pk)
    return _rubric_page(request, criterion.cycle, criterion)


@login_required
@require_POST
def criterion_delete(request, pk):
    criterion = _administered_criterion_or_404(request, pk)
    _call_and_tell(
        request,
        lambda: services.criterion_delete(criterion=criterion, by=request.user),
        f"已删除评价指标“{criterion.name}”。",
    )
    return redirect("reviews:rubric", cycle_pk=criterion.cycle_id)


@login_required
@require_http_methods(["GET", "POST"])
def result_settings(request, cycle_pk):
    cycle = _administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    form = ResultSettingsForm(instance=settings)
    status = 200
    if request.method == "POST":
        form = ResultSettingsForm(request.POST, instance=ResultSettings.objects.get(pk=settings.pk))
        done = _call_with_form(
            request,
            form,
            lambda data: services.result_settings_update(settings=settings, data=data, by=request.user),
            "结果设置已保存。如已计算结果，请重新计算。",
            reverse("reviews:result_settings", args=[cycle.pk]),
        )
        if done:
            return done
        status = 400
    return render(
        request,
        "reviews/admin/settings.html",
        {"cycle": cycle, "form": form, "active": "settings"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignments(request, cycle_pk):
    """Who reviews which report: the defaults, plus additions and removals."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    if request.method == "POST":
        report = get_object_or_404(cycle.reports.select_related("organization", "cycle__organization"), pk=id_param(request.POST.get("report")))
        reviewer = get_object_or_404(cycle.organization.committee_members.all(), pk=id_param(request.POST.get("reviewer")))
        _call_and_tell(
            request,
            lambda: services.assignment_add(report=report, reviewer=reviewer, by=request.user),
            f"已增加 {reviewer.display_name} 评议{report.organization}的述职报告。",
        )
        return redirect(reverse("reviews:assignments", args=[cycle.pk]) + f"#report-{report.pk}")
    members = list(cycle.organization.committee_members.order_by("username"))
    rows = []
    for report in assignments_overview(cycle):
        assigned = {a.reviewer_id for a in report.assignments.all()}
        submitted = {r.reviewer_id for r in report.reviews.all() if r.status == "submitted"}
        candidates = [
            m for m in members if m.pk not in assigned and m.pk != report.organization.secretary_id
        ]
        rows.append({"report": report, "assignments": report.assignments.all(), "submitted": submitted, "candidates": candidates})
    return render(
        request,
        "reviews/admin/assignments.html",
        {"cycle": cycle, "rows": rows, "members": members, "active": "assignments"},
    )


@login_required
@require_POST
def assignment_remove(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.filter(report__cycle__in=cycles_administered_by(request.user)).select_related(
            "report__cycle__organization", "report__organization", "reviewer"
        ),
        pk=pk,
    )
    _call_and_tell(
        request,
        lambda: services.assignment_remove(assignment=assignment, by=request.user),
        f"已取消 {assignment.reviewer.display_name} 对{assignment.report.organization}的评议分工。",
    )
    return redirect(reverse("reviews:assignments", args=[assignment.report.cycle_id]) + f"#report-{assignment.report_id}")


@login_required
@require_http_methods(["GET", "POST"])
def routine_scores(request, cycle_pk):
    """All the routine assessment scores of the cycle in one form."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    reports = list(cycle.reports.select_related("organization", "result"))
    form = RoutineScoresForm(request.POST or None, reports=reports)
    if request.method == "POST":
        done = _call_with_form(
            request,
            form,
            lambda data: services.routine_scores_set(cycle=cycle, scores=form.scores(), by=request.user),
            lambda changed: f"日常考核得分已保存（{changed}个党组织有变动）。",
            reverse("reviews:routine_scores", args=[cycle.pk]),
        )
        if done:
            return done
        messages.error(request, "日常考核得分未保存，请按提示修改。")
    return render(
        request,
        "reviews/admin/routine.html",
        {"cycle": cycle, "form": form, "active": "routine"},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def results(request, cycle_pk):
    cycle = _administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    state = results_state(cycle, settings)
    return render(
        request,
        "reviews/admin/results.html",
        {
            "cycle": cycle,
            "settings": settings,
            "criteria": list(cycle.criteria.all()),
            "rows": cycle_results(cycle, settings),
            "distribution": grade_distribution(cycle, settings),
            "results_state": state,
            "gaps": [] if cycle.is_published else publication_gaps(cycle, settings, state),
            "publications": list(publications_of(cycle)),
            # Published before publications were snapshots: secretaries see nothing until republished.
            "unsnapshotted": cycle.is_published and current_publication(cycle) is None,
            "active": "results",
        },
    )


def _cycle_action(request, cycle_pk, action, success):
    cycle = _administered_cycle_or_404(request, cycle_pk)
    _call_and_tell(request, lambda: action(cycle=cycle, by=request.user), success)
    return redirect("reviews:results", cycle_pk=cycle.pk)


@login_required
@require_POST
def results_compute(request, cycle_pk):
    return _cycle_action(request, cycle_pk, services.results_compute, "结果已重新计算。调整过的等次保持不变。")


def _confirm_page(request, cycle, *, action, form=None, status=200, **context):
    """The confirmation step of an irreversible action: what happens, who is told, then the button."""
    return render(
        request,
        "reviews/admin/confirm.html",
        {"cycle": cycle, "action": action, "form": form, "active": "results", **context},
        status=status,
    )


def _secretary_count(cycle):
    return cycle.reports.filter(organization__secretary__isnull=False).count()


@login_required
@require_http_methods(["GET", "POST"])
def cycle_publish(request, cycle_pk):
    """公布结果: first what is incomplete and what publishing does; publishing anyway needs a reason."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    if cycle.is_published or cycle.is_closed:
        messages.info(request, "本年度结果已公布。" if cycle.is_published else services.CLOSED_MESSAGE)
        return redirect("reviews:results", cycle_pk=cycle.pk)
    settings = result_settings_for(cycle)
    form = PublishForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            publication = services.cycle_publish(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Not publishable at all (stale, never computed, already published): back to the results.
                messages.error(request, " ".join(error.messages))
                return redirect("reviews:results", cycle_pk=cycle.pk)
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"结果已公布（第{publication.number}次）。"
                + ("各书记现在可以看到本组织的结果。" if publication.number == 1 else f"{len(publication.changes)}个结果有变化的党组织书记已收到通知。"),
            )
            return redirect("reviews:results", cycle_pk=cycle.pk)
    if form.is_bound:
        status = 400
    previous = publications_of(cycle).first()
    state = results_state(cycle, settings)
    return _confirm_page(
        request, cycle, action="publish", form=form, status=status,
        gaps=publication_gaps(cycle, settings, state),
        results_state=state,
        previous=previous,
        secretary_count=_secretary_count(cycle),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_withdraw(request, cycle_pk):
    """撤回公布 with a reason: secretaries stop seeing the results and are told."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    if not cycle.is_published or cycle.is_closed:
        messages.info(request, services.CLOSED_MESSAGE if cycle.is_closed else "本年度结果当前未公布，无需撤回。")
        return redirect("reviews:results", cycle_pk=cycle.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        done = _call_with_form(
            request,
            form,
            lambda data: services.cycle_withdraw(cycle=cycle, by=request.user, reason=data["reason"]),
            "已撤回公布。书记已收到通知并暂时看不到结果；修改后请重新计算并公布。",
            reverse("reviews:results", args=[cycle.pk]),
        )
        if done:
            return done
        status = 400
    return _confirm_page(
        request, cycle, action="withdraw", form=form, status=status,
        publication=current_publication(cycle), secretary_count=_secretary_count(cycle),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_close(request, cycle_pk):
    """结束本年度评议: everything locks for good; confirmed first."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    if request.method == "POST":
        return _cycle_action(request, cycle_pk, services.cycle_close, "本年度述职评议已结束，全部内容已锁定。")
    if cycle.is_closed:
        messages.info(request, services.CLOSED_MESSAGE)
        return redirect("reviews:results", cycle_pk=cycle.pk)
    return _confirm_page(request, cycle, action="close", publication=current_publication(cycle))


@login_required
@require_http_methods(["GET", "POST"])
def result_override(request, pk):
    """Settle a grade other than the computed one; a written reason is required."""
    result = get_object_or_404(
        Result.objects.filter(report__cycle__in=cycles_administered_by(request.user)).select_related(
            "report__organization", "report__cycle__organization", "overridden_by"
        ),
        pk=pk,
    )
    cycle = result.report.cycle
    settings = result_settings_for(cycle)
    form = OverrideForm(initial={"grade": result.grade}, settings=settings)
    if request.method == "POST":
        form = OverrideForm(request.POST, settings=settings)
        done = _call_with_form(
            request,
            form,
            lambda data: services.result_override(result=result, by=request.user, **data),
            f"{result.report.organization}的等次已调整，理由已记录。",
            reverse("reviews:results", args=[cycle.pk]),
        )
        if done:
            return done
    return render(
        request,
        "reviews/admin/override.html",
        {
            "cycle": cycle,
            "result": result,
            "computed_label": settings.grade_label(result.computed_grade),
            "current_label": settings.grade_label(result.grade),
            "form": form,
            "active": "results",
        },
        status=400 if form.is_bound else 200,
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
