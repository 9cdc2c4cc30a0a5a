"""One test group per kind of check: planted errors found at their span, clean text left alone."""

import os
import subprocess
import sys
import tempfile

from django.conf import settings

from reports.checks import figures, segment

from .helpers import GOOD_PERFORMANCE, GOOD_PLANS, GOOD_PROBLEMS, check_input, findings


def marked(found, **sections):
    data = check_input(**sections)
    return [(f.section, data.text(f.section)[f.start : f.end]) for f in found]


# ---------------------------------------------------------------- sections


def test_missing_and_heading_only_sections():
    found = findings("sections", problems="", plans="三、下一步打算\n（一）加强学习\n（二）改进作风")
    assert [(f.section, f.start, f.end) for f in found] == [("problems", 0, 0), ("plans", 0, len("三、下一步打算\n（一）加强学习\n（二）改进作风"))]
    assert "尚未填写" in found[0].message and "过少" in found[1].message


def test_rectification_required_only_after_a_first_year():
    assert findings("sections", rectification_required=False) == []
    (found,) = findings("sections", rectification_required=True)
    assert found.section == "rectification"


# ---------------------------------------------------------------- figures


def test_figure_inconsistent_with_the_text():
    found = findings("figures", figures={"new_members": 3})
    assert marked(found) == [("performance", "发展党员2名")]
    assert "3" in found[0].message


def test_figure_consistent_with_the_text_is_quiet():
    assert findings("figures") == []


def test_figure_given_in_the_text_but_left_empty():
    found = findings("figures", figures={"theme_days": None})
    assert marked(found) == [("performance", "主题党日12次")]
    assert "12" in found[0].suggestion


def test_figures_left_empty_are_listed_once():
    (found,) = findings("figures", figures={"member_count": None})
    assert found.section == "member_count" and "党员人数" in found.message


def test_chinese_numerals_and_word_orders():
    assert figures.number("二十六") == 26 and figures.number("十二") == 12 and figures.number("两") == 2
    assert figures.number("一百零五") == 105
    assert [v for _s, _e, v in figures.mentions("全年发展了三名新党员", "new_members")] == [3]
    assert [v for _s, _e, v in figures.mentions("召开支委会会议12次", "committee_meetings")] == [12]
    assert [v for _s, _e, v in figures.mentions("现有党员26名", "member_count")] == [26]
    # 26名党员制定学习计划 is not the number of members.
    assert figures.mentions("26名党员制定个人学习计划", "member_count") == []


# ---------------------------------------------------------------- first person

UNIT_PROBLEMS = "二、存在问题\n1.党员教育方式单一，主要原因是支部对新形式研究不够。"


def test_a_report_only_of_the_unit_is_flagged():
    text = "一、履职情况\n支部开展了主题党日12次。社区党支部组织党员开展志愿服务。" + "支部召开支委会12次，发展党员2名。" * 10
    (found,) = findings("first_person", performance=text, problems=UNIT_PROBLEMS)
    assert marked([found], performance=text) == [("performance", "支部开展了主题党日12次。")]
    assert "我" in found.suggestion


def test_we_the_unit_is_not_the_secretary_speaking():
    text = "现将我支部工作汇报如下。我社区开展“我为群众办实事”活动。" + "支部召开支委会12次。" * 10
    assert [f.kind for f in findings("first_person", performance=text, problems=UNIT_PROBLEMS)] == ["first_person"]


def test_first_person_report_is_quiet_and_third_person_is_flagged():
    assert findings("first_person") == []
    text = GOOD_PERFORMANCE + "支部书记带头讲党课2次。"
    assert marked(findings("first_person", performance=text), performance=text) == [("performance", "支部书记带头")]
    own = GOOD_PERFORMANCE + "作为支部书记认真履行第一责任人职责。我作为书记带头讲党课。"
    assert findings("first_person", performance=own) == []


# ---------------------------------------------------------------- problems and plans


def test_generic_problem_and_problem_without_cause():
    problems = "二、存在问题\n1.思想认识不够到位。\n2.党员活动室使用率低，全年只开放了40天，群众反映开放时间与上班时间冲突。"
    found = findings("problems", problems=problems)
    data = check_input(problems=problems)
    assert [(f.message[:6], data.text("problems")[f.start : f.end]) for f in found] == [
        ("问题表述笼统", "1.思想认识不够到位。"),
        ("这条问题没有", "1.思想认识不够到位。"),
        ("这条问题没有", "2.党员活动室使用率低，全年只开放了40天，群众反映开放时间与上班时间冲突。"),
    ]


def test_specific_problems_with_causes_or_a_block_of_causes_are_quiet():
    assert findings("problems") == []
    problems = (
        "二、存在问题及原因\n（一）存在问题\n1.党员活动室使用率低，全年只开放了40天。\n2.青年党员参学率只有60%。\n"
        "（二）产生问题的原因\n一是我对阵地建设重视不够，没有排班；二是学习形式单一，吸引力不强。"
    )
    assert findings("problems", problems=problems) == []


def test_plans_that_do_not_answer_a_problem():
    plans = "三、下一步打算\n1.改进党员教育方式，开设“微党课”，把青年党员参学率提高到90%。\n2.抓好阵地建设，美化环境。"
    found = findings("plans", plans=plans)
    assert marked(found) == [("problems", GOOD_PROBLEMS.split("\n")[2])]
    assert findings("plans", plans=GOOD_PLANS) == []


# ---------------------------------------------------------------- last year's problems


def test_every_item_of_last_years_list_is_mentioned():
    items = ["党员教育方式单一", "志愿服务队伍老龄化", "三会一课记录不规范"]
    text = "四、上年度问题整改情况\n针对党员教育方式单一，开设微党课；针对志愿服务队伍老龄化，招募青年队员20名。"
    found = findings("rectification", rectification=text, last_year_items=items)
    assert [f.message for f in found] == ["“上年度问题整改情况”没有提到上年度问题：“三会一课记录不规范”。"]
    text += "规范三会一课记录，统一使用记录本。"
    assert findings("rectification", rectification=text, last_year_items=items) == []


def test_no_last_year_no_rectification_finding():
    assert findings("rectification", rectification="", last_year_items=None) == []
    assert findings("rectification", rectification="", last_year_items=[]) == []
    assert len(findings("rectification", rectification="", last_year_items=["党员教育方式单一"])) == 1


# ---------------------------------------------------------------- style


def test_dense_empty_talk_marks_its_densest_sentence():
    dense = "一、履职情况\n高度重视，狠抓落实，扎实推进，全面提升。" + GOOD_PERFORMANCE[7:] + "我们常抓不懈，走深走实。"
    (found,) = findings("empty_talk", performance=dense)
    assert marked([found], performance=dense) == [("performance", "高度重视，狠抓落实，扎实推进，全面提升。")]
    assert "高度重视" in found.message
    assert findings("empty_talk") == []
    # The same phrases spread over a long text are not dense.
    assert findings("empty_talk", performance=GOOD_PERFORMANCE * 8 + "高度重视，狠抓落实，扎实推进，全面提升。") == []


def test_very_long_sentences():
    long = "我" + "带领党员走访困难群众、" * 15 + "解决实际问题。"
    text = GOOD_PERFORMANCE + long
    assert marked(findings("long_sentences", performance=text), performance=text) == [("performance", long)]
    assert findings("long_sentences") == []


# ---------------------------------------------------------------- jieba


def test_jieba_initializes_once_and_caches_only_in_a_temporary_directory():
    first = segment.tokenizer()
    assert segment.tokenizer() is first and first.initialized
    assert os.path.commonpath([first.tmp_dir, tempfile.gettempdir()]) == tempfile.gettempdir()
    assert segment.words("整改党员活动室")


def test_importing_and_initializing_jieba_writes_nothing_outside_the_temporary_directory(tmp_path):
    """A fresh process in an empty working directory: no cache file there or beside the code."""
    before = set(os.listdir(settings.BASE_DIR))
    code = (
        f"import sys; sys.path.insert(0, {str(settings.BASE_DIR)!r})\n"
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()\n"
        "from reports.checks import segment; print(segment.tokenizer().tmp_dir)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    os.makedirs(env["TMPDIR"])
    work = tmp_path / "work"
    work.mkdir()
    out = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().startswith(env["TMPDIR"])
    assert list(work.iterdir()) == []
    assert set(os.listdir(settings.BASE_DIR)) == before
    assert any(name.endswith(".cache") for name in os.listdir(out.stdout.strip()))


def test_a_cache_directory_that_is_not_ours_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, segment.cache_dir())  # planted by someone else
    chosen = segment.private_cache_dir()
    assert chosen != segment.cache_dir() and os.path.dirname(chosen) == str(tmp_path)
    assert os.path.isdir(chosen) and not os.path.islink(chosen) and oct(os.stat(chosen).st_mode & 0o777) == "0o700"
    os.unlink(segment.cache_dir())
    assert segment.private_cache_dir() == segment.cache_dir()  # made fresh: ours
