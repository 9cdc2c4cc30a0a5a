"""What makes the report fast (bench/bench_pdf.py measures it): the font-embedding changes to
WeasyPrint 70 (one subsetting pass, no copies of whole font files, faces subset and compressed
in parallel) leave the embedded fonts as WeasyPrint makes them, and a submitted version's PDF
is rendered once, then served from the file cache."""

import io
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from fontTools.ttLib import TTFont

from reports import pdf
from reports.pdf import report_pdf, tune_weasyprint, untune_weasyprint

from .conftest import pdf_font_streams, pdf_fonts, pdf_text, submit_report
from .test_pdf_core import unsaved_report

# Body, a level-1 heading (黑) and a level-2 heading (楷): the three faces of a report.
TEXTS = {"performance": "一、工作开展情况\n（一）抓思想、强觉悟。全年召开主题党日12次。\n组织党员集中学习。", "problems": "理论学习不够深入。"}


@pytest.fixture
def untuned():
    """Runs the test body's renderings with WeasyPrint as shipped, then tunes it again."""
    untune_weasyprint()
    try:
        yield
    finally:
        assert tune_weasyprint()


def render(**texts):
    report, version = unsaved_report(**texts)
    return report_pdf(report, version=version)


def font_tables(program):
    """{table tag: bytes} of an embedded font program, without head.checkSumAdjustment (a
    checksum of the whole file) and the tables hb-subset passes through unread (FFTM)."""
    font = TTFont(io.BytesIO(program))
    tables = {tag: font.reader[tag] for tag in font.reader.keys() if tag != "FFTM"}
    tables["head"] = tables["head"][:8] + tables["head"][12:]
    return tables


def test_weasyprint_is_tuned():
    import pydyf
    import weasyprint.pdf.fonts

    assert tune_weasyprint() is True
    assert weasyprint.pdf.fonts.Font._harfbuzz_subset is pdf._harfbuzz_subset_once
    assert pydyf.zlib is pdf._ZlibAtDefaultLevel
    assert weasyprint.pdf.build_fonts_dictionary is pdf._build_fonts_dictionary
    untune_weasyprint()
    try:
        assert weasyprint.pdf.build_fonts_dictionary is weasyprint.pdf.fonts.build_fonts_dictionary
        assert pydyf.zlib is zlib
    finally:
        assert tune_weasyprint() is True


def test_faces_are_subset_and_compressed_at_once_on_the_pool(monkeypatch):
    import threading

    real_prepare, real_subset = pdf._prepare_face, pdf._harfbuzz_subset_once
    threads, subsets = [], []

    def recording_prepare(face, **kwargs):
        threads.append(threading.current_thread().name)
        return real_prepare(face, **kwargs)

    def counting_subset(font, to_unicode, hinting):
        subsets.append(font.family)
        return real_subset(font, to_unicode, hinting)

    monkeypatch.setattr(pdf, "_prepare_face", recording_prepare)
    monkeypatch.setattr("weasyprint.pdf.fonts.Font._harfbuzz_subset", counting_subset)
    rendered = render(**TEXTS)
    assert len(threads) == 3 and all(name.startswith("pdf-fonts") for name in threads)
    assert sorted(subsets) == ["AR PL UKai CN", "Noto Sans CJK SC", "Noto Serif CJK SC"]  # once each, not again
    # Each embedded program is written as the pool compressed it: zlib at level 6.
    for _name, program in pdf_font_streams(rendered.content):
        assert program.get("/Filter") == "/FlateDecode"
        assert program._data == zlib.compress(program.get_data(), 6)


def test_an_uncompressed_pdf_embeds_its_faces_uncompressed():
    report, version = unsaved_report(**TEXTS)
    html = render_to_string("pdf/report.html", pdf.report_pdf_context(report, version=version))
    content = pdf.laid_out_document(html, stylesheets=("report.css",)).write_pdf(uncompressed_pdf=True)
    programs = pdf_font_streams(content)
    assert len(programs) == 3
    for _name, program in programs:
        assert "/Filter" not in program
        assert TTFont(io.BytesIO(program.get_data())).getGlyphOrder()  # a whole, readable font program


def test_tuned_fonts_are_weasyprints_fonts(tmp_path, untuned):
    shipped = render(**TEXTS)
    tune_weasyprint()
    tuned = render(**TEXTS)

    shipped_fonts, tuned_fonts = dict(pdf_fonts(shipped.content)), dict(pdf_fonts(tuned.content))
    assert tuned_fonts.keys() == shipped_fonts.keys()
    assert len(tuned_fonts) == 3
    for name, program in tuned_fonts.items():
        assert font_tables(program) == font_tables(shipped_fonts[name]), name
    assert pdf_text(tuned.content, tmp_path) == pdf_text(shipped.content, tmp_path)
    assert tuned.page_count == shipped.page_count
    # zlib level 6 instead of 9: hardly bigger.
    assert len(shipped.content) <= len(tuned.content) <= len(shipped.content) * 1.02


def test_whole_font_files_are_no_longer_copied(monkeypatch, untuned):
    import weasyprint.text.fonts

    real = weasyprint.text.fonts.get_hb_object_data
    copied = []

    def counting(*args, **kwargs):
        data = real(*args, **kwargs)
        copied.append(len(data or b""))
        return data

    monkeypatch.setattr(weasyprint.text.fonts, "get_hb_object_data", counting)
    monkeypatch.setattr("weasyprint.pdf.fonts.get_hb_object_data", counting)
    render(**TEXTS)
    assert max(copied) > 10_000_000  # WeasyPrint as shipped: each 16-27 MB font file

    copied.clear()
    monkeypatch.undo()
    monkeypatch.setattr(weasyprint.text.fonts, "get_hb_object_data", counting)
    tune_weasyprint()
    render(**TEXTS)
    assert copied and max(copied) < 2_000_000  # only the subsets


def test_the_whole_font_is_still_there_for_whoever_reads_it():
    import weasyprint.pdf.fonts
    import weasyprint.text.fonts

    # A Font whose data was never read: the first read copies the whole face out.
    font = weasyprint.pdf.fonts.Font.__new__(weasyprint.pdf.fonts.Font)
    report, version = unsaved_report(**TEXTS)
    document = _document(report, version)
    face = next(iter(document.fonts.values())).hb_face
    font.file_content = pdf._FaceBytes(face)
    assert bool(font.__dict__["_file_content"]) is True
    assert font.file_content == weasyprint.text.fonts.get_hb_object_data(face)
    assert len(font.file_content) > 10_000_000


def _document(report, version):
    html = render_to_string("pdf/report.html", pdf.report_pdf_context(report, version=version))
    document = pdf.laid_out_document(html, stylesheets=("report.css",))
    document.write_pdf()  # draws the pages, which creates the fonts
    return document


def test_single_pass_falls_back_to_weasyprints_two_passes(monkeypatch, tmp_path):
    import weasyprint.text.ffi

    real = weasyprint.text.ffi.harfbuzz_subset

    class Failing:
        def __getattr__(self, name):
            return getattr(real, name)

        def hb_subset_or_fail(self, face, subset_input):
            return weasyprint.text.ffi.ffi.NULL

    monkeypatch.setattr(weasyprint.text.ffi, "harfbuzz_subset", Failing())
    rendered = render(**TEXTS)
    fonts = dict(pdf_fonts(rendered.content))
    assert len(fonts) == 3 and all(len(program) < 2_000_000 for program in fonts.values())
    assert "组织党员集中学习。" in pdf_text(rendered.content, tmp_path)


def test_title_is_not_set_in_a_bold_face():
    # 小标宋 has one weight; the bold fallback would embed one more 27 MB font.
    names = " ".join(name for name, _program in pdf_fonts(render(**TEXTS).content))
    assert "Bold" not in names


# --- the file cache -------------------------------------------------------------------------


@pytest.fixture
def renders(monkeypatch):
    """The number of documents actually rendered."""
    count = []
    real = pdf._html_to_pdf

    def counting(*args, **kwargs):
        count.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "_html_to_pdf", counting)
    return count


def cache_files():
    return sorted(path.name for path in (Path(settings.MEDIA_ROOT) / pdf.PDF_CACHE_DIR).glob("*"))


def test_a_submitted_version_is_rendered_once(world, renders):
    version = submit_report(world.report_a, world.secretary_a, performance="一、工作开展情况\n甲支部全年召开主题党日12次。")
    first = report_pdf(world.report_a, version=version)
    second = report_pdf(world.report_a, version=version)
    assert len(renders) == 1
    assert second.content == first.content
    assert second.page_count == first.page_count == 1
    assert [name.split("-")[:3] for name in cache_files()] == [["report", "version", str(version.pk)]]
    # The benchmark's figure: use_cache=False renders anyway.
    report_pdf(world.report_a, version=version, use_cache=False)
    assert len(renders) == 2


def test_a_renamed_organization_gets_a_new_pdf_in_place_of_the_old(world, renders, tmp_path):
    version = submit_report(world.report_a, world.secretary_a)
    report_pdf(world.report_a, version=version)
    old = cache_files()
    world.branch_a.name = "更名后的党支部"
    world.branch_a.save(update_fields=["name"])
    world.report_a.refresh_from_db()
    rendered = report_pdf(world.report_a, version=version)
    assert len(renders) == 2
    assert "更名后的党支部" in pdf_text(rendered.content, tmp_path)
    assert len(cache_files()) == 1 and cache_files() != old


def test_drafts_are_never_cached(world, renders):
    from reports.services import report_save_draft

    report_save_draft(report=world.report_a, by=world.secretary_a, data={"performance": "草稿文字。"}, base_revision=None)
    world.report_a.refresh_from_db()
    report_pdf(world.report_a)
    report_pdf(world.report_a)
    assert len(renders) == 2
    assert cache_files() == []
