"""Views of rectification (整改): thin — parse, check, call a service, render.

Who sees what (anything else by guessed URL is a 404):
- the organization's secretary: their plans and items (fill the plan, report progress,
  download their evidence);
- the administrators of the reviewing organization (and superusers): the ledger, every plan
  and item of their cycles (merge, edit, approve / send back, confirm / reopen, evidence).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.confirmations import Confirmation, confirm_then
from branches.downloads import DOCX_CONTENT_TYPE, XLSX_CONTENT_TYPE, download_response
from branches.params import id_param, id_params
from branches.permissions import is_administrator
from branches.tables import Table
from reviews.models import ProblemCategory, ProblemListProposal, RectificationItem, RectificationPlan
from reviews.rectification import evidence, problem_lists, services
from reviews.rectification.documents import (
    ledger_docx,
    ledger_filename,
    ledger_pdf,
    ledger_workbook,
    three_lists_docx,
    three_lists_filename,
    three_lists_items,
    three_lists_workbook,
)
from reviews.rectification.selectors import (
    LEDGER_ITEM_SORTS,
    LEDGER_PLAN_SORTS,
    STATE_LABELS,
    can_fill_plan,
    can_manage_plan,
    cycles_with_problem_lists,
    evidence_visible_or_404,
    item_history,
    item_visible_or_404,
    ledger,
    ledger_item_rows,
    ledger_items,
    ledger_plans,
    ledger_summary,
    organization_lines,
    plan_administered_or_404,
    plan_history,
    plan_items,
    plan_visible_or_404,
    plans_administered_by,
    plans_for_secretary,
    rectification_today,
    state_label,
    with_state,
    with_state_text,
)
from reviews.selectors import cycles_administered_by
from reviews.view_helpers import administered_cycle_or_404, call_and_tell


@login_required
@require_GET
def rectification_index(request):
    """The secretary's 整改清单 and, for administrators, their cycles' ledgers."""
    plans = list(plans_for_secretary(request.user))
    cycles = list(cycles_with_problem_lists(cycles_administered_by(request.user)).filter(published_at__isnull=False))
    # A secretary before any publication sees the empty page that says when lists will come.
    if not plans and not is_administrator(request.user) and not request.user.led_organizations.exists():
        raise PermissionDenied
    return render(request, "reviews/rectification/index.html", {"plans": plans, "cycles": cycles})


# ---------------------------------------------------------------- one plan


def _plan_rows(items, data=None, errors=None):
    """One row per item with the values to show: posted ones after an error, else the saved ones."""
    errors = errors or {}
    rows = []
    for item in items:
        values = (
            {name: data.get(f"{name}_{item.pk}", "") for name in ("measures", "owner", "deadline")}
            if data is not None
            else {"measures": item.measures, "owner": item.owner, "deadline": item.deadline.isoformat() if item.deadline else ""}
        )
        rows.append(
            {
                "item": item,
                "values": values,
                "errors": {name: errors.get(f"{name}_{item.pk}", []) for name in ("measures", "owner", "deadline")},
                "sources": list(item.problems.all()),
            }
        )
    return rows


def _render_plan(request, plan, *, data=None, errors=None, status=200):
    today = rectification_today()
    items = with_state_text(plan_items(plan, today))
    return render(
        request,
        "reviews/rectification/plan.html",
        {
            "plan": plan,
            "cycle": plan.report.cycle,
            "organization": plan.report.organization,
            "rows": _plan_rows(items, data, errors),
            "non_field_errors": (errors or {}).get("__all__", []),
            "can_fill": can_fill_plan(request.user, plan) and plan.is_editable_by_secretary,
            "can_manage": can_manage_plan(request.user, plan),
            "is_secretary": can_fill_plan(request.user, plan),
            "categories": list(ProblemCategory.objects.all()),
            "history": list(plan_history(plan)[:50]),
            "proposals": list(plan.proposals.filter(status=ProblemListProposal.Status.PENDING).select_related("category")),
            "today": today,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_plan(request, pk):
    """The organization's problem list and 整改清单: the secretary fills and submits it; the
    administrator merges, edits, approves or sends it back (separate POST views)."""
    plan = plan_visible_or_404(request.user, pk)
    if request.method == "GET":
        return _render_plan(request, plan)
    if not can_fill_plan(request.user, plan):
        raise Http404
    item_ids = plan.items.values_list("pk", flat=True)
    entries = {
        item_id: {name: request.POST.get(f"{name}_{item_id}", "") for name in ("measures", "owner", "deadline")}
        for item_id in item_ids
    }
    submit = request.POST.get("action") == "submit"
    try:
        services.plan_save(plan=plan, by=request.user, entries=entries, submit=submit)
    except ValidationError as error:
        messages.error(request, "整改清单未保存，请按提示修改。" if hasattr(error, "error_dict") else " ".join(error.messages))
        errors = error.message_dict if hasattr(error, "error_dict") else {}
        return _render_plan(request, plan, data=request.POST, errors=errors, status=400)
    messages.success(request, "整改清单已提交，等待组织部门审核。" if submit else "整改清单已保存。")
    return redirect("reviews:rectification_plan", pk=plan.pk)


@login_required
@require_POST
def rectification_merge(request, pk):
    plan = plan_administered_or_404(request.user, pk)
    ids = request.POST.getlist("items")
    items = list(RectificationItem.objects.filter(plan=plan, pk__in=id_params(ids)).prefetch_related("problems"))
    category = ProblemCategory.objects.filter(pk=id_param(request.POST.get("category")) or 0).first()
    call_and_tell(
        request,
        lambda: problem_lists.items_merge(plan=plan, items=items, by=request.user, text=request.POST.get("text", ""), category=category),
        f"已将{len(items)}个问题合并为一个，提出人均已保留。",
    )
    return redirect(reverse("reviews:rectification_plan", args=[plan.pk]) + "#items")


def _administered_item_or_404(request, pk):
    item = item_visible_or_404(request.user, pk)
    if not can_manage_plan(request.user, item.plan):
        raise Http404
    return item


@login_required
@require_POST
def rectification_item_edit(request, pk):
    item = _administered_item_or_404(request, pk)
    category = ProblemCategory.objects.filter(pk=id_param(request.POST.get("category")) or 0).first()
    call_and_tell(
        request,
        lambda: problem_lists.item_edit(item=item, by=request.user, text=request.POST.get("text", ""), category=category),
        "问题已修改。",
    )
    return redirect(reverse("reviews:rectification_plan", args=[item.plan_id]) + f"#item-{item.pk}")


def _confirm(request, confirmation, act, **context):
    """The one confirmation step (branches.confirmations) on a page of its own."""
    return confirm_then(request, confirmation, act, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def rectification_plan_decide(request, pk):
    """审核通过 confirms first (GET: what approving does; POST action=approve with the box ticked);
    退回修改 (POST action=return, with a reason) is undone by the next submission and needs none."""
    plan = plan_administered_or_404(request.user, pk)
    plan_url = reverse("reviews:rectification_plan", args=[plan.pk])
    if request.method == "POST" and request.POST.get("action") != "approve":
        call_and_tell(
            request,
            lambda: services.plan_return(plan=plan, by=request.user, reason=request.POST.get("reason", "")),
            "整改清单已退回，书记将看到退回原因。",
        )
        return redirect(plan_url)
    organization = plan.report.organization
    confirmation = Confirmation(
        title="审核通过整改清单",
        key="approve",
        consequences=[
            f"{organization}的问题清单和整改清单定稿：问题不能再合并或修改，书记不能再修改整改措施、责任人和时限；",
            "书记收到通知，此后按时限推进整改、报告进展并申请销号；",
            "超过整改时限仍未销号的事项计为“逾期”，每日提醒书记和组织部门。",
        ],
        cancel_url=plan_url,
        button="确认审核通过",
        hidden={"action": "approve"},
        blocked="" if plan.status == RectificationPlan.Status.SUBMITTED else f"整改清单当前为“{plan.get_status_display()}”，只有待审核的整改清单可以审核。",
    )

    def act():
        call_and_tell(request, lambda: services.plan_approve(plan=plan, by=request.user), "整改清单已审核通过，已通知书记。")
        return redirect(plan_url)

    return _confirm(request, confirmation, act, subject=f"{organization} · {plan.report.cycle.year}年度整改清单")


@login_required
@require_POST
def rectification_proposal_decide(request, pk):
    """Accept or dismiss a change a republication proposes for an approved problem list."""
    proposal = get_object_or_404(
        ProblemListProposal.objects.filter(plan__in=plans_administered_by(request.user)), pk=pk
    )
    accept = request.POST.get("action") == "accept"
    call_and_tell(
        request,
        lambda: problem_lists.proposal_decide(proposal=proposal, by=request.user, accept=accept),
        "已采纳该变更，问题清单已更新。" if accept else "已忽略该变更。",
    )
    return redirect(reverse("reviews:rectification_plan", args=[proposal.plan_id]) + "#items")


# ---------------------------------------------------------------- one item


def _render_item(request, item, *, text="", request_completion=False, errors=None, status=200):
    today = rectification_today()
    item = with_state(RectificationItem.objects.filter(pk=item.pk), today).select_related(
        "category", "completed_by", "plan__report__cycle__organization", "plan__report__organization__secretary"
    ).prefetch_related("problems__review__reviewer").get()
    plan = item.plan
    return render(
        request,
        "reviews/rectification/item.html",
        {
            "item": item,
            "plan": plan,
            "cycle": plan.report.cycle,
            "organization": plan.report.organization,
            "state_label": state_label(item.state),
            "history": list(item_history(item)),
            "can_report": can_fill_plan(request.user, plan)
            and plan.status == RectificationPlan.Status.APPROVED
            and item.status != RectificationItem.Status.COMPLETED,
            "can_manage": can_manage_plan(request.user, plan) and plan.status == RectificationPlan.Status.APPROVED,
            "text": text,
            "request_completion": request_completion,
            "errors": errors or {},
            "non_field_errors": (errors or {}).get("__all__", []),
            "max_files": evidence.MAX_EVIDENCE_FILES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_item(request, pk):
    """An item's history; the secretary reports progress here with evidence files."""
    item = item_visible_or_404(request.user, pk)
    if request.method == "GET":
        return _render_item(request, item)
    if not can_fill_plan(request.user, item.plan):
        raise Http404
    text = request.POST.get("text", "")
    request_completion = request.POST.get("request_completion") == "on"
    try:
        services.progress_report(
            item=item, by=request.user, text=text, files=request.FILES.getlist("files"), request_completion=request_completion
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        messages.error(request, "整改进展未保存，请按提示修改。")
        return _render_item(request, item, text=text, request_completion=request_completion, errors=errors, status=400)
    messages.success(request, "整改进展已报告，并已申请销号。" if request_completion else "整改进展已报告。")
    return redirect(reverse("reviews:rectification_item", args=[item.pk]) + "#history")


@login_required
@require_http_methods(["GET", "POST"])
def rectification_item_confirm(request, pk):
    """确认销号, confirmed first (GET: what it does; POST with the box ticked: 销号)."""
    item = _administered_item_or_404(request, pk)
    back_to_plan = request.GET.get("back", request.POST.get("back")) == "plan"
    back = (
        reverse("reviews:rectification_plan", args=[item.plan_id]) + f"#item-{item.pk}"
        if back_to_plan
        else reverse("reviews:rectification_item", args=[item.pk])
    )
    blocked = ""
    if item.status == RectificationItem.Status.COMPLETED:
        blocked = "该问题已经销号。"
    elif item.plan.status != RectificationPlan.Status.APPROVED:
        blocked = "整改清单审核通过后才能销号。"
    confirmation = Confirmation(
        title="销号",
        key="item-confirm",
        consequences=[
            f"整改事项“{item.text[:60]}”标记为“已完成”，书记不能再为它报告进展；",
            "书记收到通知；整改台账的完成数和完成率随之更新；",
            "此后如发现整改不到位，须填写原因“重新打开”，销号和重新打开都记入整改记录。",
        ],
        cancel_url=back,
        button="确认销号",
        hidden={"back": "plan"} if back_to_plan else {},
        blocked=blocked,
    )

    def act():
        call_and_tell(request, lambda: services.item_confirm(item=item, by=request.user), "已确认销号，已通知书记。")
        return redirect(back)

    return _confirm(request, confirmation, act, subject=f"{item.plan.report.organization} · 整改事项")


@login_required
@require_POST
def rectification_item_reopen(request, pk):
    item = _administered_item_or_404(request, pk)
    call_and_tell(
        request,
        lambda: services.item_reopen(item=item, by=request.user, reason=request.POST.get("reason", "")),
        "整改事项已重新打开，已通知书记。",
    )
    return redirect("reviews:rectification_item", pk=item.pk)


@login_required
@require_GET
def rectification_evidence(request, pk):
    """An evidence file, to its organization's secretary and the cycle's administrators only;
    always as an attachment, with the stored content type."""
    evidence = evidence_visible_or_404(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=evidence.content_type)
    response["Content-Disposition"] = content_disposition_header(True, evidence.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the ledger


@login_required
@require_GET
def rectification_ledger(request, cycle_pk):
    """The 整改台账: counters over the whole cycle, then two tables each sorted, filtered and paged
    in the database — the organizations (plans_…) and the items (items_…)."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    today = rectification_today()
    context = ledger_summary(cycle, today)
    plans = Table(request, ledger_plans(cycle, today), sorts=LEDGER_PLAN_SORTS, default="organization", prefix="plans_",
                  descending_first={"total", "completed", "overdue"})
    state = request.GET.get("state", "")
    if state not in STATE_LABELS:
        state = ""
    try:
        category = id_param(request.GET.get("category"))
    except BadRequest:  # a nonsense filter is ignored, like an unknown state
        category = None
    items = Table(
        request,
        ledger_item_rows(ledger_items(cycle, today, state=state, category=category)),
        sorts=LEDGER_ITEM_SORTS,
        default="urgency",
        prefix="items_",
    )
    proposals = list(
        ProblemListProposal.objects.filter(plan__report__cycle=cycle, status=ProblemListProposal.Status.PENDING)
        .select_related("plan__report__organization", "category")
        .order_by("plan__report__organization__order", "plan_id", "pk")
    )
    return render(
        request,
        "reviews/rectification/ledger.html",
        {
            **context,
            "plans_table": plans,
            "lines": organization_lines(plans.rows),
            "items_table": items,
            "items": with_state_text(items.rows),
            "state": state,
            "category": category,
            "categories": ProblemCategory.objects.order_by("order", "name"),
            "state_choices": list(STATE_LABELS.items()),
            "proposals": proposals,
            "active": "rectification",
        },
    )


@login_required
@require_POST
def rectification_generate(request, cycle_pk):
    """生成问题清单 for organizations that have none yet (publication normally does it)."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    call_and_tell(request, lambda: problem_lists.problem_list_generate(cycle=cycle, by=request.user), "问题清单已生成。")
    return redirect("reviews:rectification_ledger", cycle_pk=cycle.pk)


@login_required
@require_GET
def rectification_ledger_xlsx(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    content = ledger_workbook(ledger(cycle, rectification_today()))
    return download_response(content, ledger_filename(cycle, "xlsx"), XLSX_CONTENT_TYPE)


@login_required
@require_GET
def rectification_ledger_pdf(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    rendered = ledger_pdf(ledger(cycle, rectification_today()))
    return download_response(rendered.content, ledger_filename(cycle, "pdf"))


@login_required
@require_GET
def rectification_ledger_docx(request, cycle_pk):
    cycle = administered_cycle_or_404(request, cycle_pk)
    content = ledger_docx(ledger(cycle, rectification_today()))
    return download_response(content, ledger_filename(cycle, "docx"), DOCX_CONTENT_TYPE)


def _three_lists_response(cycle, items, fmt, organization=None):
    if fmt == "xlsx":
        return download_response(
            three_lists_workbook(cycle, items, organization=organization), three_lists_filename(cycle, "xlsx", organization), XLSX_CONTENT_TYPE
        )
    return download_response(
        three_lists_docx(cycle, items, organization=organization), three_lists_filename(cycle, "docx", organization), DOCX_CONTENT_TYPE
    )


@login_required
@require_GET
def rectification_plan_lists(request, pk, fmt):
    """One organization's 三张清单: its secretary and the cycle's administrators (as the plan page)."""
    plan = plan_visible_or_404(request.user, pk)
    items = three_lists_items(with_state(plan.items.all(), rectification_today()))
    return _three_lists_response(plan.report.cycle, items, fmt, organization=plan.report.organization)


@login_required
@require_GET
def rectification_cycle_lists(request, cycle_pk, fmt):
    """The cycle's 三张清单, every organization: the cycle's administrators."""
    cycle = administered_cycle_or_404(request, cycle_pk)
    items = three_lists_items(with_state(RectificationItem.objects.filter(plan__report__cycle=cycle), rectification_today()))
    return _three_lists_response(cycle, items, fmt)
