"""Request guards of the branches app."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

ROSTER_PASSWORDS_SESSION_KEY = "roster_passwords"


class FirstLoginPasswordChangeMiddleware:
    """A person with an initial (one-time) password must set their own before anything else.

    Everything except the password change pages, logging out and static files redirects
    to the password change page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = [reverse("password_change"), reverse("password_change_done"), reverse("logout")]
            path = request.path_info
            if path not in allowed and not path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                if request.method == "GET":
                    messages.warning(request, "这是您首次登录（或密码已被重置），请先设置自己的新密码。")
                return redirect("password_change")
        return self.get_response(request)


class RosterPasswordsMiddleware:
    """Initial passwords of a roster import are shown once: leaving their page forgets them.

    The session holds the sealed private key of the import's job (jobs.roster_views) and the path
    of its passwords page; while the job runs the administrator may go elsewhere and come back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        kept = session.get(ROSTER_PASSWORDS_SESSION_KEY) if session is not None else None
        if kept is not None and (
            not isinstance(kept, dict) or (kept.get("shown") and not request.path_info.startswith(kept["path"]))
        ):
            del session[ROSTER_PASSWORDS_SESSION_KEY]
        return self.get_response(request)
