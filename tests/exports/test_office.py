"""Real office software opens every .docx and .xlsx the app writes: LibreOffice (Debian's
libreoffice-writer-nogui and libreoffice-calc-nogui, installed by `make test`) converts them all
to PDF in one headless run with a throwaway profile; then the PDFs are read back (page count,
every text of the document present, Chinese intact, hostile text printed as typed, no link), and
python-docx / openpyxl check page setup, the East Asian font of every run and the sheets.

Skipped with the reason when soffice is missing; in CI (CI=true) that is a failure instead.
"""

import io
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook
from pypdf import PdfReader

from reviews.models import Problem, RectificationItem, RectificationPlan, Review
from reviews.rectification.services import plan_save
from reviews.results.archive import cycle_archive_write
from reviews.results.services import cycle_publish, notice_save
from tests.factories import INCOMPLETE_OK

HOSTILE = {
    "formula": "=1+1",
    "dde": '+cmd|" /C calc"!A0',
    "at": "@SUM(1+1)",
    "field": '{ HYPERLINK "http://evil.example/" }',
    "script": "<script>alert(1)</script>",
}
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.office


@pytest.fixture(scope="module")
def soffice():
    if SOFFICE is None:
        reason = "LibreOffice (soffice) is not installed: `make system-test` installs libreoffice-writer-nogui and libreoffice-calc-nogui"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Office checks cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    return SOFFICE


def convert_all(soffice, paths, tmp_path):
    """Every file to PDF in ONE soffice run, with its own profile (no user's settings, no lock
    shared with another run). Returns {path: pdf path}."""
    out = tmp_path / "pdf"
    out.mkdir()
    profile = (tmp_path / "profile").as_uri()
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)],
        capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    return {path: out / f"{path.stem}.pdf" for path in paths}


def pdf_text(path):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True).stdout


def flat(text):
    return re.sub(r"\s+", "", text)


def docx_texts(content):
    """Every non-empty paragraph and table cell of a .docx (what must survive printing)."""
    document = Document(io.BytesIO(content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return [text for text in texts if text.strip()]


def xlsx_texts(content):
    texts = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts.extend(value for value in row if isinstance(value, str) and value.strip())
    return texts


def build_documents(w, client):
    """{file name: bytes} of every .docx and .xlsx the app produces for the world."""
    documents = {}
    buffer = io.BytesIO()
    cycle_archive_write(cycle=w.cycle, formats={"docx", "xlsx"}, fileobj=buffer)
    with zipfile.ZipFile(buffer) as archive:
        for name in archive.namelist():
            documents[name.replace("/", "-")] = archive.read(name)
    client.force_login(w.admin)
    plan = RectificationPlan.objects.get(report=w.report_a)
    for name, args in [
        ("reviews:progress_xlsx", [w.cycle.pk]),
        ("reviews:rectification_plan_lists_docx", [plan.pk]),
        ("reviews:rectification_plan_lists_xlsx", [plan.pk]),
        ("branches:roster_template", []),
        ("branches:roster_export", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        documents[f"{name.split(':')[1]}.{'xlsx' if name.endswith(('xlsx', 'template', 'export')) else 'docx'}"] = response.content
    client.force_login(w.secretary_a)
    response = client.get(reverse("reports:report_docx", args=[w.report_a.pk]))
    documents["report-secretary.docx"] = response.content
    return documents


@pytest.mark.django_db
def test_libreoffice_prints_every_document_whole(soffice, scored_world, client, tmp_path):
    w = scored_world
    # Hostile text where users write, before publication freezes it.
    Review.objects.filter(report=w.report_a, reviewer=w.reviewer).update(comment=f"{HOSTILE['field']} {HOSTILE['script']} 点评意见")
    Problem.objects.filter(review__report=w.report_a, text="理论学习不够深入").update(text=HOSTILE["formula"])
    w.branch_b.name = f"{HOSTILE['at']}乙社区党支部"
    w.branch_b.save(update_fields=["name"])
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    w.cycle.refresh_from_db()
    plan = RectificationPlan.objects.get(report=w.report_a)
    plan_save(
        plan=plan, by=w.secretary_a, submit=False,
        entries={item.pk: {"measures": HOSTILE["dde"], "owner": HOSTILE["at"], "deadline": "2027-06-30"} for item in plan.items.all()},
    )
    notice_save(cycle=w.cycle, by=w.admin, addressee="各党支部", requirements=f"（一）{HOSTILE['field']}\n{HOSTILE['formula']}")
    assert RectificationItem.objects.filter(plan=plan, measures=HOSTILE["dde"]).exists()

    documents = build_documents(w, client)
    assert sum(name.endswith(".docx") for name in documents) == 12 and sum(name.endswith(".xlsx") for name in documents) == 7
    files = {}
    for index, (name, content) in enumerate(sorted(documents.items())):
        path = tmp_path / f"doc{index:03d}{os.path.splitext(name)[1]}"
        path.write_bytes(content)
        files[path] = name
    pdfs = convert_all(soffice, list(files), tmp_path)

    problems = []
    seen_hostile = set()
    for path, name in files.items():
        pdf = pdfs[path]
        if not pdf.exists():
            problems.append(f"{name}: LibreOffice wrote no PDF")
            continue
        reader = PdfReader(str(pdf))
        if not reader.pages:
            problems.append(f"{name}: no page")
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                if annotation.get_object().get("/Subtype") == "/Link":
                    problems.append(f"{name}: a link in the printed document")
        printed = flat(pdf_text(pdf))
        content = documents[name]
        texts = docx_texts(content) if name.endswith(".docx") else xlsx_texts(content)
        # Nothing lost: every character of every text is printed (as often as it is written).
        # Counted, not searched as strings: a table cell's lines interleave with its neighbours'
        # in the extracted text. A computed formula would print its value instead: lost too.
        missing = Counter(flat("".join(texts))) - Counter(printed)
        if missing:
            problems.append(f"{name}: lost {''.join(sorted(missing.elements()))[:80]!r}")
        # Short paragraphs (headings, 主送, 落款, hostile lines) print in one piece, in order.
        paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs] if name.endswith(".docx") else []
        for text in paragraphs:
            if 0 < len(flat(text)) <= 30 and flat(text) not in printed:
                problems.append(f"{name}: {text!r} not printed as one piece")
        if "党" not in printed:
            problems.append(f"{name}: no Chinese text came through")
        for key, value in HOSTILE.items():
            if flat(value) in printed:
                seen_hostile.add(key)
    assert not problems, "\n".join(problems)
    # Every kind of hostile text reached some document and printed as typed.
    assert seen_hostile == set(HOSTILE)

    # Page counts where the layout is known: the notice's grade list on a page of its own.
    notice = next(path for path, name in files.items() if name.endswith("情况通报.docx"))
    assert len(PdfReader(str(pdfs[notice])).pages) >= 2


@pytest.mark.django_db
def test_every_docx_is_in_the_official_layout(published_world, client):
    documents = build_documents(published_world, client)
    for name, content in documents.items():
        if not name.endswith(".docx"):
            continue
        document = Document(io.BytesIO(content))
        section = document.sections[0]
        short, long = sorted([section.page_width, section.page_height])
        assert abs(short - Mm(210)) < Mm(0.5) and abs(long - Mm(297)) < Mm(0.5), name
        assert abs(section.top_margin - Mm(37)) < Mm(0.5) and abs(section.left_margin - Mm(28)) < Mm(0.5), name
        runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
        runs += [run for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs]
        assert runs, name
        for run in runs:
            assert run._r.rPr is not None and run._r.rPr.rFonts.get(qn("w:eastAsia")), (name, run.text)
        xml = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
        assert "instrText" not in xml and "fldSimple" not in xml and "<w:hyperlink" not in xml, name


@pytest.mark.django_db
def test_every_xlsx_prints_on_a4(published_world, client):
    documents = build_documents(published_world, client)
    workbooks = {name: content for name, content in documents.items() if name.endswith(".xlsx")}
    assert any("汇总" in name for name in workbooks)
    for name, content in workbooks.items():
        if name.startswith(("roster", "progress")):
            continue  # forms to fill in and a screen table, not documents to file
        for sheet in load_workbook(io.BytesIO(content)).worksheets:
            assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "landscape", (name, sheet.title)
            assert sheet.print_title_rows, (name, sheet.title)
            assert sheet.freeze_panes, (name, sheet.title)


@pytest.mark.django_db
def test_word_report_paginates_like_the_pdf(soffice, world, tmp_path):
    """The same 22 × 28 grid in Word as in the PDF: a real report of several pages takes the same
    number of pages (±1 for where a heading falls) in LibreOffice as in WeasyPrint."""
    from reports.documents import report_docx
    from reports.pdf import report_pdf
    from reports.seed_texts import seed_text
    from reports.splitter import split_report

    from .conftest import submit_report

    parts = split_report(seed_text("report-community-branch-2023.txt")).parts
    version = submit_report(world.report_a, world.secretary_a, **parts)
    pdf_pages = report_pdf(world.report_a, version=version, use_cache=False).page_count
    path = tmp_path / "report.docx"
    path.write_bytes(report_docx(world.report_a, version=version))
    converted = convert_all(soffice, [path], tmp_path)[path]
    word_pages = len(PdfReader(str(converted)).pages)
    assert pdf_pages >= 3
    assert abs(word_pages - pdf_pages) <= 1, (word_pages, pdf_pages)
    printed = flat(pdf_text(converted))
    missing = Counter(flat("".join(parts.values()))) - Counter(printed)
    assert not missing, "".join(missing.elements())[:80]
