"""Who may see the insight pages. Plain predicates."""

from branches.permissions import is_administrator_of, is_secretary_of


def can_see_organization_file(user, organization):
    """The organization's file (党组织档案): administrators of its subtree, and its own secretary.
    What each year shows is decided per year (reviews.insight.selectors.organization_file)."""
    return is_administrator_of(user, organization) or is_secretary_of(user, organization)
