"""报告体检: a pure engine that checks a report's text and returns findings (no database).

One module per kind of check (KINDS); runner.run_checks runs them all. Dictionaries are data files
in data/ (extended through the REPORT_CHECK_DICTIONARY_DIR setting, see dictionaries.py)."""

from .base import BLOCKING, KINDS, TEXT_LABELS, WARNING, CheckInput, Finding
from .runner import run_checks

__all__ = ["BLOCKING", "KINDS", "TEXT_LABELS", "WARNING", "CheckInput", "Finding", "run_checks"]
