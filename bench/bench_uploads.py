"""Benchmark of hostile and large uploads (issue 12). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_uploads.py

For every upload that is a zip package (report .docx import, roster .xlsx, rectification
evidence .docx) and every crafted file (the issue's 120 KB → 42 MB .docx bomb, an .xlsx bomb,
5000 parts, a header that lies about a size, and the largest honest file each accepts):
the wall time and the growth of the peak resident memory of reading or refusing it.

Target (issue 12): every upload refused or read within 2 s and 200 MB.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from branches.roster import MAX_INFLATED_BYTES, roster_read
    from reports.docx_import import MAX_DOCX_INFLATED_BYTES, docx_to_text
    from reviews.rectification.evidence import evidence_check
    from tests import bombs
    from tests.branches.roster_helpers import roster_bytes

    roster = roster_bytes([("支部", "党支部", "", "", "", "")])
    files = {
        ".docx bomb": bombs.docx_bomb(),
        ".docx 5000 parts": bombs.many_entries(5000),
        ".docx lying header": bombs.lying_header(),
        ".docx largest accepted": bombs.docx_honest(MAX_DOCX_INFLATED_BYTES - 1000 * 1024),
        ".xlsx bomb": bombs.xlsx_bomb(),
        ".xlsx 5000 parts": bombs.many_entries(5000, base=roster),
        ".xlsx lying header": bombs.lying_header(base=roster, name="xl/worksheets/sheet1.xml"),
        ".xlsx largest accepted": bombs.xlsx_bomb(inflated=MAX_INFLATED_BYTES - 200 * 1024, honest_rows=100, numbered=True),
    }
    readers = {
        "report import": lambda content: docx_to_text(SimpleUploadedFile("报告.docx", content)),
        "roster": roster_read,
        "evidence": lambda content: evidence_check(SimpleUploadedFile("佐证.docx", content)),
    }
    print(f"{'upload':<14} {'file':<24} {'size':>8} {'inflated':>9} {'time':>7} {'memory':>8}  outcome")
    for reader_name, reader in readers.items():
        for file_name, content in files.items():
            if (reader_name == "roster") != file_name.startswith(".xlsx"):
                continue
            started = time.perf_counter()
            outcome, peak = bombs.peak_memory_mb(lambda: reader(content))
            elapsed = time.perf_counter() - started
            text = outcome.messages[0] if hasattr(outcome, "messages") else "read"
            if isinstance(outcome, tuple) and isinstance(outcome[2], list):
                text = outcome[2][0].message if outcome[2] else f"read {len(outcome[0])} rows"
            print(
                f"{reader_name:<14} {file_name:<24} {len(content) / 1024:>6.0f}KB {bombs.inflated_size(content) / bombs.MB:>7.1f}MB "
                f"{elapsed:>6.2f}s {peak:>6.0f}MB  {text[:60]}"
            )


if __name__ == "__main__":
    main()
