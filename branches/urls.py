from django.urls import path

from . import audit_views, console_views, views

app_name = "branches"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    # roster import and export (console_views)
    path("roster/", console_views.roster, name="roster"),
    path("roster/template/", console_views.roster_template_download, name="roster_template"),
    path("roster/export/", console_views.roster_export_download, name="roster_export"),
    path("roster/preview/", console_views.roster_preview, name="roster_preview"),
    path("roster/apply/", console_views.roster_apply, name="roster_apply"),
    path("roster/passwords/", console_views.roster_passwords, name="roster_passwords"),
    path("roster/passwords/download/", console_views.roster_passwords_download, name="roster_passwords_download"),
    path("audit/", audit_views.audit_log, name="audit_log"),
]
