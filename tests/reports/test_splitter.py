import os
from pathlib import Path

import pytest
from django.conf import settings

from reports import splitter
from reports.seed_texts import SEED_TEXTS_DIR
from reports.splitter import (
    PARTS,
    SECTION_PATTERNS,
    UNNUMBERED_HEADING_MAX,
    classify_heading,
    line_level,
    paragraphs,
    split_report,
)

# The real sample texts (vendored with the app); SHUPING_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("SHUPING_SEEDS", SEED_TEXTS_DIR))
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SHARED_SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def read_seed(name):
    return (SEEDS / name).read_text(encoding="utf-8")


def lines_of(text):
    return [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def assert_nothing_lost(text, result):
    """Every non-blank input line is in exactly one part, and nothing else is."""
    out = [line for part in PARTS for line in lines_of(result.parts[part])]
    assert sorted(out) == sorted(lines_of(text))


def test_seed_files_are_there():
    assert len(SEED_FILES) >= 4, SEEDS


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="no ../shared/seeds beside this checkout")
def test_vendored_seeds_are_the_shared_ones():
    shared = {path.name: path.read_bytes() for path in SHARED_SEEDS.glob("*.txt")}
    vendored = {path.name: path.read_bytes() for path in SEED_TEXTS_DIR.glob("*.txt")}
    assert vendored == shared


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_nothing_lost(path):
    text = path.read_text(encoding="utf-8")
    assert_nothing_lost(text, split_report(text))


def test_community_branch_report():
    result = split_report(read_seed("report-community-branch-2023.txt"))
    assert result["preamble"].startswith("XX社区党支部书记2023年度抓基层党建述职报告\n各位领导、同志们：")
    assert result["performance"].startswith("一、工作开展情况\n（一）抓思想、强觉悟")
    assert "扎实开展主题教育。" in result["performance"]
    assert "（四）落实党建责任制，打造廉洁支部" in result["performance"]
    assert "四是落实帮办代办机制" in result["performance"]
    # the （五） block answers last year's review: it is the rectification part
    assert result["rectification"].startswith("（五）深入剖析查摆问题")
    assert "针对2022年党建述职点评的问题" in result["rectification"]
    assert "一是进一步健全和完善组织结构" in result["rectification"]
    assert "针对2022年" not in result["performance"]
    assert result["problems"].startswith("二、存在问题及原因\n1.选优配强支委班子成员")
    assert "2.由于工作调动等原因" in result["problems"]
    assert result["plans"].startswith("三、下一步工作计划\n一是扎实推进创建坚强堡垒")
    assert "最后，感谢各位领导" in result["plans"]  # closing words stay where they are
    assert [part for part, _ in result.headings] == ["performance", "rectification", "problems", "plans"]


def test_agency_branch_summary():
    result = split_report(read_seed("summary-agency-branch-2022.txt"))
    assert result["preamble"].startswith("2022年基层党建工作总结\n2022年以来，***党支部")
    assert "（八）紧扣主题主线，扎实推进作风革命效能革命" in result["performance"]
    assert "（三）严格制度落实，全面提升党建水平" in result["performance"]
    assert result["problems"].startswith("二、存在的问题\n一年来")
    assert "二是党建业务融合效果不佳" in result["problems"]
    assert result["plans"].startswith("三、下步工作打算")
    assert "（五）抓纪律，强作风" in result["plans"]
    assert result["rectification"] == ""


def test_community_committee_speech():
    result = split_report(read_seed("speech-community-committee-2022.txt"))
    assert result["preamble"].startswith("同志们：")
    assert "下面，根据**社区当前实际情况，我主要讲三个方面的意见。" in result["preamble"]
    # "一、踔厉奋发，勇毅前行" names nothing, but it opens the document and precedes 存在的问题
    assert result["performance"].startswith("一、踔厉奋发，勇毅前行")
    assert "（五）党风廉政建设稳步推进" in result["performance"]
    assert "三是党务工作者业务能力较低" in result["problems"]
    assert result["plans"].startswith("三、转变思想，提高站位，坚持不懈抓好下一步党建工作")
    assert "二是巩固主题教育成果" in result["plans"]
    assert "同志们，新形势对党建工作提出了新要求" in result["plans"]


def test_county_speech_without_headings_stays_in_preamble():
    text = read_seed("speech-county-committee.txt")
    result = split_report(text)
    assert all(result[part] == "" for part in PARTS if part != "preamble")
    assert "我县基层党组织建设还存在一些差距和不足" in result["preamble"]
    assert result["preamble"].endswith("我就讲这些，散会。")
    assert result.headings == []
    assert "\xa0" not in result["preamble"].split("\n")[1][:1]  # indentation stripped


@pytest.mark.parametrize(
    "heading, section",
    [
        ("工作开展情况", "performance"),
        ("履职情况", "performance"),
        ("主要工作", "performance"),
        ("工作成效", "performance"),
        ("抓基层党建工作情况", "performance"),
        ("存在问题", "problems"),
        ("存在的问题", "problems"),
        ("存在问题及原因", "problems"),
        ("不足", "problems"),
        ("存在问题及下一步打算", "problems"),
        ("下一步工作计划", "plans"),
        ("下一步打算", "plans"),
        ("下步工作打算", "plans"),
        ("下步工作思路", "plans"),
        ("转变思想,提高站位,坚持不懈抓好下一步党建工作", "plans"),
        ("2024年工作打算", "plans"),
        ("上年度问题整改情况", "rectification"),
        ("整改落实情况", "rectification"),
        ("针对上年度述职评议指出问题的整改情况", "rectification"),
        ("针对去年点评问题抓好整改", "rectification"),
        ("踔厉奋发,勇毅前行", None),
        ("其他工作", None),
    ],
)
def test_classify_heading(heading, section):
    assert classify_heading(heading) == section


def test_unnumbered_headings():
    text = "述职报告\n工作开展情况\n做了很多工作。\n存在问题\n学习不够。\n下一步打算\n加强学习。\n上年度问题整改情况\n已整改。"
    result = split_report(text)
    assert result["preamble"] == "述职报告"
    assert result["performance"] == "工作开展情况\n做了很多工作。"
    assert result["problems"] == "存在问题\n学习不够。"
    assert result["plans"] == "下一步打算\n加强学习。"
    assert result["rectification"] == "上年度问题整改情况\n已整改。"


def test_short_sentence_is_not_a_heading():
    result = split_report("一、工作开展情况\n下一步，我们将继续努力。\n存在问题较多，需要改进。")
    assert result["performance"] == "一、工作开展情况\n下一步，我们将继续努力。\n存在问题较多，需要改进。"


def test_part_numbering():
    text = "第一部分 履职情况\n甲\n第二部分　存在问题\n乙\n第三部分、下步工作思路\n丙\n第四部分 上年度问题整改情况\n丁"
    result = split_report(text)
    assert result["performance"].endswith("甲") and result["problems"].endswith("乙")
    assert result["plans"].endswith("丙") and result["rectification"].endswith("丁")


def test_full_width_and_half_width_punctuation_and_spaces():
    text = "一．工作开展情况\n(一)学习\n甲\n二. 存在的问题\n乙\n三　下一步打算\n丙\n四,整改落实情况\n丁\n　　（二）全角缩进的小标题\n戊"
    result = split_report(text)
    assert result["performance"] == "一．工作开展情况\n(一)学习\n甲"
    assert result["problems"] == "二. 存在的问题\n乙"
    assert result["plans"] == "三　下一步打算\n丙"
    assert result["rectification"] == "四,整改落实情况\n丁\n（二）全角缩进的小标题\n戊"


def test_rectification_first():
    text = "一、上年度问题整改情况\n已整改三项。\n二、履职情况\n甲\n三、存在问题\n乙\n四、下一步打算\n丙"
    result = split_report(text)
    assert result["rectification"] == "一、上年度问题整改情况\n已整改三项。"
    assert result["performance"] == "二、履职情况\n甲"
    assert result["plans"] == "四、下一步打算\n丙"


def test_rectification_last_and_unrecognised_heading_stays_in_section():
    text = "导语\n一、主要工作\n甲\n二、存在问题\n乙\n三、下步打算\n丙\n四、其他需要说明的事项\n丁\n五、针对上年度述职评议指出问题的整改情况\n戊"
    result = split_report(text)
    assert result["preamble"] == "导语"
    assert result["plans"] == "三、下步打算\n丙\n四、其他需要说明的事项\n丁"
    assert result["rectification"] == "五、针对上年度述职评议指出问题的整改情况\n戊"


def test_unrecognised_heading_before_any_section_goes_to_preamble():
    text = "一、踔厉奋发\n甲\n二、勇毅前行\n乙"
    result = split_report(text)
    assert result["preamble"] == "一、踔厉奋发\n甲\n二、勇毅前行\n乙"
    assert result.headings == []


def test_duplicated_headings_continue_the_section():
    text = "一、存在问题\n甲\n二、下一步打算\n乙\n三、存在问题\n丙"
    result = split_report(text)
    assert result["problems"] == "一、存在问题\n甲\n三、存在问题\n丙"
    assert result["plans"] == "二、下一步打算\n乙"


def test_sub_headings_stay_in_their_section():
    text = "一、存在问题\n（一）学习不深入\n1.个别党员学习少\n（三）上年度问题整改不彻底\n甲\n二、下一步打算\n乙"
    result = split_report(text)
    assert result["problems"] == "一、存在问题\n（一）学习不深入\n1.个别党员学习少\n（三）上年度问题整改不彻底\n甲"
    assert result["rectification"] == ""


def test_rectification_sub_block_returns_to_enclosing_section():
    text = "一、工作开展情况\n（一）学习\n甲\n（二）上年度问题整改情况\n乙\n（三）组织建设\n丙\n二、存在问题\n丁"
    result = split_report(text)
    assert result["performance"] == "一、工作开展情况\n（一）学习\n甲\n（三）组织建设\n丙"
    assert result["rectification"] == "（二）上年度问题整改情况\n乙"


def test_sub_headings_used_as_main_headings_when_no_top_level():
    text = "报告\n（一）履职情况\n甲\n（二）存在问题\n乙\n（三）下一步打算\n丙"
    result = split_report(text)
    assert result["preamble"] == "报告"
    assert result["performance"] == "（一）履职情况\n甲"
    assert result["problems"] == "（二）存在问题\n乙"
    assert result["plans"] == "（三）下一步打算\n丙"


def test_heading_with_text_on_the_same_line():
    result = split_report("一、工作开展情况。今年以来，我们召开支委会12次。\n二、存在问题：学习不够。")
    assert result["performance"].startswith("一、工作开展情况。")
    assert result["problems"] == "二、存在问题：学习不够。"


def test_yi_shi_enumeration_is_not_a_heading():
    result = split_report("二、存在问题\n一是学习不够。\n二是下一步计划不清。")
    assert result["problems"] == "二、存在问题\n一是学习不够。\n二是下一步计划不清。"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings(newline):
    text = newline.join(["标题", "一、履职情况", "甲", "", "二、存在问题", "乙"])
    result = split_report(text)
    assert result["performance"] == "一、履职情况\n甲" and result["problems"] == "二、存在问题\n乙"
    assert_nothing_lost(text, result)


@pytest.mark.parametrize("text", ["", "   \n\n\u3000\n", None])
def test_empty_input(text):
    result = split_report(text)
    assert all(result[part] == "" for part in PARTS)


def test_paragraphs_for_display():
    assert paragraphs("一、工作开展情况\n（一）学习\n1.读书\n 正文 \n\n") == [
        ("h1", "一、工作开展情况"),
        ("h2", "（一）学习"),
        ("h3", "1.读书"),
        ("p", "正文"),
    ]


# ---------------------------------------------------------------- every wording, and every rule where it must not apply

# One heading per pattern of SECTION_PATTERNS, in the same order, that only this pattern classifies:
# without the pattern the heading would name another section or none (checked below).
WORDINGS = {
    "rectification": ["整改进展", "去年点评指出问题的整改", "针对述职点评问题抓好整改", "问题整改"],
    "problems": ["存在的主要短板", "问题与不足", "工作中的不足之处", "问题", "不足与差距", "正视问题找差距", "短板弱项", "原因分析"],
    "plans": ["下步重点", "明年工作安排", "工作思路", "打算与措施", "今后努力方向", "改进措施"],
    "performance": ["主要工作", "工作成效", "主要做法", "党建工作回顾", "取得的成绩", "支部活动开展情况", "基本情况", "履职尽责"],
}


def test_a_wording_for_every_pattern():
    assert {section: len(headings) for section, headings in WORDINGS.items()} == {
        section: len(patterns) for section, patterns in SECTION_PATTERNS.items()
    }


@pytest.mark.parametrize(
    "section, index, heading",
    [(section, index, heading) for section, headings in WORDINGS.items() for index, heading in enumerate(headings)],
)
def test_each_wording_names_its_section_and_needs_its_pattern(monkeypatch, section, index, heading):
    assert classify_heading(heading) == section
    # as a bare heading line, numbered or not
    assert split_report(f"导语\n{heading}\n正文")[section] == f"{heading}\n正文"
    assert split_report(f"导语\n一、{heading}\n正文")[section] == f"一、{heading}\n正文"
    without = [pattern for position, pattern in enumerate(splitter._COMPILED[section]) if position != index]
    monkeypatch.setitem(splitter._COMPILED, section, without)
    assert classify_heading(heading) != section


@pytest.mark.parametrize(
    "heading, section",
    [
        # only the heading proper, before 。 ; : (full-width or not), is classified
        ("工作开展情况。存在问题较多", "performance"),
        ("工作开展情况;上年度问题整改情况", "performance"),
        ("主要工作:下一步打算", "performance"),
        ("存在问题;下一步打算", "problems"),
        # rectification wording wins wherever it is
        ("下一步打算及上年度问题整改情况", "rectification"),
        # otherwise the first keyword wins
        ("主要工作和存在问题", "performance"),
        ("下一步打算和存在问题", "plans"),
        ("存在问题和主要工作", "problems"),
        ("工作情况和打算", "performance"),
        ("", None),
    ],
)
def test_classify_heading_proper_and_first_keyword(heading, section):
    assert classify_heading(heading) == section


def test_heading_text_after_a_full_stop_does_not_rename_the_part():
    text = "一、工作开展情况。上年度问题整改情况另见附件。\n甲\n二、存在问题\n乙"
    result = split_report(text)
    assert result["performance"] == "一、工作开展情况。上年度问题整改情况另见附件。\n甲"
    assert result["rectification"] == ""


@pytest.mark.parametrize(
    "line, level",
    [
        ("存在问题", 1),
        ("存在问题：", 1),  # a heading may end with a colon
        ("存在问题。", 0),  # never with a full stop
        ("：", 0),
        ("存在问题，需要改进", 0),  # sentence punctuation inside
        ("存在问题!", 0),
        ("存在问题?", 0),
        ("存在问题;", 0),
        ("一是存在问题", 0),  # enumeration
        ("二要下一步打算", 0),
        ("首先存在问题", 0),
        ("其次下一步打算", 0),
        ("再次存在问题", 0),
        ("最后下一步打算", 0),
        ("踔厉奋发勇毅前行", 0),  # short, but names no section
        ("一、踔厉奋发", 1),
        ("一.踔厉奋发", 1),
        ("一 踔厉奋发", 1),
        ("第一部分踔厉奋发", 1),
        ("第二章 存在问题", 1),
        ("第三篇、下一步打算", 1),
        ("一.5亿元投入", 0),  # a decimal number, not a heading number
        ("（一）学习", 2),
        ("(二)学习", 2),
        ("1.读书", 3),
        ("12、读书", 3),
        ("(3)读书", 3),
        ("①读书", 3),
        ("1.5万元", 0),
        ("123.读书", 0),
    ],
)
def test_line_level(line, level):
    assert line_level(line) == level


def test_unnumbered_heading_length_limit():
    heading_20 = "存在问题" + "甲" * 16
    assert UNNUMBERED_HEADING_MAX == len(heading_20) == 20
    assert line_level(heading_20) == 1
    assert line_level(heading_20 + "：") == 1  # the colon is not counted
    assert line_level(heading_20 + "甲") == 0
    assert split_report(f"导语\n{heading_20 + '甲'}\n正文")["preamble"] == f"导语\n{heading_20 + '甲'}\n正文"


def test_bare_unnumbered_heading_inside_a_numbered_report():
    # a bare "存在问题" line is a top-level heading too, even between numbered ones
    text = "一、主要工作\n甲\n存在问题\n乙\n三、下一步打算\n丙"
    result = split_report(text)
    assert result["performance"] == "一、主要工作\n甲"
    assert result["problems"] == "存在问题\n乙"
    assert result["plans"] == "三、下一步打算\n丙"
    assert result.headings == [("performance", "一、主要工作"), ("problems", "存在问题"), ("plans", "三、下一步打算")]


def test_sub_headings_naming_sections_stay_inside_a_numbered_report():
    text = "一、工作开展情况\n（一）存在问题的整治\n甲\n1.下一步打算\n乙\n二、存在问题\n丙"
    result = split_report(text)
    assert result["performance"] == "一、工作开展情况\n（一）存在问题的整治\n甲\n1.下一步打算\n乙"
    assert result["problems"] == "二、存在问题\n丙"
    assert result["plans"] == ""


def test_arabic_numbered_sub_headings_used_as_main_headings():
    text = "述职报告\n1.履职情况\n甲\n2.存在问题\n乙\n3.下一步打算\n丙\n4.上年度问题整改情况\n丁"
    result = split_report(text)
    assert result["preamble"] == "述职报告"
    assert result["performance"] == "1.履职情况\n甲"
    assert result["problems"] == "2.存在问题\n乙"
    assert result["plans"] == "3.下一步打算\n丙"
    assert result["rectification"] == "4.上年度问题整改情况\n丁"


def test_sub_headings_as_main_headings_keep_unnamed_ones_in_their_part():
    text = "（一）履职情况\n（二）抓学习\n甲\n(1)读书\n乙\n（三）存在问题\n丙"
    result = split_report(text)
    assert result["performance"] == "（一）履职情况\n（二）抓学习\n甲\n(1)读书\n乙"
    assert result["problems"] == "（三）存在问题\n丙"
    assert [part for part, _ in result.headings] == ["performance", "problems"]


def test_unnamed_opening_part_needs_a_problems_heading_next():
    # followed by plans, not problems: it stays in the preamble
    result = split_report("一、踔厉奋发\n甲\n二、下一步打算\n乙")
    assert result["preamble"] == "一、踔厉奋发\n甲" and result["performance"] == ""


def test_unnamed_opening_part_directly_followed_by_problems():
    result = split_report("导语\n一、踔厉奋发\n二、存在问题\n乙")
    assert result["preamble"] == "导语"
    assert result["performance"] == "一、踔厉奋发"
    assert result.headings == [("performance", "一、踔厉奋发"), ("problems", "二、存在问题")]


def test_unnamed_opening_part_not_when_a_performance_heading_follows():
    text = "一、踔厉奋发\n甲\n二、存在问题\n乙\n三、主要工作\n丙"
    result = split_report(text)
    assert result["preamble"] == "一、踔厉奋发\n甲"
    assert result["performance"] == "三、主要工作\n丙"


def test_unnamed_opening_part_must_be_numbered_one():
    text = "二、踔厉奋发\n甲\n三、存在问题\n乙"
    result = split_report(text)
    assert result["preamble"] == "二、踔厉奋发\n甲" and result["performance"] == ""
    text = "第一部分 踔厉奋发\n甲\n第二部分 存在问题\n乙"
    assert split_report(text)["performance"] == "第一部分 踔厉奋发\n甲"


def test_unnamed_heading_numbered_one_after_a_section_is_not_performance():
    text = "导语\n存在问题\n甲\n一、踔厉奋发\n乙\n二、存在问题\n丙"
    result = split_report(text)
    assert result["performance"] == ""
    assert result["problems"] == "存在问题\n甲\n一、踔厉奋发\n乙\n二、存在问题\n丙"


def test_rectification_sub_block_by_its_first_line():
    text = "一、主要工作\n（一）学习\n甲\n（二）查摆问题\n针对上年度指出的问题，逐项整改到位。\n乙\n二、存在问题\n丙"
    result = split_report(text)
    assert result["rectification"] == "（二）查摆问题\n针对上年度指出的问题，逐项整改到位。\n乙"
    assert result["performance"] == "一、主要工作\n（一）学习\n甲"
    assert result.headings[1] == ("rectification", "（二）查摆问题")


def test_rectification_sub_block_by_the_words_zhenggai_luoshi():
    text = "一、主要工作\n（一）抓好整改落实\n甲\n（二）学习\n乙"
    result = split_report(text)
    assert result["rectification"] == "（一）抓好整改落实\n甲"
    assert result["performance"] == "一、主要工作\n（二）学习\n乙"


def test_first_line_rule_only_for_body_text_right_after_the_sub_heading():
    # the line after the sub-heading is itself a sub-heading: not a rectification block
    text = "一、主要工作\n（一）查摆问题\n1.针对上年度指出的问题整改\n甲\n（二）学习"
    result = split_report(text)
    assert result["rectification"] == ""
    assert result["performance"] == "一、主要工作\n（一）查摆问题\n1.针对上年度指出的问题整改\n甲\n（二）学习"
    # a sub-heading on the last line has no first line
    assert split_report("一、主要工作\n（一）查摆问题")["performance"] == "一、主要工作\n（一）查摆问题"


def test_arabic_sub_heading_never_opens_a_rectification_block():
    text = "一、主要工作\n1.上年度问题整改情况\n甲\n2.学习\n乙"
    result = split_report(text)
    assert result["rectification"] == ""
    assert result["performance"] == text


def test_rectification_sub_block_inside_the_rectification_part_opens_nothing():
    text = "一、主要工作\n甲\n二、上年度问题整改情况\n（一）整改落实情况\n乙\n（二）其他\n丙"
    result = split_report(text)
    assert result["rectification"] == "二、上年度问题整改情况\n（一）整改落实情况\n乙\n（二）其他\n丙"
    assert result.headings == [("performance", "一、主要工作"), ("rectification", "二、上年度问题整改情况")]


def test_rectification_sub_block_ends_at_the_next_top_level_heading():
    text = "一、主要工作\n（一）上年度问题整改情况\n甲\n二、存在问题\n（一）学习不够\n乙"
    result = split_report(text)
    assert result["rectification"] == "（一）上年度问题整改情况\n甲"
    assert result["problems"] == "二、存在问题\n（一）学习不够\n乙"


def test_rectification_sub_block_in_the_preamble_returns_to_the_preamble():
    text = "导语\n（一）上年度问题整改情况\n甲\n（二）其他\n乙\n一、主要工作\n丙"
    result = split_report(text)
    assert result["rectification"] == "（一）上年度问题整改情况\n甲"
    assert result["preamble"] == "导语\n（二）其他\n乙"
    assert result["performance"] == "一、主要工作\n丙"


def test_rectification_sub_block_whose_first_line_is_the_last_line():
    text = "一、主要工作\n甲\n（二）查摆问题\n针对上年度指出的问题，逐项整改到位。"
    result = split_report(text)
    assert result["rectification"] == "（二）查摆问题\n针对上年度指出的问题，逐项整改到位。"
    assert result["performance"] == "一、主要工作\n甲"


def test_long_report_ending_with_a_sub_heading():
    # more than 256 lines: line numbers are no longer CPython's shared small ints
    text = "\n".join(["一、主要工作", *[f"第{n}段。" for n in range(300)], "（一）查摆问题"])
    result = split_report(text)
    assert result["performance"] == text
    assert_nothing_lost(text, result)


def test_unnamed_opening_part_needs_problems_as_the_first_named_heading():
    # the first named heading is the rectification part: no unnamed performance part
    text = "一、踔厉奋发\n甲\n二、上年度问题整改情况\n乙\n三、存在问题\n丙"
    result = split_report(text)
    assert result["preamble"] == "一、踔厉奋发\n甲" and result["performance"] == ""


def test_item_numbered_one_inside_the_plans_stays_in_the_plans():
    text = "一、存在问题\n甲\n二、下一步打算\n一、加强学习\n乙"
    result = split_report(text)
    assert result["plans"] == "二、下一步打算\n一、加强学习\n乙"
    assert result["performance"] == ""


def test_first_line_rule_not_for_a_heading_line():
    # the line after the sub-heading is a bare rectification heading, not the block's first line
    text = "一、主要工作\n（一）查摆问题\n针对上年度问题的整改情况\n甲"
    result = split_report(text)
    assert result["performance"] == "一、主要工作\n（一）查摆问题"
    assert result["rectification"] == "针对上年度问题的整改情况\n甲"


def test_unnamed_opening_part_looks_only_at_top_level_headings():
    # a named sub-heading inside the opening part does not count as the performance heading
    text = "一、踔厉奋发\n（一）主要工作\n甲\n二、存在问题\n乙"
    result = split_report(text)
    assert result["performance"] == "一、踔厉奋发\n（一）主要工作\n甲"
    assert result["problems"] == "二、存在问题\n乙"


# --- rule 9: themed headings (more cases in test_heading_styles.py) ---------------------------


def test_themed_problems_by_words_and_plans_by_words():
    text = "一、履职情况\n甲\n二、对标检视，正视问题找差距\n乙\n三、精准施策，凝心聚力谋发展\n丙"
    result = split_report(text)
    assert result["problems"] == "二、对标检视，正视问题找差距\n乙"
    assert result["plans"] == "三、精准施策，凝心聚力谋发展\n丙"
    assert result.headings == [
        ("performance", "一、履职情况"),
        ("problems", "二、对标检视，正视问题找差距"),
        ("plans", "三、精准施策，凝心聚力谋发展"),
    ]


def test_themed_heading_named_by_its_sub_headings():
    text = "一、履职情况\n甲\n二、自我检查\n（一）存在的问题\n乙\n（二）原因分析\n丙\n三、砥砺前行\n丁"
    result = split_report(text)
    assert result["problems"] == "二、自我检查\n（一）存在的问题\n乙\n（二）原因分析\n丙"
    assert result["plans"] == "三、砥砺前行\n丁"


def test_sub_headings_vote_most_named_then_first_named():
    # two plans sub-headings against one problems sub-heading
    text = "一、主要工作\n甲\n二、回望\n（一）存在问题\n（二）下步打算\n（三）工作措施\n乙"
    assert split_report(text)["plans"].startswith("二、回望")
    # a tie: the first named wins
    text = "一、主要工作\n甲\n二、回望\n（一）下步打算\n（二）存在问题\n乙"
    assert split_report(text)["plans"].startswith("二、回望")
    text = "一、主要工作\n甲\n二、回望\n（一）存在问题\n（二）下步打算\n乙"
    assert split_report(text)["problems"].startswith("二、回望")


def test_sub_headings_vote_ignores_rectification_and_arabic_items_and_stops_at_next_part():
    text = "一、主要工作\n甲\n二、回望\n（一）上年度问题整改情况\n1.存在问题\n三、存在问题\n乙\n（一）下步打算"
    result = split_report(text)
    # 二、回望 names nothing: its sub-headings are rectification and a 1. item; 三's sub-heading is not its
    assert result["performance"].startswith("一、主要工作\n甲\n二、回望")
    assert result["rectification"] == "（一）上年度问题整改情况\n1.存在问题"


def test_theme_words_read_on_the_heading_proper():
    # "补齐弱项" names the problems; what follows the colon does not rename the part
    result = split_report("一、主要工作\n甲\n二、补齐弱项：具体如下\n乙")
    assert result["problems"] == "二、补齐弱项：具体如下\n乙"
    result = split_report("一、主要工作\n甲\n二、具体如下：补齐弱项\n乙")
    assert result["performance"] == "一、主要工作\n甲\n二、具体如下：补齐弱项\n乙"


def test_unnamed_opening_part_looks_at_top_level_parts_only():
    # a rectification sub-block before the problems part does not hide the opening part
    text = "一、踔厉奋发\n（一）上年度问题整改情况\n甲\n二、存在问题\n乙"
    result = split_report(text)
    assert result["performance"] == "一、踔厉奋发"
    assert result["rectification"] == "（一）上年度问题整改情况\n甲"
    assert result["problems"] == "二、存在问题\n乙"


def test_theme_words_only_in_the_usual_order():
    # plans words cannot make a part before any part; problems words cannot follow the plans
    assert split_report("一、凝心聚力谋发展\n甲\n二、存在问题\n乙")["performance"] == "一、凝心聚力谋发展\n甲"
    text = "一、主要工作\n甲\n二、下步打算\n乙\n三、补齐弱项\n丙"
    assert split_report(text)["plans"] == "二、下步打算\n乙\n三、补齐弱项\n丙"
    # performance → a problems theme may open the problems; problems → a plans theme opens the plans
    text = "一、主要工作\n甲\n二、正视短板\n乙\n三、展望未来\n丙\n四、加强学习\n丁"
    result = split_report(text)
    assert result["problems"] == "二、正视短板\n乙" and result["plans"] == "三、展望未来\n丙\n四、加强学习\n丁"
    # after the problems, problems words continue the problems part
    text = "一、主要工作\n甲\n二、存在问题\n乙\n三、深挖根源\n丙\n四、凝心聚力\n丁"
    result = split_report(text)
    assert result["problems"] == "二、存在问题\n乙\n三、深挖根源\n丙" and result["plans"] == "四、凝心聚力\n丁"


def test_plans_by_order_only_for_the_next_number_after_a_numbered_problems_part():
    assert split_report("一、主要工作\n甲\n二、存在问题\n乙\n三、凝心聚力\n丙")["plans"] == "三、凝心聚力\n丙"
    assert split_report("一、主要工作\n甲\n二、存在问题\n乙\n四、凝心聚力\n丙")["plans"] == ""
    assert split_report("第一部分 主要工作\n甲\n第二部分 存在问题\n乙\n第三部分 凝心聚力\n丙")["plans"] == "第三部分 凝心聚力\n丙"
    assert split_report("九、主要工作\n甲\n十、存在问题\n乙\n十一、凝心聚力\n丙")["plans"] == "十一、凝心聚力\n丙"
    assert split_report("八、主要工作\n甲\n九、存在问题\n乙\n十、凝心聚力\n丙")["plans"] == "十、凝心聚力\n丙"
    # a lower or the same number after the problems part: its own items, not the plans
    for number in ("一", "二", "一 "):
        text = f"一、主要工作\n甲\n二、存在问题\n乙\n{number}、凝心聚力\n丙"
        assert split_report(text)["plans"] == "", number
    assert split_report("十、主要工作\n甲\n十一、存在问题\n乙\n十二、凝心聚力\n丙")["plans"] == "十二、凝心聚力\n丙"
    assert split_report("十九、存在问题\n乙\n二十、凝心聚力\n丙")["plans"] == "二十、凝心聚力\n丙"
    assert split_report("二十、存在问题\n乙\n二十一、凝心聚力\n丙")["plans"] == "二十一、凝心聚力\n丙"
    assert split_report("二十一、存在问题\n乙\n二十二、凝心聚力\n丙")["plans"] == "二十二、凝心聚力\n丙"
    # an unnumbered problems heading, or numbering that restarts: items of the problems
    assert split_report("存在问题\n乙\n一、凝心聚力\n丙")["plans"] == ""
    assert split_report("一、主要工作\n二、存在问题\n乙\n凝心聚力，奋发有为\n丙")["plans"] == ""
    # the rectification part between them does not break the order
    text = "一、主要工作\n甲\n二、存在问题\n乙\n三、上年度问题整改情况\n丙\n四、凝心聚力\n丁"
    result = split_report(text)
    assert result["rectification"] == "三、上年度问题整改情况\n丙"
    assert result["plans"] == "四、凝心聚力\n丁"  # right after the numbered rectification part
    text = "一、主要工作\n甲\n二、存在问题\n乙\n上年度问题整改情况\n丙\n三、凝心聚力\n丁"
    assert split_report(text)["rectification"] == "上年度问题整改情况\n丙\n三、凝心聚力\n丁"
