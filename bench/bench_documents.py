"""Benchmark of the documents of issue 15. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_documents.py [--organizations 200] [--runs 3] [--formats docx,pdf,xlsx]

From a temporary SQLite database: a committee with N organizations (default 200), every report
submitted with a real text (reports/seed_texts, ~4 pages), reviewed by 5 members with comments
and problems, results computed and published (problem lists generated), the 整改清单 filled.
Then each single document, best of --runs (uncached: the report PDF bypasses its file cache),
and the year's .zip (reviews.results.archive.cycle_archive_write) in the given formats, once,
with the report PDFs' file cache empty.

Targets (issue 15): any single document <= 1 s; the .zip of a 200-organization cycle <= 60 s.
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pdf import build_cycle, line, measure, peak_rss_mb  # noqa: E402


def realistic(cycle):
    """Real report texts, comments and problem lists with measures, then publication."""
    from django.utils import timezone

    from reports.models import ReportVersion
    from reports.seed_texts import seed_text
    from reports.splitter import split_report
    from reviews.models import RectificationItem, Review
    from reviews.results.services import cycle_publish, notice_save

    parts = split_report(seed_text("report-community-branch-2023.txt")).parts
    figures = {"member_meetings": 4, "committee_meetings": 12, "party_lectures": 4, "theme_days": 12, "member_count": 35, "new_members": 1}
    ReportVersion.objects.filter(report__cycle=cycle).update(figures=figures, **{k: v for k, v in parts.items() if k != "rectification"})
    Review.objects.filter(report__cycle=cycle).update(
        comment="该同志履行第一责任人职责较好，三会一课落实到位，党建引领社区治理成效明显；但理论学习深度不够，问题查摆不够具体，建议进一步细化整改措施。"
    )
    from branches.models import User

    admin = User.objects.get(username="admin")
    cycle_publish(cycle=cycle, by=admin, reason="基准测试")
    cycle.refresh_from_db()
    notice_save(
        cycle=cycle, by=admin, addressee="各党支部", rectification_deadline=timezone.localdate(),
        requirements="（一）压紧压实党建工作责任。各党组织书记要切实履行第一责任人职责。\n（二）抓好问题整改落实。对照问题清单逐项整改，按时销号。",
    )
    RectificationItem.objects.filter(plan__report__cycle=cycle).update(
        measures="建立问题台账，明确整改措施，每月检查一次，年底前完成整改。", owner="支部书记", deadline=timezone.localdate()
    )
    return cycle


def bench_single(cycle, runs):
    from reports.documents import report_docx
    from reports.models import Report
    from reports.pdf import report_pdf
    from reviews.models import RectificationItem
    from reviews.rectification.documents import (
        ledger_docx,
        ledger_pdf,
        ledger_workbook,
        three_lists_docx,
        three_lists_items,
        three_lists_workbook,
    )
    from reviews.rectification.selectors import ledger, rectification_today, with_state
    from reviews.results.documents import result_docx_for_report, result_pdf_for_report
    from reviews.results.feedback import letter_docx, letter_for_report, letter_pdf
    from reviews.results.notice import notice_docx, notice_pdf
    from reviews.results.summary import summary_docx, summary_pdf, summary_workbook

    report = Report.objects.filter(cycle=cycle).select_related("cycle", "organization__secretary").first()
    version = report.versions.last()
    items = lambda: list(three_lists_items(with_state(RectificationItem.objects.filter(plan__report__cycle=cycle), rectification_today())))  # noqa: E731
    plan_items = lambda: list(three_lists_items(with_state(RectificationItem.objects.filter(plan__report=report), rectification_today())))  # noqa: E731
    cases = [
        ("report PDF (uncached)", lambda: report_pdf(report, version=version, use_cache=False)),
        ("report .docx", lambda: report_docx(report, version=version)),
        ("result sheet PDF", lambda: result_pdf_for_report(report)),
        ("result sheet .docx", lambda: result_docx_for_report(report)),
        ("feedback letter PDF", lambda: letter_pdf(letter_for_report(report))),
        ("feedback letter .docx", lambda: letter_docx(letter_for_report(report))),
        ("三张清单 .docx (one organization)", lambda: three_lists_docx(cycle, plan_items(), organization=report.organization)),
        ("三张清单 .xlsx (one organization)", lambda: three_lists_workbook(cycle, plan_items(), organization=report.organization)),
        ("通报 PDF", lambda: notice_pdf(cycle)),
        ("通报 .docx", lambda: notice_docx(cycle)),
        ("summary PDF", lambda: summary_pdf(cycle)),
        ("summary .docx", lambda: summary_docx(cycle)),
        ("summary .xlsx", lambda: summary_workbook(cycle)),
        ("ledger PDF", lambda: ledger_pdf(ledger(cycle, rectification_today()))),
        ("ledger .docx", lambda: ledger_docx(ledger(cycle, rectification_today()))),
        ("ledger .xlsx", lambda: ledger_workbook(ledger(cycle, rectification_today()))),
        ("三张清单 .docx (cycle)", lambda: three_lists_docx(cycle, items())),
        ("三张清单 .xlsx (cycle)", lambda: three_lists_workbook(cycle, items())),
    ]
    print(f"\nSingle documents (best of {runs}, queries included)")
    worst = 0
    for label, function in cases:
        wall, cpu, median, value = measure(function, runs=runs)
        content = getattr(value, "content", value)
        pages = f", {value.page_count} pages" if hasattr(value, "page_count") else ""
        line(label, wall, cpu, f"median {median:.3f} s, {len(content) // 1024} KiB{pages}")
        worst = max(worst, wall)
    print(f"  slowest single document: {worst:.3f} s (target 1 s)")


def bench_archive(cycle, formats):
    import shutil

    from django.conf import settings

    from reviews.results.archive import archive_entries, cycle_archive_write

    shutil.rmtree(Path(settings.MEDIA_ROOT) / "pdf-cache", ignore_errors=True)
    count = len(archive_entries(cycle, formats))
    buffer = io.BytesIO()
    ticks = []
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, cpu = time.perf_counter(), time.process_time()
    cycle_archive_write(cycle=cycle, formats=formats, fileobj=buffer, progress=lambda done, total: ticks.append(time.perf_counter()))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    print(f"\nThe year's .zip, formats {','.join(sorted(formats))}: {count} documents")
    line("cycle_archive_write", wall, cpu, f"+ workers' cpu {workers_cpu:.1f} s; {len(buffer.getvalue()) // 1024} KiB (target 60 s)")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall time includes waiting for a core)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="docx,pdf,xlsx")
    parser.add_argument("--skip-single", action="store_true", help="only the year's .zip")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        os.environ["DJANGO_MEDIA_ROOT"] = f"{directory}/media"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"{args.organizations} organizations, {os.cpu_count()} CPUs (temporary SQLite database)")
        wall, cpu, _median, cycle = measure(build_cycle, args.organizations)
        wall2, cpu2, _median, cycle = measure(realistic, cycle)
        line("building the data", wall + wall2, cpu + cpu2)
        if not args.skip_single:
            bench_single(cycle, args.runs)
        bench_archive(cycle, {part.strip() for part in args.formats.split(",") if part.strip()})
        print(f"  peak memory (process, max RSS) {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
