from .permissions import is_administrator


def roles(request):
    """The roles of the current user, for the navigation bar."""
    user = request.user
    if not user.is_authenticated:
        return {"roles": {}}
    return {
        "roles": {
            "secretary": user.led_organizations.exists(),
            "reviewer": user.committee_organizations.exists(),
            "administrator": is_administrator(user),
        }
    }
