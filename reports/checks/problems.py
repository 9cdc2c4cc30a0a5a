"""存在问题: each problem specific (not only generic phrases) and paired with its cause; and
下一步打算 answering the problems named, by topic."""

import re

from . import dictionaries
from .base import finding, is_heading, items
from .segment import words

# A block of causes after the problems (存在问题及原因 written as two lists).
_CAUSE_BLOCK = re.compile(r"(?:产生|存在|出现)?(?:上述|以上|这些)?问题的?(?:主要|根本)?原因|原因分析|原因如下|究其原因|深挖根源")
_MARKER = re.compile(r"^\s*(?:\d{1,2}[\.．、]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、是])")
_PUNCTUATION = re.compile(r"[\s，。、；：！？,.;:!?“”\"'（）()]")
MIN_SPECIFIC_CHARS = 12
MIN_SHARED_WORDS = 2  # content words a plan shares with a problem to count as answering it  # characters left once the generic phrases are taken out


def generic_phrases():
    return sorted(dictionaries.lines("generic_problems.txt"), key=len, reverse=True)


def cause_markers():
    return dictionaries.lines("cause_markers.txt")


def stopwords():
    return dictionaries.parsed("stopwords.txt", frozenset)


def keywords(text):
    """Content words of `text` (jieba): two characters or more, Chinese, not a stop word."""
    stop = stopwords()
    return {w for w in words(text) if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w) and w not in stop}


def problem_items(text):
    """[(start, end)] of the problems named (items before a block of causes), and whether such a block exists."""
    block = _CAUSE_BLOCK.search(text)
    cut = block.start() if block else len(text)
    has_block = bool(block) and len(_PUNCTUATION.sub("", text[block.end() :])) >= 20
    spans = []
    for start, end in items(text[:cut]):
        first_line = text[start:end].split("\n", 1)[0]
        if is_heading(first_line):  # a heading (二、存在问题) opens the item: the item is what follows
            start = min(end, start + len(first_line) + 1)
        body = text[start:end].strip()
        if len(_PUNCTUATION.sub("", body)) >= 6 and not body.endswith(("：", ":")):
            spans.append((start + len(text[start:end]) - len(text[start:end].lstrip()), end))
    return spans, has_block


def _is_generic(item):
    body = _MARKER.sub("", item)
    hits = [phrase for phrase in generic_phrases() if phrase in body]
    if not hits:
        return False
    for phrase in hits:
        body = body.replace(phrase, "")
    return len(_PUNCTUATION.sub("", body)) < MIN_SPECIFIC_CHARS and not re.search(r"\d", body)


def check(data):
    text = data.text("problems")
    if not text.strip():
        return []
    found = []
    spans, has_cause_block = problem_items(text)
    markers = cause_markers()
    for start, end in spans:
        item = text[start:end]
        if _is_generic(item):
            found.append(
                finding(
                    "problems",
                    "problems",
                    text,
                    start,
                    end,
                    "问题表述笼统，只有套话，没有具体情况。",
                    "请您写明具体表现：哪项工作、什么程度、有何事例或数据。",
                )
            )
        if not has_cause_block and not any(marker in item for marker in markers):
            found.append(
                finding(
                    "problems",
                    "problems",
                    text,
                    start,
                    end,
                    "这条问题没有分析原因。",
                    "请您写明产生问题的原因（如“主要原因是……”），特别是主观原因。",
                )
            )
    return found


def check_plans(data):
    problems, plans = data.text("problems"), data.text("plans")
    if not problems.strip() or not plans.strip():
        return []
    plan_words = keywords(plans)
    found = []
    for start, end in problem_items(problems)[0]:
        topic = keywords(problems[start:end])
        shared = {word for word in topic if word in plan_words or word in plans}
        if topic and len(shared) < min(MIN_SHARED_WORDS, len(topic)):
            found.append(
                finding(
                    "plans",
                    "problems",
                    problems,
                    start,
                    end,
                    "下一步打算中没有看到针对这条问题的措施。",
                    "请您在“下一步打算”中写出解决这条问题的具体措施。",
                )
            )
    return found
