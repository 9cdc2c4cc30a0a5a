"""Hostile zip packages for the upload tests and bench/bench_uploads.py: bombs that inflate
out of proportion, packages with too many parts, a header that lies about a part's size, and
the largest honest files each upload accepts."""

import io
import random
import re
import struct
import zipfile

import docx

from tests.branches.roster_helpers import roster_bytes

MB = 1024 * 1024


def inflated_size(content):
    """The sum of the declared sizes of the package's parts."""
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())


def _rebuild(content, replace):
    """`content` (a zip) with each part's bytes passed through replace(name, data)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace(info.filename, source.read(info)), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _docx(paragraphs=("一、履职情况", "召开支委会12次。")):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_with_body(body_xml, extra=None):
    def replace(name, data):
        return data.replace(b"<w:body>", b"<w:body>" + body_xml) if name == "word/document.xml" else data

    content = _rebuild(_docx(), replace)
    if extra:
        buffer = io.BytesIO(content)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
            for name, data in extra.items():
                archive.writestr(name, data)
        content = buffer.getvalue()
    return content


def docx_bomb(inflated=42 * MB, packed=120 * 1024):
    """A .docx of about `packed` bytes whose document.xml inflates to `inflated` bytes
    (the issue's 120 KB → 42 MB); a stored picture of random bytes makes up the size."""
    # Runs of one byte inflate about 1000×, as in a real bomb (repeated phrases only ~130×).
    paragraph = ('<w:p><w:r><w:t xml:space="preserve">抓基层党建' + " " * 4000 + "</w:t></w:r></w:p>").encode()
    body = paragraph * (inflated // len(paragraph))
    content = _docx_with_body(body)
    padding = max(packed - len(content), 0)
    return _docx_with_body(body, {"word/media/image1.png": random.Random(1).randbytes(padding)}) if padding else content


def docx_honest(inflated):
    """A .docx whose text (random Chinese, compressing like prose) inflates to about `inflated`."""
    chars = "党建工作支部书记履职情况存在问题下一步打算整改落实组织生活会主题党日发展党员学习教育"
    rng = random.Random(2)
    paragraphs = []
    size = 0
    while size < inflated:
        text = "".join(rng.choice(chars) for _ in range(200))
        paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
        paragraphs.append(paragraph)
        size += len(paragraph)
    return _docx_with_body(b"".join(paragraphs))


def xlsx_bomb(inflated=42 * MB, honest_rows=1, numbered=False):
    """A roster workbook whose organization sheet holds `inflated` bytes of empty rows and
    no <dimension> (so openpyxl cannot stop early). Unnumbered rows of spaces inflate about
    500×; `numbered` rows (as Excel writes them) only about 14×, like an honest large sheet."""
    base = roster_bytes([(f"支部{i}", "党支部", "", "", "", "") for i in range(honest_rows)])
    if numbered:
        row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t></t></is></c></row>'
        first = honest_rows + 2
        rows = b"".join(row % (i, i) for i in range(first, first + inflated // (len(row) + 8)))
    else:
        # Rows and cells may leave out their numbers: a run of identical empty rows.
        row = b'<row><c t="inlineStr"><is><t xml:space="preserve">' + b" " * 2000 + b"</t></is></c></row>"
        rows = row * (inflated // len(row))

    def replace(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = re.sub(rb"<dimension[^>]*/>", b"", data).replace(b"</sheetData>", rows + b"</sheetData>")
        return data

    return _rebuild(base, replace)


def many_entries(count=5000, base=None):
    """`base` (a .docx by default) with `count` extra empty parts."""
    buffer = io.BytesIO(base or _docx())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            archive.writestr(f"word/parts/part{i}.xml", b"")
    return buffer.getvalue()


def lying_header(base=None, name="word/document.xml", inflated=42 * MB, declared=1000):
    """`base` (a .docx by default) whose part `name` really inflates to `inflated` bytes while
    its local and central headers claim `declared`."""
    filler = b"<w:p/>" * (inflated // 6)

    def replace(part, data):
        return data.replace(b"<w:body>", b"<w:body>" + filler) if part == name else data

    content = bytearray(_rebuild(base or _docx(), replace))
    encoded = name.encode()
    # (signature, offset of the uncompressed size, of the name length, of the name)
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = 0
        while (at := content.find(signature, at)) >= 0:
            (length,) = struct.unpack("<H", content[at + length_at : at + length_at + 2])
            if content[at + name_at : at + name_at + length] == encoded:
                content[at + size_at : at + size_at + 4] = struct.pack("<I", declared)
            at += 4
    return bytes(content)


def _status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


def _release_free_memory():
    """Hand memory freed earlier back to the system, so that reusing it cannot hide growth."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_memory_mb(function):
    """(result or exception, peak extra memory in MB) of calling `function`: the growth of the
    process's peak resident size, which counts libxml2's allocations inside lxml too (Linux lets
    a process reset its peak through /proc/self/clear_refs); elsewhere tracemalloc's peak."""
    _release_free_memory()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        before = _status_mb("VmRSS")
    except OSError:
        before = None
    if before is None:
        import tracemalloc

        tracemalloc.start()
    try:
        try:
            outcome = function()
        except Exception as error:  # the refusal is the expected outcome of most calls
            outcome = error
        if before is None:
            peak = tracemalloc.get_traced_memory()[1] / MB
        else:
            peak = _status_mb("VmHWM") - before
    finally:
        if before is None:
            tracemalloc.stop()
    return outcome, peak
