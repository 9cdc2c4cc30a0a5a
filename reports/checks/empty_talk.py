"""空话套话: phrases of data/empty_talk.txt too dense in a section."""

from . import dictionaries
from .base import TEXT_LABELS, finding, sentences

MAX_PER_THOUSAND = 12  # occurrences per 1,000 characters of a section
MIN_OCCURRENCES = 4


def phrases():
    return dictionaries.lines("empty_talk.txt")


def check(data):
    found = []
    for section, label in TEXT_LABELS.items():
        text = data.text(section)
        if not text.strip():
            continue
        counts = {phrase: text.count(phrase) for phrase in phrases()}
        counts = {phrase: n for phrase, n in counts.items() if n}
        total = sum(counts.values())
        if total < MIN_OCCURRENCES or total * 1000 / len(text) <= MAX_PER_THOUSAND:
            continue
        start, end = max(sentences(text), key=lambda span: sum(text[span[0] : span[1]].count(p) for p in counts))
        top = "、".join(f"“{p}”{n}次" for p, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5])
        found.append(
            finding(
                "empty_talk",
                section,
                text,
                start,
                end,
                f"“{label}”空话套话较多（{total} 处，每千字 {total * 1000 / len(text):.0f} 处）：{top}。",
                "请您用具体做法、事例和数字代替套话；这里标出的是套话最多的一句。",
            )
        )
    return found
