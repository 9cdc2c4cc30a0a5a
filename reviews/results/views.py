"""The results pages: the table, computing, overriding a grade, publishing, withdrawing, closing
the year, and a secretary's own published result. Thin views over reviews.results.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.confirmations import Confirmation, confirm_then
from branches.tables import Table
from reviews.common import CLOSED_MESSAGE
from reviews.forms import NoticeForm, OverrideForm, PublishForm, WithdrawForm
from reviews.models import Grade, Result
from reviews.permissions import can_see_result
from reviews.results import services
from reviews.results.documents import sheet_context
from reviews.results.selectors import (
    NO_GRADE,
    RESULT_DEFAULT_SORT,
    RESULT_DESCENDING_FIRST,
    RESULT_SORTS,
    grade_distribution,
    notice_of,
    previous_notice,
    publication_gaps,
    result_rows,
    results_state,
    results_table,
)
from reviews.results.summary import grade_chart
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
    """The results table (sorted, filtered and paged in the database), state, gaps, distribution."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    settings = result_settings_for(cycle)
    state = results_state(cycle, settings)
    grade = request.GET.get("grade", "")
    if grade not in (*Grade.values, NO_GRADE):
        grade = ""
    search = request.GET.get("q", "").strip()[:100]
    table = Table(
        request,
        results_table(cycle, grade=grade, search=search),
        sorts=RESULT_SORTS,
        default=RESULT_DEFAULT_SORT,
        descending_first=RESULT_DESCENDING_FIRST,
    )
    distribution = grade_distribution(cycle, settings)
    return render(
        request,
        "reviews/admin/results.html",
        {
            "cycle": cycle,
            "settings": settings,
            "criteria": list(cycle.criteria.all()),
            "table": table,
            "rows": result_rows(cycle, table.rows, settings),
            "grade": grade,
            "search": search,
            "grade_choices": [(value, settings.grade_label(value)) for value in Grade.values],
            "no_grade": NO_GRADE,
            "distribution": distribution,
            "grade_chart": grade_chart(distribution),
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


def _confirm(request, cycle, confirmation, act, **context):
    """The one confirmation step (branches.confirmations) inside the cycle's pages."""
    return confirm_then(
        request,
        confirmation,
        act,
        template="reviews/admin/confirm.html",
        context={"cycle": cycle, "active": "results", **context},
    )


def _secretary_count(cycle):
    return cycle.reports.filter(organization__secretary__isnull=False).count()


def publish_confirmation(cycle, *, state, gaps, previous, form):
    settings = cycle.result_settings
    rank = "排名、" if settings.show_rank else ""
    names = "姓名" if settings.show_reviewer_names else "以“评议人N”代称"
    told = (
        "只有结果与上次公布相比有变化的党组织书记会收到通知"
        if previous
        else f"{_secretary_count(cycle)}名党组织书记会收到通知"
    )
    blocked = ""
    if state == "never":
        blocked = "尚未计算结果，不能公布。请先在结果页面计算结果。"
    elif state != "current":
        blocked = "结果计算后评议、得分、设置或测评结果有变动，须先重新计算才能公布。"
    return Confirmation(
        title=f"公布结果{f'（第{previous.number + 1}次公布）' if previous else ''}",
        key="publish",
        consequences=[
            f"每个党组织的结果（各指标得分、综合得分、{rank}等次、点评意见和问题，评议人{names}）按此刻的内容固定下来，书记只看到这份公布的结果；",
            f"{told}；",
            "评议、日常考核得分、评价指标和结果设置随即锁定，评议人不能再修改评议；如需更改，须先撤回公布；",
            "各党组织的问题清单按公布的结果生成或更新（已审核通过的整改清单不会被自动改动，变化将列出供您决定）。",
        ],
        cancel_url=reverse("reviews:results", args=[cycle.pk]),
        button="仍然公布" if gaps else "确认公布",
        blocked=blocked,
        form=form if gaps else None,
    )


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
    state = results_state(cycle, settings)
    gaps = publication_gaps(cycle, settings, state)

    def act():
        if not form.is_valid():
            return None
        try:
            publication = services.cycle_publish(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # Not publishable at all (stale, never computed, already published): back to the results.
                messages.error(request, " ".join(error.messages))
                return redirect("reviews:results", cycle_pk=cycle.pk)
            add_errors(form, error)
            return None
        messages.success(
            request,
            f"结果已公布（第{publication.number}次）。"
            + ("各书记现在可以看到本组织的结果。" if publication.number == 1 else f"{len(publication.changes)}个结果有变化的党组织书记已收到通知。"),
        )
        return redirect("reviews:results", cycle_pk=cycle.pk)

    previous = publications_of(cycle).first()
    confirmation = publish_confirmation(cycle, state=state, gaps=gaps, previous=previous, form=form)
    return _confirm(request, cycle, confirmation, act, action="publish", gaps=gaps, results_state=state)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_withdraw(request, cycle_pk):
    """撤回公布 with a reason: secretaries stop seeing the results and are told."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    if not cycle.is_published or cycle.is_closed:
        messages.info(request, CLOSED_MESSAGE if cycle.is_closed else "本年度结果当前未公布，无需撤回。")
        return redirect("reviews:results", cycle_pk=cycle.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    publication = current_publication(cycle)
    which = f"（第{publication.number}次公布，{timezone.localtime(publication.published_at):%Y-%m-%d %H:%M}）" if publication else ""
    confirmation = Confirmation(
        title=f"撤回公布{which}",
        key="withdraw",
        consequences=[
            f"{_secretary_count(cycle)}名党组织书记立即看不到本年度结果，并收到通知（含您填写的撤回理由）；",
            "评议、得分和设置解除锁定，可以修改；修改后须重新计算，再重新公布；",
            "重新公布时，系统记录与本次公布相比的变化，只通知结果有变化的党组织书记；",
            "本次公布的内容和撤回的时间、人员、理由都会保留在记录中。",
        ],
        cancel_url=reverse("reviews:results", args=[cycle.pk]),
        button="确认撤回公布",
        danger=True,
        form=form,
    )
    return _confirm(
        request,
        cycle,
        confirmation,
        lambda: call_with_form(
            request,
            form,
            lambda data: services.cycle_withdraw(cycle=cycle, by=request.user, reason=data["reason"]),
            "已撤回公布。书记已收到通知并暂时看不到结果；修改后请重新计算并公布。",
            reverse("reviews:results", args=[cycle.pk]),
        ),
        action="withdraw",
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_close(request, cycle_pk):
    """结束本年度评议: everything locks for good; confirmed first."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    if cycle.is_closed:
        messages.info(request, CLOSED_MESSAGE)
        return redirect("reviews:results", cycle_pk=cycle.pk)
    publication = current_publication(cycle)
    confirmation = Confirmation(
        title="结束本年度评议",
        key="close",
        consequences=[
            "评议、得分、等次、设置和问答全部永久锁定，不能再撤回公布或修改；",
            f"书记继续看到{f'第{publication.number}次' if publication else ''}公布的结果；不另行通知。",
        ],
        cancel_url=reverse("reviews:results", args=[cycle.pk]),
        button="确认结束",
        danger=True,
        blocked="" if cycle.is_published else "结果尚未公布，不能结束。",
    )

    def act():
        call_and_tell(request, lambda: services.cycle_close(cycle=cycle, by=request.user), "本年度述职评议已结束，全部内容已锁定。")
        return redirect("reviews:results", cycle_pk=cycle.pk)

    return _confirm(request, cycle, confirmation, act, action="close")


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
