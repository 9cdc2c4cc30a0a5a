"""Downloads of the review documents: one organization's result sheet (PDF and .docx) and the
annual summary (PDF, .docx and .xlsx). Each format has the same rules; who may download what:

- result sheet: the cycle's administrators once results are computed; the report's
  secretary and the committee's members only once the results are published;
- summary: the cycle's administrators (and superusers).

Anything else is a 404, as for a guessed URL.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from branches.downloads import DOCX_CONTENT_TYPE, XLSX_CONTENT_TYPE, ZIP_CONTENT_TYPE, download_response
from reports.models import Cycle, Report
from reviews.permissions import can_download_feedback_letter, can_download_result, can_download_summary
from reviews.results.documents import result_docx_for_report, result_filename, result_pdf_for_report
from reviews.results.feedback import (
    letter_docx,
    letter_filename,
    letter_for_report,
    letter_pdf,
    letters_zip,
    letters_zip_filename,
)
from reviews.results.notice import notice_docx, notice_filename, notice_pdf
from reviews.results.summary import summary_docx, summary_filename, summary_pdf, summary_workbook


@login_required
@require_GET
def result_download(request, report_pk, fmt="pdf"):
    report = get_object_or_404(
        Report.objects.select_related("cycle", "cycle__organization", "organization", "result"), pk=report_pk
    )
    if not can_download_result(request.user, report):
        raise Http404
    if fmt == "docx":
        return download_response(result_docx_for_report(report), result_filename(report, "docx"), DOCX_CONTENT_TYPE)
    rendered = result_pdf_for_report(report)
    return download_response(rendered.content, result_filename(report))


def _summary_cycle_or_404(request, cycle_pk):
    cycle = get_object_or_404(Cycle.objects.select_related("organization"), pk=cycle_pk)
    if not can_download_summary(request.user, cycle):
        raise Http404
    return cycle


@login_required
@require_GET
def summary_pdf_download(request, cycle_pk):
    cycle = _summary_cycle_or_404(request, cycle_pk)
    return download_response(summary_pdf(cycle).content, summary_filename(cycle, "pdf"))


@login_required
@require_GET
def summary_xlsx_download(request, cycle_pk):
    cycle = _summary_cycle_or_404(request, cycle_pk)
    return download_response(summary_workbook(cycle), summary_filename(cycle, "xlsx"), XLSX_CONTENT_TYPE)


@login_required
@require_GET
def summary_docx_download(request, cycle_pk):
    cycle = _summary_cycle_or_404(request, cycle_pk)
    return download_response(summary_docx(cycle), summary_filename(cycle, "docx"), DOCX_CONTENT_TYPE)


def _published_administered_cycle_or_404(request, cycle_pk):
    """The 通报 and the feedback letters are drafted from the published results: before
    publication (or while withdrawn) there is nothing to draft from."""
    cycle = _summary_cycle_or_404(request, cycle_pk)
    if not cycle.is_published:
        raise Http404
    return cycle


@login_required
@require_GET
def notice_download(request, cycle_pk, fmt):
    cycle = _published_administered_cycle_or_404(request, cycle_pk)
    if fmt == "docx":
        return download_response(notice_docx(cycle), notice_filename(cycle, "docx"), DOCX_CONTENT_TYPE)
    return download_response(notice_pdf(cycle).content, notice_filename(cycle, "pdf"))


@login_required
@require_GET
def feedback_letter_download(request, report_pk, fmt):
    """One organization's 点评反馈意见书: its secretary and the cycle's administrators, once published."""
    report = get_object_or_404(Report.objects.select_related("cycle", "cycle__organization", "organization"), pk=report_pk)
    if not can_download_feedback_letter(request.user, report):
        raise Http404
    context = letter_for_report(report)
    if context is None:  # published before snapshots: nothing frozen to draft from
        raise Http404
    if fmt == "docx":
        return download_response(letter_docx(context), letter_filename(context, "docx"), DOCX_CONTENT_TYPE)
    return download_response(letter_pdf(context).content, letter_filename(context, "pdf"))


@login_required
@require_GET
def feedback_letters_download(request, cycle_pk, fmt):
    """Every organization's letter as one .zip, for the cycle's administrators once published."""
    cycle = _published_administered_cycle_or_404(request, cycle_pk)
    return download_response(letters_zip(cycle, formats=(fmt,)), letters_zip_filename(cycle, fmt), ZIP_CONTENT_TYPE)
