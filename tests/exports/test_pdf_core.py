"""The rendering core: headings, the sealed URL fetcher, fonts, no tofu, download headers."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from branches.downloads import download_response
from branches.models import Organization, User
from reports import pdf
from reports.models import Cycle, Report, ReportVersion
from reports.pdf import (
    PDF_STATIC_DIR,
    FetchRefused,
    paragraphs,
    print_stylesheet,
    render_pdf,
    report_pdf,
    report_pdf_context,
    static_only_fetcher,
)
from reports.seed_texts import SEED_TEXTS_DIR

from .conftest import page_count, pdf_fonts, pdf_text


def unsaved_report(**sections):
    """A report and version that never touch the database: the renderer needs none."""
    organization = Organization(name="甲社区党支部", secretary=User(username="s", name="张书记"))
    cycle = Cycle(year=2024, organization=Organization(name="测试街道党工委"))
    report = Report(organization=organization, cycle=cycle)
    texts = {"preamble": "", "performance": "", "problems": "", "plans": "", "rectification": "", **sections}
    version = ReportVersion(
        report=report,
        number=2,
        figures={"member_meetings": 12},
        submitted_at=timezone.make_aware(timezone.datetime(2025, 1, 8, 9, 30)),
        **texts,
    )
    return report, version


# --- headings ---------------------------------------------------------------------------


def test_paragraphs_split_heading_sentence_from_body_text():
    items = paragraphs(
        "一、工作开展情况\n（一）强化责任担当，切实抓好责任落实。始终把党建工作放在第一位。\n"
        "1.选优配强支委班子。\n一是持续深化基层党建。\n\n   \n正文。"
    )
    assert [(p.level, p.heading, p.text) for p in items] == [
        (1, "一、工作开展情况", ""),
        (2, "（一）强化责任担当，切实抓好责任落实。", "始终把党建工作放在第一位。"),
        (3, "1.选优配强支委班子。", ""),
        (0, "", "一是持续深化基层党建。"),
        (0, "", "正文。"),
    ]


def test_a_long_numbered_paragraph_without_full_stop_is_body_text():
    line = "1." + "很长的一段没有句号的文字" * 10
    assert [(p.level, p.text) for p in paragraphs(line)] == [(0, line)]


def test_sections_get_a_level1_heading_only_when_their_text_has_none():
    report, version = unsaved_report(performance="一、工作开展情况\n正文", problems="理论学习不够深入。", plans="抓好学习。")
    headings = [heading for heading, _items in report_pdf_context(report, version=version)["sections"]]
    assert headings == ["", "二、存在问题", "三、下一步打算"]


# --- the sealed fetcher -------------------------------------------------------------------


def test_fetcher_serves_only_the_print_assets():
    fetcher = static_only_fetcher()
    response = fetcher.fetch((PDF_STATIC_DIR / "fonts.css").as_uri())
    assert b"--font-fangsong" in response.read()
    forbidden = [
        "file:///etc/passwd",
        (PDF_STATIC_DIR / ".." / ".." / "config" / "settings.py").as_uri(),
        (PDF_STATIC_DIR / "missing.css").as_uri(),
        "http://example.com/x.css",
        "https://example.com/logo.png",
        "data:text/css,body{}",
        "ftp://example.com/x",
    ]
    for url in forbidden:
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert fetcher.refused == forbidden


def test_hostile_report_text_prints_literally_and_fetches_nothing(tmp_path):
    hostile = [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://evil.example/x.css">',
        "http://evil.example/track.png",
        "<style>@import url(file:///etc/shadow);</style>",
        "<script>alert(1)</script>",
        '<iframe src="https://evil.example/"></iframe>',
    ]
    report, version = unsaved_report(performance="\n".join(hostile), problems="存在问题。", plans="打算。")
    fetcher = static_only_fetcher()
    rendered = render_pdf("pdf/report.html", report_pdf_context(report, version=version), fetcher=fetcher)

    text = pdf_text(rendered.content, tmp_path).replace("\n", "")
    for line in hostile:
        assert line in text
    # Nothing was asked for (the print stylesheets are parsed once per process), so nothing refused.
    assert fetcher.requested == []
    assert fetcher.refused == []


def test_print_stylesheets_are_parsed_once_and_again_when_they_change(monkeypatch):
    pdf._parsed_stylesheet.cache_clear()
    first = print_stylesheet("report.css")
    assert print_stylesheet("report.css") is first
    assert print_stylesheet("fonts.css") is not first

    real_stat = Path.stat

    def touched(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if path.name != "report.css":
            return result
        values = list(result)
        values[8] += 1  # st_mtime (st_mtime_ns follows it)
        return os.stat_result(values, {"st_mtime_ns": result.st_mtime_ns + 1})

    monkeypatch.setattr(Path, "stat", touched)
    assert print_stylesheet("report.css") is not first


@pytest.mark.parametrize("name", ["../../config/settings.py", "../css/shuping.css", "missing.css", "report.html", "/etc/passwd"])
def test_only_print_stylesheets_can_be_named(name):
    with pytest.raises((FetchRefused, FileNotFoundError)):
        print_stylesheet(name)


def test_every_document_is_styled_by_its_stylesheets(tmp_path):
    # The page rules of report.css (A4, “— 1 —” page numbers) and the faces of fonts.css apply.
    report, version = unsaved_report(performance="一、工作开展情况\n正文。", problems="问题。", plans="打算。")
    rendered = render_pdf("pdf/report.html", report_pdf_context(report, version=version), stylesheets=("report.css",))
    assert "—1—" in pdf_text(rendered.content, tmp_path)
    assert any("Sans-CJK" in name for name, _program in pdf_fonts(rendered.content))  # the heading's 黑体
    unstyled = render_pdf("pdf/report.html", report_pdf_context(report, version=version))
    assert "—1—" not in pdf_text(unstyled.content, tmp_path)


def test_a_template_asking_for_an_outside_url_is_refused(tmp_path, settings):
    template_dir = tmp_path / "templates"
    (template_dir / "pdf").mkdir(parents=True)
    (template_dir / "pdf" / "hostile.html").write_text(
        '<html><body><img src="file:///etc/passwd"><img src="http://example.com/a.png">正文</body></html>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    fetcher = static_only_fetcher()
    render_pdf("pdf/hostile.html", {}, fetcher=fetcher)
    assert fetcher.refused == ["file:///etc/passwd", "http://example.com/a.png"]


# --- fonts ----------------------------------------------------------------------------------


def test_harfbuzz_subsetter_is_the_one_weasyprint_uses():
    # WeasyPrint subsets with hb-subset when libharfbuzz-subset (>= 4.1) loads, else with
    # fontTools, ~20× slower on CJK fonts. `make system` installs libharfbuzz-subset0.
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import harfbuzz

    assert fonts.harfbuzz_subset is not None
    assert harfbuzz.hb_version_atleast(4, 1, 0)


def test_report_embeds_subsets_of_the_song_hei_and_kai_faces(tmp_path):
    report, version = unsaved_report(performance="一、工作开展情况\n（一）抓思想。正文\n正文两段。", problems="问题。")
    rendered = report_pdf(report, version=version)

    fonts = dict(pdf_fonts(rendered.content))
    names = " ".join(fonts)
    assert "Noto-Serif-CJK-SC" in names  # title and body (宋 / 仿宋 fallback)
    assert "Noto-Sans-CJK-SC" in names  # level-1 headings (黑体 fallback)
    assert "AR-PL-UKai" in names  # level-2 headings (楷体 fallback)
    for name, program in fonts.items():
        assert re.match(r"^[A-Z]{6}\+", name), name  # the subset tag
        assert program is not None, f"{name} is not embedded"
        # A single font, not the whole .ttc collection, and a subset of it.
        assert program[:4] in (b"OTTO", b"\x00\x01\x00\x00"), name
        assert len(program) < 2_000_000, name
    assert rendered.missing_glyphs == {}
    assert page_count(rendered.content) == rendered.page_count == 1


def test_every_character_of_the_real_reports_has_a_glyph_in_every_face(tmp_path):
    characters = sorted({char for path in SEED_TEXTS_DIR.glob("*.txt") for char in path.read_text() if not char.isspace()})
    text = "".join(characters)
    lines = [text[i : i + 200] for i in range(0, len(text), 200)]
    body = "\n".join(lines)
    level1 = "\n".join(f"一、{line}" for line in lines)
    level2 = "\n".join(f"（一）{line}" for line in lines)
    report, version = unsaved_report(performance=body, problems=level1, plans=level2)

    rendered = report_pdf(report, version=version)

    assert rendered.missing_glyphs == {}
    extracted = pdf_text(rendered.content, tmp_path)
    assert all(char in extracted for char in characters if char.isalnum())


def test_missing_glyphs_are_reported():
    # A plane-16 private-use character has no glyph in any installed face: the detector must see it.
    report, version = unsaved_report(performance="正文\U0010fffd")
    assert "\U0010fffd" in "".join(report_pdf(report, version=version).missing_glyphs.values())


# --- the report's layout ---------------------------------------------------------------------


def test_report_text_organization_year_submission_and_page_numbers(tmp_path):
    long_text = "\n".join("全年召开主题党日12次，组织党员集中学习，开展志愿服务活动，党建引领基层治理成效明显。" * 3 for _ in range(40))
    report, version = unsaved_report(preamble="各位领导、同志们：", performance=long_text, problems="存在问题。", plans="打算。")
    rendered = report_pdf(report, version=version)

    text = pdf_text(rendered.content, tmp_path)
    assert "甲社区党支部书记2024年度抓基层党建工作" in text.replace("\n", "")
    assert "张书记" in text
    assert "提交时间：2025年1月8日 09:30（第2版）" in text
    assert "支部党员大会（次）" in text
    assert rendered.page_count >= 3
    for number in range(1, rendered.page_count + 1):
        assert f"—{number}—" in text.replace("\xa0", "").replace(" ", "")
    assert "草稿" not in text


def test_full_pages_hold_22_lines_of_28_characters(tmp_path):
    body = "\n".join(["党建引领基层治理服务民生促发展"] * 30 + ["组织党员认真学习党的二十大精神深刻领会习近平新时代中国特色社会主义思想" * 8] * 4)
    report, version = unsaved_report(performance=body)
    rendered = report_pdf(report, version=version)
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered.content)
    page = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    lines = [line.strip() for line in page.splitlines() if line.strip() and "—" not in line]
    assert len(lines) == 22
    assert max(len(line) for line in lines) == 28


def test_draft_is_marked(tmp_path):
    report, _version = unsaved_report()
    report.performance = "正在写的草稿文字。"
    report.updated_at = timezone.now()
    text = pdf_text(report_pdf(report).content, tmp_path)
    assert "草稿" in text
    assert "正在写的草稿文字。" in text


def test_download_response_names_the_file_in_chinese():
    response = download_response(b"%PDF-", "甲社区党支部2024年度述职报告（第2版）.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%94%B2%E7%A4%BE%E5%8C%BA%E5%85%9A%E6%94%AF%E9%83%A82024"
        "%E5%B9%B4%E5%BA%A6%E8%BF%B0%E8%81%8C%E6%8A%A5%E5%91%8A%EF%BC%88%E7%AC%AC2%E7%89%88%EF%BC%89.pdf"
    )
