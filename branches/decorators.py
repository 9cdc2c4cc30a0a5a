"""View decorators of the branches app's administrator pages (roster_views, people_views)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .permissions import is_administrator


def administrator_required(view):
    def wrapped(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)
