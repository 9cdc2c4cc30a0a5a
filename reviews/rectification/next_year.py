"""Into next year: this year's 上年度问题整改情况 drafted from last year's items."""


from reports.models import Report
from reports.services import ReportConflict, ReportLocked, report_save_draft
from reviews.rectification.selectors import rectification_prefill_text, rectification_today

# ---------------------------------------------------------------- into next year


def report_prefill_rectification(*, report, by, today=None):
    """When the secretary starts this year's report (撰写, reports.services.report_start), draft its
    上年度问题整改情况 from last year's items (through the reports service, so it is saved like
    any draft). Only the first opening: a secretary who later empties the section keeps it empty.
    Returns the report (refreshed when something was written)."""
    first_opening = report.status == Report.Status.NOT_STARTED and not report.rectification.strip()
    if not first_opening or not report.cycle.accepts_reports:
        return report
    text = rectification_prefill_text(report, today or rectification_today())
    if not text:
        return report
    try:
        return report_save_draft(report=report, by=by, data={"rectification": text}, base_revision=report.revision)
    except (ReportConflict, ReportLocked):
        return report  # someone saved meanwhile: their text wins, nothing is pre-filled


def draft_on_report_started(sender, *, report, by, **kwargs):
    """Receiver of reports.signals.report_started (connected in reviews.apps): the report's
    first 撰写 drafts its 上年度问题整改情况."""
    report_prefill_rectification(report=report, by=by)
