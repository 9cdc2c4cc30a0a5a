"""Who holds which role where. Plain predicates; no queries beyond what they need."""


def administered_paths(user):
    """Paths of the organizations the user administers, cached on the user object for the request."""
    if not hasattr(user, "_administered_paths"):
        user._administered_paths = (
            list(user.administered_organizations.values_list("path", flat=True)) if user.is_authenticated else []
        )
    return user._administered_paths


def is_administrator_of(user, organization):
    """Administrators govern their organization and its whole subtree; superusers govern all."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(organization.path.startswith(path) for path in administered_paths(user))


def is_administrator(user):
    return user.is_authenticated and (user.is_superuser or bool(administered_paths(user)))


def is_secretary_of(user, organization):
    return user.is_authenticated and organization.secretary_id == user.pk


def is_committee_member_of(user, organization):
    if not user.is_authenticated:
        return False
    return organization.committee_members.filter(pk=user.pk).exists()
