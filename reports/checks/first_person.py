"""First person: the report is the secretary's own account (我/本人 as secretary), not only a
description of what the unit did; and the secretary is not spoken of in the third person."""

import re

from .base import finding, is_heading, sentences

# 我 as the secretary, not the unit's 我支部/我社区/我们/我党/我国.
_SELF = re.compile(r"本人|作为(?:党?支部|党总支|党委|社区党?支部|村党?支部)?书记|我(?![们支社村党国局校院所镇委司厂部单街县市省区处科室中组])")
# Names of campaigns that say 我 without being the secretary's own voice.
_CAMPAIGNS = re.compile(r"我为群众办实事|我为群众办实事实践活动")
# 书记 as the subject in the third person: 支部书记带头讲党课.
_THIRD = re.compile(r"(?<![我人])(?:支部|党支部|社区|村|总支)?书记(?:同志)?(?:带头|亲自|认真|坚持|主持|带领|讲授|率先|主动)")


def check(data):
    found = []
    own = "".join(data.text(s) for s in ("preamble", "performance", "problems", "plans", "rectification"))
    own = _CAMPAIGNS.sub("", own)
    performance = data.text("performance")
    if performance.strip() and not _SELF.search(own):
        spans = [span for span in sentences(performance) if not is_heading(performance[span[0] : span[1]])]
        start, end = spans[0] if spans else (0, 0)
        found.append(
            finding(
                "first_person",
                "performance",
                performance,
                start,
                end,
                "报告通篇以单位的口吻叙述（“支部开展了……”），没有以第一人称写您本人作为书记抓党建的履职情况。",
                "述职报告是书记本人的述职：请用“我”写清您本人履行第一责任人职责做了什么、效果如何。",
            )
        )
    for section in ("preamble", "performance", "problems", "plans", "rectification"):
        text = data.text(section)
        for match in _THIRD.finditer(text):
            if re.search(r"作为|我|本人", text[max(0, match.start() - 4) : match.start()]):
                continue  # 作为支部书记，我带头……: the secretary speaking of their own role
            found.append(
                finding(
                    "first_person",
                    section,
                    text,
                    match.start(),
                    match.end(),
                    f"以第三人称称呼书记：“{match.group(0)}”。",
                    "述职报告由书记本人陈述，请改为第一人称（如“我带头……”）。",
                )
            )
    return found
