"""Every kind of user a permission predicate is tested against, on the standard world (build_world).

The scene: report_a's organization (branch_a) is led by `secretary`, whose pk is above 256 —
CPython shares the small ints, so with small pks `secretary_id is user.pk` would pass wherever
`==` does and a test could not tell them apart.
"""

from django.contrib.auth.models import AnonymousUser

from branches.models import Organization
from reviews.models import Assignment
from tests.factories import UserFactory

KINDS = ("anonymous", "secretary", "reviewer", "conflicted", "admin", "other_admin", "superuser")
LARGE_PK = 70001


def lead_branch_a_with_large_pk(world):
    """Make a user with a large pk the secretary of branch_a; returns them (also world.secretary_a)."""
    secretary = UserFactory(id=LARGE_PK, username="secretary_large_pk")
    Organization.objects.filter(pk=world.branch_a.pk).update(secretary=secretary)
    world.branch_a.refresh_from_db()
    world.report_a.refresh_from_db()
    world.secretary_a = secretary
    return secretary


def user_of_kind(world, kind):
    """A fresh user object of `kind` (fresh: predicates may cache on the user object).

    - anonymous: not logged in;
    - secretary: leads branch_a (the reviewed organization), holds no other role;
    - reviewer: committee member of the reviewing committee, assigned to report_a;
    - conflicted: the secretary of branch_a who is also a committee member of the reviewing
      committee and even has an assignment for report_a (made directly: the services refuse
      it, and the predicates must refuse it too);
    - admin: administrator of the reviewing committee (not a committee member);
    - other_admin: administrator of another committee's subtree;
    - superuser.
    """
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "secretary":
        return type(world.secretary_a).objects.get(pk=world.secretary_a.pk)
    if kind == "conflicted":
        secretary = world.secretary_a
        world.committee.committee_members.add(secretary)
        Assignment.objects.get_or_create(report=world.report_a, reviewer=secretary)
        return type(secretary).objects.get(pk=secretary.pk)
    user = getattr(world, kind)
    return type(user).objects.get(pk=user.pk)
