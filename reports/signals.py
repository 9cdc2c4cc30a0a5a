"""Signals the reports app sends. Rooms above it (reviews' rectification) connect receivers in
their AppConfig.ready, so that reports never imports them: imports run one way."""

from django.dispatch import Signal

# Sent by services.report_start inside its transaction, with `report` (not started yet) and
# `by` (the secretary). Receivers may draft sections through services.report_save_draft.
report_started = Signal()
