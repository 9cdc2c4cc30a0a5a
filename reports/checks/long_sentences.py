"""Very long sentences: hard to follow when spoken at the meeting."""

from .base import TEXT_LABELS, finding, sentences

MAX_SENTENCE = 150  # characters between full stops


def check(data):
    found = []
    for section in TEXT_LABELS:
        text = data.text(section)
        for start, end in sentences(text):
            if end - start > MAX_SENTENCE:
                found.append(
                    finding(
                        "long_sentences",
                        section,
                        text,
                        start,
                        end,
                        f"句子过长（{end - start} 字）。",
                        f"请您拆成几句，每句不超过 {MAX_SENTENCE} 字。",
                    )
                )
    return found
