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
        },
        "unread_notifications": user.notifications.filter(read_at=None).count(),
    }
