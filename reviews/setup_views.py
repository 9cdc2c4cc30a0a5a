"""The administrators' pages of the review core: the rubric, result settings, assignments and
routine scores of a cycle. Thin views; the cycle comes from the administrator's own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from branches.params import id_param
from branches.tables import Table
from reports.models import Cycle
from reports.services import cycle_set_blocking_check_kinds
from reviews import rubric_services, services
from reviews.forms import (
    CheckSettingsForm,
    CriterionForm,
    ResultSettingsForm,
    RoutineScoresForm,
)
from reviews.models import Assignment, Criterion, ResultSettings
from reviews.permissions import can_be_assigned
from reviews.selectors import (
    ASSIGNMENT_SORTS,
    assignments_overview,
    cycles_administered_by,
    result_settings_for,
    rubric_is_locked,
    rubric_max,
)
from reviews.view_helpers import (
    administered_cycle_or_404,
    call_and_tell,
    call_with_form,
    redirect_back,
)


def _back_to_row(request, cycle_pk, report_pk):
    """Back to the page of the table the form was on (its `next`: filters, sort, page), at the row."""
    response = redirect_back(request, reverse("reviews:assignments", args=[cycle_pk]))
    response["Location"] += f"#report-{report_pk}"
    return response


def _rubric_page(request, cycle, criterion=None):
    """The criteria with a form that adds one, or changes `criterion`; editable until the first score."""
    form = CriterionForm(instance=criterion)
    status = 200
    if request.method == "POST":
        form = CriterionForm(request.POST, instance=Criterion.objects.get(pk=criterion.pk) if criterion else None)
        done = call_with_form(
            request,
            form,
            lambda data: rubric_services.criterion_save(cycle=cycle, by=request.user, criterion=criterion, **data),
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
    cycle = administered_cycle_or_404(request, cycle_pk)
    if request.method == "POST" and request.POST.get("action") == "copy":
        source = get_object_or_404(
            Cycle.objects.filter(organization=cycle.organization).exclude(pk=cycle.pk), pk=id_param(request.POST.get("source"))
        )
        call_and_tell(
            request,
            lambda: rubric_services.rubric_copy(cycle=cycle, source=source, by=request.user),
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
    call_and_tell(
        request,
        lambda: rubric_services.criterion_delete(criterion=criterion, by=request.user),
        f"已删除评价指标“{criterion.name}”。",
    )
    return redirect("reviews:rubric", cycle_pk=criterion.cycle_id)


@login_required
@require_http_methods(["GET", "POST"])
def result_settings(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    form = ResultSettingsForm(instance=settings)
    status = 200
    if request.method == "POST":
        form = ResultSettingsForm(request.POST, instance=ResultSettings.objects.get(pk=settings.pk))
        done = call_with_form(
            request,
            form,
            lambda data: rubric_services.result_settings_update(settings=settings, data=data, by=request.user),
            "结果设置已保存。如已计算结果，请重新计算。",
            reverse("reviews:result_settings", args=[cycle.pk]),
        )
        if done:
            return done
        status = 400
    return render(
        request,
        "reviews/admin/settings.html",
        {
            "cycle": cycle,
            "form": form,
            "check_form": CheckSettingsForm(initial={"blocking_check_kinds": cycle.blocking_check_kinds}),
            "active": "settings",
        },
        status=status,
    )


@login_required
@require_POST
def check_settings(request, cycle_pk):
    """报告体检: which kinds of finding block submission in this cycle (a form on the settings page)."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    form = CheckSettingsForm(request.POST)
    if form.is_valid():
        call_and_tell(
            request,
            lambda: cycle_set_blocking_check_kinds(
                cycle=cycle, kinds=form.cleaned_data["blocking_check_kinds"], by=request.user
            ),
            "体检设置已保存。",
        )
    else:
        messages.error(request, "请从列出的体检项中选择。")
    return redirect("reviews:result_settings", cycle_pk=cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assignments(request, cycle_pk):
    """Who reviews which report: the defaults, plus additions and removals. The table is sorted,
    filtered (?q= part of the name, ?missing=1 reports without a reviewer) and paged in the database."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    if request.method == "POST":
        report = get_object_or_404(cycle.reports.select_related("organization", "cycle__organization"), pk=id_param(request.POST.get("report")))
        reviewer = get_object_or_404(cycle.organization.committee_members.all(), pk=id_param(request.POST.get("reviewer")))
        call_and_tell(
            request,
            lambda: services.assignment_add(report=report, reviewer=reviewer, by=request.user),
            f"已增加 {reviewer.display_name} 评议{report.organization}的述职报告。",
        )
        return _back_to_row(request, cycle.pk, report.pk)
    members = list(cycle.organization.committee_members.order_by("username"))
    missing = request.GET.get("missing") == "1"
    search = request.GET.get("q", "").strip()[:100]
    table = Table(request, assignments_overview(cycle, missing_only=missing, search=search), sorts=ASSIGNMENT_SORTS, default="organization")
    rows = []
    for report in table.rows:
        assigned = {a.reviewer_id for a in report.assignments.all()}
        submitted = {r.reviewer_id for r in report.reviews.all() if r.is_submitted}
        candidates = [m for m in members if can_be_assigned(m, report, assigned)]
        rows.append({"report": report, "assignments": report.assignments.all(), "submitted": submitted, "candidates": candidates})
    return render(
        request,
        "reviews/admin/assignments.html",
        {
            "cycle": cycle,
            "rows": rows,
            "table": table,
            "members": members,
            "missing": missing,
            "search": search,
            "active": "assignments",
        },
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
    call_and_tell(
        request,
        lambda: services.assignment_remove(assignment=assignment, by=request.user),
        f"已取消 {assignment.reviewer.display_name} 对{assignment.report.organization}的评议分工。",
    )
    return _back_to_row(request, assignment.report.cycle_id, assignment.report_id)


@login_required
@require_http_methods(["GET", "POST"])
def routine_scores(request, cycle_pk):
    """The routine assessment scores, one page of the table at a time (sorted, filtered and paged
    in the database like every large table): saving saves the rows of the page shown — the form's
    action keeps the page's query string, so the POST rebuilds the same rows."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    search = request.GET.get("q", "").strip()[:100]
    missing = request.GET.get("missing") == "1"
    reports = cycle.reports.select_related("organization", "result")
    if search:
        reports = reports.filter(organization__name__contains=search)
    if missing:
        reports = reports.filter(Q(result__isnull=True) | Q(result__routine_score__isnull=True))
    table = Table(request, reports, sorts=ROUTINE_SORTS, default="organization", descending_first={"score"})
    form = RoutineScoresForm(request.POST or None, reports=table.rows)
    if request.method == "POST":
        done = call_with_form(
            request,
            form,
            lambda data: services.routine_scores_set(cycle=cycle, scores=form.scores(), by=request.user),
            lambda changed: f"本页的日常考核得分已保存（{changed}个党组织有变动）。",
            request.get_full_path(),
        )
        if done:
            return done
        messages.error(request, "日常考核得分未保存，请按提示修改。")
    return render(
        request,
        "reviews/admin/routine.html",
        {"cycle": cycle, "form": form, "table": table, "search": search, "missing": missing, "active": "routine"},
        status=400 if form.is_bound else 200,
    )


ROUTINE_SORTS = {
    "organization": ["organization__order", "organization__name"],
    "score": [F("result__routine_score").asc(nulls_last=True), "organization__order"],
}
