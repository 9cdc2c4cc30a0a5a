from django.urls import path

from jobs import roster_views, views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/download/", views.job_download, name="download"),
    path("cycles/<int:cycle_pk>/archive/", views.cycle_archive_start, name="cycle_archive"),
    path("roster/apply/", roster_views.roster_apply, name="roster_apply"),
    path("roster/<int:pk>/", roster_views.roster_passwords, name="roster_passwords"),
    path("roster/<int:pk>/download/", roster_views.roster_passwords_download, name="roster_passwords_download"),
    path("cycles/<int:cycle_pk>/summary/<str:extension>/", views.summary_start, name="summary"),
]
