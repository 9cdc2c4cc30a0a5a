"""PDF rendering core: Django template → HTML → WeasyPrint → PDF bytes.

Every document of the app goes through `render_pdf`. Rendering is sealed off from the
outside world: WeasyPrint gets a URL fetcher that serves only the print stylesheets under
static/pdf/ and refuses everything else, so text a user typed (even `<img src=…>` or
`<link href=…>`, which the template autoescapes anyway) can never make the server fetch
a file or a URL. Fonts come from fontconfig by family name (see static/pdf/*.css) and are
embedded as subsets by HarfBuzz's subsetter (libharfbuzz-subset0, installed by
`make system`); without it WeasyPrint falls back to fontTools, tens of times slower on CJK fonts
(bench/bench_pdf.py measures both).
"""

import logging
import mimetypes
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header

from . import splitter

logger = logging.getLogger(__name__)

PDF_STATIC_DIR = Path(settings.BASE_DIR) / "static" / "pdf"
PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CHINESE_NUMERALS = "一二三四五六七八九十"


class FetchRefused(ValueError):
    """Raised by the fetcher for any URL outside the app's print assets."""


def _weasyprint():
    # Imported lazily: loading Pango and HarfBuzz costs ~1 s, which pages that never
    # print should not pay at startup.
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    return weasyprint, URLFetcher, URLFetcherResponse


def static_only_fetcher(root=PDF_STATIC_DIR):
    """A WeasyPrint URL fetcher serving files under `root` only; every other URL raises FetchRefused.

    It records what it was asked for (`requested`) and what it refused (`refused`).
    """
    _, URLFetcher, URLFetcherResponse = _weasyprint()
    root = Path(root).resolve()

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file",))
            self.requested = []
            self.refused = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            path = _local_path(url, root)
            if path is None:
                self.refused.append(url)
                logger.warning("PDF rendering refused to fetch %s", url[:200])
                raise FetchRefused(f"不允许在导出文档时访问外部资源：{url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def _local_path(url, root):
    """The file under `root` a file: URL names, or None (other schemes, hosts, paths outside root)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@dataclass
class RenderedPdf:
    content: bytes
    page_count: int
    # {font family: sorted characters that had no glyph} — must stay empty (no tofu).
    missing_glyphs: dict = field(default_factory=dict)


_local = threading.local()


def _font_config():
    """One FontConfiguration per thread, kept: a new one per document maps every font file
    again (~90 MB of resident pages per report until the garbage collector runs) and costs
    time. Sharing is safe because no template uses @font-face; per thread because Pango's
    font map is not thread-safe."""
    if not hasattr(_local, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
    return _local.font_config


def render_pdf(template_name, context, *, fetcher=None):
    """Render a template under templates/pdf/ to a PDF. `fetcher` defaults to a static_only_fetcher."""
    weasyprint, _, _ = _weasyprint()
    html = render_to_string(template_name, context)
    fetcher = fetcher or static_only_fetcher()
    document = weasyprint.HTML(string=html, base_url=PDF_STATIC_DIR.as_uri() + "/", url_fetcher=fetcher).render(
        font_config=_font_config()
    )
    content = document.write_pdf()
    missing = {
        font.family: "".join(sorted(chr(codepoint) for codepoint in font.missing))
        for font in document.fonts.values()
        if getattr(font, "missing", None)  # WeasyPrint's record of .notdef glyphs drawn
    }
    if missing:
        logger.warning("PDF %s has characters without a glyph: %s", template_name, missing)
    return RenderedPdf(content=content, page_count=len(document.pages), missing_glyphs=missing)


def download_response(content, filename, content_type=PDF_CONTENT_TYPE):
    """An attachment response; the Chinese filename goes in RFC 5987 `filename*`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def safe_filename(text):
    """A filename part without path separators or characters that trouble file systems."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._") or "document"


# --- Headings -----------------------------------------------------------------------------

# A heading line that runs on into body text ends its heading at the first full stop.
HEADING_MAX_LENGTH = 60


@dataclass
class Paragraph:
    level: int  # 0 body text; 1 一、 2 （一） 3 1. — as reports.splitter.line_level detects them
    heading: str  # the heading part, set in the heading face (empty for body text)
    text: str  # the rest of the line, set in the body face


def paragraphs(text):
    """Report text as Paragraphs, one per non-empty line, headings detected by the splitter.

    A heading line like "（一）强化责任担当，切实抓好责任落实。始终把党建工作……" keeps
    its heading sentence in the heading face and the rest in the body face, as printed
    Party documents do.
    """
    result = []
    for kind, line in splitter.paragraphs(text):
        level = int(kind[1:]) if kind.startswith("h") else 0
        stop = line.find("。")
        if not level:
            result.append(Paragraph(0, "", line))
        elif 0 <= stop < len(line) - 1 and stop < HEADING_MAX_LENGTH:
            result.append(Paragraph(level, line[: stop + 1], line[stop + 1 :]))
        elif len(line) <= HEADING_MAX_LENGTH:
            result.append(Paragraph(level, line, ""))
        else:
            # A long numbered paragraph with no sentence end: body text, not a heading.
            result.append(Paragraph(0, "", line))
    return result


# --- The report ---------------------------------------------------------------------------


def chinese_numeral(number):
    """1 → 一 … 10 → 十, 11 → 十一 … 19 → 十九 (enough for section numbers)."""
    if number <= 10:
        return CHINESE_NUMERALS[number - 1]
    return "十" + CHINESE_NUMERALS[number - 11]


def report_sections(source):
    """[(heading or "", [Paragraph])] of a report or version's non-empty sections.

    A section whose text does not open with its own level-1 heading gets one
    (“二、存在问题”), numbered in order; the secretary's own headings are kept.
    """
    sections = []
    number = 0
    for _field, label, text in source.section_items():
        items = paragraphs(text)
        if not items:
            continue
        number += 1
        if items[0].level == 1:
            sections.append(("", items))
        else:
            sections.append((f"{chinese_numeral(number)}、{label}", items))
    return sections


def report_pdf_context(report, *, version=None):
    """Context of templates/pdf/report.html: a submitted `version`, or (None) the current draft."""
    source = version or report
    organization = report.organization
    secretary = organization.secretary
    if version is not None:
        stamp = version.submitted_at
    else:
        stamp = report.updated_at or timezone.now()
    return {
        "title": f"{organization.name}书记{report.cycle.year}年度抓基层党建工作述职报告",
        "organization": organization,
        "secretary_name": secretary.display_name if secretary else "",
        "year": report.cycle.year,
        "cycle": report.cycle,
        "version": version,
        "is_draft": version is None,
        "stamp": timezone.localtime(stamp),
        "is_late": version.is_late if version is not None else False,
        "preamble": paragraphs(source.preamble),
        "sections": report_sections(source),
        "figures": [(label, value) for _field, label, value in source.figure_items() if value is not None],
        "generated_at": timezone.localtime(),
    }


def report_pdf(report, *, version=None):
    """Render a report (a submitted version, or the current draft) in the Party-document layout."""
    return render_pdf("pdf/report.html", report_pdf_context(report, version=version))


def report_pdf_filename(report, *, version=None):
    suffix = f"（第{version.number}版）" if version is not None else "（草稿）"
    return safe_filename(f"{report.organization.name}{report.cycle.year}年度述职报告{suffix}") + ".pdf"
