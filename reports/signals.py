"""Signals the reports app sends. Rooms above it (reviews' rectification) connect receivers in
their AppConfig.ready, so that reports never imports them: imports run one way."""

from django.dispatch import Signal

# Sent by services.report_start inside its transaction, with `report` (not started yet) and
# `by` (the secretary). Receivers may draft sections through services.report_save_draft.
report_started = Signal()

# Sent (reads only) when a report is checked (报告体检), with `report`. Each receiver returns a dict
# of extra inputs for the checks, or None: {"last_year_items": [names of last year's problems]}.
report_check_context = Signal()

# Sent by services.report_submit inside its transaction once a new version is stored, with
# `report`, `version` (its number > 1 is a resubmission) and `by`. The review core notifies the
# report's assigned reviewers.
report_submitted = Signal()

# Sent (reads only) while a user's home page (待办) is rendered, with `user` and `reports` (the
# reports of the organizations they lead, newest cycle first). Each receiver returns a dict added
# to the template's context (the review rooms: questions to answer, grades of past years, the
# reviewer's and the administrator's to-dos, rectification items due).
home_todo = Signal()

# Sent (reads only) while the report's page (reports:detail) is rendered for its secretary, with
# `report`. Each receiver returns a dict added to the context (the review core: the number of
# questions still to answer, shown on the 提问与答复 button).
secretary_report_context = Signal()
