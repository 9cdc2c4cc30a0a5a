"""Scenes and PDF inspection for the export tests. Every test renders its own documents:
nothing is cached across tests."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from pypdf import PdfReader

from reports.services import report_save_draft, report_submit
from reviews.models import ProblemCategory
from reviews.results.services import cycle_publish, results_compute
from reviews.services import assignment_add, review_save, routine_scores_set
from tests.factories import INCOMPLETE_OK, UserFactory

REPORT_TEXT = {
    "preamble": "各位领导、同志们：",
    "performance": "一、工作开展情况\n（一）抓思想、强觉悟。全年召开主题党日12次。\n1.扎实开展主题教育。\n组织党员集中学习。",
    "problems": "二、存在问题\n理论学习不够深入。",
    "plans": "三、下一步打算\n抓好党员教育。",
}
COMMENT_A = "甲支部党建引领社区治理成效明显，建议总结推广。"
COMMENT_A2 = "三会一课落实到位，问题查摆较为深刻。"
COMMENT_B = "乙支部工作思路清晰，但问题分析不够深入。"


def pdf_text(content, tmp_path):
    """The text of a PDF as pdftotext (poppler) gives it back."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: make system-test"
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True).stdout


def pdf_font_streams(content):
    """[(base font name, its embedded font program as a pypdf stream, or None)], read with pypdf."""
    reader = PdfReader(io.BytesIO(content))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                fonts[str(font["/BaseFont"]).lstrip("/")] = program.get_object() if program else None
    return sorted(fonts.items())


def pdf_fonts(content):
    """[(base font name, font program bytes)] of every embedded font."""
    return [(name, stream.get_data() if stream is not None else None) for name, stream in pdf_font_streams(content)]


def page_count(content):
    return len(PdfReader(io.BytesIO(content)).pages)


def submit_report(report, by, **fields):
    report.refresh_from_db()
    report_save_draft(report=report, by=by, data={**REPORT_TEXT, **fields}, base_revision=report.revision)
    version = report_submit(report=report, by=by)
    report.refresh_from_db()
    return version


def review(report, reviewer, points, comment, problems=()):
    """Submit a review giving each criterion `points` × its maximum (rounded to half points)."""
    scores = {
        criterion.pk: (criterion.max_points * Decimal(points) * 2).quantize(Decimal("1")) / 2
        for criterion in report.cycle.criteria.all()
    }
    categories = {category.name: category for category in ProblemCategory.objects.all()}
    return review_save(
        report=report,
        reviewer=reviewer,
        scores=scores,
        comment=comment,
        problems=[{"text": text, "category": categories[category]} for text, category in problems],
        submit=True,
    )


@pytest.fixture
def scored_world(world):
    """world where report_a and report_b are submitted and reviewed by two committee members
    (reviewer 张评议 and reviewer2 李评议), routine scores entered and results computed
    (not published)."""
    w = world
    w.reviewer.name = "张评议"
    w.reviewer.save(update_fields=["name"])
    w.reviewer2 = UserFactory(username="reviewer2_t", name="李评议")
    w.committee.committee_members.add(w.reviewer2)
    submit_report(w.report_a, w.secretary_a)
    submit_report(w.report_b, w.secretary_b)
    for report in (w.report_a, w.report_b):
        assignment_add(report=report, reviewer=w.reviewer2, by=w.admin)
    review(w.report_a, w.reviewer, "0.95", COMMENT_A, [("三会一课记录不规范", "组织建设"), ("理论学习不够深入", "思想政治建设")])
    review(w.report_a, w.reviewer2, "0.9", COMMENT_A2, [("三会一课记录不规范", "组织建设")])
    review(w.report_b, w.reviewer, "0.7", COMMENT_B, [("三会一课记录不规范", "组织建设"), ("党员发展工作滞后", "组织建设")])
    review(w.report_b, w.reviewer2, "0.75", "乙支部基础工作较扎实。")
    routine_scores_set(
        cycle=w.cycle, scores={w.report_a.pk: Decimal("96"), w.report_b.pk: Decimal("72")}, by=w.admin
    )
    results_compute(cycle=w.cycle, by=w.admin)
    for report in (w.report_a, w.report_b):
        report.refresh_from_db()
    return w


@pytest.fixture
def published_world(scored_world):
    cycle_publish(cycle=scored_world.cycle, by=scored_world.admin, reason=INCOMPLETE_OK)
    scored_world.cycle.refresh_from_db()
    return scored_world


def docx_text(content):
    """All the text of a .docx, body paragraphs and table cells in document order, one per line."""
    from docx import Document

    document = Document(io.BytesIO(content))
    lines = []
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            lines.append("".join(node.text or "" for node in block.iter() if node.tag.endswith("}t")))
        elif block.tag.endswith("}tbl"):
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(node.text or "" for node in cell.iter() if node.tag.endswith("}t"))
                        for cell in row.iterchildren()
                        if cell.tag.endswith("}tc")
                    ]
                    lines.append(" | ".join(cells))
    return "\n".join(lines)
