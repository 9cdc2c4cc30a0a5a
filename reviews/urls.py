from django.urls import path, re_path

from jobs import views as jobs_views
from reviews import legacy_urls, setup_views, views
from reviews.ballots import views as ballot_views
from reviews.console import views as console_views
from reviews.insight import views as insight_views
from reviews.meeting import views as meeting_views
from reviews.rectification import views as rectification_views
from reviews.results import export_views
from reviews.results import views as results_views

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
    path("report/<int:report_pk>/result/", results_views.secretary_result, name="secretary_result"),
    # administrators
    path("cycles/", console_views.admin_index, name="admin_index"),
    path("cycles/<int:cycle_pk>/", console_views.admin_cycle, name="admin_cycle"),
    path("cycles/<int:cycle_pk>/rubric/", setup_views.rubric, name="rubric"),
    path("cycles/criterion/<int:pk>/edit/", setup_views.criterion_edit, name="criterion_edit"),
    path("cycles/criterion/<int:pk>/delete/", setup_views.criterion_delete, name="criterion_delete"),
    path("cycles/<int:cycle_pk>/settings/", setup_views.result_settings, name="result_settings"),
    path("cycles/<int:cycle_pk>/settings/checks/", setup_views.check_settings, name="check_settings"),
    path("cycles/<int:cycle_pk>/assignments/", setup_views.assignments, name="assignments"),
    path("cycles/assignment/<int:pk>/remove/", setup_views.assignment_remove, name="assignment_remove"),
    path("cycles/<int:cycle_pk>/routine/", setup_views.routine_scores, name="routine_scores"),
    path("cycles/<int:cycle_pk>/results/", results_views.results, name="results"),
    path("cycles/<int:cycle_pk>/results/compute/", results_views.results_compute, name="results_compute"),
    path("cycles/<int:cycle_pk>/publish/", results_views.cycle_publish, name="cycle_publish"),
    path("cycles/<int:cycle_pk>/withdraw/", results_views.cycle_withdraw, name="cycle_withdraw"),
    path("cycles/<int:cycle_pk>/close/", results_views.cycle_close, name="cycle_close"),
    path("cycles/<int:cycle_pk>/notice/", results_views.notice, name="notice"),
    path("cycles/<int:cycle_pk>/notice/reuse/", results_views.notice_reuse, name="notice_reuse"),
    path("cycles/result/<int:pk>/override/", results_views.result_override, name="result_override"),
    path("cycles/report/<int:report_pk>/", views.admin_report, name="admin_report"),
    # the year's console (reviews/console/views.py)
    path("cycles/setup/", console_views.cycle_setup, name="cycle_setup"),
    path("cycles/<int:cycle_pk>/progress/", console_views.progress, name="progress"),
    path("cycles/<int:cycle_pk>/progress/xlsx/", console_views.progress_xlsx, name="progress_xlsx"),
    # Every late secretary: a few at once, many as a background job (jobs.views).
    path("cycles/<int:cycle_pk>/remind-late/", jobs_views.reminders_start, name="remind_late"),
    path("cycles/report/<int:report_pk>/remind/", console_views.remind, name="remind"),
    # document downloads (reviews/results/export_views.py)
    path("report/<int:report_pk>/result/pdf/", export_views.result_download, name="result_pdf"),
    path("cycles/<int:cycle_pk>/summary/pdf/", export_views.summary_pdf_download, name="summary_pdf"),
    path("cycles/<int:cycle_pk>/summary/xlsx/", export_views.summary_xlsx_download, name="summary_xlsx"),
    path("report/<int:report_pk>/result/docx/", export_views.result_download, {"fmt": "docx"}, name="result_docx"),
    path("cycles/<int:cycle_pk>/summary/docx/", export_views.summary_docx_download, name="summary_docx"),
    path("cycles/<int:cycle_pk>/notice/docx/", export_views.notice_download, {"fmt": "docx"}, name="notice_docx"),
    path("cycles/<int:cycle_pk>/notice/pdf/", export_views.notice_download, {"fmt": "pdf"}, name="notice_pdf"),
    path("report/<int:report_pk>/feedback/docx/", export_views.feedback_letter_download, {"fmt": "docx"}, name="feedback_docx"),
    path("report/<int:report_pk>/feedback/pdf/", export_views.feedback_letter_download, {"fmt": "pdf"}, name="feedback_pdf"),
    path("cycles/<int:cycle_pk>/feedback/docx.zip", export_views.feedback_letters_download, {"fmt": "docx"}, name="feedback_docx_zip"),
    path("cycles/<int:cycle_pk>/feedback/pdf.zip", export_views.feedback_letters_download, {"fmt": "pdf"}, name="feedback_pdf_zip"),
    # rectification (reviews/rectification/views.py)
    path("rectification/", rectification_views.rectification_index, name="rectification_index"),
    path("rectification/plan/<int:pk>/", rectification_views.rectification_plan, name="rectification_plan"),
    path("rectification/plan/<int:pk>/merge/", rectification_views.rectification_merge, name="rectification_merge"),
    path("rectification/plan/<int:pk>/decide/", rectification_views.rectification_plan_decide, name="rectification_plan_decide"),
    path("rectification/proposal/<int:pk>/decide/", rectification_views.rectification_proposal_decide, name="rectification_proposal_decide"),
    path("rectification/item/<int:pk>/", rectification_views.rectification_item, name="rectification_item"),
    path("rectification/item/<int:pk>/edit/", rectification_views.rectification_item_edit, name="rectification_item_edit"),
    path("rectification/item/<int:pk>/confirm/", rectification_views.rectification_item_confirm, name="rectification_item_confirm"),
    path("rectification/item/<int:pk>/reopen/", rectification_views.rectification_item_reopen, name="rectification_item_reopen"),
    path("rectification/evidence/<int:pk>/", rectification_views.rectification_evidence, name="rectification_evidence"),
    path("cycles/<int:cycle_pk>/rectification/", rectification_views.rectification_ledger, name="rectification_ledger"),
    path("cycles/<int:cycle_pk>/rectification/generate/", rectification_views.rectification_generate, name="rectification_generate"),
    path("cycles/<int:cycle_pk>/rectification/xlsx/", rectification_views.rectification_ledger_xlsx, name="rectification_ledger_xlsx"),
    path("cycles/<int:cycle_pk>/rectification/pdf/", rectification_views.rectification_ledger_pdf, name="rectification_ledger_pdf"),
    path("cycles/<int:cycle_pk>/rectification/docx/", rectification_views.rectification_ledger_docx, name="rectification_ledger_docx"),
    path("cycles/<int:cycle_pk>/rectification/lists/docx/", rectification_views.rectification_cycle_lists, {"fmt": "docx"}, name="rectification_lists_docx"),
    path("cycles/<int:cycle_pk>/rectification/lists/xlsx/", rectification_views.rectification_cycle_lists, {"fmt": "xlsx"}, name="rectification_lists_xlsx"),
    path("rectification/plan/<int:pk>/lists/docx/", rectification_views.rectification_plan_lists, {"fmt": "docx"}, name="rectification_plan_lists_docx"),
    path("rectification/plan/<int:pk>/lists/xlsx/", rectification_views.rectification_plan_lists, {"fmt": "xlsx"}, name="rectification_plan_lists_xlsx"),
    # democratic evaluation (reviews/ballots/views.py; the voters' pages are in reviews/ballots/vote_urls.py)
    path("cycles/<int:cycle_pk>/evaluation/", ballot_views.evaluation, name="evaluation"),
    path("cycles/<int:cycle_pk>/evaluation/setup/", ballot_views.evaluation_setup, name="evaluation_setup"),
    path("cycles/<int:cycle_pk>/evaluation/codes.pdf", ballot_views.evaluation_codes_pdf, name="evaluation_codes_pdf"),
    path("cycles/<int:cycle_pk>/evaluation/open/", ballot_views.evaluation_open, name="evaluation_open"),
    path("cycles/<int:cycle_pk>/evaluation/close/", ballot_views.evaluation_close, name="evaluation_close"),
    path("cycles/<int:cycle_pk>/evaluation/rehearsal/", ballot_views.evaluation_rehearsal, name="evaluation_rehearsal"),
    path("cycles/<int:cycle_pk>/evaluation/paper/", ballot_views.evaluation_paper, name="evaluation_paper"),
    # insight (reviews/insight/views.py): an organization's file, a cycle's analysis, the subtree side by side
    path("organizations/<int:pk>/file/", insight_views.organization_file_page, name="organization_file"),
    path("organizations/<int:pk>/file/pdf/", insight_views.organization_file_pdf, name="organization_file_pdf"),
    path("cycles/<int:cycle_pk>/analysis/", insight_views.cycle_analysis, name="cycle_analysis"),
    path("cycles/levels/", insight_views.levels, name="levels"),
    # the review meeting (reviews/meeting/views.py; the screen and check-in pages are in reviews/meeting/screen_urls.py)
    path("cycles/<int:cycle_pk>/meeting/", meeting_views.meeting, name="meeting"),
    path("cycles/<int:cycle_pk>/meeting/agenda/", meeting_views.agenda, name="meeting_agenda"),
    path("cycles/<int:cycle_pk>/meeting/attendees/", meeting_views.attendees, name="meeting_attendees"),
    path("cycles/<int:cycle_pk>/meeting/checkin/<int:attendee_pk>/", meeting_views.checkin_tick, name="meeting_checkin"),
    path("cycles/<int:cycle_pk>/meeting/screen-link/", meeting_views.screen_rotate, name="meeting_screen_rotate"),
    path("cycles/<int:cycle_pk>/meeting/confirm/<slug:action>/", meeting_views.meeting_confirm, name="meeting_confirm"),
    path("cycles/<int:cycle_pk>/meeting/console/", meeting_views.console, name="meeting_console"),
    path("cycles/<int:cycle_pk>/meeting/console/action/", meeting_views.console_action, name="meeting_action"),
    path("cycles/<int:cycle_pk>/meeting/console/question/", meeting_views.question, name="meeting_question"),
    path("cycles/<int:cycle_pk>/meeting/record.pdf", meeting_views.record_pdf_download, name="meeting_record_pdf"),
    path("cycles/<int:cycle_pk>/meeting/record.docx", meeting_views.record_docx_download, name="meeting_record_docx"),
    path("cycle/<int:cycle_pk>/current/", meeting_views.current_speaker, name="current_speaker"),
    # The year's pages were under admin/, which read like Django's admin: old links and bookmarks
    # are redirected (reviews/legacy_urls.py).
    re_path(r"^admin/(?P<rest>.*)$", legacy_urls.admin_redirect, name="legacy_admin"),
]
