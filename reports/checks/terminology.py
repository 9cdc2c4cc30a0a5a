"""提法: fixed political formulations written exactly (dictionary: data/terminology.txt).

Four kinds of rule, one a line: `错误写法 => 正确写法`; `re: 正则 => 正确写法` (incomplete forms);
`名称 = 条目、条目` (the items of a formulation, in their fixed order: order, missing and altered
items); `固定：规范全文` (a formulation written almost but not exactly so)."""

import logging
import os
import re
from difflib import SequenceMatcher

from . import dictionaries
from .base import TEXT_LABELS, finding

logger = logging.getLogger(__name__)

_SEPARATORS = "、，,和与及以及 　“”\"'"
_HAN = "\u4e00-\u9fff"


def _parse(lines):
    literal, patterns, series, fixed = [], [], [], []
    for line in lines:
        if line.startswith(("固定：", "固定:")):
            fixed.append(line[3:].strip())
        elif "=>" in line:
            wrong, right = (part.strip() for part in line.split("=>", 1))
            if wrong.startswith("re:"):
                try:
                    patterns.append((re.compile(wrong[3:].strip()), right))
                except re.error as error:  # an administrator's typo must not stop every check
                    logger.warning("报告体检：提法词典中的正则无效，已跳过：%s（%s）", line, error)
            elif wrong:
                literal.append((wrong, right))
        elif "=" in line:
            name, members = (part.strip() for part in line.split("=", 1))
            entries = [m.strip() for m in members.split("、") if m.strip()]
            series.append((name, _join_items(entries, name)))
    fixed_patterns = [
        (phrase, re.compile(re.escape(phrase[:2]) + f".{{{max(len(phrase) - 7, 0)},{len(phrase) - 1}}}?" + re.escape(phrase[-2:])))
        for phrase in fixed
        if len(phrase) >= 6
    ]
    return literal, patterns, series, fixed_patterns


def _join_items(entries, name):
    """Items split at 、 may be halves of one item that itself holds a 、 (两个维护: 核心、全党的核心地位):
    a piece that does not start like the first item's first two characters joins the one before."""
    if name.startswith("两个") and len(entries) > 2:
        head = entries[0][:2]
        joined = []
        for entry in entries:
            if joined and not entry.startswith(head):
                joined[-1] += "、" + entry
            else:
                joined.append(entry)
        return joined
    return entries


def rules():
    return dictionaries.parsed("terminology.txt", _parse)


def check(data):
    literal, patterns, series, fixed = rules()
    found = []
    for section in TEXT_LABELS:
        text = data.text(section)
        if not text:
            continue
        spans = []

        def add(start, end, message, suggestion, spans=spans, section=section, text=text):
            if any(start < e and s < end for s, e in spans):
                return  # one finding per place
            spans.append((start, end))
            found.append(finding("terminology", section, text, start, end, message, suggestion))

        for wrong, right in literal:
            for match in re.finditer(re.escape(wrong), text):
                add(match.start(), match.end(), f"提法有误：“{wrong}”应为“{right}”。", f"请您改为“{right}”。")
        for pattern, right in patterns:
            for match in pattern.finditer(text):
                add(match.start(), match.end(), f"提法不完整或不规范：“{match.group(0)}”。", f"请您改用规范写法：{right}。")
        for phrase, pattern in fixed:
            for match in pattern.finditer(text):
                written = match.group(0)
                if written != phrase and SequenceMatcher(None, written, phrase).ratio() >= 0.8:
                    add(match.start(), match.end(), f"提法被改动：“{written}”。", f"请您改用规范写法：“{phrase}”。")
        for name, entries in series:
            for start, end, message, suggestion in _series_findings(text, name, entries):
                add(start, end, message, suggestion)
    return found


def _series_findings(text, name, entries):
    """Runs of a formulation's items (政治意识、大局意识…): their order, and missing or altered items."""
    places = sorted(
        (match.start(), match.end(), index)
        for index, entry in enumerate(entries)
        for match in re.finditer(re.escape(entry), text)
    )
    runs, run = [], []
    for place in places:
        if run and (place[0] - run[-1][1] > 3 or text[run[-1][1] : place[0]].strip(_SEPARATORS)):
            runs.append(run)
            run = []
        run.append(place)
    if run:
        runs.append(run)
    suffix = os.path.commonprefix([entry[::-1] for entry in entries])[::-1]
    canonical = "、".join(entries)
    for run in runs:
        indexes = [index for _s, _e, index in run]
        if len(set(indexes)) < 2:
            continue
        start, end = run[0][0], run[-1][1]
        if indexes != sorted(indexes):
            yield start, end, f"“{name}”的顺序有误：“{text[start:end]}”。", f"请您按规范顺序：{canonical}。"
            continue
        altered = None
        if len(suffix) >= 2:
            after = re.match(rf"[、，,和与及]\s*([{_HAN}]{{1,4}}{re.escape(suffix)})", text[end:])
            before = re.search(rf"([{_HAN}]{{1,4}}{re.escape(suffix)})[、，,]\s*$", text[max(0, start - 12) : start])
            for candidate in (after, before):
                if candidate and not any(candidate.group(1).endswith(entry) for entry in entries):
                    altered = candidate.group(1)
        if altered:
            yield start, end, f"“{name}”的条目被改动：“{altered}”不属于“{name}”。", f"请您改用规范写法：{canonical}。"
        elif len(set(indexes)) < len(entries) and (len(set(indexes)) >= 3 or name in text[max(0, start - 15) : end + 15]):
            missing = "、".join(entries[i] for i in range(len(entries)) if i not in indexes)
            yield start, end, f"“{name}”不完整：缺少“{missing}”。", f"请您写完整：{canonical}。"
