from django.urls import path

from . import export_views, views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/<int:pk>/", views.detail, name="detail"),
    path("report/<int:pk>/edit/", views.editor, name="editor"),
    path("report/<int:pk>/edit/start/", views.start, name="start"),
    path("report/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("report/<int:pk>/submit/", views.submit, name="submit"),
    path("report/<int:pk>/check/", views.check, name="check"),
    path("report/<int:pk>/preview/", views.preview, name="preview"),
    path("report/<int:pk>/import/", views.import_text, name="import"),
    path("report/<int:pk>/import/confirm/", views.import_confirm, name="import_confirm"),
    path("report/<int:pk>/versions/", views.versions, name="versions"),
    path("report/<int:pk>/versions/diff/", views.version_diff, name="version_diff"),
    path("report/<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    # PDF downloads (reports/export_views.py)
    path("report/<int:pk>/pdf/", export_views.report_download, name="report_pdf"),
    path("report/<int:pk>/versions/<int:number>/pdf/", export_views.version_download, name="version_pdf"),
    path("report/<int:pk>/docx/", export_views.report_download, {"fmt": "docx"}, name="report_docx"),
    path("report/<int:pk>/versions/<int:number>/docx/", export_views.version_download, {"fmt": "docx"}, name="version_docx"),
]
