"""The insight pages: an organization's file (党组织档案) and its PDF, a cycle's analysis, the
cycles of the administrator's subtree side by side. Thin views over reviews.insight.selectors."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from branches.downloads import download_response, safe_filename
from branches.models import Organization
from branches.permissions import is_administrator, is_secretary_of
from reports.pdf import render_pdf
from reviews.insight import charts
from reviews.insight.permissions import can_see_organization_file
from reviews.insight.selectors import (
    LIST_LIMIT,
    category_lines,
    criterion_lines,
    distribution,
    grade_counts,
    levels_overview,
    low_two_years,
    normalised_view,
    organization_file,
    previous_cycle,
    rectification_completion,
    recurring_problems,
    reviewer_stats,
)
from reviews.permissions import can_administer_cycle
from reviews.rectification.selectors import rectification_today
from reviews.selectors import cycles_administered_by, result_settings_for
from reviews.view_helpers import administered_cycle_or_404


def _file_context(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("parent"), pk=pk)
    if not can_see_organization_file(request.user, organization):
        raise Http404
    years = organization_file(
        organization,
        administers=lambda cycle: can_administer_cycle(request.user, cycle),
        is_secretary=is_secretary_of(request.user, organization),
    )
    return {
        "organization": organization,
        "years": years,
        "has_items": any(year.items for year in years),
        "trend_chart": charts.trend_chart(years),
    }


@login_required
@require_GET
def organization_file_page(request, pk):
    """党组织档案: every year's grade, total, rank, components, problems and their rectification, reports."""
    return render(request, "reviews/insight/organization_file.html", _file_context(request, pk))


@login_required
@require_GET
def organization_file_pdf(request, pk):
    context = _file_context(request, pk)
    context["generated_at"] = timezone.localtime()
    pdf = render_pdf("pdf/organization_file.html", context, stylesheets=("sheet.css",))
    return download_response(pdf.content, safe_filename(f"{context['organization'].name}党组织档案") + ".pdf")


@login_required
@require_GET
def cycle_analysis(request, cycle_pk):
    """A cycle's analysis: distribution, criteria and problems against last year, reviewers'
    calibration (with the normalised view on request), recurring problems, rectification, flags."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    previous = previous_cycle(cycle)
    counts = grade_counts([cycle] + ([previous] if previous else []))
    this_distribution = distribution(counts[cycle.pk], settings)
    previous_settings = result_settings_for(previous) if previous else None
    last_distribution = distribution(counts[previous.pk], previous_settings) if previous else None
    criteria = criterion_lines(cycle, previous)
    reviewers = reviewer_stats(cycle)
    categories = category_lines(cycle, previous)
    show_normalised = request.GET.get("view") == "normalised"
    normalised = normalised_view(cycle) if show_normalised else []
    totals, completion = rectification_completion(cycle, rectification_today())
    recurring = recurring_problems(cycle) if previous else []
    low = low_two_years(cycle) if previous else []
    return render(
        request,
        "reviews/insight/analysis.html",
        {
            "cycle": cycle,
            "settings": settings,
            "previous": previous,
            "active": "analysis",
            "distribution_chart": charts.distribution_chart(this_distribution, last_distribution, previous),
            "criteria": criteria,
            "criteria_chart": charts.criteria_chart(criteria, previous),
            "reviewers": reviewers,
            "reviewers_chart": charts.reviewers_chart(reviewers),
            "show_normalised": show_normalised,
            "normalised": normalised[:LIST_LIMIT],
            "normalised_count": len(normalised),
            "categories": categories,
            "categories_chart": charts.categories_chart(categories, previous),
            "recurring": recurring[:LIST_LIMIT],
            "recurring_count": len(recurring),
            "completion_totals": totals,
            "completion": completion[:LIST_LIMIT],
            "completion_count": len(completion),
            "low_two_years": [
                (organization, settings.grade_label(grade), previous_settings.grade_label(last))
                for organization, grade, last in low[:LIST_LIMIT]
            ],
            "low_count": len(low),
            "list_limit": LIST_LIMIT,
        },
    )


@login_required
@require_GET
def levels(request):
    """The cycles of one year across the administrator's subtree, side by side."""
    if not is_administrator(request.user):
        raise PermissionDenied
    cycles = cycles_administered_by(request.user)
    years = sorted(set(cycles.values_list("year", flat=True)), reverse=True)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = years[0] if years else timezone.localdate().year
    if years and year not in years:
        year = years[0]
    columns = levels_overview(cycles.filter(year=year))
    return render(
        request,
        "reviews/insight/levels.html",
        {
            "year": year,
            "years": years,
            "columns": columns,
            "distribution_chart": charts.levels_distribution_chart(columns),
            "progress_chart": charts.levels_progress_chart(columns),
            "category_names": charts.category_names(columns),
        },
    )
