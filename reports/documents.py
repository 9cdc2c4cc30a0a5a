"""The report as Word (.docx), the twin of its PDF (reports.pdf.report_pdf): the same context,
laid out by reports.word."""

from django.utils import timezone

from branches.downloads import safe_filename

from .pdf import report_pdf_context
from .word import KAI_FONT, OfficialDocument


def report_docx(report, *, version=None):
    """.docx bytes of a report (a submitted version, or the current draft, marked 草稿)."""
    context = report_pdf_context(report, version=version)
    doc = OfficialDocument(title=context["title"], author=context["organization"].name)
    if context["is_draft"]:
        doc.small(f"草稿 · 尚未提交 · 打印于 {timezone.localtime(context['generated_at']):%Y-%m-%d %H:%M}", align="center")
    doc.title(context["title"])
    byline = context["organization"].name
    if context["secretary_name"]:
        byline += f"　书记　{context['secretary_name']}"
    doc.subtitle(byline, face=KAI_FONT)
    doc.blank_line()
    doc.paragraphs(context["preamble"])
    for heading, items in context["sections"]:
        if heading:
            doc.heading(heading, level=1)
        doc.paragraphs(items)
    if context["figures"]:
        doc.blank_line()
        doc.heading("附：主要工作数据", level=1)
        doc.table(["项目", "数量"], [[label, value] for label, value in context["figures"]], align=["left", "center"])
    stamp = context["stamp"]
    if context["is_draft"]:
        note = f"草稿最后修改：{stamp:%Y-%m-%d %H:%M}"
    else:
        note = f"提交时间：{stamp:%Y-%m-%d %H:%M}（第{version.number}版{'，逾期提交' if context['is_late'] else ''}）"
    doc.signature(context["organization"].name, stamp.date(), lines=[note])
    return doc.to_bytes()


def report_docx_filename(report, *, version=None):
    suffix = f"（第{version.number}版）" if version is not None else "（草稿）"
    return safe_filename(f"{report.organization.name}{report.cycle.year}年度述职报告{suffix}") + ".docx"
