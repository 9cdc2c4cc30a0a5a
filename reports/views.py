import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.confirmations import Confirmation, confirm_then

from .diff import versions_diff
from .forms import ImportConfirmForm, ImportForm, ReportForm, report_field_values
from .models import SECTION_MAX_LENGTH, Report
from .permissions import can_edit_report
from .report_checks import findings_context, report_findings
from .selectors import (
    report_for_secretary_or_404,
    report_readable_body,
    report_returner_label,
    report_version_or_404,
    report_versions,
    report_visible_or_404,
    reports_for_user_by_state,
)
from .services import (
    FIELD_LABELS,
    TEXT_FIELDS,
    ReportCheckBlocked,
    ReportConflict,
    ReportLocked,
    report_requires_rectification,
    report_save_draft,
    report_start,
    report_submit,
    report_validate_lengths,
)
from .signals import home_todo, secretary_report_context
from .splitter import split_report


@login_required
@require_GET
def home(request):
    """The user's to-do list (待办), a block per role (`roles` from branches.context_processors):
    the secretary's reports here; the review rooms add the rest through signals.home_todo."""
    current, past = reports_for_user_by_state(request.user)
    context = {"current_reports": current, "past_reports": past}
    for _receiver, extra in home_todo.send(sender=Report, user=request.user, reports=current + past):
        context.update(extra or {})
    return render(request, "reports/home.html", context)


# --- the editor -------------------------------------------------------------------------


def editable_report_view(view):
    """For views that change a report: the secretary's own report (others get a 404), and the
    read-only page instead once it is submitted or the cycle stops collecting."""

    @wraps(view)
    def wrapped(request, pk):
        report = report_for_secretary_or_404(request.user, pk)
        if not can_edit_report(request.user, report):
            return redirect("reports:detail", pk=report.pk)
        return view(request, report)

    return login_required(wrapped)


def _render_editor(request, report, form=None, import_form=None, conflict=None, submit_errors=False, blocked=None):
    form = form or ReportForm(initial={**report_field_values(report), "base_revision": report.revision})
    rectification_required = report_requires_rectification(report)
    text_parts = [
        {
            "field": form[name],
            "name": name,
            "max": SECTION_MAX_LENGTH[name],
            "optional": name == "preamble" or (name == "rectification" and not rectification_required),
            "hide_label": name == "preamble",  # the collapsible box's summary already names it
        }
        for name in TEXT_FIELDS
    ]
    return render(
        request,
        "reports/editor.html",
        {
            "report": report,
            "form": form,
            "preamble": text_parts[0],
            "sections": text_parts[1:],
            "figures": [form[name] for name in form.fields if name not in TEXT_FIELDS and name != "base_revision"],
            "rectification_required": rectification_required,
            "import_form": import_form or ImportForm(),
            "conflict": conflict,
            "submit_errors": submit_errors,
            "server_data": {"revision": report.revision, "fields": report_field_values(report)},
            "returned_by_label": report_returner_label(report),
            # 体检 of the text as saved (the panel reruns it on the text being typed).
            "checks": findings_context(report_findings(report, body=report)),
            "blocked": blocked,
            # Nothing written yet (a drafted 上年度问题整改情况 aside): pasting or uploading the
            # report written in Word is the first thing offered.
            "import_first": not any(getattr(report, name).strip() for name in TEXT_FIELDS if name != "rectification"),
        },
    )


@editable_report_view
def editor(request, report):
    if request.method != "POST":
        return _render_editor(request, report)

    # The form fallback without JavaScript: same service as the autosave.
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _render_editor(request, report, form=form)

    def rerender(report, form, conflict=False):
        return _render_editor(request, report, form=form, conflict=_conflict_parts(report, form) if conflict else None)

    failed = _save_draft_or_rerender(request, report, form, rerender)
    if failed:
        return failed
    messages.success(request, "草稿已保存。")
    return redirect("reports:editor", pk=report.pk)


@require_POST
@editable_report_view
def start(request, report):
    """撰写 on a report not started yet: a POST, so that what is drafted for it (an empty
    上年度问题整改情况 starts from last year's problems, measures and states) is written by an
    action, never by opening a page."""
    report_start(report=report, by=request.user)
    return redirect("reports:editor", pk=report.pk)


def _save_draft_or_rerender(request, report, form, rerender, rebuild=None):
    """Save a valid editor or import form through the service. On failure the response that
    keeps the user's text: rerender(report, form, conflict=...) — after a conflict the form
    carries the server's new revision, so saving again is a deliberate overwrite.
    rebuild(data, server_report) makes that form (default: the form's class on the data)."""
    try:
        report_save_draft(
            report=report, by=request.user, data=form.report_data(), base_revision=form.cleaned_data["base_revision"]
        )
    except ReportLocked as error:
        messages.error(request, str(error))
        return redirect("reports:detail", pk=report.pk)
    except ReportConflict as conflict:
        data = request.POST.copy()
        data["base_revision"] = conflict.report.revision
        form = rebuild(data, conflict.report) if rebuild else type(form)(data)
        form.is_valid()
        return rerender(conflict.report, form, conflict=True)
    except ValidationError as error:
        form.add_error(None, error)
        return rerender(report, form)
    return None


def _conflict_parts(server_report, form):
    server = report_field_values(server_report)
    return [
        {"label": form[name].label, "server": server[name], "mine": form.data.get(name, "")}
        for name in server
        if str(form.data.get(name, "")) != server[name]
    ]


@login_required
@require_POST
def autosave(request, pk):
    """JSON: {"base_revision": n, "fields": {name: value}} → 200 {revision, saved_at} /
    409 conflict with the server's text / 400 field errors / 423 locked."""
    report = report_for_secretary_or_404(request.user, pk)
    try:
        payload = json.loads(request.body)
        fields = payload["fields"]
        if not isinstance(fields, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad_request", "message": "请求格式不正确，请刷新页面后重试。"}, status=400)
    form = ReportForm({**fields, "base_revision": payload.get("base_revision")})
    if not form.is_valid():
        errors = {name: list(field_errors) for name, field_errors in form.errors.items()}
        return JsonResponse({"error": "invalid", "errors": errors}, status=400)
    try:
        saved = report_save_draft(
            report=report,
            by=request.user,
            data=form.report_data(only=fields.keys()),
            base_revision=form.cleaned_data["base_revision"],
        )
    except ReportLocked as error:
        return JsonResponse({"error": "locked", "message": str(error)}, status=423)
    except ReportConflict as conflict:
        return JsonResponse(
            {
                "error": "conflict",
                "message": str(conflict),
                "revision": conflict.report.revision,
                "server": report_field_values(conflict.report),
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"error": "invalid", "errors": error.message_dict}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "revision": saved.revision,
            "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M:%S"),
            "status": saved.get_status_display(),
        }
    )


def submit_confirmation(report):
    """What submitting does, for the one confirmation step (branches.confirmations)."""
    number = report.versions.count() + 1
    consequences = [
        f"报告生成不可更改的第 {number} 版，编辑器关闭：提交后您不能再修改；如需修改，须由评议人或组织部门退回。",
        "分配的评议人会收到通知，开始阅读、提问和评分。",
    ]
    if report.cycle.is_past_deadline:
        deadline = timezone.localtime(report.cycle.submission_deadline).strftime("%Y年%-m月%-d日 %H:%M")
        consequences.append(f"已过提交截止时间（{deadline}），本次提交将标记为“逾期”。")
    return Confirmation(
        title="提交述职报告",
        key="submit",
        consequences=consequences,
        cancel_url=reverse("reports:editor", args=[report.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    """GET: the confirmation (what submitting does, the 体检 count); POST with the box ticked: submit."""
    report = report_for_secretary_or_404(request.user, pk)
    if report.is_submitted:  # a second click after the first went through
        return redirect("reports:detail", pk=report.pk)
    if not can_edit_report(request.user, report):
        messages.error(request, "本年度述职报告收集已结束，不能提交。")
        return redirect("reports:detail", pk=report.pk)

    def act():
        try:
            version = report_submit(report=report, by=request.user)
        except ReportLocked as error:
            messages.error(request, str(error))
            return redirect("reports:detail", pk=report.pk)
        except ValidationError as error:
            report.refresh_from_db()
            form = ReportForm.for_report(report)
            form.add_error(None, error)
            return _render_editor(request, report, form=form, submit_errors=True)
        except ReportCheckBlocked as error:
            report.refresh_from_db()
            return _render_editor(request, report, blocked=str(error))
        late = "（逾期提交）" if version.is_late else ""
        messages.success(request, f"述职报告已提交，第 {version.number} 版{late}。提交后不能再修改；如需修改，请联系组织部门退回。")
        return redirect("reports:detail", pk=report.pk)

    return confirm_then(
        request,
        submit_confirmation(report),
        act,
        template="reports/submit_confirm.html",
        context={
            "report": report,
            "subject": f"{report.cycle.title} · {report.organization}",
            "checks": findings_context(report_findings(report, body=report)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check(request, pk):
    """体检 as JSON {findings, count, blocking}. GET: of what the user reads (the secretary the
    report as saved, readers the submitted version). POST {"fields": {...}}: the secretary's
    text as typed in the editor, checked without saving anything."""
    if request.method == "GET":
        report = report_visible_or_404(request.user, pk)
        return JsonResponse(findings_context(report_findings(report, body=report_readable_body(request.user, report))))
    report = report_for_secretary_or_404(request.user, pk)
    try:
        fields = json.loads(request.body)["fields"]
        if not isinstance(fields, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad_request", "message": "请求格式不正确，请刷新页面后重试。"}, status=400)
    form = ReportForm({**report_field_values(report), **fields, "base_revision": report.revision})
    if not form.is_valid():
        errors = {name: list(field_errors) for name, field_errors in form.errors.items()}
        return JsonResponse({"error": "invalid", "errors": errors}, status=400)
    try:
        report_validate_lengths(form.report_data())  # bounds the work as well as the text
    except ValidationError as error:
        return JsonResponse({"error": "invalid", "errors": error.message_dict}, status=400)
    return JsonResponse(findings_context(report_findings(report, values=form.report_data())))


# --- import ----------------------------------------------------------------------------


@require_POST
@editable_report_view
def import_text(request, report):
    """Paste or upload a whole report → preview of the split, nothing saved yet."""
    import_form = ImportForm(request.POST, request.FILES)
    if not import_form.is_valid():
        return _render_editor(request, report, import_form=import_form)
    result = split_report(import_form.cleaned_data["text"])
    form = ImportConfirmForm(initial={**result.parts, "base_revision": report.revision}, drafted=_drafted(report))
    headings = [(FIELD_LABELS[part], line) for part, line in result.headings]
    return _render_import_preview(request, report, form, headings=headings)


def _drafted(report):
    return {name: getattr(report, name) for name in TEXT_FIELDS}


def _render_import_preview(request, report, form, headings=None, conflict=False):
    drafted = form.drafted_parts()
    parts = []
    for name in TEXT_FIELDS:
        imported = str(form[name].value() or "")
        text, keep = drafted.get(name, ("", None))
        parts.append(
            {
                "field": form[name],
                "name": name,
                "max": SECTION_MAX_LENGTH[name],
                "drafted": text,
                # The choice is asked only where both have text and they differ.
                "keep": keep if text and imported.strip() and imported.strip() != text.strip() else None,
            }
        )
    return render(
        request,
        "reports/import_preview.html",
        {"report": report, "form": form, "parts": parts, "headings": headings, "conflict": conflict},
    )


@require_POST
@editable_report_view
def import_confirm(request, report):
    form = ImportConfirmForm(request.POST, drafted=_drafted(report))
    if not form.is_valid():
        return _render_import_preview(request, report, form)

    def rerender(report, form, conflict=False):
        return _render_import_preview(request, report, form, conflict=conflict)

    def rebuild(data, server_report):
        return ImportConfirmForm(data, drafted=_drafted(server_report))

    failed = _save_draft_or_rerender(request, report, form, rerender, rebuild=rebuild)
    if failed:
        return failed
    messages.success(request, "已导入并保存为草稿，请在下方检查各部分内容。")
    return redirect("reports:editor", pk=report.pk)


# --- reading ---------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, pk):
    report = report_visible_or_404(request.user, pk)
    body = report_readable_body(request.user, report)
    is_secretary = body is report
    context = {
        "report": report,
        "body": body,
        "is_secretary": is_secretary,
        "can_edit": can_edit_report(request.user, report),
        "version_count": report.versions.count(),
    }
    if is_secretary:
        for _receiver, extra in secretary_report_context.send(sender=Report, report=report):
            context.update(extra or {})
    return render(request, "reports/detail.html", context)


@login_required
@require_GET
def preview(request, pk):
    report = report_visible_or_404(request.user, pk)
    body = report_readable_body(request.user, report)
    # The PDF of what is read here: a submitted version, or the secretary's draft.
    can_download_pdf = body is not None and (body is not report or report.status != Report.Status.NOT_STARTED)
    return render(request, "reports/preview.html", {"report": report, "body": body, "can_download_pdf": can_download_pdf})


@login_required
@require_GET
def versions(request, pk):
    report = report_visible_or_404(request.user, pk)
    return render(request, "reports/versions.html", {"report": report, "versions": list(report_versions(report))})


@login_required
@require_GET
def version_detail(request, pk, number):
    report = report_visible_or_404(request.user, pk)
    version = report_version_or_404(report, number)
    return render(request, "reports/version_detail.html", {"report": report, "version": version})


@login_required
@require_GET
def version_diff(request, pk):
    """?a=&b= version numbers; defaults: the latest version against the one before it."""
    report = report_visible_or_404(request.user, pk)
    all_versions = list(report_versions(report))
    if not all_versions:
        raise Http404
    by_number = {v.number: v for v in all_versions}
    try:
        b = int(request.GET.get("b") or all_versions[-1].number)
        a = int(request.GET.get("a") or max(b - 1, all_versions[0].number))
    except ValueError:
        raise Http404 from None
    if a not in by_number or b not in by_number:
        raise Http404
    parts, figures = versions_diff(by_number[a], by_number[b])
    return render(
        request,
        "reports/version_diff.html",
        {
            "report": report,
            "a": by_number[a],
            "b": by_number[b],
            "versions": all_versions,
            "parts": parts,
            "figures": figures,
            "versions_url": reverse("reports:versions", args=[report.pk]),
        },
    )
