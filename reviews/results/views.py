"""The results pages: the table, computing, overriding a grade, publishing, withdrawing, closing
the year, and a secretary's own published result. Thin views over reviews.results.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviews.common import CLOSED_MESSAGE
from reviews.forms import NoticeForm, OverrideForm, PublishForm, WithdrawForm
from reviews.models import Result
from reviews.permissions import can_see_result
from reviews.results import services
from reviews.results.documents import sheet_context
from reviews.results.selectors import (
    cycle_results,
    grade_distribution,
    notice_of,
    previous_notice,
    publication_gaps,
    results_state,
)
from reviews.selectors import (
    current_publication,
    cycles_administered_by,
    publications_of,
    published_sheet,
    reports_led_by,
    result_settings_for,
)
from reviews.view_helpers import add_errors, administered_cycle_or_404, call_and_tell, call_with_form


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


@login_required
@require_GET
def results(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
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
    cycle = administered_cycle_or_404(request, cycle_pk)
    call_and_tell(request, lambda: action(cycle=cycle, by=request.user), success)
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
    cycle = administered_cycle_or_404(request, cycle_pk)
    if cycle.is_published or cycle.is_closed:
        messages.info(request, "本年度结果已公布。" if cycle.is_published else CLOSED_MESSAGE)
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
            add_errors(form, error)
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
    cycle = administered_cycle_or_404(request, cycle_pk)
    if not cycle.is_published or cycle.is_closed:
        messages.info(request, CLOSED_MESSAGE if cycle.is_closed else "本年度结果当前未公布，无需撤回。")
        return redirect("reviews:results", cycle_pk=cycle.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        done = call_with_form(
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
    cycle = administered_cycle_or_404(request, cycle_pk)
    if request.method == "POST":
        return _cycle_action(request, cycle_pk, services.cycle_close, "本年度述职评议已结束，全部内容已锁定。")
    if cycle.is_closed:
        messages.info(request, CLOSED_MESSAGE)
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
        done = call_with_form(
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
@require_http_methods(["GET", "POST"])
def notice(request, cycle_pk):
    """情况通报: the administrator writes 主送 and 五、下一步工作要求 once per cycle (or reuses last
    year's); the rest is generated from the published results, downloadable as Word and PDF."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    current = notice_of(cycle)
    if request.method == "POST":
        form = NoticeForm(request.POST)
        response = call_with_form(
            request, form,
            lambda data: services.notice_save(cycle=cycle, by=request.user, **data),
            "已保存。",
            reverse("reviews:notice", args=[cycle.pk]),
        )
        if response is not None:
            return response
    else:
        form = NoticeForm(
            initial={"addressee": current.addressee, "requirements": current.requirements, "rectification_deadline": current.rectification_deadline}
        )
    return render(
        request,
        "reviews/admin/notice.html",
        {
            "cycle": cycle,
            "form": form,
            "notice": current,
            "previous": previous_notice(cycle),
            "active": "results",
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def notice_reuse(request, cycle_pk):
    """沿用往年的下一步工作要求 (one click; a replaced text needs the box ticked, and stays in the audit trail)."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    if notice_of(cycle).requirements.strip() and not request.POST.get("replace"):
        messages.error(request, "当前已有下一步工作要求：请勾选“替换当前内容”后再沿用（原内容记入操作记录）。")
    else:
        call_and_tell(
            request, lambda: services.notice_reuse_previous(cycle=cycle, by=request.user), "已沿用往年的下一步工作要求，可继续修改。"
        )
    return redirect("reviews:notice", cycle_pk=cycle.pk)
