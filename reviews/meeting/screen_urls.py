"""The meeting's pages without login: the big screen (by its unguessable link) and phone check-in."""

from django.urls import path

from reviews.meeting import views

app_name = "screen"

urlpatterns = [
    path("<str:token>/", views.screen_page, name="page"),
    path("<str:token>/state.json", views.screen_state_json, name="state"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
]
