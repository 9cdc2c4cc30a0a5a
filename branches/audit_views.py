"""The audit log (操作记录) for administrators: read-only, there is no path to change an entry."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from .models import AuditEntry
from .params import id_param
from .permissions import is_administrator
from .selectors import audit_entries_for_user, organizations_administered_by

PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request):
    """Audit entries of the user's subtrees, newest first; ?action= and ?organization= filter."""
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
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in (("action", action), ("organization", organization)) if value})
    return render(
        request,
        "branches/audit_log.html",
        {
            "page": page,
            "actions": AuditEntry.Action.choices,
            "organizations": organizations,
            "action": action,
            "organization": organization,
            "query": query,
        },
    )
