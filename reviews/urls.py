from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.placeholder, name="index"),
    path("admin/", views.placeholder, name="admin_index"),
    path("report/<int:report_pk>/questions/", views.placeholder, name="secretary_questions"),
    path("report/<int:report_pk>/result/", views.placeholder, name="secretary_result"),
]
