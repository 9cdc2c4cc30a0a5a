"""Split a whole pasted or uploaded report into preamble + the four sections.

Real reports word and number their headings in many ways (see reports/seed_texts/, copies of ../shared/seeds/):
``一、工作开展情况`` / ``二、存在问题及原因`` / ``三、下步工作打算`` / ``第一部分 履职情况`` /
a bare ``存在问题`` line, full-width or half-width punctuation. The rules, in order:

1. Lines are normalised for *detection only* (NFKC: full-width ``（，：．`` and the
   ideographic space become ASCII). The text that is kept is the original line with
   surrounding whitespace removed; blank lines are dropped (they carry no content).
   Windows and old Mac line endings are accepted.
2. A *top-level heading* is a line numbered ``一、`` ``一.`` ``一 `` or ``第一部分``, or a
   short unnumbered line (≤ 20 characters, no sentence punctuation inside) that names a
   section. A *sub-heading* is ``（一）`` ``1.`` ``1、`` ``(1)`` ``①``; ``一是…`` is ordinary text, and so
   is any line ending with a full stop.
3. A top-level heading names a section by its wording (see SECTION_PATTERNS); rectification
   wording wins (``上年度问题整改情况`` also mentions 问题), otherwise the keyword that comes
   first wins (``存在问题及下一步打算`` → problems).
4. Nothing is dropped. Heading lines stay, as the first line of the part they open.
   Text before the first recognised heading goes into the preamble (导语及未归类内容).
   Text under an unrecognised top-level heading stays in the current section, because after
   a section has started such headings are nearly always its own numbered items
   (``四、其他工作`` after the plans); before any section it goes into the preamble.
   Exception: an unrecognised heading numbered 一 / 第一部分 that opens the document and is
   followed by a problems heading is the performance part (a speech's ``一、踔厉奋发，勇毅前行``).
5. A section met twice (duplicated headings) is continued: both pieces are kept, in order.
6. Sub-headings stay inside their section, with one exception: a ``（一）``-style block
   whose heading says 整改情况 / 整改落实, or whose first line says 针对…问题…整改, is the
   rectification part written inside another part (first-year reports often do this);
   the block goes to rectification and the text after it returns to the enclosing part.
7. If no top-level heading names a section, the ``（一）`` / ``1.`` sub-headings are tried as
   top-level headings instead (reports that number their main parts that way).
8. A speech with no recognisable heading at all ends up entirely in the preamble.
9. A top-level heading whose wording names nothing (themed headings: ``二、对标检视，正视问题找差距``) is
   recognised, in order: by its sub-headings (``（一）存在的问题`` ``（二）原因分析`` → problems; the
   rectification wording does not count here, a part may hold a rectification block); by weaker
   theme words (THEME_PATTERNS) only for the current part or one that can follow it in the usual
   order performance → problems → plans; and a numbered heading right after the problems part opens the
   plans (``三、精准施策，凝心聚力谋发展``), as plans always follow the problems (a rectification part
   numbered in between counts as the previous number).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .models import SECTIONS

PARTS = ["preamble", *SECTIONS]

_CN_NUMBER = "一二三四五六七八九十"
# Detection runs on NFKC-normalised text, so full-width （，：．and U+3000 are ASCII here.
_TOP_NUMBERED = re.compile(
    rf"^(?:第[{_CN_NUMBER}]+(?:部分|章|篇)\s*[、.,:]?|[{_CN_NUMBER}]+\s*[、.,:](?!\d)|[{_CN_NUMBER}]+\s+)\s*"
)
_SUB_PAREN = re.compile(rf"^\(\s*[{_CN_NUMBER}]+\s*\)\s*")
_SUB_ARABIC = re.compile(r"^(?:\d{1,2}\s*[、.](?!\d)|\(\s*\d{1,2}\s*\))\s*")
# NFKC turns ① into 1, so circled numbers are looked for on the original line.
_SUB_CIRCLED = re.compile(r"^[①-⑳]")
_FIRST = re.compile(r"^(?:第一(?:部分|章|篇)|一\s*[、.,:]|一\s)")
_SENTENCE_PUNCTUATION = re.compile(r"[。;,!?]")
_ENUMERATION = re.compile(rf"^(?:[{_CN_NUMBER}]+[是要]|首先|其次|再次|最后)")
UNNUMBERED_HEADING_MAX = 20

SECTION_PATTERNS = {
    "rectification": [
        r"整改(?:落实|工作)?(?:情况|成效|进展)",
        r"(?:上一?年度?|去年|上一年|以往|\d{4}年度?).{0,15}问题.{0,10}整改",
        r"针对.{0,30}问题.{0,30}整改",
        r"问题整改",
    ],
    "problems": [
        r"存在的?(?:主要)?(?:问题|不足|差距|短板)",
        r"问题(?:及|和|与)?(?:原因|不足)",
        r"不足之处",
        r"^问题$",
        r"^不足",
        r"(?:找|查找|查摆|找准|正视).{0,6}(?:差距|不足|短板|问题)",
        r"短板弱项|差距不足",
        r"原因(?:分析|剖析)|(?:剖析|分析|深挖|查找).{0,6}(?:根源|原因)",
    ],
    "plans": [
        r"下一?步",
        r"(?:明年|今后|来年|新的一年|\d{4}年)(?:的)?(?:工作)?(?:打算|计划|思路|安排|重点)",
        r"(?:工作)?(?:打算|计划|思路)$",
        r"打算",
        r"努力方向",
        r"(?:目标任务|(?:改进|整改|工作|具体)措施)",
    ],
    # 开展情况 also covers 工作开展情况, 履职 also 履职情况 / 履职尽责情况.
    "performance": [
        r"主要工作",
        r"工作成效",
        r"主要做法",
        r"(?:党建)?工作(?:情况|回顾)",
        r"(?:取得|主要)的?(?:成绩|成效)",
        r"开展情况",
        r"基本情况",
        r"履职",
    ],
}
_COMPILED = {section: [re.compile(p) for p in patterns] for section, patterns in SECTION_PATTERNS.items()}
# Weaker wording of themed headings (二、对标检视，正视问题找差距 / 三、精准施策，凝心聚力谋发展): it names a
# part only where that part can come next in the usual order (performance → problems → plans), see rule 9.
THEME_PATTERNS = {
    "problems": [r"差距|短板|弱项|不足|问题|检视|反思|查摆|剖析|原因|根源"],
    "plans": [r"谋发展|施策|举措|措施|目标|方向|展望|上台阶|新台阶|再出发|新征程|来年|明年|今后|新的一年"],
}
_THEMES = {section: [re.compile(p) for p in patterns] for section, patterns in THEME_PATTERNS.items()}
USUAL_ORDER = ("performance", "problems", "plans")
# A sub-heading block is rectification only on stricter wording: "（三）上年度问题整改不彻底"
# inside the problems part is a problem, not the rectification part.
_SUB_RECTIFICATION_HEADING = re.compile(r"整改(?:落实|工作)?(?:情况|成效|进展)|整改落实")
_SUB_RECTIFICATION_FIRST_LINE = re.compile(r"^针对.{0,40}问题.*整改")


def _normalise(line):
    return unicodedata.normalize("NFKC", line).strip()


def classify_heading(title):
    """The section a heading's wording names, or None. `title` is NFKC-normalised, number removed."""
    # Only the heading proper: "一、工作开展情况。今年以来……" is classified on "工作开展情况".
    title = re.split(r"[。;:]", title)[0]
    for pattern in _COMPILED["rectification"]:
        if pattern.search(title):
            return "rectification"
    # (position, order, section): the first keyword wins; at the same position, problems before
    # plans before performance.
    found = [
        (match.start(), order, section)
        for order, section in enumerate(("problems", "plans", "performance"))
        for pattern in _COMPILED[section]
        if (match := pattern.search(title))
    ]
    return min(found)[2] if found else None


@dataclass
class Line:
    text: str  # original, stripped
    level: int  # 0 body, 1 top-level heading, 2 sub-heading "（一）", 3 sub-heading "1."
    section: str | None = None  # what a heading names


def line_level(text):
    """0 for body text, 1 for a top-level heading, 2 for （一）, 3 for 1. / (1) — on the original line."""
    normal = _normalise(text)
    if _TOP_NUMBERED.match(normal):
        return 1
    if _SUB_PAREN.match(normal):
        return 2
    if _SUB_ARABIC.match(normal) or _SUB_CIRCLED.match(text.strip()):
        return 3
    if _is_unnumbered_heading(normal):
        return 1
    return 0


def _is_unnumbered_heading(normal):
    # A heading may end with a colon, never with a full stop: "二是下一步计划不清。" is a sentence.
    title = normal.rstrip(":")
    if not title or len(title) > UNNUMBERED_HEADING_MAX or _SENTENCE_PUNCTUATION.search(title):
        return False
    if _ENUMERATION.match(title):
        return False
    return classify_heading(title) is not None


def _title(normal):
    for pattern in (_TOP_NUMBERED, _SUB_PAREN, _SUB_ARABIC):
        normal = pattern.sub("", normal)  # each is anchored at the start: at most one match
    return normal


def _parse(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            continue
        level = line_level(stripped)
        section = classify_heading(_title(_normalise(stripped))) if level else None
        lines.append(Line(stripped, level, section))
    return lines


@dataclass
class SplitResult:
    parts: dict = field(default_factory=dict)  # part name -> text
    headings: list = field(default_factory=list)  # [(part name, heading line)] that opened a part

    def __getitem__(self, part):
        return self.parts[part]


def split_report(text):
    """Split `text` into {preamble, performance, problems, plans, rectification}. See module doc."""
    lines = _parse(text)
    _name_themed_headings(lines)
    # Rule 7: without a top-level heading that names a section, named sub-headings act as top-level ones.
    sub_headings_on_top = not any(line.level == 1 and line.section for line in lines)
    chunks = {part: [] for part in PARTS}
    headings = []
    current = "preamble"
    enclosing = None  # while inside a rectification sub-block: the part to return to
    for index, line in enumerate(lines):
        is_top = line.level == 1 or (sub_headings_on_top and line.level in (2, 3) and line.section)
        if is_top:
            enclosing = None
            section = line.section
            if section is None and current == "preamble" and _opens_unnamed_performance(line, lines):
                section = "performance"
            if section:
                current = section
                headings.append((section, line.text))
        elif line.level == 2:
            if enclosing is not None:
                current, enclosing = enclosing, None
            if current != "rectification" and _is_rectification_block(lines, index):
                enclosing, current = current, "rectification"
                headings.append(("rectification", line.text))
        chunks[current].append(line.text)
    return SplitResult(parts={part: "\n".join(chunks[part]) for part in PARTS}, headings=headings)


def _name_themed_headings(lines):
    """Rule 9: give a section to top-level headings whose own wording names none (in place)."""
    current = None  # the last part named by a top-level heading, rectification aside
    previous_number = None  # the number of the last named part (一 → 1), None if unnumbered
    for index, line in enumerate(lines):
        if line.level != 1:
            continue
        if line.section is None:
            line.section = _section_of_sub_headings(lines, index) or _section_by_order(line, current, previous_number)
        if line.section:
            previous_number = _part_number(line.text)
        if line.section in USUAL_ORDER:
            current = line.section


def _section_of_sub_headings(lines, index):
    votes = []
    for line in lines[index + 1 :]:
        if line.level == 1:
            break
        if line.level == 2 and line.section in USUAL_ORDER:
            votes.append(line.section)
    # The most named part; at a tie the one named first (max keeps the first of equal keys).
    return max(votes, key=votes.count) if votes else None


def _part_number(text):
    """一、… → 1, 第三部分 → 3, 十二、 → 12, 二十 → 20; None for an unnumbered line."""
    match = _TOP_NUMBERED.match(_normalise(text))
    if not match:
        return None
    value = 0
    for char in re.sub(rf"[^{_CN_NUMBER}]", "", match.group(0)):
        # 十 multiplies what came before it (二十) or stands for 10 (十一); others add.
        value = (value or 1) * 10 if char == "十" else value + _CN_NUMBER.index(char) + 1
    return value


def _section_by_order(line, current, previous_number):
    if current is None:  # before any part: rule 4's unnamed opening part decides
        return None
    title = re.split(r"[。;:]", _title(_normalise(line.text)))[0]
    # The part that can come next, or the current one continued (二、存在问题 → 三、深挖根源).
    for section in USUAL_ORDER[USUAL_ORDER.index(current) :]:
        if any(pattern.search(title) for pattern in _THEMES.get(section, ())):
            return section
    # The part numbered right after a numbered problems part: 二、存在问题 → 三、… is the plans.
    if current == "problems" and previous_number is not None and _part_number(line.text) == previous_number + 1:
        return "plans"
    return None


def _opens_unnamed_performance(heading, lines):
    # Only called while still in the preamble, so every named top-level heading comes after
    # `heading`.
    if not _FIRST.match(_normalise(heading.text)):
        return False
    named = [line.section for line in lines if line.level == 1 and line.section]
    return bool(named) and named[0] == "problems" and "performance" not in named


def _is_rectification_block(lines, index):
    heading = _normalise(lines[index].text)
    if _SUB_RECTIFICATION_HEADING.search(heading):
        return True
    following = next(iter(lines[index + 1 :]), None)
    # level 0: body text, the block's first line
    return following is not None and not following.level and bool(
        _SUB_RECTIFICATION_FIRST_LINE.search(_normalise(following.text))
    )


def paragraphs(text):
    """[(kind, line)] for display: kind "h1" / "h2" / "h3" for heading lines, "p" for body text."""
    result = []
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = raw.strip()
        if stripped:
            level = line_level(stripped)
            result.append((f"h{level}" if level else "p", stripped))
    return result
