"""Character-level differences between two texts, for comparing report versions.

Lines are matched first and only changed blocks of lines are compared character by
character, which keeps long sections fast. Segments are plain text: the template escapes them.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from .models import FIGURES
from .services import FIELD_LABELS, TEXT_FIELDS

# Above this (characters of a × characters of b) a changed block is shown as removed + added
# instead of character by character: SequenceMatcher is quadratic on very different blocks.
CHAR_DIFF_LIMIT = 4_000_000


def text_diff(a, b):
    """[(op, text)] with op "equal" / "removed" / "added"; adjacent segments of one op merged."""
    a_lines, b_lines = (a or "").splitlines(keepends=True), (b or "").splitlines(keepends=True)
    segments = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a_lines, b_lines, autojunk=False).get_opcodes():
        old, new = "".join(a_lines[i1:i2]), "".join(b_lines[j1:j2])
        if tag == "equal":
            segments.append(("equal", old))
        elif tag == "replace" and len(old) * len(new) <= CHAR_DIFF_LIMIT:
            segments.extend(_char_diff(old, new))
        else:
            segments.extend([("removed", old), ("added", new)])
    merged = []
    for op, text in segments:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _char_diff(old, new):
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            yield "equal", old[i1:i2]
        else:
            yield "removed", old[i1:i2]
            yield "added", new[j1:j2]


@dataclass
class PartDiff:
    field: str
    label: str
    segments: list

    @property
    def changed(self):
        return any(op != "equal" for op, _ in self.segments)


def versions_diff(a, b):
    """Per text part of two ReportVersions: PartDiff; and [(label, old, new)] of changed figures."""
    parts = [
        PartDiff(field, FIELD_LABELS[field], text_diff(getattr(a, field), getattr(b, field))) for field in TEXT_FIELDS
    ]
    figures = [
        (label, a.figures.get(field), b.figures.get(field))
        for field, label in FIGURES.items()
        if a.figures.get(field) != b.figures.get(field)
    ]
    return parts, figures
