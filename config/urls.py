from django.contrib import admin
from django.urls import include, path

from branches.views import PasswordChangeView

urlpatterns = [
    path("", include("reports.urls")),
    path("reviews/", include("reviews.urls")),
    path("vote/", include("reviews.vote_urls")),
    path("org/", include("branches.urls")),
    # Before Django's own: the same URL, also clearing the first-login flag.
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
