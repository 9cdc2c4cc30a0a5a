"""Downloads of the report as a PDF in the Party-document layout."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET

from branches.downloads import download_response
from branches.permissions import is_secretary_of

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
def report_download(request, pk):
    """The latest submitted version; for the secretary while the report is being written
    (or revised after a return), the current draft, marked 草稿."""
    report = _visible_report_or_404(request.user, pk)
    if is_secretary_of(request.user, report.organization) and report.is_editable:
        version = None
    else:
        version = report_latest_version(report)
        if version is None:
            raise Http404
    rendered = report_pdf(report, version=version)
    return download_response(rendered.content, report_pdf_filename(report, version=version))


@login_required
@require_GET
def version_download(request, pk, number):
    """One submitted version, as it was submitted."""
    report = _visible_report_or_404(request.user, pk)
    version = report_version_or_404(report, number)
    rendered = report_pdf(report, version=version)
    return download_response(rendered.content, report_pdf_filename(report, version=version))
