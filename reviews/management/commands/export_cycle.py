"""Write a year's documents to a folder, for batch use:

    python manage.py export_cycle 2024 --out exports/2024
    python manage.py export_cycle 2024 --organization 城关街道党工委 --out exports/2024

The summary PDF, the summary .xlsx and one result PDF per organization whose result is
computed. --organization names the reviewing organization (the committee whose cycle it
is); it is needed when several committees reviewed that year.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import Cycle
from reviews.results.documents import result_filename, result_pdf_for_report
from reviews.results.selectors import cycle_results
from reviews.results.summary import summary_filename, summary_pdf, summary_workbook
from reviews.selectors import result_settings_for


class Command(BaseCommand):
    help = "导出某年度述职评议的结果汇总（PDF、Excel）和各党组织的评议结果（PDF）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，如 2024")
        parser.add_argument("--organization", help="评议党组织（党委、党工委）的名称；该年度有多个评议时必填")
        parser.add_argument("--out", required=True, help="输出目录（不存在时创建）")

    def handle(self, *args, year, organization=None, out, **options):
        cycle = self._cycle(year, organization)
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)

        rendered = summary_pdf(cycle)
        self._write(out / summary_filename(cycle, "pdf"), rendered.content, f"{rendered.page_count}页")
        self._write(out / summary_filename(cycle, "xlsx"), summary_workbook(cycle))

        settings = result_settings_for(cycle)
        rows = cycle_results(cycle, settings)
        results_dir = out / "results"
        results_dir.mkdir(exist_ok=True)
        written = 0
        for row in rows:
            if row.result is None or row.result.computed_at is None:
                self.stdout.write(f"跳过 {row.organization.name}：结果尚未计算")
                continue
            # The published sheet while the results are published (the official record), else live data.
            rendered = result_pdf_for_report(row.report)
            self._write(results_dir / result_filename(row.report), rendered.content, f"{rendered.page_count}页")
            written += 1
        self.stdout.write(self.style.SUCCESS(f"完成：{cycle}，汇总 2 个文件，评议结果 {written} 个。"))

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

    def _write(self, path, content, note=""):
        path.write_bytes(content)
        self.stdout.write(f"{path}{f'（{note}）' if note else ''}")
