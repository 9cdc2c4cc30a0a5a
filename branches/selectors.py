from functools import reduce
from operator import or_

from django.db.models import Q

from .models import AuditEntry, Organization
from .permissions import _administered_paths


def subtree_q(paths, prefix=""):
    """Q matching organizations inside any of the subtrees rooted at `paths`."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": path}) for path in paths))


def organizations_administered_by(user):
    """Every organization the user may administer: their subtrees, or all for a superuser."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(subtree_q(_administered_paths(user)))


def organization_subtree(organization):
    return Organization.objects.filter(path__startswith=organization.path)


def audit_entries_for_user(user):
    """Audit entries of the organizations the user administers."""
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.select_related("actor", "organization")
    if user.is_superuser:
        return entries
    return entries.filter(subtree_q(_administered_paths(user), prefix="organization__"))


def users_attached_to(organizations):
    """Users who lead, sit on the committee of, or administer one of `organizations`."""
    return Q(led_organizations__in=organizations) | Q(committee_organizations__in=organizations) | Q(
        administered_organizations__in=organizations
    )
