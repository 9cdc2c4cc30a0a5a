"""The audit log (操作记录) for administrators: read-only, there is no path to change an entry."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import AuditEntry
from .params import id_param
from .permissions import is_administrator
from .selectors import audit_entries_for_user, organizations_administered_by
from .tables import Table

# The log's sortable columns (branches.tables); newest first by default.
AUDIT_SORTS = {
    "time": ["created_at"],
    "actor": ["actor__name", "actor__username", "-created_at"],
    "organization": ["organization__name", "-created_at"],
    "action": ["action", "-created_at"],
}


@login_required
@require_GET
def audit_log(request):
    """Audit entries of the user's subtrees, newest first (or ?sort=), 50 a page; ?action= and
    ?organization= filter."""
    if not is_administrator(request.user):
        raise PermissionDenied
    entries = audit_entries_for_user(request.user)
    organizations = organizations_administered_by(request.user).only("pk", "name", "path")
    action = request.GET.get("action", "")
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    else:
        action = ""
    try:
        organization = id_param(request.GET.get("organization"))
    except BadRequest:  # a nonsense filter is ignored, like an unknown action
        organization = None
    if organization is not None:
        entries = entries.filter(organization_id=organization)
    table = Table(request, entries, sorts=AUDIT_SORTS, default="-time", descending_first={"time"})
    return render(
        request,
        "branches/audit_log.html",
        {
            "table": table,
            "page": table.page,
            "actions": AuditEntry.Action.choices,
            "organizations": organizations,
            "action": action,
            "organization": organization,
        },
    )
