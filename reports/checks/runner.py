"""Run every check over a report's text: findings in the order of KINDS, then of the text."""

from dataclasses import replace

from . import (
    empty_talk,
    figures,
    first_person,
    long_sentences,
    problems,
    rectification,
    sections,
    terminology,
)
from .base import BLOCKING, KINDS, TEXT_LABELS

CHECKS = {
    "sections": sections.check,
    "figures": figures.check,
    "terminology": terminology.check,
    "first_person": first_person.check,
    "problems": problems.check,
    "plans": problems.check_plans,
    "rectification": rectification.check,
    "empty_talk": empty_talk.check,
    "long_sentences": long_sentences.check,
}
assert list(CHECKS) == list(KINDS)

_SECTION_ORDER = {name: index for index, name in enumerate(TEXT_LABELS)}


def run_checks(data, blocking_kinds=()):
    """[Finding] for a CheckInput; kinds in `blocking_kinds` are marked blocking."""
    found = []
    for kind, check in CHECKS.items():
        results = sorted(check(data), key=lambda f: (_SECTION_ORDER.get(f.section, 99), f.start, f.end))
        if kind in blocking_kinds:
            results = [replace(f, severity=BLOCKING) for f in results]
        found.extend(results)
    return found
