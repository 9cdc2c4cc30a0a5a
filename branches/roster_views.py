"""The administrator's roster pages: template, export, upload with preview. Confirming the import
and its initial passwords are a job's pages (jobs.roster_views).

Only administrators (and superusers) reach them; everything they read and write is scoped
to the organizations the user administers (branches.roster)."""

import base64
import hashlib

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from branches.downloads import XLSX_CONTENT_TYPE, download_response

from .decorators import administrator_required
from .forms import RosterUploadForm
from .roster import roster_export, roster_plan, roster_template

# The previewed roster, kept until it is confirmed (jobs.roster_views.roster_apply: the import
# runs as a job, which branches may not import).
UPLOAD_SESSION_KEY = "roster_upload"


def _xlsx(content, name):
    return download_response(content, f"{name}.xlsx", XLSX_CONTENT_TYPE)


@administrator_required
@require_GET
def roster(request):
    return render(request, "branches/roster.html", {"form": RosterUploadForm()})


@administrator_required
@require_GET
def roster_template_download(request):
    return _xlsx(roster_template(request.user), "党组织名册模板")


@administrator_required
@require_GET
def roster_export_download(request):
    return _xlsx(roster_export(request.user), f"党组织名册_{timezone.localdate():%Y%m%d}")


def _checksum(content):
    return hashlib.sha256(content).hexdigest()


@administrator_required
@require_POST
def roster_preview(request):
    """Upload a roster: every change it would make and every error, nothing written yet."""
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "branches/roster.html", {"form": form}, status=400)
    content = form.cleaned_data["file"].read()
    plan = roster_plan(content=content, user=request.user)
    checksum = _checksum(content)
    if not plan.errors:
        # Kept between preview and apply; apply checks the checksum and re-validates.
        request.session[UPLOAD_SESSION_KEY] = {
            "content": base64.b64encode(content).decode(),
            "checksum": checksum,
            "name": form.cleaned_data["file"].name,
        }
    return render(
        request,
        "branches/roster_preview.html",
        {"plan": plan, "checksum": checksum, "filename": form.cleaned_data["file"].name, "form": RosterUploadForm()},
        status=400 if plan.errors else 200,
    )
