"""Downloads of the report in the Party-document layout, as PDF or Word (.docx): the same
permissions for both (`fmt` comes from the URL, never from the user)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from branches.downloads import DOCX_CONTENT_TYPE, download_response
from branches.permissions import is_secretary_of

from .documents import report_docx, report_docx_filename
from .pdf import report_pdf, report_pdf_filename
from .permissions import can_view_report
from .selectors import report_latest_version, report_version_or_404, report_visible_or_404


def _visible_report_or_404(user, pk):
    report = report_visible_or_404(user, pk)
    if not can_view_report(user, report):
        raise Http404
    return report


@login_required
@require_GET
def report_download(request, pk, fmt="pdf"):
    """The latest submitted version; for the secretary while the report is being written
    (or revised after a return), the current draft, marked 草稿."""
    report = _visible_report_or_404(request.user, pk)
    if is_secretary_of(request.user, report.organization) and report.is_editable:
        version = None
    else:
        version = report_latest_version(report)
        if version is None:
            raise Http404
    return _report_response(report, version, fmt)


@login_required
@require_GET
def version_download(request, pk, number, fmt="pdf"):
    """One submitted version, as it was submitted."""
    report = _visible_report_or_404(request.user, pk)
    version = report_version_or_404(report, number)
    return _report_response(report, version, fmt)


def _report_response(report, version, fmt):
    if fmt == "docx":
        return download_response(
            report_docx(report, version=version), report_docx_filename(report, version=version), DOCX_CONTENT_TYPE
        )
    rendered = report_pdf(report, version=version)
    return download_response(rendered.content, report_pdf_filename(report, version=version))
