"""The administrator's console for a year: open a cycle (guided), follow its progress,
remind the late, export the table. Every object comes from the user's administered scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.downloads import XLSX_CONTENT_TYPE, download_response
from branches.permissions import is_administrator
from branches.selectors import organizations_administered_by
from branches.tables import Table, sort_order
from reviews.console.documents import progress_workbook, progress_workbook_filename
from reviews.console.forms import CycleSetupForm
from reviews.console.launch import cycle_launch
from reviews.console.progress import (
    DEFAULT_SORT,
    SORTS,
    Progress,
    is_late,
    progress_counts,
    progress_table,
    reviewer_progress,
)
from reviews.console.reminders import reminder_send
from reviews.results.selectors import results_state
from reviews.selectors import (
    administered_reports,
    cycle_report_counts,
    cycles_with_report_counts,
    result_settings_for,
    rubric_max,
)
from reviews.view_helpers import add_errors, administered_cycle_or_404, call_and_tell, redirect_back


def _reviewing_organizations(user):
    """Organizations the user administers that have organizations below them to review."""
    return (
        organizations_administered_by(user)
        .annotate(child_count=Count("children"))
        .filter(child_count__gt=0)
        .order_by("path")
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_setup(request):
    """启动年度述职评议: choose the reviewing organization, then year, deadlines, rubric, weights, participants."""
    if not is_administrator(request.user):
        raise PermissionDenied
    organizations = list(_reviewing_organizations(request.user))
    chosen = request.POST.get("organization") or request.GET.get("organization")
    if chosen is None and len(organizations) == 1:
        chosen = str(organizations[0].pk)
    organization = next((org for org in organizations if str(org.pk) == chosen), None)
    if chosen and organization is None:
        raise Http404
    context = {"organizations": organizations, "organization": organization, "form": None}
    if organization is None:
        return render(request, "reviews/console/setup.html", context)
    form = CycleSetupForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = cycle_launch(
                organization=organization,
                year=data["year"],
                title=data["title"],
                submission_deadline=data["submission_deadline"],
                review_deadline=data["review_deadline"],
                meeting_date=data["meeting_date"],
                participants=list(data["participants"]),
                copy_rubric_from=form.copy_from,
                weights=form.weights,
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"已启动“{cycle.title}”：{cycle.reports.count()}个党组织的书记已收到通知，首页可见撰写任务。",
            )
            return redirect("reviews:progress", cycle_pk=cycle.pk)
    context["form"] = form
    return render(request, "reviews/console/setup.html", context, status=400 if form.is_bound else 200)


BAR_COLOURS = {
    Progress.NOT_STARTED: "bg-secondary",
    Progress.DRAFT: "bg-info",
    Progress.SUBMITTED: "bg-primary",
    Progress.RETURNED: "bg-warning",
    Progress.REVIEWED: "bg-success",
}


def _state_param(request):
    state = request.GET.get("state", "")
    return state if state in Progress.LABELS or state == Progress.LATE else ""


def _with_labels(rows, cycle):
    for row in rows:
        row.cycle = cycle  # is_late reads the deadline; no query per row
        row.is_overdue = is_late(row)
        row.state_label = Progress.LABELS[row.state]
    return rows


@login_required
@require_GET
def progress(request, cycle_pk):
    """Counts by state with a bar, the sortable and filterable table, reviewers' progress."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    state = _state_param(request)
    counts = progress_counts(cycle)
    total = counts["total"] or 1
    bar = [
        (key, label, counts[key], round(100 * counts[key] / total, 1), BAR_COLOURS[key])
        for key, label in Progress.LABELS.items()
    ]
    table = Table(request, progress_table(cycle, state=state), sorts=SORTS, default=DEFAULT_SORT, descending_first={"activity"})
    _with_labels(table.rows, cycle)
    return render(
        request,
        "reviews/console/progress.html",
        {
            "cycle": cycle,
            "counts": counts,
            "bar": bar,
            "table": table,
            "rows": table.rows,
            "state": state,
            "labels": Progress.LABELS,
            "reviewers": list(reviewer_progress(cycle)),
            "active": "progress",
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def progress_xlsx(request, cycle_pk):
    """The whole table as filtered and sorted on the page (every page of it) as .xlsx."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    order = sort_order(request, sorts=SORTS, default=DEFAULT_SORT)[2]
    rows = list(progress_table(cycle, state=_state_param(request)).order_by(*order))
    for row in rows:
        row.cycle = cycle
    return download_response(progress_workbook(rows), progress_workbook_filename(cycle), XLSX_CONTENT_TYPE)


@login_required
@require_POST
def remind(request, report_pk):
    """Remind one secretary."""
    report = get_object_or_404(administered_reports(request.user), pk=report_pk)
    call_and_tell(
        request,
        lambda: reminder_send(report=report, by=request.user),
        f"已提醒{report.organization}书记{report.organization.secretary.display_name if report.organization.secretary else ''}。",
    )
    return redirect_back(request, reverse("reviews:progress", args=[report.cycle_id]))


# ---------------------------------------------------------------- the year's overview


@login_required
@require_GET
def admin_index(request):
    """The administrator's years, with how many reports each has and how many are submitted."""
    if not is_administrator(request.user):
        raise PermissionDenied
    return render(request, "reviews/admin/index.html", {"cycles": cycles_with_report_counts(request.user)})


@login_required
@require_GET
def admin_cycle(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    return render(
        request,
        "reviews/admin/cycle.html",
        {
            "cycle": cycle,
            "counts": cycle_report_counts(cycle),
            "criteria": list(cycle.criteria.all()),
            "rubric_max": rubric_max(cycle),
            "settings": settings,
            "results_state": results_state(cycle, settings),
            "active": "overview",
        },
    )
