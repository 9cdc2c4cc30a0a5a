from functools import reduce
from operator import or_

from django.db.models import Q

from .models import AuditEntry, Organization, User
from .permissions import administered_paths


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
    return Organization.objects.filter(subtree_q(administered_paths(user)))


def organization_subtree(organization):
    return Organization.objects.filter(path__startswith=organization.path)


def audit_entries_for_user(user):
    """Audit entries of the organizations the user administers."""
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.select_related("actor", "organization")
    if user.is_superuser:
        return entries
    return entries.filter(subtree_q(administered_paths(user), prefix="organization__"))


def users_attached_to(organizations):
    """Users who lead, sit on the committee of, or administer one of `organizations`."""
    return Q(led_organizations__in=organizations) | Q(committee_organizations__in=organizations) | Q(
        administered_organizations__in=organizations
    )


def people_visible_to(user):
    """People an administrator sees and may choose in forms (secretary, committee member): those
    attached to an organization of their subtree, never a superuser. Superusers: everyone else too."""
    if not user.is_authenticated:
        return User.objects.none()
    people = User.objects.filter(is_superuser=False)
    if user.is_superuser:
        return people
    attached = User.objects.filter(users_attached_to(organizations_administered_by(user))).values("pk")
    return people.filter(pk__in=attached)


def people_manageable_by(user):
    """People whose account (details, password) an administrator may change.

    Only someone whose every role lies inside the administrator's subtree: nobody who leads, sits
    on or administers an organization outside it, nobody who administers one of the administrator's
    own top organizations (a peer, whose account would carry the same powers), no staff account,
    never the administrator themselves (they use 修改密码). Superusers change every other
    non-superuser here; superusers are changed only in the superuser-only admin site."""
    people = people_visible_to(user).exclude(pk=user.pk)
    if user.is_superuser:
        return people
    paths = administered_paths(user)
    outside = Organization.objects.exclude(subtree_q(paths))
    elsewhere = User.objects.filter(users_attached_to(outside)).values("pk")
    peers = User.objects.filter(administered_organizations__path__in=paths).values("pk")
    return people.filter(is_staff=False).exclude(pk__in=elsewhere).exclude(pk__in=peers)


def person_audit_organization(*, person, by):
    """The organization a change to `person` is recorded under: the top-most one of `by`'s subtree
    the person is attached to (else `by`'s own top organization)."""
    organizations = organizations_administered_by(by)
    attached = organizations.filter(
        Q(secretary=person) | Q(committee_members=person) | Q(administrators=person)
    ).order_by("path")
    return attached.first() or organizations.order_by("path").first()
