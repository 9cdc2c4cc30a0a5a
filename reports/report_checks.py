"""报告体检 of a stored report: the pure engine (reports.checks) fed with a report's text, its
cycle's blocking kinds, and what rooms above reports add through reports.signals.report_check_context
(last year's problems, from rectification). Reads only."""

from .checks import TEXT_LABELS, CheckInput, run_checks
from .models import FIGURES, SECTIONS, ReportVersion
from .selectors import report_requires_rectification
from .signals import report_check_context

TEXT_FIELDS = ["preamble", *SECTIONS]


def _values(body):
    """{field: text or figure} of a Report or a ReportVersion."""
    values = {field: getattr(body, field) for field in TEXT_FIELDS}
    if isinstance(body, ReportVersion):
        values.update({field: body.figures.get(field) for field in FIGURES})
    else:
        values.update({field: getattr(body, field) for field in FIGURES})
    return values


def report_check_input(report, values):
    extra = {}
    for _receiver, response in report_check_context.send(sender=type(report), report=report):
        extra.update(response or {})
    return CheckInput(
        sections={field: values.get(field) or "" for field in TEXT_FIELDS},
        figures={field: values.get(field) for field in FIGURES},
        figure_labels=FIGURES,
        rectification_required=report_requires_rectification(report),
        last_year_items=extra.get("last_year_items"),
    )


def report_findings(report, *, body=None, values=None):
    """[Finding] of `report`: on `values` ({field: value}, the editor's unsaved text) if given,
    else on `body` (the report itself or one of its versions)."""
    if values is None:
        values = _values(body if body is not None else report)
    return run_checks(report_check_input(report, values), blocking_kinds=report.cycle.blocking_check_kinds)


FINDING_SECTION_LABELS = {**TEXT_LABELS, **{field: f"关键数据：{label}" for field, label in FIGURES.items()}}


def findings_context(findings):
    """What a 体检 panel shows (editor, reviewer's page, JSON): the findings, their count, and how
    many block submission."""
    return {
        "findings": [{**item.as_dict(), "section_label": FINDING_SECTION_LABELS.get(item.section, "")} for item in findings],
        "count": len(findings),
        "blocking": sum(1 for item in findings if item.is_blocking),
    }
