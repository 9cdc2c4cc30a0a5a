"""Word (.docx) documents in the layout of Party and government documents (GB/T 9704-2012), the
twin of the PDFs (static/pdf/report.css): A4, margins 37 mm top, 35 mm bottom, 28 mm left
(binding), 26 mm right; title 2号 (22 pt) 小标宋; body 3号 (16 pt) 仿宋 on exact 28.95 pt lines,
22 lines of 28 characters; level-1 headings 黑体, level-2 楷体, levels 3 and 4 in the body face;
page numbers 4号 "— 1 —" in the footer, right on odd pages and left on even pages.

Usage (keep to these helpers; `.document` is the python-docx Document for anything else):

    doc = OfficialDocument(title="关于……的通报", author="城关街道党工委")
    doc.title("关于……的通报")
    doc.addressee("各党支部：")            # 主送
    doc.paragraph("正文……")                # a body paragraph, first line indented 2 characters
    doc.heading("一、基本情况")             # level 1 (黑体); level=2 (楷体)
    doc.paragraph("正文……", heading="（一）强化责任担当。", level=2)   # run-in heading
    doc.table(["党组织", "等次"], [["幸福社区党支部", "好"]], align=["left", "center"])
    doc.attachments(["2025年度述职评议等次名单"])   # 附件
    doc.signature("城关街道党工委", date)    # 落款 and date (a datetime.date)
    content = doc.to_bytes()                # or doc.save(fileobj)

Also: OfficialDocument(landscape=True) for wide tables; doc.subtitle() (a centred line under the
title), doc.lines(text) (one paragraph per line), doc.small() (a 4号 note), doc.blank_line(),
doc.page_break(). Table columns are sized by their content unless `widths` are given.

Fonts. Word has no font stacks: every run names the 公文 face (w:ascii, w:hAnsi and w:eastAsia,
so Word and WPS use the Chinese face for Chinese text), and the document's font table declares
each face with its GB2312 charset, family and the next face of the PDF's stack (fonts.css) as
w:altName, which Word and LibreOffice try when the face is missing. The stacks are FONT_STACKS.

User text stays text: every string goes into a w:t through python-docx (escaped by lxml); the
only field in the document is the PAGE field this module writes in the footer, so "{ HYPERLINK }"
or "=1+1" typed by a user print as typed. Characters XML cannot hold (control characters) are
dropped rather than failing the whole document.
"""

import copy
import datetime
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from branches.downloads import clean_text

# The font stacks of static/pdf/fonts.css (fontconfig names left out where Windows names exist).
FONT_STACKS = {
    "title": ("方正小标宋简体", "华文中宋", "宋体", "Noto Serif CJK SC"),
    "song": ("宋体", "SimSun", "Noto Serif CJK SC"),
    "fangsong": ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"),
    "hei": ("黑体", "SimHei", "Noto Sans CJK SC"),
    "kai": ("楷体_GB2312", "楷体", "KaiTi", "AR PL UKai CN"),
}
TITLE_FONT = FONT_STACKS["title"][0]
SONG_FONT = FONT_STACKS["song"][0]
BODY_FONT = FONT_STACKS["fangsong"][0]
HEI_FONT = FONT_STACKS["hei"][0]
KAI_FONT = FONT_STACKS["kai"][0]
# The face of each heading level; levels 3 and 4 (1. and （1）) stay in the body face.
LEVEL_FONTS = {0: BODY_FONT, 1: HEI_FONT, 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}

MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小四
# 225 mm type area / 22 lines; 156 mm / 28 characters = 15.8 pt a character, so 16 pt characters
# close up by 0.2 pt (w:spacing is in twentieths of a point).
BODY_LINE = Pt(28.95)
BODY_CHARACTER_SPACING = -4
TITLE_LINE = Pt(36)

STYLE_NAMES = {"body": "公文正文", "title": "公文标题", 1: "公文一级标题", 2: "公文二级标题", "table": "公文表格"}

def chinese_date(date):
    """2026-01-05 → "2026年1月5日" (GB/T 9704 writes the date in Arabic numerals)."""
    if isinstance(date, datetime.datetime):
        date = date.date()
    return f"{date.year}年{date.month}月{date.day}日"


def set_run_font(run, face, size=None, *, bold=None):
    """Name `face` for every script of `run` (w:ascii, w:hAnsi, w:eastAsia, w:cs) so that Word and
    WPS never fall back to a Latin theme font for Chinese text."""
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), face)
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold


def _insert_in_rpr(rpr, element, tag):
    """Insert `element` (tag `tag`) into a w:rPr in schema order."""
    sequence = _RPR_ORDER
    rpr.insert_element_before(element, *sequence[sequence.index(tag) + 1 :])


_RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)


class OfficialDocument:
    """A .docx in the 公文 layout. `landscape` turns the page (wide tables: the summary's 评分明细)."""

    def __init__(self, *, title="", author="述评", landscape=False):
        self.document = Document()
        self._setup_defaults()
        self._setup_styles()
        self._setup_page(landscape)
        self._declare_fonts()
        self._drop_template_leftovers()
        properties = self.document.core_properties
        properties.title = clean_text(title)[:255]
        properties.author = clean_text(author)[:255]
        properties.last_modified_by = "述评"
        properties.comments = ""

    # --- setup --------------------------------------------------------------------------

    def _setup_defaults(self):
        styles = self.document.styles.element
        rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        for attribute in list(fonts.attrib):
            del fonts.attrib[attribute]
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        for attribute in list(spacing.attrib):
            del spacing.attrib[attribute]
        spacing.set(qn("w:after"), "0")

    def _paragraph_style(self, name, face, size, *, line, spacing=None, outline_level=None):
        styles = self.document.styles
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), face)
        style.font.size = size
        if spacing is not None:
            element = OxmlElement("w:spacing")
            element.set(qn("w:val"), str(spacing))
            _insert_in_rpr(rpr, element, "w:spacing")
        paragraph = style.paragraph_format
        paragraph.space_before = paragraph.space_after = Pt(0)
        if line is None:
            paragraph.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            paragraph.line_spacing = line
        paragraph.widow_control = False  # keep every full page on the 22-line grid
        if outline_level is not None:
            # Headings show in Word's navigation pane and outline view.
            ppr = style.element.get_or_add_pPr()
            ppr.get_or_add_outlineLvl().val = outline_level
        return style

    def _setup_styles(self):
        normal = self.document.styles["Normal"]
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), BODY_FONT)
        normal.font.size = BODY_SIZE
        self.styles = {
            "body": self._paragraph_style(STYLE_NAMES["body"], BODY_FONT, BODY_SIZE, line=BODY_LINE, spacing=BODY_CHARACTER_SPACING),
            "title": self._paragraph_style(STYLE_NAMES["title"], TITLE_FONT, TITLE_SIZE, line=TITLE_LINE),
            1: self._paragraph_style(STYLE_NAMES[1], HEI_FONT, BODY_SIZE, line=BODY_LINE, spacing=BODY_CHARACTER_SPACING, outline_level=0),
            2: self._paragraph_style(STYLE_NAMES[2], KAI_FONT, BODY_SIZE, line=BODY_LINE, spacing=BODY_CHARACTER_SPACING, outline_level=1),
            "table": self._paragraph_style(STYLE_NAMES["table"], BODY_FONT, TABLE_SIZE, line=None),
        }
        for key in ("body", 1, 2):
            self.styles[key].paragraph_format.first_line_indent = Pt(32)
            self.styles[key].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self.styles["title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _setup_page(self, landscape):
        section = self.document.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        else:
            section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = MARGINS["top"]
        section.bottom_margin = MARGINS["bottom"]
        section.left_margin = MARGINS["left"]
        section.right_margin = MARGINS["right"]
        section.header_distance = Mm(15)
        # The page number's top 7 mm below the type area: 35 - 7 mm less one 4号 line.
        section.footer_distance = Mm(22)
        # Line grid of 22 lines (Word's 页面设置 → 文档网格 shows it).
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(int(BODY_LINE.pt * 20)))
        self.document.settings.odd_and_even_pages_header_footer = True
        self._page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        self._page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    def _page_number(self, footer, alignment):
        """"— N —" with N a PAGE field: the one field of the document, written here only."""
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = alignment
        # One character in from the edge of the type area.
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        set_run_font(paragraph.add_run("—\u00a0"), SONG_FONT, PAGE_NUMBER_SIZE)
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
            run = paragraph.add_run()
            set_run_font(run, SONG_FONT, PAGE_NUMBER_SIZE)
            if kind == "instr":
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            elif kind == "text":
                run.text = text
                continue
            else:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        set_run_font(paragraph.add_run("\u00a0—"), SONG_FONT, PAGE_NUMBER_SIZE)

    def _declare_fonts(self):
        """Each face in the font table with its charset (GB2312), family and alternate name."""
        part = self.document.part
        font_table = None
        for relationship in part.rels.values():
            if relationship.reltype.endswith("/fontTable"):
                font_table = relationship.target_part
        if font_table is None:
            return
        root = parse_xml(font_table.blob)
        known = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
        families = {"title": "roman", "song": "roman", "fangsong": "modern", "hei": "modern", "kai": "script"}
        for key, stack in FONT_STACKS.items():
            if stack[0] in known:
                continue
            font = OxmlElement("w:font")
            font.set(qn("w:name"), stack[0])
            alternate = OxmlElement("w:altName")
            alternate.set(qn("w:val"), stack[1])
            font.append(alternate)
            charset = OxmlElement("w:charset")
            charset.set(qn("w:val"), "86")
            font.append(charset)
            family = OxmlElement("w:family")
            family.set(qn("w:val"), families[key])
            font.append(family)
            pitch = OxmlElement("w:pitch")
            pitch.set(qn("w:val"), "variable")
            font.append(pitch)
            root.append(font)
        font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _drop_template_leftovers(self):
        """python-docx's default template carries a thumbnail of an empty page: not ours to show."""
        package = self.document.part.package
        for key, relationship in list(package.rels.items()):
            if relationship.reltype.endswith("/thumbnail"):
                del package.rels[key]

    # --- content ------------------------------------------------------------------------

    def _add_paragraph(self, style):
        paragraph = self.document.add_paragraph()
        _set_style(paragraph, style)
        return paragraph

    def _run(self, paragraph, text, face, size=None, *, bold=None):
        run = paragraph.add_run(clean_text(text))
        set_run_font(run, face, size, bold=bold)
        return run

    def title(self, text):
        """The title, 2号 小标宋, centred, then one empty line. A "\\n" in `text` breaks the line."""
        paragraph = self._add_paragraph(self.styles["title"])
        self._run(paragraph, text, TITLE_FONT, TITLE_SIZE)
        self.blank_line()
        return paragraph

    def subtitle(self, text, *, face=KAI_FONT):
        """A centred line under the title (a byline, the issuing date of a sheet)."""
        paragraph = self._add_paragraph(self.styles["body"])
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(paragraph, text, face, BODY_SIZE)
        return paragraph

    def heading(self, text, level=1):
        """A heading on its own line: level 1 (一、) 黑体, level 2 (（一）) 楷体, 3 and 4 in the body face."""
        return self.paragraph("", heading=text, level=level)

    def paragraph(self, text, *, heading="", level=0, indent=True, align=None):
        """A body paragraph, first line indented two characters; `heading` (of `level`) runs in
        before `text` in its own face, as “（一）强化责任担当。始终……” in printed reports."""
        style = self.styles[level] if heading and level in (1, 2) else self.styles["body"]
        paragraph = self._add_paragraph(style)
        if not indent:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        if align is not None:
            paragraph.alignment = _ALIGNMENTS[align]
        if heading:
            self._run(paragraph, heading, LEVEL_FONTS.get(level, BODY_FONT), BODY_SIZE)
        if text or not heading:
            self._run(paragraph, text, BODY_FONT, BODY_SIZE)
        return paragraph

    def paragraphs(self, items):
        """reports.pdf.Paragraph items (a report's text as the splitter reads it)."""
        for item in items:
            self.paragraph(item.text, heading=item.heading, level=item.level)

    def lines(self, text):
        """Plain text, one body paragraph per non-empty line."""
        for line in clean_text(text).splitlines():
            if line.strip():
                self.paragraph(line.strip())

    def blank_line(self):
        paragraph = self._add_paragraph(self.styles["body"])
        set_run_font(paragraph.add_run(""), BODY_FONT, BODY_SIZE)
        return paragraph

    def addressee(self, text):
        """主送机关: flush left, ending in a full-width colon."""
        text = clean_text(text).rstrip("：:")
        return self.paragraph(f"{text}：", indent=False)

    def attachments(self, names):
        """附件说明: “附件：1．……”, further items aligned under the first, one line after the body."""
        names = [clean_text(name) for name in names if clean_text(name)]
        if not names:
            return
        self.blank_line()
        for index, name in enumerate(names, start=1):
            number = f"{index}．" if len(names) > 1 else ""
            paragraph = self.paragraph(("附件：" if index == 1 else "") + number + name)
            if index > 1:
                paragraph.paragraph_format.first_line_indent = Pt(32 + 48)  # under the first name

    def signature(self, organization, date, *, lines=()):
        """落款 and date: right-aligned, four characters in from the right margin, after an empty
        line; `lines` (small print such as a submission stamp) follow in 4号."""
        self.blank_line()
        for text in (organization, chinese_date(date) if date else ""):
            if text:
                paragraph = self.paragraph(text, indent=False, align="right")
                paragraph.paragraph_format.right_indent = Pt(64)
        for text in lines:
            paragraph = self._add_paragraph(self.styles["table"])
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(64)
            self._run(paragraph, text, BODY_FONT, PAGE_NUMBER_SIZE)

    def small(self, text, *, align=None):
        """A note in 4号 without indent (“综合得分 = …”, generation time)."""
        paragraph = self._add_paragraph(self.styles["table"])
        if align is not None:
            paragraph.alignment = _ALIGNMENTS[align]
        self._run(paragraph, text, BODY_FONT, PAGE_NUMBER_SIZE)
        return paragraph

    def table(self, header, rows, *, align=None, widths=None, size=TABLE_SIZE, header_face=HEI_FONT, face=SONG_FONT):
        """A ruled table: `header` (labels) repeated on every page, then `rows` (lists of values;
        None prints as “—”). `align`: per column "left" / "center" / "right"; `widths`: per column,
        python-docx lengths. Returns the python-docx Table."""
        columns = len(header)
        widths = widths or self._column_widths(header, rows, size)
        aligns = align or ["left"] * columns
        table = self.document.add_table(rows=1, cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in enumerate(widths):
            table.columns[column].width = width
        header_row = table.rows[0]
        _repeat_as_header(header_row)
        for column, cell in enumerate(header_row.cells):
            cell.width = widths[column]
            self._cell(cell, header[column], header_face, size, "center")
        template = None
        for values in rows:
            texts = [clean_text(_cell_text(values[column] if column < len(values) else "")) for column in range(columns)]
            plain = not any("\n" in text or "\t" in text for text in texts)  # one w:t per cell
            if template is not None and plain:
                # Rows differ only in their texts: a copy of the first row's XML with the texts set
                # is ~10× faster than building every cell through python-docx (long ledgers).
                tr = copy.deepcopy(template)
                for t, text in zip(tr.iter(qn("w:t")), texts, strict=True):
                    t.text = text
                table._tbl.append(tr)
                continue
            row = table.add_row()
            _cant_split(row)
            # Each cell once (python-docx computes a row's cells on every access).
            for column, cell in enumerate(row.cells):
                cell.width = widths[column]
                self._cell(cell, texts[column], face, size, aligns[column])
            if template is None and plain and all(texts):
                template = copy.deepcopy(row._tr)
                for t in template.iter(qn("w:t")):
                    t.set(qn("xml:space"), "preserve")
        return table

    def _column_widths(self, header, rows, size):
        """Widths sharing the type area by content: each column as wide as its longest line (a
        CJK character counts two), within bounds, so that short values (names, dates) stay on one
        line and long texts take the room."""
        section = self.document.sections[-1]
        available = section.page_width - section.left_margin - section.right_margin
        half_em = int(size) / 2 + Pt(1.2)  # one narrow character plus the cell's padding share
        needs = []
        for column, label in enumerate(header):
            longest = max((_text_width(line) for line in str(label).split("\n")), default=1)
            for values in rows:
                value = _cell_text(values[column]) if column < len(values) else ""
                longest = max([longest, *(_text_width(line) for line in value.split("\n"))])
            needs.append(min(max(longest, 4), 60) * half_em + Pt(10))
        total = sum(needs)
        if total <= available:
            spare = (available - total) / len(needs)
            return [int(need + spare) for need in needs]
        # Too wide: short columns keep their need, long ones share the rest.
        short = [need for need in needs if need <= available / len(needs)]
        rest = available - sum(short)
        long_total = sum(need for need in needs if need > available / len(needs)) or 1
        return [int(need) if need <= available / len(needs) else int(rest * need / long_total) for need in needs]

    def _cell(self, cell, text, face, size, align):
        paragraph = cell.paragraphs[0]
        _set_style(paragraph, self.styles["table"])
        paragraph.alignment = _ALIGNMENTS[align]
        size = None if size == TABLE_SIZE else size  # the style's size already
        parts = clean_text(text).split("\n")
        run = self._run(paragraph, parts[0], face, size)
        for part in parts[1:]:
            run.add_break()
            run = self._run(paragraph, part, face, size)

    def page_break(self):
        paragraph = self._add_paragraph(self.styles["body"])
        run = paragraph.add_run()
        set_run_font(run, BODY_FONT, BODY_SIZE)
        run.add_break(WD_BREAK.PAGE)

    # --- output -------------------------------------------------------------------------

    def save(self, fileobj):
        self.document.save(fileobj)

    def to_bytes(self):
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()


def _text_width(text):
    """Width in half-ems: a CJK (or full-width) character counts two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _cell_text(value):
    if value is None:
        return "—"
    return str(value)


def _set_style(paragraph, style):
    """paragraph.style = style by its id: python-docx's setter looks the style up in the whole
    styles part on every call (most of the time of a 200-row table)."""
    paragraph._p.get_or_add_pPr().style = style.style_id


def _repeat_as_header(row):
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def _cant_split(row):
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    trpr.insert(0, element)


_ALIGNMENTS = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

