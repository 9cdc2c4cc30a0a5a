"""Who sees which job: the administrators of the job's organization (the person who started it is
one of them when they start it; losing the role loses the job too). A roster import is its
requester's alone (their browser holds the key to its passwords). Anyone else gets a 404."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from branches.selectors import organizations_administered_by
from jobs.models import Job


def jobs_visible_to(user):
    return (
        Job.objects.filter(organization__in=organizations_administered_by(user))
        .exclude(Q(kind=Job.Kind.ROSTER) & ~Q(requested_by=user.pk))
        .select_related(
            "cycle", "organization", "requested_by"
        )
    )


def job_visible_or_404(user, pk):
    return get_object_or_404(jobs_visible_to(user), pk=pk)


def jobs_of_cycle(user, cycle, *, limit=5):
    """The latest jobs of a cycle the user may see, newest first (for the results page)."""
    return list(jobs_visible_to(user).filter(cycle=cycle)[:limit])
