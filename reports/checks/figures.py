"""Key figures filled, and consistent with what the text says (发展党员3名 vs the figure 2)."""

import re

from .base import finding

_NUMBER = r"(\d{1,6}|[零一二两三四五六七八九十百]{1,5})"
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# figure field -> patterns whose group "n" is the number the text gives for it.
PATTERNS = {
    "member_meetings": [rf"(?:支部)?党员大会(?:会议)?{_NUMBER}次", rf"召开(?:了)?(?:支部)?党员大会{_NUMBER}次", rf"{_NUMBER}次(?:支部)?党员大会"],
    "committee_meetings": [rf"支(?:部)?委(?:员)?会(?:会议)?{_NUMBER}次", rf"{_NUMBER}次支(?:部)?委(?:员)?会"],
    "group_meetings": [rf"党小组会(?:议)?{_NUMBER}次", rf"{_NUMBER}次党小组会"],
    "party_lectures": [rf"(?<!微)党课{_NUMBER}次", rf"{_NUMBER}次(?:专题)?党课"],
    "theme_days": [rf"主题党日(?:活动)?{_NUMBER}次", rf"{_NUMBER}次主题党日"],
    "member_count": [rf"(?:现有|共有)(?:正式)?党员{_NUMBER}[名人]", rf"党员(?:总数|人数)(?:为|是|达)?{_NUMBER}[名人]?"],
    "new_members": [rf"发展(?:新|了)?(?:预备)?党员{_NUMBER}[名人]", rf"发展(?:了)?{_NUMBER}名(?:新|预备)?党员"],
}
_COMPILED = {name: [re.compile(p) for p in patterns] for name, patterns in PATTERNS.items()}


def number(text):
    """'12' or a Chinese numeral up to 999 ('十二', '二十六', '一百零五') -> int, else None."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def mentions(text, figure):
    """[(start, end, value)] of the places where `text` gives `figure`."""
    found = {}
    for pattern in _COMPILED[figure]:
        for match in pattern.finditer(text):
            value = number(match.group(1))
            if value is not None:
                found.setdefault(match.start(), (match.start(), match.end(), value))
    return sorted(found.values())


def check(data):
    found, empty = [], []
    for figure, label in data.figure_labels.items():
        value = data.figures.get(figure)
        places = [
            (section, start, end, said)
            for section in ("performance", "preamble")
            for start, end, said in mentions(data.text(section), figure)
        ]
        name = label.split("（")[0]
        if not places:
            if value is None:
                empty.append(figure)
            continue
        section, start, end, said = places[0]
        text = data.text(section)
        if value is None:
            message = f"正文写了“{text[start:end]}”，但关键数据“{name}”未填写。"
            suggestion = f"请您在关键数据中填写“{name}”（正文为 {said}）。"
        elif all(said != value for _s, _b, _e, said in places):
            message = f"正文写“{text[start:end]}”，关键数据“{name}”填的是 {value}，二者不一致。"
            suggestion = "请您核对后统一正文与关键数据。"
        else:
            continue
        found.append(finding("figures", section, text, start, end, message, suggestion))
    if empty:
        names = "、".join(f"“{data.figure_labels[f].split('（')[0]}”" for f in empty)
        found.append(
            finding(
                "figures",
                empty[0],
                "",
                0,
                0,
                f"关键数据{names}未填写。",
                "请您填写本年度的关键数据，评议时据此核对正文。",
            )
        )
    return found
