"""The year's progress table as an Excel workbook (the page is reviews.console.views.progress)."""

from django.utils import timezone
from openpyxl import Workbook

from branches.downloads import cell_value, fit_columns, safe_filename, workbook_bytes, write_header
from reports.models import Report
from reviews.console.progress import Progress, is_late


def progress_workbook(rows):
    """The progress table's rows as an .xlsx workbook (bytes); every text cell written as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "进度"
    write_header(sheet, 1, ["党组织", "书记", "手机号", "状态", "逾期未交", "最后活动", "提交时间", "逾期提交", "评议进度"])
    for row in rows:
        secretary = row.organization.secretary
        sheet.append(
            [
                cell_value(row.organization.name),
                cell_value(secretary.display_name) if secretary else "",
                cell_value(secretary.phone) if secretary else "",
                Progress.LABELS[row.state],
                "是" if is_late(row) else "",
                timezone.localtime(row.updated_at).replace(tzinfo=None) if row.status != Report.Status.NOT_STARTED else None,
                timezone.localtime(row.submitted_at).replace(tzinfo=None) if row.submitted_at else None,
                "是" if row.is_late else "",
                f"{row.reviews_done}/{row.reviews_assigned}",
            ]
        )
    for column in ("F", "G"):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=ord(column) - 64, max_col=ord(column) - 64):
            cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:I{max(sheet.max_row, 1)}"
    fit_columns(sheet, header_row=1)
    return workbook_bytes(workbook)


def progress_workbook_filename(cycle):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职进度_{timezone.localdate():%Y%m%d}") + ".xlsx"
