from django.urls import path

from . import export_views, views

app_name = "reviews"

urlpatterns = [
    # reviewers
    path("", views.index, name="index"),
    path("cycle/<int:cycle_pk>/", views.queue, name="queue"),
    path("report/<int:report_pk>/review/", views.review, name="review"),
    path("report/<int:report_pk>/ask/", views.question_ask, name="question_ask"),
    path("report/<int:report_pk>/return/", views.report_return_view, name="report_return"),
    # secretaries
    path("report/<int:report_pk>/questions/", views.secretary_questions, name="secretary_questions"),
    path("report/<int:report_pk>/result/", views.secretary_result, name="secretary_result"),
    # administrators
    path("admin/", views.admin_index, name="admin_index"),
    path("admin/cycle/<int:cycle_pk>/", views.admin_cycle, name="admin_cycle"),
    path("admin/cycle/<int:cycle_pk>/rubric/", views.rubric, name="rubric"),
    path("admin/criterion/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("admin/criterion/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("admin/cycle/<int:cycle_pk>/settings/", views.result_settings, name="result_settings"),
    path("admin/cycle/<int:cycle_pk>/assignments/", views.assignments, name="assignments"),
    path("admin/assignment/<int:pk>/remove/", views.assignment_remove, name="assignment_remove"),
    path("admin/cycle/<int:cycle_pk>/routine/", views.routine_scores, name="routine_scores"),
    path("admin/cycle/<int:cycle_pk>/results/", views.results, name="results"),
    path("admin/cycle/<int:cycle_pk>/results/compute/", views.results_compute, name="results_compute"),
    path("admin/cycle/<int:cycle_pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path("admin/cycle/<int:cycle_pk>/close/", views.cycle_close, name="cycle_close"),
    path("admin/result/<int:pk>/override/", views.result_override, name="result_override"),
    path("admin/report/<int:report_pk>/", views.admin_report, name="admin_report"),
    # document downloads (reviews/export_views.py)
    path("report/<int:report_pk>/result/pdf/", export_views.result_download, name="result_pdf"),
    path("admin/cycle/<int:cycle_pk>/summary/pdf/", export_views.summary_pdf_download, name="summary_pdf"),
    path("admin/cycle/<int:cycle_pk>/summary/xlsx/", export_views.summary_xlsx_download, name="summary_xlsx"),
]
