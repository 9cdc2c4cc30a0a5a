"""The year's documents in one .zip (整年下载), for the background job and `export_cycle`:

    cycle_archive_write(cycle=cycle, formats={"pdf", "docx", "xlsx"}, fileobj=f, progress=callback)

`progress(done, total)` is called once before the first entry (done=0) and after each entry.
Formats not known here are ignored. The entries (`archive_entries`), in this order:

    <summary>.pdf/.docx/.xlsx                    年度汇总
    <notice>.pdf/.docx                           情况通报 (once published)
    评议结果/<organization>….pdf/.docx           each computed result sheet (the published one while published)
    点评反馈意见书/<organization>….pdf/.docx     each letter (once published)
    述职报告/<organization>….pdf/.docx           each report's latest submitted version
    整改/<ledger>.pdf/.docx/.xlsx, 三张清单 .docx/.xlsx   (once problem lists exist)

Everything is read in a constant number of queries up front; each entry is then rendered as
it is written, so memory holds one document at a time.
"""

import multiprocessing
import os
import zipfile
from dataclasses import dataclass
from typing import Callable

from django.db import connections

from branches.downloads import safe_filename, unique_name
from reports.documents import report_docx, report_docx_filename
from reports.models import Cycle, Report, ReportVersion
from reports.pdf import render_pdf, report_pdf, report_pdf_filename, reset_font_pool
from reviews.models import PublishedResult, RectificationItem
from reviews.rectification.documents import (
    ledger_docx,
    ledger_filename,
    ledger_pdf,
    ledger_workbook,
    three_lists_docx,
    three_lists_filename,
    three_lists_items,
    three_lists_workbook,
)
from reviews.rectification.selectors import ledger, rectification_today, with_state
from reviews.results.documents import cycle_sheets, result_docx, result_filename, sheet_context
from reviews.results.feedback import letter_docx, letter_filename, letter_pdf, letters
from reviews.results.notice import notice_context, notice_docx, notice_filename, notice_pdf
from reviews.results.summary import summary_context, summary_docx, summary_filename, summary_pdf, summary_workbook
from reviews.selectors import latest_version, result_settings_for

ARCHIVE_FORMATS = {"pdf", "docx", "xlsx"}
RESULTS_FOLDER = "评议结果"
LETTERS_FOLDER = "点评反馈意见书"
REPORTS_FOLDER = "述职报告"
RECTIFICATION_FOLDER = "整改"


@dataclass
class Entry:
    name: str  # path inside the archive
    render: Callable[[], bytes]
    # Rendered from data read up front, without a query: may run in a worker process.
    pure: bool = False


def cycle_archive_filename(cycle):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议文件") + ".zip"


def _pdf_bytes(render):
    return lambda: render().content


def archive_entries(cycle, formats):
    """[Entry] of the cycle's documents in `formats`, in archive order (see the module's docstring)."""
    formats = set(formats) & ARCHIVE_FORMATS
    cycle = Cycle.objects.select_related("organization").get(pk=cycle.pk)  # what every document names
    entries = []

    def add(name, extension, render, pure=False):
        if extension in formats:
            entries.append(Entry(name, render, pure))

    summary = _once(lambda: summary_context(cycle))
    add(summary_filename(cycle, "pdf"), "pdf", _pdf_bytes(lambda: summary_pdf(cycle, summary())))
    add(summary_filename(cycle, "docx"), "docx", lambda: summary_docx(cycle, summary()))
    add(summary_filename(cycle, "xlsx"), "xlsx", lambda: summary_workbook(cycle))

    if cycle.is_published:
        notice = _once(lambda: notice_context(cycle))
        add(notice_filename(cycle, "pdf"), "pdf", _pdf_bytes(lambda: notice_pdf(cycle, notice())))
        add(notice_filename(cycle, "docx"), "docx", lambda: notice_docx(cycle, notice()))

    for report, context in _result_contexts(cycle):
        add(f"{RESULTS_FOLDER}/{result_filename(report)}", "pdf", _pdf_bytes(_bind(_result_pdf, context)), pure=True)
        add(f"{RESULTS_FOLDER}/{result_filename(report, 'docx')}", "docx", _bind(result_docx, context), pure=True)

    if cycle.is_published:
        for context in letters(cycle):
            add(f"{LETTERS_FOLDER}/{letter_filename(context, 'pdf')}", "pdf", _pdf_bytes(_bind(letter_pdf, context)), pure=True)
            add(f"{LETTERS_FOLDER}/{letter_filename(context, 'docx')}", "docx", _bind(letter_docx, context), pure=True)

    for report in _submitted_reports(cycle):
        version = report.latest_submitted
        add(
            f"{REPORTS_FOLDER}/{report_pdf_filename(report, version=version)}", "pdf",
            _pdf_bytes(_bind(report_pdf, report, version=version)), pure=True,
        )
        add(f"{REPORTS_FOLDER}/{report_docx_filename(report, version=version)}", "docx", _bind(report_docx, report, version=version), pure=True)

    if RectificationItem.objects.filter(plan__report__cycle=cycle).exists():
        ledger_context = _once(lambda: ledger(cycle, rectification_today()))
        folder = RECTIFICATION_FOLDER
        add(f"{folder}/{ledger_filename(cycle, 'pdf')}", "pdf", _pdf_bytes(lambda: ledger_pdf(ledger_context())))
        add(f"{folder}/{ledger_filename(cycle, 'docx')}", "docx", lambda: ledger_docx(ledger_context()))
        add(f"{folder}/{ledger_filename(cycle, 'xlsx')}", "xlsx", lambda: ledger_workbook(ledger_context()))
        items = _once(
            lambda: list(three_lists_items(with_state(RectificationItem.objects.filter(plan__report__cycle=cycle), rectification_today())))
        )
        add(f"{folder}/{three_lists_filename(cycle, 'docx')}", "docx", lambda: three_lists_docx(cycle, items()))
        add(f"{folder}/{three_lists_filename(cycle, 'xlsx')}", "xlsx", lambda: three_lists_workbook(cycle, items()))
    return entries


def cycle_archive_write(*, cycle, formats, fileobj, progress=None):
    """Write the cycle's documents in `formats` into `fileobj` as a zip; returns the entry count.

    The per-organization documents (pure entries) are rendered by worker processes (ARCHIVE_WORKERS;
    1 renders everything here): PDF layout is pure Python, so only processes use a second core.
    Entries are written in order either way."""
    entries = archive_entries(cycle, formats)
    total = len(entries)
    if progress:
        progress(0, total)
    taken = set()
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (entry, content) in enumerate(_rendered(entries), start=1):
            archive.writestr(unique_name(entry.name, taken), content)
            if progress:
                progress(done, total)
    return total


# Worker processes of the archive: None is one per CPU, at most 4.
ARCHIVE_WORKERS = None
_FORKED = {}


def _rendered(entries):
    """(entry, bytes) in order; pure entries from a pool of forked workers when worth it."""
    workers = ARCHIVE_WORKERS or min(os.cpu_count() or 1, 4)
    pure = [index for index, entry in enumerate(entries) if entry.pure]
    if workers <= 1 or len(pure) < 2 * workers or "fork" not in multiprocessing.get_all_start_methods():
        for entry in entries:
            yield entry, entry.render()
        return
    _FORKED["entries"] = entries  # inherited by the forked workers, never pickled
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
            results = pool.imap(_render_in_worker, pure, chunksize=2)
            for entry in entries:
                yield entry, next(results) if entry.pure else entry.render()
    finally:
        _FORKED.clear()


def _worker_start():
    """In a forked worker: never use the parent's database connections (a pure entry makes no
    query; one that did would open its own), and a fresh font thread pool (the parent's threads
    do not exist here)."""
    for connection in connections.all(initialized_only=True):
        _FORKED.setdefault("parent_connections", []).append(connection.connection)  # kept: never closed here
        connection.connection = None
    reset_font_pool()


def _render_in_worker(index):
    return _FORKED["entries"][index].render()


# --- reads, each a constant number of queries ------------------------------------------------


def _once(function):
    """`function`, called at most once (a context several entries share, read when first needed)."""
    cache = []

    def call():
        if not cache:
            cache.append(function())
        return cache[0]

    return call


def _bind(function, *args, **kwargs):
    return lambda: function(*args, **kwargs)


def _result_pdf(context):
    return render_pdf("pdf/result.html", context, stylesheets=("sheet.css",))


def _result_contexts(cycle):
    """[(report, result sheet context)]: while published, every sheet of the publication in
    force; otherwise the live sheet of each report whose result is computed."""
    if cycle.is_published:
        published = list(
            PublishedResult.objects.filter(publication__cycle=cycle, publication__withdrawn_at__isnull=True)
            .select_related("publication", "report__organization", "report__cycle__organization")
            .order_by("report__organization__order", "report__organization_id")
        )
        return [
            (item.report, {**sheet_context(item.sheet, cycle=cycle, published_at=item.publication.published_at), "report": item.report})
            for item in published
        ]
    settings = result_settings_for(cycle)
    sheets = cycle_sheets(cycle, settings)
    reports = (
        Report.objects.filter(cycle=cycle, pk__in=list(sheets), result__computed_at__isnull=False)
        .select_related("organization", "cycle__organization")
        .order_by("organization__order", "organization_id")
    )
    return [(report, {**sheet_context(sheets[report.pk], cycle=cycle), "report": report}) for report in reports]


def _submitted_reports(cycle):
    """Reports with a submitted version, each with `latest_submitted` (its latest ReportVersion)."""
    reports = list(
        Report.objects.filter(cycle=cycle)
        .annotate(latest_version_id=latest_version())
        .filter(latest_version_id__isnull=False)
        .select_related("organization__secretary", "cycle__organization")
        .order_by("organization__order", "organization_id")
    )
    versions = ReportVersion.objects.in_bulk([report.latest_version_id for report in reports])
    for report in reports:
        report.latest_submitted = versions[report.latest_version_id]
    return reports
