"""reports.word: the 公文 layout of every .docx (page, fonts of every run, footer page numbers,
user text never a field)."""

import datetime
import io
import zipfile

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.pdf import paragraphs
from reports.word import BODY_FONT, HEI_FONT, KAI_FONT, TITLE_FONT, OfficialDocument, chinese_date, clean_text

HOSTILE = '=1+1 +cmd @SUM(A1) { HYPERLINK "http://evil.example" } <script>alert(1)</script>'


def sample():
    doc = OfficialDocument(title="关于测试的通报", author="城关街道党工委")
    doc.title("关于2025年度党组织书记抓基层党建工作述职评议考核情况的通报")
    doc.addressee("各党支部")
    doc.heading("一、基本情况")
    doc.paragraph(HOSTILE)
    doc.paragraph("始终把党建工作摆在首位。", heading="（一）强化责任担当。", level=2)
    doc.paragraphs(paragraphs("一、工作开展情况\n（一）抓思想。全年召开主题党日12次。\n1.扎实开展主题教育。"))
    doc.table(["党组织", "等次"], [["幸福社区党支部", "好"], [HOSTILE, None]], align=["left", "center"])
    doc.attachments(["2025年度述职评议等次名单"])
    doc.signature("城关街道党工委", datetime.date(2026, 1, 5))
    return doc.to_bytes()


def all_runs(document):
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                runs.extend(run for paragraph in cell.paragraphs for run in paragraph.runs)
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer):
            runs.extend(run for paragraph in footer.paragraphs for run in paragraph.runs)
    return runs


def test_page_setup_is_gbt9704():
    document = Document(io.BytesIO(sample()))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    body = document.styles["公文正文"]
    assert body.font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28.95)
    # 22 lines fill the type area.
    type_height = section.page_height - section.top_margin - section.bottom_margin
    assert int(type_height / body.paragraph_format.line_spacing) == 22


def test_every_run_names_its_east_asian_face():
    document = Document(io.BytesIO(sample()))
    runs = all_runs(document)
    assert len(runs) > 20
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")), run.text
        assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi"))
    faces = {run.text: run._r.rPr.rFonts.get(qn("w:eastAsia")) for run in runs if run.text}
    assert faces["关于2025年度党组织书记抓基层党建工作述职评议考核情况的通报"] == TITLE_FONT
    assert faces["一、基本情况"] == HEI_FONT
    assert faces["（一）强化责任担当。"] == KAI_FONT
    assert faces["始终把党建工作摆在首位。"] == BODY_FONT
    assert faces["一、工作开展情况"] == HEI_FONT
    assert faces["1.扎实开展主题教育。"] == BODY_FONT
    title = next(run for run in runs if run.text.startswith("关于2025"))
    assert title.font.size == Pt(22)


def test_defaults_and_styles_carry_no_theme_font():
    """A theme font attribute would win over the named face in Word."""
    xml = zipfile.ZipFile(io.BytesIO(sample())).read("word/styles.xml").decode()
    defaults = xml[xml.index("<w:docDefaults>") : xml.index("</w:docDefaults>")]
    assert "Theme" not in defaults and f'w:eastAsia="{BODY_FONT}"' in defaults
    table = zipfile.ZipFile(io.BytesIO(sample())).read("word/fontTable.xml").decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>' in table


def test_footer_has_the_only_field_and_prints_dashes():
    content = zipfile.ZipFile(io.BytesIO(sample()))
    document_xml = content.read("word/document.xml").decode()
    for marker in ("w:instrText", "w:fldChar", "w:fldSimple", "w:hyperlink"):
        assert marker not in document_xml
    footers = [name for name in content.namelist() if name.startswith("word/footer")]
    assert len(footers) == 2  # odd (right) and even (left) pages
    for name in footers:
        xml = content.read(name).decode()
        assert xml.count("<w:instrText") == 1 and " PAGE " in xml
        assert "—\u00a0<" in xml and ">\u00a0—" in xml
    assert "w:evenAndOddHeaders" in content.read("word/settings.xml").decode()


def test_hostile_text_stays_literal_text():
    document = Document(io.BytesIO(sample()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert HOSTILE in texts
    assert document.tables[0].rows[2].cells[0].text == HOSTILE
    assert document.tables[0].rows[2].cells[1].text == "—"


def test_control_characters_are_dropped_not_fatal():
    doc = OfficialDocument()
    doc.paragraph("换页\x0c与空字符\x00之后")
    document = Document(io.BytesIO(doc.to_bytes()))
    assert document.paragraphs[-1].text == "换页与空字符之后"
    assert clean_text("a\tb\nc\x01") == "a\tb\nc"


def test_table_header_repeats_and_rows_do_not_split():
    document = Document(io.BytesIO(sample()))
    rows = document.tables[0].rows
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert rows[1]._tr.trPr.find(qn("w:cantSplit")) is not None


def test_addressee_attachments_signature():
    document = Document(io.BytesIO(sample()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "各党支部：" in texts
    assert "附件：2025年度述职评议等次名单" in texts
    assert texts[-2:] == ["城关街道党工委", "2026年1月5日"]
    assert chinese_date(datetime.datetime(2026, 11, 26, 8, 0)) == "2026年11月26日"


def test_no_thumbnail_of_the_template():
    names = zipfile.ZipFile(io.BytesIO(sample())).namelist()
    assert not any("thumbnail" in name for name in names)
