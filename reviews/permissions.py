"""Who may do what in the review workflow. Plain predicates."""

from branches.permissions import is_administrator_of, is_committee_member_of, is_secretary_of
from reviews.models import Assignment


def is_conflicted(user, report):
    """Nobody reviews the report of an organization they lead."""
    return report.organization.secretary_id == user.pk


def can_be_assigned(user, report, assigned_ids=()):
    """A committee member may be added as a reviewer of `report`: not yet assigned (ids in
    `assigned_ids`) and not conflicted (membership is the caller's list of candidates)."""
    return user.pk not in assigned_ids and not is_conflicted(user, report)


def can_review(user, report):
    """An assigned committee member of the reviewing organization, not the report's own secretary."""
    if not user.is_authenticated or is_conflicted(user, report):
        return False
    cycle = report.cycle
    return (
        Assignment.objects.filter(report=report, reviewer=user).exists()
        and cycle.organization.committee_members.filter(pk=user.pk).exists()
    )


def can_administer_cycle(user, cycle):
    return is_administrator_of(user, cycle.organization)


def can_see_result(user, report):
    """Only the report's own secretary, and only once the cycle's results are published."""
    return is_secretary_of(user, report.organization) and report.cycle.is_published


def is_result_computed(report):
    result = getattr(report, "result", None)
    return result is not None and result.computed_at is not None


def can_download_result(user, report):
    """The result sheet: the cycle's administrators once computed; the report's secretary and
    the committee's members only once the results are published."""
    cycle = report.cycle
    if can_administer_cycle(user, cycle):
        return is_result_computed(report)
    if not cycle.is_published:
        return False
    return can_see_result(user, report) or is_committee_member_of(user, cycle.organization)


def can_download_summary(user, cycle):
    return can_administer_cycle(user, cycle)


def can_download_feedback_letter(user, report):
    """A 点评反馈意见书 is drafted from the published results: once they are published, the cycle's
    administrators and the report's own secretary; nobody before."""
    if not report.cycle.is_published:
        return False
    return can_administer_cycle(user, report.cycle) or can_see_result(user, report)
