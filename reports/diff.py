"""Differences between two report versions, paragraph by paragraph, for reading side by side.

A report is read in paragraphs, so it is compared in paragraphs (non-blank lines):

1. Paragraphs equal in both texts are matched first (difflib on the list of paragraphs).
2. A paragraph removed in one place and added unchanged (or nearly so) in another is *moved*.
3. Inside each changed stretch, old and new paragraphs are paired in order by similarity; a pair
   at or above PAIR_THRESHOLD is a *changed* paragraph and only it gets character marks. Below the
   threshold a paragraph was rewritten: it shows as removed + added, never as a mix of characters
   of both (the "word salad" of a character diff over a rewritten section).
4. Character marks are cleaned up: an unchanged run of one or two characters between two changes
   is folded into the change, so "2022年度" → "2025年党建" reads as a word replaced, not letters.

Segments are plain text: the template escapes them.
"""

import functools
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .models import FIGURES
from .services import FIELD_LABELS, TEXT_FIELDS

# Similarity (see `similarity`, 0–1) from which two paragraphs are the same paragraph edited.
PAIR_THRESHOLD = 0.5
# From which a paragraph removed here and added there is the same paragraph moved.
MOVE_THRESHOLD = 0.8
# Unchanged runs up to this many characters between two changes are folded into the change.
SHORT_EQUAL = 2
# Above this (characters of a × characters of b) two paragraphs are not compared character by
# character: SequenceMatcher is quadratic on very different texts.
CHAR_DIFF_LIMIT = 4_000_000
# Above this many paragraphs × paragraphs in one changed stretch (or, for moves, in the whole
# text), no pairing is tried: a wholly rewritten long section is shown as removed + added.
PAIRING_LIMIT = 2_500


def paragraphs_of(text):
    return [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


@dataclass
class Row:
    """One line of the side-by-side view. kind: equal / changed / removed / added / moved_from /
    moved_to. `old` and `new` are [(op, text)] segments (op equal / removed / added) or None
    for an empty side; `moved` is the other end's paragraph number (1-based) for moved rows."""

    kind: str
    old: list | None = None
    new: list | None = None
    moved: int | None = None

    @property
    def old_text(self):
        return "".join(text for _, text in self.old or [])

    @property
    def new_text(self):
        return "".join(text for _, text in self.new or [])


@functools.lru_cache(maxsize=4096)  # each paragraph is compared with many: its pairs once
def _bigrams(text):
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) if len(text) > 1 else frozenset(text)


def similarity(a, b):
    """0–1: how much of two paragraphs is the same text (Dice coefficient of their sets of
    character pairs). Linear in their length, and sharper than single characters: any two
    Chinese paragraphs share most of their characters (的、党、工作), few of their pairs."""
    if not a or not b:
        return 0.0
    a_pairs, b_pairs = _bigrams(a), _bigrams(b)
    return 2 * len(a_pairs & b_pairs) / (len(a_pairs) + len(b_pairs))


def char_diff(old, new):
    """(old segments, new segments) of one edited paragraph, with short unchanged runs folded in."""
    if len(old) * len(new) > CHAR_DIFF_LIMIT:
        return [("removed", old)], [("added", new)]
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # Fold short equal runs that sit between two changes into the change on both sides.
    blocks = []  # [(changed?, old text, new text)]
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        is_inner = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (is_inner and i2 - i1 <= SHORT_EQUAL):
            blocks.append((False, old[i1:i2], new[j1:j2]))
        elif blocks and blocks[-1][0]:
            _, o, n = blocks[-1]
            blocks[-1] = (True, o + old[i1:i2], n + new[j1:j2])
        else:
            blocks.append((True, old[i1:i2], new[j1:j2]))
    old_segments, new_segments = [], []
    for changed, o, n in blocks:
        if o:
            old_segments.append(("removed" if changed else "equal", o))
        if n:
            new_segments.append(("added" if changed else "equal", n))
    return old_segments, new_segments


def _pair(removed, added):
    """Monotonic pairs [(i, j)] of removed[i] with added[j] maximising total similarity, each
    pair at least PAIR_THRESHOLD (dynamic programming: pairs keep reading order on both sides)."""
    n, m = len(removed), len(added)
    if not n or not m or n * m > PAIRING_LIMIT:
        return []
    score = [[similarity(a, b) for b in added] for a in removed]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = score[i][j] + best[i + 1][j + 1] if score[i][j] >= PAIR_THRESHOLD else -1
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if score[i][j] >= PAIR_THRESHOLD and best[i][j] == score[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def paragraph_diff(a, b):
    """[Row] comparing text `a` (old) with `b` (new) paragraph by paragraph. See module doc."""
    old, new = paragraphs_of(a), paragraphs_of(b)
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # Step 2: moves, between paragraphs left unmatched anywhere in the two texts.
    removed_at = [i for tag, i1, i2, _, _ in opcodes if tag != "equal" for i in range(i1, i2)]
    added_at = [j for tag, _, _, j1, j2 in opcodes if tag != "equal" for j in range(j1, j2)]
    moved_old, moved_new = {}, {}  # old index -> new index and back
    block_of_old = {i: k for k, (tag, i1, i2, _, _) in enumerate(opcodes) for i in range(i1, i2)}
    block_of_new = {j: k for k, (tag, _, _, j1, j2) in enumerate(opcodes) for j in range(j1, j2)}
    for i in removed_at:
        for j in added_at:
            # Within one stretch an edited paragraph is "changed", not "moved".
            if j in moved_new or block_of_old[i] == block_of_new[j]:
                continue
            if old[i] == new[j] or (
                len(removed_at) * len(added_at) <= PAIRING_LIMIT and similarity(old[i], new[j]) >= MOVE_THRESHOLD
            ):
                moved_old[i], moved_new[j] = j, i
                break

    rows = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            rows.extend(Row("equal", [("equal", p)], [("equal", p)]) for p in old[i1:i2])
            continue
        olds = [i for i in range(i1, i2) if i not in moved_old]
        news = [j for j in range(j1, j2) if j not in moved_new]
        pairs = dict(_pair([old[i] for i in olds], [new[j] for j in news]))
        # Walk both sides in order: removed before added, a pair on one row, moves where they stood.
        oi, nj = i1, j1
        paired_new = {news[j] for j in pairs.values()}
        old_to_new = {olds[i]: news[j] for i, j in pairs.items()}
        while oi < i2 or nj < j2:
            if oi < i2 and oi in moved_old:
                rows.append(Row("moved_from", old=[("equal", old[oi])], moved=moved_old[oi] + 1))
                oi += 1
            elif nj < j2 and nj in moved_new:
                source = old[moved_new[nj]]
                segments = [("equal", new[nj])] if source == new[nj] else char_diff(source, new[nj])[1]
                rows.append(Row("moved_to", new=segments, moved=moved_new[nj] + 1))
                nj += 1
            elif oi < i2 and oi not in old_to_new:
                rows.append(Row("removed", old=[("removed", old[oi])]))
                oi += 1
            elif nj < j2 and (nj not in paired_new or oi >= i2):
                rows.append(Row("added", new=[("added", new[nj])]))
                nj += 1
            else:
                target = old_to_new[oi]
                if nj < target:  # an added paragraph before the edited one's new place
                    rows.append(Row("added", new=[("added", new[nj])]))
                    nj += 1
                    continue
                old_segments, new_segments = char_diff(old[oi], new[target])
                rows.append(Row("changed", old_segments, new_segments))
                oi, nj = oi + 1, target + 1
    return rows


@dataclass
class PartDiff:
    field: str
    label: str
    rows: list = field(default_factory=list)

    @property
    def changed(self):
        return any(row.kind != "equal" for row in self.rows)

    @property
    def counts(self):
        """{kind: number of rows}, moves counted once (at their new place)."""
        counts = {}
        for row in self.rows:
            if row.kind not in ("equal", "moved_from"):
                counts[row.kind] = counts.get(row.kind, 0) + 1
        return counts


def versions_diff(a, b):
    """Per text part of two ReportVersions: PartDiff; and [(label, old, new)] of changed figures."""
    parts = [
        PartDiff(field, FIELD_LABELS[field], paragraph_diff(getattr(a, field), getattr(b, field))) for field in TEXT_FIELDS
    ]
    figures = [
        (label, a.figures.get(field), b.figures.get(field))
        for field, label in FIGURES.items()
        if a.figures.get(field) != b.figures.get(field)
    ]
    return parts, figures
