"""PDF rendering core: Django template → HTML → WeasyPrint → PDF bytes. (One module over 450
lines: the renderer and the WeasyPrint tuning it installs are one concern.)

Every document of the app goes through `render_pdf`. Rendering is sealed off from the
outside world: WeasyPrint gets a URL fetcher that serves only the print stylesheets under
static/pdf/ and refuses everything else, so text a user typed (even `<img src=…>` or
`<link href=…>`, which the template autoescapes anyway) can never make the server fetch
a file or a URL. Fonts come from fontconfig by family name (see static/pdf/*.css) and are
embedded as subsets by HarfBuzz's subsetter (libharfbuzz-subset0, installed by
`make system`); without it WeasyPrint falls back to fontTools, tens of times slower on CJK fonts
(bench/bench_pdf.py measures both). The print stylesheets are parsed once per process
(`print_stylesheet`), WeasyPrint 70's font embedding is tuned below (see "WeasyPrint 70
tuned"), and a submitted version's PDF is kept in a file cache.
"""

import functools
import glob
import hashlib
import logging
import mimetypes
import os
import subprocess
import tempfile
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from branches.downloads import safe_filename

from . import splitter

logger = logging.getLogger(__name__)

PDF_STATIC_DIR = Path(settings.BASE_DIR) / "static" / "pdf"

CHINESE_NUMERALS = "一二三四五六七八九十"


class FetchRefused(ValueError):
    """Raised by the fetcher for any URL outside the app's print assets."""


def _weasyprint():
    # Imported lazily: loading Pango and HarfBuzz costs ~1 s, which pages that never
    # print should not pay at startup.
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    if not _TUNING["tried"]:
        with _TUNING["lock"]:
            if not _TUNING["tried"]:  # once: untune_weasyprint() then stays until tune_weasyprint()
                tune_weasyprint()
                _TUNING["tried"] = True
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


# --- WeasyPrint 70 tuned ----------------------------------------------------------------------
#
# Writing the PDF, most of it embedding the CJK faces, was over half the time of a report
# (bench/bench_pdf.py). Three changes, leaving the PDF's fonts and text as WeasyPrint makes
# them (tests/exports/test_pdf_tuning.py compares the embedded fonts with and without):
#
# 1. Font.__init__ copied each whole font file (a 20-27 MB .ttc) into a bytes object on
#    every render, to replace it with the subset a few milliseconds later: ~0.1 s of page
#    faults and ~90 MB of memory per report. The copy is now made only if something reads
#    the whole font (variable or colour fonts, full_fonts=True, the fontTools fallback).
# 2. Font._harfbuzz_subset ran hb-subset twice: once keeping the used glyph ids, then again
#    over the result keeping glyphs 0..max to apply the hinting flag. One pass with the
#    flags merged gives the same glyphs, tables and metrics in about a third of the time.
# 3. pydyf 0.13 (WeasyPrint's PDF writer) compresses every stream at zlib level 9, 2 KiB
#    smaller than zlib's default level 6 on a 470 KiB report and ~0.04 s slower: level 6.
# 4. Subsetting and compressing the faces (~0.1 s of a report, three CJK faces of ~1 MB each
#    after subsetting) ran one face after the other on one core. Both are C code that releases
#    the GIL, so the faces are now subset and compressed at once on a small thread pool, before
#    WeasyPrint builds the font dictionary; it then finds them done and pydyf writes the
#    compressed bytes as they are (same zlib level 6, same bytes as compressing them in line).
#
# Other WeasyPrint and pydyf versions run unchanged: the patch is skipped and logged.
TUNED_WEASYPRINT_VERSIONS = ("70.0",)
TUNED_PYDYF_VERSIONS = ("0.13.0",)


class _ZlibAtDefaultLevel:
    """zlib for pydyf: compressobj() at zlib's default level whatever level pydyf asks for."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs)


class _FaceBytes:
    """A HarfBuzz face whose bytes are copied out only when read (see _LazyFileContent)."""

    __slots__ = ("face",)

    def __init__(self, face):
        self.face = face

    def __bool__(self):
        # WeasyPrint checks the data it got is not empty: answer without copying it.
        from weasyprint.text.ffi import harfbuzz

        blob = harfbuzz.hb_face_reference_blob(self.face)
        try:
            return harfbuzz.hb_blob_get_length(blob) > 0
        finally:
            harfbuzz.hb_blob_destroy(blob)


class _LazyFileContent:
    """Font.file_content as a descriptor: stores what WeasyPrint assigns, resolves a
    _FaceBytes into bytes on first read."""

    def __get__(self, font, owner=None):
        if font is None:
            return self
        content = font.__dict__["_file_content"]
        if isinstance(content, _FaceBytes):
            from weasyprint.text.fonts import get_hb_object_data

            content = font.__dict__["_file_content"] = get_hb_object_data(content.face)
        return content

    def __set__(self, font, value):
        font.__dict__["_file_content"] = value


def _deferred_hb_object_data(hb_object, ot_color=None, glyph=None):
    """weasyprint.pdf.fonts' get_hb_object_data: a whole face is deferred, the rest is read."""
    from weasyprint.text.fonts import get_hb_object_data

    if ot_color is None and glyph is None:
        return _FaceBytes(hb_object)
    return get_hb_object_data(hb_object, ot_color, glyph)


def _harfbuzz_subset_once(font, to_unicode, hinting):
    """WeasyPrint 70's Font._harfbuzz_subset in one hb-subset pass instead of two.

    Same glyph set (the used ids, kept in place), same dropped tables, and the flags of
    both passes together. Falls back to WeasyPrint's own two passes if this one fails."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    if subset_input == ffi.NULL:
        return _ORIGINALS["_harfbuzz_subset"](font, to_unicode, hinting)
    glyphs = sorted(to_unicode)
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(glyph_set, ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs), len(glyphs))
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    drop_set = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    drop = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop_set, ffi.new(f"hb_codepoint_t[{len(drop)}]", drop), len(drop))
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input)
    if face != ffi.NULL:
        face = ffi.gc(face, harfbuzz.hb_face_destroy)
        content = get_hb_object_data(face)
        if content:
            font.file_content = content
            return None
    return _ORIGINALS["_harfbuzz_subset"](font, to_unicode, hinting)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):
    """weasyprint.pdf's build_fonts_dictionary, with the faces prepared in parallel first."""
    import pydyf

    faces = _faces_to_embed(fonts) if subset else []
    prepared = {}
    if len(faces) > 1:
        # Longest first: the body face alone takes as long as the others together.
        faces.sort(key=lambda face: len(face[1]), reverse=True)
        prepare = functools.partial(_prepare_face, hinting=options["hinting"], compress=compress)
        prepared = {id(program): (program, deflated) for program, deflated in _font_pool().map(prepare, faces) if deflated}
    first_new_object = len(pdf.objects)
    dictionary = _ORIGINALS["build_fonts_dictionary"](pdf, fonts, compress, subset, options)
    for stream in pdf.objects[first_new_object:] if prepared else ():
        if isinstance(stream, pydyf.Stream) and stream.compress and len(stream.stream) == 1:
            program, deflated = prepared.get(id(stream.stream[0]), (None, None))
            if program is stream.stream[0]:
                # What pydyf writes for a compressed stream, with the compression done.
                stream.stream, stream.compress = [deflated], False
                stream.extra["Filter"] = "/FlateDecode"
    return dictionary


def _faces_to_embed(fonts):
    """[(font, glyphs to keep)] the way WeasyPrint's build_fonts_dictionary sees them: one per
    font file, with the glyphs of every Font object made from it."""
    by_file = {}
    for font in fonts.values():
        by_file.setdefault(font.hash, []).append(font)
    faces = []
    for file_fonts in by_file.values():
        font = file_fonts[0]
        if font.bitmap or font.used_in_forms:
            continue
        to_unicode = {}
        for file_font in file_fonts:
            to_unicode.update(file_font.to_unicode)
        faces.append((font, to_unicode))
    return faces


def _prepare_face(face, *, hinting, compress):
    """Subset one face (in a pool thread) and, if the PDF is compressed, compress it: returns
    (the font program, its zlib level-6 stream, or None)."""
    font, to_unicode = face
    font.clean(to_unicode, hinting)
    font.clean = _already_clean  # WeasyPrint calls it again: nothing left to do
    program = font.file_content
    return program, zlib.compress(program, zlib.Z_DEFAULT_COMPRESSION) if compress else None


def _already_clean(to_unicode, hinting):
    return None


_FONT_POOL = {}


def _font_pool():
    with _TUNING["lock"]:
        if "pool" not in _FONT_POOL:
            _FONT_POOL["pool"] = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="pdf-fonts")
        return _FONT_POOL["pool"]


def reset_font_pool():
    """Forget the font thread pool (in a forked process, where its threads do not exist)."""
    _FONT_POOL.clear()


# The tables WeasyPrint 70's _harfbuzz_subset drops.
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
_ORIGINALS = {}
_TUNING = {"tried": False, "lock": threading.Lock()}


def tune_weasyprint():
    """Apply the font-embedding changes above (once; only to TUNED_WEASYPRINT_VERSIONS).

    Returns whether they are in place."""
    import pydyf
    import weasyprint
    import weasyprint.pdf
    import weasyprint.pdf.fonts as pdf_fonts

    if _ORIGINALS:
        return True
    versions = (weasyprint.__version__, pydyf.__version__)
    if versions[0] not in TUNED_WEASYPRINT_VERSIONS or versions[1] not in TUNED_PYDYF_VERSIONS or not pdf_fonts.harfbuzz_subset:
        logger.info("WeasyPrint %s with pydyf %s runs untuned", *versions)
        return False
    _ORIGINALS.update(
        _harfbuzz_subset=pdf_fonts.Font._harfbuzz_subset,
        get_hb_object_data=pdf_fonts.get_hb_object_data,
        zlib=pydyf.zlib,
        build_fonts_dictionary=weasyprint.pdf.build_fonts_dictionary,
    )
    # The descriptor before the deferred data it resolves.
    pdf_fonts.Font.file_content = _LazyFileContent()
    pdf_fonts.Font._harfbuzz_subset = _harfbuzz_subset_once
    pdf_fonts.get_hb_object_data = _deferred_hb_object_data
    pydyf.zlib = _ZlibAtDefaultLevel
    weasyprint.pdf.build_fonts_dictionary = _build_fonts_dictionary
    return True


def untune_weasyprint():
    """Undo tune_weasyprint (for the benchmark and the tests that compare with WeasyPrint's own
    result; not thread-safe)."""
    import pydyf
    import weasyprint.pdf
    import weasyprint.pdf.fonts as pdf_fonts

    if not _ORIGINALS:
        return
    weasyprint.pdf.build_fonts_dictionary = _ORIGINALS.pop("build_fonts_dictionary")
    pdf_fonts.get_hb_object_data = _ORIGINALS.pop("get_hb_object_data")
    pdf_fonts.Font._harfbuzz_subset = _ORIGINALS.pop("_harfbuzz_subset")
    del pdf_fonts.Font.file_content
    pydyf.zlib = _ORIGINALS.pop("zlib")


def render_pdf(template_name, context, *, stylesheets=(), fetcher=None):
    """Render a template to a PDF styled by fonts.css and `stylesheets` (file names under
    static/pdf/). `fetcher` defaults to a static_only_fetcher."""
    return _html_to_pdf(render_to_string(template_name, context), template_name, stylesheets=stylesheets, fetcher=fetcher)


def _html_to_pdf(html, template_name, *, stylesheets, fetcher=None):
    document = laid_out_document(html, stylesheets=stylesheets, fetcher=fetcher)
    content = document.write_pdf()
    missing = {
        font.family: "".join(sorted(chr(codepoint) for codepoint in font.missing))
        for font in document.fonts.values()
        if getattr(font, "missing", None)  # WeasyPrint's record of .notdef glyphs drawn
    }
    if missing:
        logger.warning("PDF %s has characters without a glyph: %s", template_name, missing)
    return RenderedPdf(content=content, page_count=len(document.pages), missing_glyphs=missing)


def laid_out_document(html, *, stylesheets, fetcher=None):
    """WeasyPrint's Document of `html` (pages laid out, not yet drawn): `write_pdf()` makes the PDF."""
    weasyprint, _, _ = _weasyprint()
    return weasyprint.HTML(
        string=html, base_url=PDF_STATIC_DIR.as_uri() + "/", url_fetcher=fetcher or static_only_fetcher()
    ).render(font_config=_font_config(), stylesheets=[print_stylesheet(name) for name in ("fonts.css", *stylesheets)])


def print_stylesheet(name):
    """The parsed stylesheet static/pdf/`name`, parsed once per process (and again when the
    file changes). Parsing fonts.css and report.css took ~15 ms of every report; WeasyPrint
    only reads a parsed stylesheet, so one serves every document and thread."""
    path = PDF_STATIC_DIR / name
    if path.parent != PDF_STATIC_DIR or path.suffix != ".css":
        raise FetchRefused(f"不是打印样式表：{name}")
    return _parsed_stylesheet(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _parsed_stylesheet(path, _mtime_ns):
    weasyprint, _, _ = _weasyprint()
    # Through the sealed fetcher like everything else (a url() in the file is refused unless it is a print asset).
    return weasyprint.CSS(url=path.as_uri(), url_fetcher=static_only_fetcher())


# --- The file cache of submitted versions ---------------------------------------------------
#
# A submitted ReportVersion never changes, so its PDF is rendered once and then served from
# MEDIA_ROOT/pdf-cache/ (not public: nothing serves MEDIA_ROOT). The file name holds the
# version's pk and a digest of everything the PDF is made of: the HTML (so a renamed
# organization or an edited template gives a new file), the print stylesheets, the
# WeasyPrint version and the installed fonts. One file per version: a new digest replaces
# the old file. Drafts are never cached.

PDF_CACHE_DIR = "pdf-cache"


@functools.cache
def _render_fingerprint():
    """What the PDF of a given HTML depends on besides it, computed once per process."""
    weasyprint, _, _ = _weasyprint()
    digest = hashlib.sha256(f"{weasyprint.__version__} {TUNED_WEASYPRINT_VERSIONS}".encode())
    for path in sorted(PDF_STATIC_DIR.glob("*.css")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        fonts = subprocess.run(
            ["fc-list", "--format", "%{file}|%{index}|%{family}\n"], capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        logger.warning("fc-list failed: cached PDFs will not notice font changes")
        fonts = b""
    digest.update(b"\n".join(sorted(fonts.splitlines())))
    return digest.hexdigest()


def _cached_pdf(html, template_name, *, stylesheets, key):
    """The PDF of `html`, from the file cache under `key` (a file-name prefix) when there."""
    directory = Path(settings.MEDIA_ROOT) / PDF_CACHE_DIR
    digest = hashlib.sha256(_render_fingerprint().encode() + html.encode()).hexdigest()[:32]
    prefix = f"{key}-{digest}-"
    for path in directory.glob(f"{glob.escape(prefix)}*.pdf"):
        page_count = path.stem.removeprefix(prefix)
        if page_count.isdigit():
            return RenderedPdf(content=path.read_bytes(), page_count=int(page_count))
    rendered = _html_to_pdf(html, template_name, stylesheets=stylesheets)
    if rendered.missing_glyphs:
        return rendered  # not kept: installing a font should fix it
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob(f"{glob.escape(key)}-*.pdf"):
            stale.unlink(missing_ok=True)
        # Write then rename, so a concurrent download never reads half a file.
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".tmp-", suffix=".pdf", delete=False) as file:
            file.write(rendered.content)
        os.replace(file.name, directory / f"{prefix}{rendered.page_count}.pdf")
    except OSError:
        logger.exception("Could not keep the PDF of %s in the file cache", key)
    return rendered


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


def report_pdf(report, *, version=None, use_cache=True):
    """A report (a submitted version, or the current draft) in the Party-document layout.

    A saved version's PDF comes from the file cache after its first rendering (use_cache=False
    renders anyway, as the benchmark does)."""
    template_name, stylesheets = "pdf/report.html", ("report.css",)
    context = report_pdf_context(report, version=version)
    if not use_cache or version is None or version.pk is None:
        return render_pdf(template_name, context, stylesheets=stylesheets)
    return _cached_pdf(
        render_to_string(template_name, context), template_name, stylesheets=stylesheets, key=f"report-version-{version.pk}"
    )


def report_pdf_filename(report, *, version=None):
    suffix = f"（第{version.number}版）" if version is not None else "（草稿）"
    return safe_filename(f"{report.organization.name}{report.cycle.year}年度述职报告{suffix}") + ".pdf"
