"""The administrator's roster pages: template, export, import with preview, initial passwords.

Only administrators (and superusers) reach them; everything they read and write is scoped
to the organizations the user administers (branches.roster)."""

import base64
import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from branches.downloads import XLSX_CONTENT_TYPE, download_response

from .decorators import administrator_required
from .forms import RosterUploadForm
from .middleware import ROSTER_PASSWORDS_SESSION_KEY
from .roster import (
    RosterInvalid,
    passwords_workbook,
    roster_export,
    roster_import,
    roster_plan,
    roster_template,
    seal,
    unseal,
)

UPLOAD_SESSION_KEY = "roster_upload"
KEY_COOKIE = "roster_key"


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


@administrator_required
@require_POST
def roster_apply(request):
    """Apply the previewed roster in one transaction, after checking it again."""
    stored = request.session.get(UPLOAD_SESSION_KEY)
    if not stored or stored["checksum"] != request.POST.get("checksum"):
        messages.error(request, "预览已失效（可能在其他窗口上传了另一份名册），请重新上传并预览。")
        return redirect("branches:roster")
    content = base64.b64decode(stored["content"])
    try:
        outcome = roster_import(content=content, by=request.user)
    except RosterInvalid as invalid:
        messages.error(request, "名册在预览后发生了变化，导入前检查发现错误，未导入任何内容。")
        return render(
            request,
            "branches/roster_preview.html",
            {"plan": invalid.plan, "checksum": stored["checksum"], "filename": stored["name"], "form": RosterUploadForm()},
            status=400,
        )
    del request.session[UPLOAD_SESSION_KEY]
    counts = outcome.counts
    messages.success(
        request,
        f"名册已导入：新增{counts['new']}个党组织，修改{counts['changed']}个，"
        f"新建{counts['new_accounts']}个账号，增加{counts['new_members']}名班子成员。",
    )
    response = redirect("branches:roster_passwords")
    if outcome.passwords:
        key, sealed = seal(json.dumps(outcome.passwords, ensure_ascii=False).encode())
        request.session[ROSTER_PASSWORDS_SESSION_KEY] = base64.b64encode(sealed).decode()
        response.set_cookie(
            KEY_COOKIE,
            base64.urlsafe_b64encode(key).decode(),
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Strict",
            path=reverse("branches:roster_passwords"),
        )
    return response


def _passwords(request):
    """The initial passwords of the last import, or None once they were downloaded or left."""
    sealed = request.session.get(ROSTER_PASSWORDS_SESSION_KEY)
    key = request.COOKIES.get(KEY_COOKIE)
    if not sealed or not key:
        return None
    try:
        data = unseal(base64.urlsafe_b64decode(key), base64.b64decode(sealed))
    except ValueError:
        return None
    return json.loads(data) if data is not None else None


@administrator_required
@require_GET
def roster_passwords(request):
    """The result of the import with the new accounts' initial passwords, shown this once."""
    return render(request, "branches/roster_passwords.html", {"passwords": _passwords(request)})


@administrator_required
@require_GET
def roster_passwords_download(request):
    """The initial passwords as a sheet to hand out; afterwards they are gone."""
    passwords = _passwords(request)
    if passwords is None:
        messages.error(request, "初始密码只能在导入后立即下载一次，现已不可再获取。如需要，请在“党组织与人员 → 人员”中为其重置密码。")
        return redirect("branches:roster")
    request.session.pop(ROSTER_PASSWORDS_SESSION_KEY, None)
    response = _xlsx(passwords_workbook(passwords), f"初始密码_{timezone.localdate():%Y%m%d}")
    response.delete_cookie(KEY_COOKIE, path=reverse("branches:roster_passwords"), samesite="Strict")
    return response
