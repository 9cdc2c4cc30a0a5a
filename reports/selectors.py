from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from branches.models import Organization
from branches.permissions import administered_paths, is_administrator_of, is_secretary_of
from branches.selectors import subtree_q

from .models import Cycle, Report, ReportVersion

OPEN_CYCLE_STATUSES = [Cycle.Status.PREPARING, Cycle.Status.COLLECTING, Cycle.Status.REVIEWING]


def _reports():
    return Report.objects.select_related("cycle", "cycle__organization", "organization")


def reports_for_user(user):
    """The reports of the organizations the user leads as secretary, newest cycle first."""
    if not user.is_authenticated:
        return Report.objects.none()
    return _reports().filter(organization__secretary=user).order_by(
        "-cycle__year", "-cycle__submission_deadline", "organization__order", "organization_id"
    )


def reports_for_user_by_state(user):
    """(current, past) reports of the user's organizations: cycles still running vs closed."""
    reports = list(reports_for_user(user))
    current = [r for r in reports if r.cycle.status in OPEN_CYCLE_STATUSES]
    past = [r for r in reports if r.cycle.status not in OPEN_CYCLE_STATUSES]
    return current, past


def report_for_secretary_or_404(user, pk):
    return get_object_or_404(reports_for_user(user), pk=pk)


def reports_visible_to(user):
    """Reports the user may open (mirrors permissions.can_view_report in one query):
    their own organizations' reports, and — for committee members and administrators of the
    reviewing organization — reports with at least one submitted version."""
    if not user.is_authenticated:
        return Report.objects.none()
    own = Q(organization__secretary=user)
    if user.is_superuser:
        reader = Q()
    else:
        member = Organization.committee_members.through.objects.filter(
            organization_id=OuterRef("cycle__organization_id"), user_id=user.pk
        )
        reader = Q(Exists(member)) | subtree_q(administered_paths(user), prefix="cycle__organization__")
    submitted = Q(Exists(ReportVersion.objects.filter(report_id=OuterRef("pk"))))
    return _reports().filter(own | (reader & submitted))


def report_visible_or_404(user, pk):
    """The report if the user may view it (permissions.can_view_report, tested to agree), else 404."""
    return get_object_or_404(reports_visible_to(user), pk=pk)


def report_versions(report):
    return report.versions.select_related("submitted_by").order_by("number")


def report_latest_version(report):
    return report.versions.select_related("submitted_by").order_by("-number").first()


def report_readable_body(user, report):
    """What the user reads: the secretary the live report, everyone else the latest submitted version."""
    if is_secretary_of(user, report.organization):
        return report
    return report_latest_version(report)


def report_version_or_404(report, number):
    return get_object_or_404(report.versions.select_related("submitted_by"), number=number)


def report_returner_label(report):
    """Who sent the report back, as its secretary may see it: 组织部门 when an administrator of the
    reviewing organization did, else 评议人 — never a reviewer's name, which a cycle may hide
    from secretaries."""
    if report.returned_by is None:
        return ""
    return "组织部门" if is_administrator_of(report.returned_by, report.cycle.organization) else "评议人"


def report_requires_rectification(report):
    """The 上年度问题整改情况 section is required once the organization was reviewed in an earlier year."""
    return Report.objects.filter(
        organization_id=report.organization_id,
        cycle__organization_id=report.cycle.organization_id,
        cycle__year__lt=report.cycle.year,
        status=Report.Status.SUBMITTED,
    ).exists()
