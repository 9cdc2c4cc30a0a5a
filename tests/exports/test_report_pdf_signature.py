"""The 落款 (organization, date, submission stamp) never stands alone on the last page of a
report PDF: static/pdf/report.css keeps it with the text before it and in one piece."""

import io
import re
import subprocess

import pytest
import weasyprint
from pypdf import PdfReader

from reports import pdf
from reports.pdf import PDF_STATIC_DIR, render_pdf, report_pdf_context

LINE = "全年共召开主题党日12次、支委会会议12次，党员大会4次，党课10次，组织党员开展志愿服务活动18次。"
# Body lengths around the end of page 2: some put the 落款 on page 3 today (found by the test itself).
LENGTHS = range(15, 22)
KEEP_RULE = re.compile(r"\.signature \{ break-inside: avoid; break-before: avoid; \}")


def last_page(report, tmp_path):
    content = render_pdf("pdf/report.html", report_pdf_context(report), stylesheets=("report.css",)).content
    pages = len(PdfReader(io.BytesIO(content)).pages)
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(pages), "-l", str(pages), str(path), "-"],
        capture_output=True, check=True, text=True,
    ).stdout
    return pages, text


def body_before_signature(report, text):
    """The report text on that page above the 落款 (the organization's name opens the 落款)."""
    return text.rsplit(report.organization.name, 1)[0].strip() if report.organization.name in text else None


@pytest.fixture
def report(world):
    report = world.report_a  # rendered from its attributes: nothing needs saving
    report.preamble = report.problems = report.plans = report.rectification = ""
    return report


def test_signature_keeps_company_and_stays_whole(report, tmp_path):
    for length in LENGTHS:
        report.performance = "\n".join([LINE] * length)
        pages, text = last_page(report, tmp_path)
        body = body_before_signature(report, text)
        assert body, f"{length} lines: the 落款 is alone (or split) on page {pages}: {text!r}"
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text) and "提交时间" not in body


def test_without_the_rule_some_of_these_lengths_leave_the_signature_alone(report, tmp_path, monkeypatch):
    """The lengths above really are the hard case: without the rule, the 落款 is alone on a page."""
    css = (PDF_STATIC_DIR / "report.css").read_text(encoding="utf-8")
    assert KEEP_RULE.search(css)
    original = pdf.print_stylesheet

    def without_rule(name):
        if name != "report.css":
            return original(name)
        return weasyprint.CSS(string=KEEP_RULE.sub("", css), base_url=PDF_STATIC_DIR.as_uri() + "/")

    monkeypatch.setattr(pdf, "print_stylesheet", without_rule)
    alone = []
    for length in LENGTHS:
        report.performance = "\n".join([LINE] * length)
        pages, text = last_page(report, tmp_path)
        if not body_before_signature(report, text):
            alone.append(length)
    assert alone, "no length in LENGTHS puts the 落款 on a page of its own any more: choose others"
