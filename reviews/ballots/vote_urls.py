"""The voters' phone pages of the democratic evaluation: short URLs for the QR codes, no login."""

from django.urls import path

from reviews.ballots import views as ballot_views

app_name = "vote"

urlpatterns = [
    path("", ballot_views.vote_enter, name="enter"),
    path("<str:code>/", ballot_views.vote_code, name="code"),
]
