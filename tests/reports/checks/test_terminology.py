import ast
from pathlib import Path

import pytest
from django.conf import settings

from reports.checks import CheckInput, dictionaries, run_checks
from reports.models import FIGURES
from reports.splitter import split_report

from .helpers import GOOD_PERFORMANCE, findings

SEEDS = sorted((Path(settings.BASE_DIR) / "reports" / "seed_texts").glob("*.txt"))
SHARED_SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))


def terminology(text, section="performance"):
    found = findings("terminology", **{section: text})
    return [(f.start, f.end, f.message, f.suggestion) for f in found]


@pytest.mark.parametrize("path", SEEDS + SHARED_SEEDS, ids=lambda p: p.name)
def test_no_false_terminology_finding_on_the_real_reports(path):
    parts = split_report(path.read_text(encoding="utf-8")).parts
    data = CheckInput(sections=parts, figures={}, figure_labels=FIGURES)
    assert [f for f in run_checks(data) if f.kind == "terminology"] == []
    # The real reports do use the formulations the dictionary knows: the check had something to read.
    assert any(word in path.read_text(encoding="utf-8") for word in ("四个意识", "两个维护", "习近平新时代中国特色社会主义思想", "两个确立"))


# The test files that plant 提法 errors on purpose (crafted texts): every other text is real usage.
PLANTED = {"test_check_views.py", "test_report_checks_journey.py"}


def _test_collection_texts():
    """Every Chinese string literal of the test suite outside the crafted-error tests."""
    root = Path(settings.BASE_DIR) / "tests"
    here = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        if here in path.resolve().parents or path.name in PLANTED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any("\u4e00" <= c <= "\u9fff" for c in node.value):
                yield path.name, node.value


def test_no_false_terminology_finding_in_the_tests_own_texts():
    texts = list(_test_collection_texts())
    assert len(texts) > 100
    false = []
    for name, text in texts:
        data = CheckInput(sections={"performance": text}, figures={}, figure_labels=FIGURES)
        false += [(name, text[f.start : f.end]) for f in run_checks(data) if f.kind == "terminology"]
    assert false == []


@pytest.mark.parametrize(
    "wrong,right",
    [
        ("二个维护", "两个维护"),
        ("二个确立", "两个确立"),
        ("4个意识", "四个意识"),
        ("五个自信", "四个自信"),
        ("习近平新时代中国特色社会主义理论", "习近平新时代中国特色社会主义思想"),
        ("习近平中国特色社会主义思想", "习近平新时代中国特色社会主义思想"),
        ("党的20大", "党的二十大"),
    ],
)
def test_wrong_forms_are_found_with_their_span(wrong, right):
    text = f"我带领支部党员深入学习，做到{wrong}，取得实效。"
    found = terminology(text)
    assert len(found) == 1
    start, end, _message, suggestion = found[0]
    assert text[start:end] == wrong
    assert right in suggestion


def test_incomplete_and_altered_formulations():
    text = "学习新时代中国特色社会主义思想。学习贯彻二十大三中全会精神。学习二十届3中全会精神。"
    found = terminology(text)
    assert [text[s:e] for s, e, _m, _g in found] == ["新时代中国特色社会主义思想", "二十大三中全会", "二十届3中全会"]
    altered = "深入学习习近平新时代中国特色主义思想。"
    ((start, end, _message, suggestion),) = terminology(altered)
    assert altered[start:end] == "习近平新时代中国特色主义思想" and "习近平新时代中国特色社会主义思想" in suggestion


def test_correct_formulations_are_not_flagged():
    text = (
        "深入学习习近平新时代中国特色社会主义思想，学习贯彻党的二十大和二十届二中、三中全会精神，"
        "学习党的二十届三中全会精神，增强“四个意识”、坚定“四个自信”、做到“两个维护”，深刻领悟“两个确立”的决定性意义。"
        "增强政治意识、大局意识、核心意识、看齐意识，坚定道路自信、理论自信、制度自信、文化自信。"
        "坚决维护习近平总书记党中央的核心、全党的核心地位，坚决维护党中央权威和集中统一领导。"
        "学习习近平总书记关于党的建设的重要思想。"
    )
    assert terminology(text) == []


def test_wrong_order_of_the_items():
    text = "牢固树立大局意识、政治意识、核心意识、看齐意识。"
    (start, end, message, suggestion), = terminology(text)
    assert text[start:end] == "大局意识、政治意识、核心意识、看齐意识"
    assert "顺序" in message and "政治意识、大局意识、核心意识、看齐意识" in suggestion


def test_missing_and_altered_items():
    missing = "增强“四个意识”，即政治意识、大局意识、看齐意识。"
    (start, end, message, _s), = terminology(missing)
    assert missing[start:end] == "政治意识、大局意识、看齐意识" and "核心意识" in message
    altered = "坚定道路自信、理论自信、制度自信、历史自信。"
    (start, end, message, _s), = terminology(altered)
    assert "历史自信" in message and altered[start:end] == "道路自信、理论自信、制度自信"


def test_terminology_in_every_section_is_read():
    found = findings("terminology", preamble="做到二个维护。", rectification="做到二个确立。")
    assert [(f.section, f.excerpt) for f in found] == [("preamble", "二个维护"), ("rectification", "二个确立")]


def test_the_dictionary_is_extended_from_the_extra_directory(tmp_path, settings):
    (tmp_path / "terminology.txt").write_text("# 本地\n三严三实教育 => 三严三实专题教育\n", encoding="utf-8")
    (tmp_path / "empty_talk.txt").write_text("多措并举\n", encoding="utf-8")
    text = GOOD_PERFORMANCE + "开展三严三实教育。"
    assert terminology(text) == []
    settings.REPORT_CHECK_DICTIONARY_DIR = str(tmp_path)
    assert [m for _s, _e, m, _g in terminology(text)] == ["提法有误：“三严三实教育”应为“三严三实专题教育”。"]
    assert "多措并举" in dictionaries.lines("empty_talk.txt")
    assert "高度重视" in dictionaries.lines("empty_talk.txt")  # the built-in lines stay


def test_an_invalid_pattern_in_the_extra_dictionary_is_skipped(tmp_path, settings, caplog):
    (tmp_path / "terminology.txt").write_text("re: 二个(维护 => 两个维护\n三严三实教育 => 三严三实专题教育\n", encoding="utf-8")
    settings.REPORT_CHECK_DICTIONARY_DIR = str(tmp_path)
    found = terminology(GOOD_PERFORMANCE + "开展三严三实教育，做到二个维护。")
    assert sorted(m for _s, _e, m, _g in found) == ["提法有误：“三严三实教育”应为“三严三实专题教育”。", "提法有误：“二个维护”应为“两个维护”。"]
    assert "正则无效" in caplog.text
