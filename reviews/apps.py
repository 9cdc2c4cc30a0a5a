from django.apps import AppConfig
from django.db.backends.signals import connection_created


def sqlite_secure_delete(*, connection, **kwargs):
    """SQLite overwrites deleted rows with zeros instead of leaving them in free pages: the
    ballots rewritten at the close of voting (reviews.ballots.services.evaluation_close) leave no trace
    of their first, voting-order copies in the database file."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "评议考核"

    def ready(self):
        connection_created.connect(sqlite_secure_delete, dispatch_uid="reviews.sqlite_secure_delete")
        # Inline: these modules import models, which are not loaded before ready().
        from reports import signals as reports_signals
        from reviews.console.home import home_todo_context
        from reviews.rectification import selectors as rectification
        from reviews.rectification.next_year import draft_on_report_started
        from reviews.selectors import secretary_report_context as unanswered_questions
        from reviews.services import reviewers_notify_submitted
        from reviews.signals import review_page_context

        reports_signals.report_started.connect(draft_on_report_started, dispatch_uid="reviews.rectification.draft_on_report_started")
        review_page_context.connect(rectification.review_page_last_year, dispatch_uid="reviews.rectification.review_page_last_year")
        reports_signals.home_todo.connect(home_todo_context, dispatch_uid="reviews.console.home_todo_context")
        reports_signals.secretary_report_context.connect(unanswered_questions, dispatch_uid="reviews.selectors.secretary_report_context")
        reports_signals.report_submitted.connect(reviewers_notify_submitted, dispatch_uid="reviews.reviewers_notify_submitted")
        reports_signals.report_check_context.connect(rectification.check_context_last_year, dispatch_uid="reviews.rectification.check_context_last_year")
