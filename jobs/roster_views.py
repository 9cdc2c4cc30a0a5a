"""A roster import as a job: confirm the previewed roster, then its initial passwords shown once.

Confirming makes an X25519 key pair: the public key goes into the job's params (the worker seals
the passwords to it), the private key stays on the administrator's side as the symmetric seal key
always did — sealed in the session, the key to that in a cookie — so the server never holds both a
ciphertext and what opens it. Small imports run in the request, large ones in the worker; the
same job either way."""

import base64
import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from branches.decorators import administrator_required
from branches.downloads import XLSX_CONTENT_TYPE, download_response
from branches.forms import RosterUploadForm
from branches.middleware import ROSTER_PASSWORDS_SESSION_KEY
from branches.roster import keypair, passwords_workbook, roster_plan, seal, unseal, unseal_with
from branches.roster_views import UPLOAD_SESSION_KEY
from branches.selectors import organizations_administered_by
from jobs.models import Job
from jobs.selectors import job_visible_or_404
from jobs.services import job_run, job_start

KEY_COOKIE = "roster_key"


def _roster_job_or_404(user, pk):
    job = job_visible_or_404(user, pk)
    if job.kind != Job.Kind.ROSTER or job.requested_by_id != user.pk:
        raise Http404
    return job


@administrator_required
@require_POST
def roster_apply(request):
    """Import the previewed roster, after checking it again: in the request when it creates few
    accounts, else in the background with its progress page."""
    stored = request.session.get(UPLOAD_SESSION_KEY)
    if not stored or stored["checksum"] != request.POST.get("checksum"):
        messages.error(request, "预览已失效（可能在其他窗口上传了另一份名册），请重新上传并预览。")
        return redirect("branches:roster")
    plan = roster_plan(content=base64.b64decode(stored["content"]), user=request.user)
    if plan.errors:
        messages.error(request, "名册在预览后发生了变化，导入前检查发现错误，未导入任何内容。")
        return render(
            request,
            "branches/roster_preview.html",
            {"plan": plan, "checksum": stored["checksum"], "filename": stored["name"], "form": RosterUploadForm()},
            status=400,
        )
    private_key, public_key = keypair()
    organization = organizations_administered_by(request.user).order_by("path").first()
    job = job_start(
        kind=Job.Kind.ROSTER,
        by=request.user,
        organization=organization,
        params={"content": stored["content"], "filename": stored["name"], "public_key": base64.b64encode(public_key).decode()},
    )
    del request.session[UPLOAD_SESSION_KEY]
    page = reverse("jobs:roster_passwords", args=[job.pk])
    key, sealed_key = seal(private_key)
    # RosterPasswordsMiddleware forgets it once the passwords were shown and the page left.
    request.session[ROSTER_PASSWORDS_SESSION_KEY] = {
        "job": job.pk, "sealed": base64.b64encode(sealed_key).decode(), "path": page, "shown": False
    }
    response = redirect("jobs:detail", job.pk)
    if len(plan.new_accounts) <= settings.JOBS_ROSTER_IN_REQUEST:
        job_run(job.pk)
        job.refresh_from_db()
        # The result page says how it went (and shows the passwords of any account created).
        if job.status == Job.Status.DONE or (job.status == Job.Status.FAILED and job.sealed):
            response = redirect(page)
        elif job.status == Job.Status.FAILED:
            messages.error(request, job.error)
            response = redirect("branches:roster")
    response.set_cookie(
        KEY_COOKIE,
        base64.urlsafe_b64encode(key).decode(),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Strict",
        path=page,
    )
    return response


def _passwords(request, job):
    """The job's initial passwords, opened with this browser's key; None once downloaded or left
    (or in another browser)."""
    kept = request.session.get(ROSTER_PASSWORDS_SESSION_KEY)
    key = request.COOKIES.get(KEY_COOKIE)
    if not kept or not key or kept.get("job") != job.pk:
        return None
    try:
        private_key = unseal(base64.urlsafe_b64decode(key), base64.b64decode(kept["sealed"]))
    except ValueError:
        return None
    if private_key is None:
        return None
    passwords = []
    for part in job.sealed:
        data = unseal_with(private_key, base64.b64decode(part["box"]))
        if data is None:
            return None
        passwords += json.loads(data)
    return passwords


@administrator_required
@require_GET
def roster_passwords(request, pk):
    """The result of the import with the new accounts' initial passwords, shown this once."""
    job = _roster_job_or_404(request.user, pk)
    if not job.is_finished:
        return redirect("jobs:detail", job.pk)
    passwords = _passwords(request, job)
    if passwords is not None:
        request.session[ROSTER_PASSWORDS_SESSION_KEY] = {**request.session[ROSTER_PASSWORDS_SESSION_KEY], "shown": True}
    return render(request, "branches/roster_passwords.html", {"job": job, "passwords": passwords})


@administrator_required
@require_GET
def roster_passwords_download(request, pk):
    """The initial passwords as a sheet to hand out; afterwards they are gone."""
    job = _roster_job_or_404(request.user, pk)
    passwords = _passwords(request, job) if job.is_finished else None
    if not passwords:
        messages.error(request, "初始密码只能在导入后立即下载一次，现已不可再获取。如需要，请在“党组织与人员 → 人员”中为其重置密码。")
        return redirect("branches:roster")
    request.session.pop(ROSTER_PASSWORDS_SESSION_KEY, None)
    response = download_response(passwords_workbook(passwords), f"初始密码_{timezone.localdate():%Y%m%d}.xlsx", XLSX_CONTENT_TYPE)
    response.delete_cookie(KEY_COOKIE, path=reverse("jobs:roster_passwords", args=[job.pk]), samesite="Strict")
    return response
