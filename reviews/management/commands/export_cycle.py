"""Write a year's documents to a folder (or one .zip), for batch use:

    python manage.py export_cycle 2024 --out exports/2024
    python manage.py export_cycle 2024 --organization 城关街道党工委 --format docx,pdf,xlsx --out exports/2024
    python manage.py export_cycle 2024 --format docx --zip --out exports/

The documents are those of the year's .zip (reviews.results.archive): the summary, the 通报,
each organization's result sheet, 点评反馈意见书 and report, the rectification ledger and the
三张清单, in the formats asked for (default pdf,xlsx). --organization names the reviewing
organization (the committee whose cycle it is); it is needed when several committees reviewed
that year. --zip writes the one .zip the results page offers instead of a folder.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import Cycle
from reviews.results.archive import (
    ARCHIVE_FORMATS,
    RESULTS_FOLDER,
    archive_entries,
    cycle_archive_filename,
    cycle_archive_write,
)
from reviews.results.selectors import cycle_results
from reviews.selectors import result_settings_for


def formats_argument(value):
    formats = {part.strip().lower() for part in value.split(",") if part.strip()}
    unknown = formats - ARCHIVE_FORMATS
    if not formats or unknown:
        raise CommandError(f"--format 只能是 {','.join(sorted(ARCHIVE_FORMATS))} 中的一个或几个（用逗号分隔），不认识：{','.join(sorted(unknown))}")
    return formats


class Command(BaseCommand):
    help = "导出某年度述职评议的全部文件（汇总、通报、各党组织评议结果、点评反馈意见书、述职报告、整改台账和三张清单）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，如 2024")
        parser.add_argument("--organization", help="评议党组织（党委、党工委）的名称；该年度有多个评议时必填")
        parser.add_argument("--out", required=True, help="输出目录（不存在时创建）")
        parser.add_argument("--format", default="pdf,xlsx", help="文件格式，逗号分隔：pdf、docx、xlsx（默认 pdf,xlsx）")
        parser.add_argument("--zip", action="store_true", help="写成一个 .zip 文件（与结果页“下载全年文件”相同）")

    def handle(self, *args, year, organization=None, out, format, zip=False, **options):
        formats = formats_argument(format)
        cycle = self._cycle(year, organization)
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for row in cycle_results(cycle, result_settings_for(cycle)):
            if row.result is None or row.result.computed_at is None:
                self.stdout.write(f"跳过 {row.organization.name}：结果尚未计算")
        if zip:
            path = out / cycle_archive_filename(cycle)
            with path.open("wb") as file:
                count = cycle_archive_write(cycle=cycle, formats=formats, fileobj=file, progress=self._progress)
            self.stdout.write(self.style.SUCCESS(f"完成：{cycle}，{path}（{count} 个文件）。"))
            return
        entries = archive_entries(cycle, formats)
        for entry in entries:
            path = out / entry.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(entry.render())
            self.stdout.write(str(path))
        results = sum(1 for entry in entries if entry.name.startswith(f"{RESULTS_FOLDER}/"))
        self.stdout.write(self.style.SUCCESS(f"完成：{cycle}，共 {len(entries)} 个文件，其中评议结果 {results} 个。"))

    def _progress(self, done, total):
        if done and (done == total or done % 50 == 0):
            self.stdout.write(f"{done}/{total}")

    def _cycle(self, year, organization):
        cycles = Cycle.objects.filter(year=year).select_related("organization")
        if organization:
            cycles = cycles.filter(organization__name=organization)
        cycles = list(cycles)
        if not cycles:
            where = f"“{organization}”的" if organization else ""
            raise CommandError(f"没有找到{where}{year}年度述职评议。")
        if len(cycles) > 1:
            names = "、".join(cycle.organization.name for cycle in cycles)
            raise CommandError(f"{year}年度有多个述职评议（{names}），请用 --organization 指定评议党组织。")
        return cycles[0]
