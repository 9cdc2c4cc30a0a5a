"""上年度问题整改情况: every problem of last year's problem list is mentioned."""

import re

from .base import finding
from .problems import keywords

_PUNCTUATION = re.compile(r"[\s，。、；：！？,.;:!?“”\"'（）()]")


def mentioned(item, text, text_words):
    """The item's wording is in the text, or at least half of its content words are."""
    if _PUNCTUATION.sub("", item) in _PUNCTUATION.sub("", text):
        return True
    topic = keywords(item)
    if not topic:
        return False
    hits = sum(1 for word in topic if word in text_words or word in text)
    return hits * 2 >= len(topic)


def check(data):
    if not data.last_year_items:
        return []
    text = data.text("rectification")
    text_words = keywords(text) if text else set()
    found = []
    for item in data.last_year_items:
        if not mentioned(item, text, text_words):
            found.append(
                finding(
                    "rectification",
                    "rectification",
                    text,
                    0,
                    0,
                    f"“上年度问题整改情况”没有提到上年度问题：“{item}”。",
                    "请您逐条说明上年度每个问题的整改措施和结果。",
                )
            )
    return found
