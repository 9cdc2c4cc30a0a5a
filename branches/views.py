from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from .forms import OwnPasswordChangeForm
from .params import id_params
from .services import notifications_mark_read


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
