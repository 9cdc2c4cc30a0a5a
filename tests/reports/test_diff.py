"""The paragraph diff (reports/diff.py) on texts like real reports: seeds/report-community-branch-2023."""

from reports.diff import PAIR_THRESHOLD, char_diff, paragraph_diff, paragraphs_of, similarity

PERFORMANCE_2022 = """一、工作开展情况
（一）抓思想、强觉悟，加强理论武装，坚持在“硬”上下功夫。
扎实开展主题教育。全体党员严格按照支部制定的学习计划开展集中学习，26名党员制定个人学习计划并进行自学。
社区党支部严格落实“每月四日”制度，全年共召开主题党日12次、支委会会议12次，党员大会4次，党课10次。
（二）民主协商议事，提升社区治理效能，坚持在“实”上下功夫。
2023年共召开协商议事会10余次，协商解决“小区监控、维修单元门平台”等事宜7件。"""


def kinds(rows):
    return [row.kind for row in rows]


def test_unchanged_text_is_all_equal_rows():
    rows = paragraph_diff(PERFORMANCE_2022, PERFORMANCE_2022 + "\n\n")
    assert kinds(rows) == ["equal"] * 6
    assert [row.old_text for row in rows] == paragraphs_of(PERFORMANCE_2022)


def test_edited_paragraph_has_marks_only_inside_it():
    new = PERFORMANCE_2022.replace("主题党日12次", "主题党日14次")
    rows = paragraph_diff(PERFORMANCE_2022, new)
    assert kinds(rows) == ["equal", "equal", "equal", "changed", "equal", "equal"]
    changed = rows[3]
    assert ("removed", "2") in changed.old and ("added", "4") in changed.new
    # Each side reads as its own version: nothing of the other side mixed in.
    assert changed.old_text == paragraphs_of(PERFORMANCE_2022)[3]
    assert changed.new_text == paragraphs_of(new)[3]
    assert all(op == "equal" for row in rows if row is not changed for op, _ in row.old + row.new)


# The "word salad": a character diff over a rewritten sentence interleaves the two
# ("针对20225年党建度述职点评议…"). A rewritten paragraph must read as removed + added.
SALAD_OLD = "针对2022年度述职评议指出的问题，支部制定整改清单，明确责任人和完成时限。"
SALAD_NEW = "针对2025年党建述职点评意见，逐条建立台账，每月跟踪并在党员大会上通报进展。"


def test_rewritten_paragraph_is_removed_and_added_not_word_salad():
    assert similarity(SALAD_OLD, SALAD_NEW) < PAIR_THRESHOLD
    rows = paragraph_diff(f"（五）整改情况\n{SALAD_OLD}", f"（五）整改情况\n{SALAD_NEW}")
    assert kinds(rows) == ["equal", "removed", "added"]
    assert rows[1].old == [("removed", SALAD_OLD)] and rows[1].new is None
    assert rows[2].new == [("added", SALAD_NEW)] and rows[2].old is None
    assert "20225" not in "".join(text for row in rows for _, text in (row.old or []) + (row.new or []))


def test_short_unchanged_runs_inside_a_change_are_folded():
    # "2022年度述职" → "2025年党建述职": one word changed, not digits and letters interleaved.
    old, new = char_diff("针对2022年度述职评议指出的问题进行整改。", "针对2025年党建述职评议指出的问题进行整改。")
    assert old == [("equal", "针对202"), ("removed", "2年度"), ("equal", "述职评议指出的问题进行整改。")]
    assert new == [("equal", "针对202"), ("added", "5年党建"), ("equal", "述职评议指出的问题进行整改。")]


def test_long_unchanged_run_between_changes_is_kept():
    old, new = char_diff("召开支委会12次，党员大会4次。", "召开支委会14次，党员大会5次。")
    assert ("equal", "次，党员大会") in old and ("equal", "次，党员大会") in new


def test_moved_paragraph_reads_as_moved_both_ends():
    paragraphs = paragraphs_of(PERFORMANCE_2022)
    # The 议事会 paragraph moves up under（一）.
    moved = paragraphs[:2] + [paragraphs[5]] + paragraphs[2:5]
    rows = paragraph_diff(PERFORMANCE_2022, "\n".join(moved))
    assert sorted(kinds(rows)) == sorted(["equal"] * 5 + ["moved_to", "moved_from"])
    moved_to = next(row for row in rows if row.kind == "moved_to")
    moved_from = next(row for row in rows if row.kind == "moved_from")
    assert moved_to.new_text == moved_from.old_text == paragraphs[5]
    assert moved_to.moved == 6 and moved_from.moved == 3  # where it came from / went to, 1-based
    assert kinds(rows).index("moved_to") < kinds(rows).index("moved_from")


def test_moved_and_lightly_edited_paragraph_is_moved_with_marks():
    paragraphs = paragraphs_of(PERFORMANCE_2022)
    edited = paragraphs[5].replace("10余次", "12次")
    rows = paragraph_diff(PERFORMANCE_2022, "\n".join(paragraphs[:2] + [edited] + paragraphs[2:5]))
    moved_to = next(row for row in rows if row.kind == "moved_to")
    assert moved_to.new_text == edited and any(op == "added" for op, _ in moved_to.new)


def test_added_and_removed_paragraphs_between_equal_ones():
    paragraphs = paragraphs_of(PERFORMANCE_2022)
    new = paragraphs[:3] + ["新增：组织党员开展志愿服务活动18次。"] + paragraphs[4:]
    rows = paragraph_diff(PERFORMANCE_2022, "\n".join(new))
    # The 主题党日 paragraph and the new one have little in common: removed + added, in place.
    assert kinds(rows) == ["equal", "equal", "equal", "removed", "added", "equal", "equal"]


def test_pairing_keeps_reading_order_and_best_matches():
    old = "发展党员2名。\n召开支委会12次。\n开展主题党日12次。"
    new = "召开支委会14次。\n开展主题党日14次。\n党员冬训一期。"
    rows = paragraph_diff(old, new)
    assert kinds(rows) == ["removed", "changed", "changed", "added"]
    assert rows[1].old_text == "召开支委会12次。" and rows[1].new_text == "召开支委会14次。"
    assert rows[2].old_text == "开展主题党日12次。" and rows[2].new_text == "开展主题党日14次。"


def test_empty_sides():
    assert paragraph_diff("", "") == [] and paragraph_diff(None, None) == []
    assert kinds(paragraph_diff("", "新增一段。")) == ["added"]
    assert kinds(paragraph_diff("删去一段。", None)) == ["removed"]


def test_huge_rewritten_section_falls_back_without_char_diff():
    a, b = "\n".join("甲" * 3000 for _ in range(3)), "\n".join("乙" * 3000 for _ in range(3))
    rows = paragraph_diff(a, b)
    assert kinds(rows) == ["removed"] * 3 + ["added"] * 3
    assert char_diff("甲" * 3000, "乙" * 3000) == ([("removed", "甲" * 3000)], [("added", "乙" * 3000)])
