from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from .forms import OwnPasswordChangeForm
from .params import id_params
from .services import notifications_mark_read
from .throttles import client_address, login_address, reset_account, reset_address


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "branches/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    ids = id_params(request.POST.getlist("id")) or None
    notifications_mark_read(user=request.user, notification_ids=ids)
    return redirect("branches:notifications")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, also clearing the first-login flag (branches.middleware)."""

    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("password_change_done")


def _throttled(request, template, throttle):
    return render(request, template, {"minutes": throttle.window // 60}, status=429)


class LoginView(auth_views.LoginView):
    """Django's login; an address with too many failed logins across usernames waits
    (branches.throttles.login_address, counted on user_login_failed). django-axes still locks
    one username at one address after 5 failures."""

    def post(self, request, *args, **kwargs):
        if login_address.exceeded(client_address(request)):
            return _throttled(request, "registration/address_locked_out.html", login_address)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_reset_enabled": settings.PASSWORD_RESET_ENABLED}


def password_reset_available(view):
    """Password reset pages exist only where mail is configured (settings.PASSWORD_RESET_ENABLED)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, throttled: per address (a page saying so) and per account
    (silently: the page looks the same whether or not a mail went out, so it tells nobody
    which addresses have accounts)."""

    def post(self, request, *args, **kwargs):
        address = client_address(request)
        if reset_address.exceeded(address):
            return _throttled(request, "registration/password_reset_throttled.html", reset_address)
        reset_address.hit(address)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        account = form.cleaned_data["email"].strip().lower()
        if reset_account.hit(account) > reset_account.limit():
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
