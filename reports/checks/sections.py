"""Sections present and substantive: more than headings."""

from .base import TEXT_LABELS, finding, substance_length

# Fewest characters of substance (outside headings) for a section to count as written.
MIN_SUBSTANCE = {"performance": 200, "problems": 60, "plans": 60, "rectification": 50}


def check(data):
    required = ["performance", "problems", "plans"] + (["rectification"] if data.rectification_required else [])
    found = []
    for section in required:
        text = data.text(section)
        label = TEXT_LABELS[section]
        if not text.strip():
            found.append(
                finding("sections", section, text, 0, 0, f"“{label}”尚未填写。", f"请您补写“{label}”。")
            )
        elif substance_length(text) < MIN_SUBSTANCE[section]:
            found.append(
                finding(
                    "sections",
                    section,
                    text,
                    0,
                    len(text),
                    f"“{label}”内容过少（除标题外不足 {MIN_SUBSTANCE[section]} 字）。",
                    "请您用具体的事实和数字写实这一部分，不要只列标题。",
                )
            )
    return found
