"""Signals of the review core. Rooms above it (rectification) connect receivers in
reviews.apps, so that the core never imports them: imports run one way."""

from django.dispatch import Signal

# Sent (reads only) while a reviewer's page of `report` is rendered; each receiver returns a dict
# added to the template's context (rectification: last year's plan and items).
review_page_context = Signal()
