"""What every check shares: the input, the finding, and the text helpers (sentences, items)."""

import itertools
import re
from dataclasses import asdict, dataclass, field

# The kinds of finding, in the order the panel lists them: kind -> label shown to users.
KINDS = {
    "sections": "各部分齐全充实",
    "figures": "关键数据",
    "terminology": "提法",
    "first_person": "第一人称",
    "problems": "问题具体、有原因",
    "plans": "打算对应问题",
    "rectification": "上年度问题整改",
    "empty_talk": "空话套话",
    "long_sentences": "长句",
}

WARNING = "warning"
BLOCKING = "blocking"

# The text parts of a report: field -> label (the figures are named by their own fields).
TEXT_LABELS = {
    "preamble": "导语及未归类内容",
    "performance": "履职情况",
    "problems": "存在问题",
    "plans": "下一步打算",
    "rectification": "上年度问题整改情况",
}


@dataclass(frozen=True)
class CheckInput:
    """A report's text as the checks read it: plain data, no model."""

    sections: dict  # field -> text (TEXT_LABELS' fields; missing ones are empty)
    figures: dict = field(default_factory=dict)  # figure field -> int or None
    figure_labels: dict = field(default_factory=dict)  # figure field -> label
    rectification_required: bool = False
    # Names of last year's problems (rectification items); None when there is no last year.
    last_year_items: list | None = None

    def text(self, section):
        return self.sections.get(section) or ""


@dataclass(frozen=True)
class Finding:
    kind: str
    section: str  # a text field, or a figure field for a figure left empty
    start: int  # offsets in code points within the section's text; start == end: the whole part
    end: int
    message: str
    suggestion: str
    severity: str = WARNING
    excerpt: str = ""

    @property
    def kind_label(self):
        return KINDS[self.kind]

    @property
    def is_blocking(self):
        return self.severity == BLOCKING

    def as_dict(self):
        return {**asdict(self), "kind_label": self.kind_label}


def finding(kind, section, text, start, end, message, suggestion):
    excerpt = text[start:end]
    if len(excerpt) > 60:
        excerpt = excerpt[:58] + "……"
    return Finding(kind, section, start, end, message, suggestion, excerpt=excerpt)


_SENTENCE_END = re.compile(r"[。！？!?；;\n]+")


def sentences(text):
    """[(start, end)] of the sentences of `text` (ends included), blank ones skipped."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start() + (1 if text[match.start()] != "\n" else 0)))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [_strip_span(text, s, e) for s, e in spans]


def _strip_span(text, start, end):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# The markers that open an item of a list: 1. / 1、 / （一） / 一、 at a line's start, 一是 anywhere.
_ITEM_MARKER = re.compile(
    r"(?m)(?:^[ \t　]*(?:\d{1,2}[\.．、]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、))"
    r"|(?:[一二三四五六七八九十]是)"
)


def items(text):
    """[(start, end)] of the items of a list (problems, plans); without markers, the paragraphs."""
    starts = [m.start() for m in _ITEM_MARKER.finditer(text)]
    if not starts:
        spans, offset = [], 0
        for line in text.split("\n"):
            if line.strip():
                spans.append(_strip_span(text, offset, offset + len(line)))
            offset += len(line) + 1
        return spans
    bounds = starts + [len(text)]
    return [_strip_span(text, s, e) for s, e in itertools.pairwise(bounds) if text[s:e].strip()]


def is_heading(line):
    """A short line without a full stop (二、存在问题): a heading, not substance."""
    stripped = line.strip()
    return len(stripped) <= 30 and not re.search(r"[。；;！!？?]", stripped)


def substance_length(text):
    """Characters of the text outside heading lines and whitespace."""
    return sum(len(re.sub(r"\s", "", line)) for line in text.split("\n") if not is_heading(line))
