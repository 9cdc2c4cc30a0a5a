from reports.checks import CheckInput, run_checks
from reports.models import FIGURES

GOOD_PERFORMANCE = (
    "一、履职情况\n"
    "一年来，我认真履行党建工作第一责任人职责，全年主持召开支委会12次，带头讲党课4次。"
    "支部全年召开支部党员大会4次、党小组会24次，开展主题党日12次，发展党员2名。"
    "我带领支委班子走访困难党员15户，帮助解决实际问题8件，推动小区加装电梯2部，整治楼道堆物36处。"
    "针对老旧小区停车难，我牵头召开协商议事会6次，新增停车位40个。"
    "我每月带队开展“敲门行动”，收集居民意见52条，已办结49条，其余3条报街道协调解决。"
)
GOOD_PROBLEMS = (
    "二、存在问题及原因\n"
    "1.党员教育方式单一，全年集中学习以读文件为主，青年党员参学率只有60%，主要原因是我对新形式研究不够。\n"
    "2.志愿服务队伍老龄化，60岁以上队员占八成，由于没有建立青年党员报到机制，队伍补充慢。"
)
GOOD_PLANS = (
    "三、下一步打算\n"
    "1.改进党员教育方式，开设“微党课”，把青年党员参学率提高到90%。\n"
    "2.建立青年党员报到机制，充实志愿服务队伍，每季度招募新队员。"
)


# The key figures GOOD_PERFORMANCE gives (and a member count it does not).
GOOD_FIGURES = {
    "member_meetings": 4,
    "committee_meetings": 12,
    "group_meetings": 24,
    "party_lectures": 4,
    "theme_days": 12,
    "member_count": 30,
    "new_members": 2,
}


def check_input(**overrides):
    sections = {
        "preamble": "",
        "performance": GOOD_PERFORMANCE,
        "problems": GOOD_PROBLEMS,
        "plans": GOOD_PLANS,
        "rectification": "",
    }
    sections.update({k: v for k, v in overrides.items() if k in sections})
    figures = {**GOOD_FIGURES, **overrides.get("figures", {})}
    return CheckInput(
        sections=sections,
        figures=figures,
        figure_labels=FIGURES,
        rectification_required=overrides.get("rectification_required", False),
        last_year_items=overrides.get("last_year_items"),
    )


def findings(kind=None, **overrides):
    return [f for f in run_checks(check_input(**overrides)) if kind is None or f.kind == kind]


def spans(found, text_of):
    """[(section, marked text)] of findings."""
    return [(f.section, text_of[f.section][f.start : f.end]) for f in found]
