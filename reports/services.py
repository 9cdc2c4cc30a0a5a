from django.db import transaction

from branches.models import AuditEntry
from branches.services import audit_record

from .models import Cycle, Report


@transaction.atomic
def cycle_create(*, organization, year, title, submission_deadline, by, review_deadline=None, meeting_date=None):
    """Create a cycle in the preparing state. Reports are created when it opens."""
    cycle = Cycle.objects.create(
        organization=organization,
        year=year,
        title=title,
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        meeting_date=meeting_date,
    )
    return cycle


@transaction.atomic
def cycle_open(*, cycle, by, participants=None):
    """Open a cycle for reports: one (not started) report per participating organization.

    `participants` defaults to every organization directly below the reviewing one.
    """
    if participants is None:
        participants = cycle.organization.children.all()
    existing = set(cycle.reports.values_list("organization_id", flat=True))
    Report.objects.bulk_create(
        [Report(cycle=cycle, organization=org) for org in participants if org.pk not in existing]
    )
    cycle.status = Cycle.Status.COLLECTING
    cycle.save(update_fields=["status"])
    audit_record(
        organization=cycle.organization,
        actor=by,
        action=AuditEntry.Action.CYCLE_OPENED,
        summary=f"启动{cycle.title}",
        obj=cycle,
    )
    return cycle
