from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from branches.views import LoginView, PasswordChangeView, PasswordResetView, password_reset_available
from config.health import healthz

urlpatterns = [
    # No login, no redirect to https (SECURE_REDIRECT_EXEMPT): for load balancers and docker-compose.
    path("healthz", healthz, name="healthz"),
    path("", include("reports.urls")),
    path("reviews/", include("reviews.urls")),
    path("vote/", include("reviews.ballots.vote_urls")),
    path("screen/", include("reviews.meeting.screen_urls")),
    path("org/", include("branches.urls")),
    path("jobs/", include("jobs.urls")),
    # Before Django's own: the same URL, also clearing the first-login flag.
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    # Before Django's own: login throttled per address; password reset throttled, and gone
    # (404) where no mail is configured.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", password_reset_available(PasswordResetView.as_view()), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        password_reset_available(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_reset_available(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        password_reset_available(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

# Chinese error pages (templates/400.html, 403.html, 404.html, 413.html, 500.html, 403_csrf.html).
handler400 = "config.views.bad_request"
