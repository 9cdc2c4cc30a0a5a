"""The year's documents in one .zip (整年下载): what `export_cycle` writes to a folder, as a
zip stream. Built in the background (jobs/), so a large cycle never runs inside a request.

    cycle_archive_write(cycle=cycle, formats={"pdf", "xlsx"}, fileobj=f, progress=callback)

`progress(done, total)` is called once before the first entry (done=0) and after each entry.
Entries: the summary (PDF, .xlsx) and one result PDF per organization whose result is computed,
under 评议结果/. Formats not known here are ignored.
"""

import zipfile

from branches.downloads import safe_filename
from reviews.results.documents import result_filename, result_pdf_for_report
from reviews.results.selectors import cycle_results
from reviews.results.summary import summary_filename, summary_pdf, summary_workbook
from reviews.selectors import result_settings_for

ARCHIVE_FORMATS = {"pdf", "xlsx"}
RESULTS_FOLDER = "评议结果"


def cycle_archive_filename(cycle):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议文件") + ".zip"


def cycle_archive_write(*, cycle, formats, fileobj, progress=None):
    """Write the cycle's documents in `formats` into `fileobj` as a zip; returns the entry count."""
    formats = set(formats) & ARCHIVE_FORMATS
    rows = [row for row in cycle_results(cycle, result_settings_for(cycle)) if row.result and row.result.computed_at]
    total = ("pdf" in formats) + ("xlsx" in formats) + (len(rows) if "pdf" in formats else 0)
    done = 0

    def step():
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    if progress:
        progress(0, total)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if "pdf" in formats:
            archive.writestr(summary_filename(cycle, "pdf"), summary_pdf(cycle).content)
            step()
        if "xlsx" in formats:
            archive.writestr(summary_filename(cycle, "xlsx"), summary_workbook(cycle))
            step()
        if "pdf" in formats:
            for row in rows:
                # The published sheet while the results are published (the official record), else live data.
                archive.writestr(
                    f"{RESULTS_FOLDER}/{result_filename(row.report)}", result_pdf_for_report(row.report).content
                )
                step()
    return done
