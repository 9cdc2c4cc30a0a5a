"""The administrator's console for a year: open a cycle (guided), follow its progress,
remind the late, export the table. Every object comes from the user's administered scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.permissions import is_administrator
from branches.selectors import organizations_administered_by
from reports.models import Report
from branches.downloads import XLSX_CONTENT_TYPE, download_response, fit_columns, safe_filename, workbook_bytes, write_header

from reviews import services
from reviews.console.forms import CycleSetupForm
from reviews.console.progress import SORTS, Progress, is_late, progress_counts, progress_table, reviewer_progress
from reviews.console.reminders import reminder_send, reminders_send_late
from reviews.selectors import administered_reports
from reviews.views import _add_errors, _administered_cycle_or_404, _call_and_tell, _redirect_back


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
            with transaction.atomic():
                cycle = services.cycle_launch(
                    organization=organization,
                    year=data["year"],
                    title=data["title"],
                    submission_deadline=data["submission_deadline"],
                    review_deadline=data["review_deadline"],
                    meeting_date=data["meeting_date"],
                    participants=list(data["participants"]),
                    copy_rubric_from=form.copy_from,
                    by=request.user,
                )
                services.result_settings_update(settings=cycle.result_settings, data=form.weights, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
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


def _table_params(request):
    state = request.GET.get("state", "")
    sort = request.GET.get("sort", "organization")
    if state not in Progress.LABELS and state != Progress.LATE:
        state = ""
    if sort not in SORTS:
        sort = "organization"
    return state, sort


@login_required
@require_GET
def progress(request, cycle_pk):
    """Counts by state with a bar, the sortable and filterable table, reviewers' progress."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    state, sort = _table_params(request)
    counts = progress_counts(cycle)
    total = counts["total"] or 1
    bar = [
        (key, label, counts[key], round(100 * counts[key] / total, 1), BAR_COLOURS[key])
        for key, label in Progress.LABELS.items()
    ]
    rows = list(progress_table(cycle, state=state, sort=sort))
    for row in rows:
        row.cycle = cycle  # is_late reads the deadline; no query per row
        row.is_overdue = is_late(row)
        row.state_label = Progress.LABELS[row.state]
    return render(
        request,
        "reviews/console/progress.html",
        {
            "cycle": cycle,
            "counts": counts,
            "bar": bar,
            "rows": rows,
            "state": state,
            "sort": sort,
            "labels": Progress.LABELS,
            "reviewers": list(reviewer_progress(cycle)),
            "active": "progress",
            "now": timezone.now(),
        },
    )


def _progress_workbook(cycle, rows):
    from openpyxl import Workbook


    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "进度"
    write_header(sheet, 1, ["党组织", "书记", "手机号", "状态", "逾期未交", "最后活动", "提交时间", "逾期提交", "评议进度"])
    for row in rows:
        secretary = row.organization.secretary
        sheet.append(
            [
                row.organization.name,
                secretary.display_name if secretary else "",
                secretary.phone if secretary else "",
                Progress.LABELS[row.state],
                "是" if is_late(row) else "",
                timezone.localtime(row.updated_at).replace(tzinfo=None) if row.status != Report.Status.NOT_STARTED else None,
                timezone.localtime(row.submitted_at).replace(tzinfo=None) if row.submitted_at else None,
                "是" if row.is_late else "",
                f"{row.reviews_done}/{row.reviews_assigned}",
            ]
        )
    for column in ("F", "G"):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=ord(column) - 64, max_col=ord(column) - 64):
            cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:I{max(sheet.max_row, 1)}"
    fit_columns(sheet, header_row=1)
    return workbook_bytes(workbook)


@login_required
@require_GET
def progress_xlsx(request, cycle_pk):
    """The table as shown (same filter and order) as .xlsx."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    state, sort = _table_params(request)
    rows = list(progress_table(cycle, state=state, sort=sort))
    for row in rows:
        row.cycle = cycle
    filename = safe_filename(f"{cycle.organization.name}{cycle.year}年度述职进度_{timezone.localdate():%Y%m%d}") + ".xlsx"
    return download_response(_progress_workbook(cycle, rows), filename, XLSX_CONTENT_TYPE)


@login_required
@require_POST
def remind(request, report_pk):
    """Remind one secretary."""
    report = get_object_or_404(administered_reports(request.user), pk=report_pk)
    _call_and_tell(
        request,
        lambda: reminder_send(report=report, by=request.user),
        f"已提醒{report.organization}书记{report.organization.secretary.display_name if report.organization.secretary else ''}。",
    )
    return _redirect_back(request, reverse("reviews:progress", args=[report.cycle_id]))


@login_required
@require_POST
def remind_late(request, cycle_pk):
    """Remind every late secretary in one action."""
    cycle = _administered_cycle_or_404(request, cycle_pk)
    try:
        sent = reminders_send_late(cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(request, f"已提醒 {sent} 个逾期未提交的党组织书记。")
        else:
            messages.info(request, "目前没有逾期未提交的党组织。")
    return _redirect_back(request, reverse("reviews:progress", args=[cycle.pk]))
