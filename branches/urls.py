from django.urls import path

from . import audit_views, people_views, roster_views, views

app_name = "branches"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    # roster import and export (roster_views)
    path("roster/", roster_views.roster, name="roster"),
    path("roster/template/", roster_views.roster_template_download, name="roster_template"),
    path("roster/export/", roster_views.roster_export_download, name="roster_export"),
    path("roster/preview/", roster_views.roster_preview, name="roster_preview"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    # organizations and people of the administrator's subtree (people_views)
    path("organizations/", people_views.organizations, name="organizations"),
    path("organizations/<int:pk>/", people_views.organization, name="organization"),
    path("organizations/<int:pk>/members/add/", people_views.organization_member_add, name="organization_member_add"),
    path(
        "organizations/<int:pk>/members/<int:person_pk>/remove/",
        people_views.organization_member_remove,
        name="organization_member_remove",
    ),
    path("people/", people_views.people, name="people"),
    path("people/<int:pk>/", people_views.person, name="person"),
    path("people/<int:pk>/password/", people_views.person_password, name="person_password"),
]
