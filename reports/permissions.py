"""Who may do what with a report. Plain predicates; the views also scope their querysets
(reports.selectors.reports_visible_to) so that a guessed URL is a 404, not a 403."""

from branches.permissions import is_administrator_of, is_committee_member_of, is_secretary_of


def is_report_reader(user, report):
    """A committee member or administrator of the reviewing organization who does not lead
    the report's organization. (Nobody reads their own report as a reviewer: a committee
    member who is the report's secretary is simply its secretary.)"""
    if not user.is_authenticated or is_secretary_of(user, report.organization):
        return False
    reviewing = report.cycle.organization
    return is_administrator_of(user, reviewing) or is_committee_member_of(user, reviewing)


def can_edit_report(user, report):
    return is_secretary_of(user, report.organization) and report.is_editable and report.cycle.accepts_reports


def can_view_report(user, report):
    """The secretary sees the live report; readers only once a version was submitted
    (and then they see that version — see reports.selectors.report_readable_body)."""
    if is_secretary_of(user, report.organization):
        return True
    return is_report_reader(user, report) and report.versions.exists()


def can_return_report(user, report):
    """Send back for revision: administrators and committee members of the reviewing
    organization, never the report's own secretary (the conflict rule applies to both);
    only a submitted report of a cycle that is neither closed nor published (published results
    are a record: withdraw them first)."""
    return (
        report.is_submitted
        and not report.cycle.is_closed
        and not report.cycle.is_published
        and is_report_reader(user, report)
    )
