"""The year's pages moved from /reviews/admin/… to /reviews/cycles/… (admin/ read like Django's
admin). Old links and bookmarks are redirected permanently; the new address then checks access."""

import re

from django.http import HttpResponsePermanentRedirect
from django.views.decorators.http import require_safe

# admin/cycle/<id>/… became cycles/<id>/…; everything else under admin/ kept its tail.
CYCLE_PAGE = re.compile(r"^cycle/(\d+)/")


def moved_path(rest):
    """The new path (under the reviews prefix) of an old admin/ path's `rest`."""
    return "cycles/" + CYCLE_PAGE.sub(r"\1/", rest, count=1)


@require_safe
def admin_redirect(request, rest):
    prefix = request.path[: len(request.path) - len("admin/" + rest)]
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(prefix + moved_path(rest) + (f"?{query}" if query else ""))
