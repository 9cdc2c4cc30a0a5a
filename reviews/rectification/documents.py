"""The rectification ledger (整改台账) as PDF and Excel. Rendering is reports.pdf.render_pdf;
the workbook uses the sheet helpers of branches.downloads."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from branches.downloads import safe_filename, workbook_bytes, write_table
from reports.pdf import render_pdf


def ledger_pdf(context):
    return render_pdf(
        "reviews/rectification/ledger_pdf.html", {**context, "generated_at": timezone.localtime()}, stylesheets=("sheet.css",)
    )


def ledger_filename(cycle, extension):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议整改台账") + f".{extension}"


def ledger_workbook(context):
    """Sheets 整改台账 (every item, overdue first), 按党组织 (completion rate) and 按类别."""
    cycle = context["cycle"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    labels = ["序号", "党组织", "问题", "类别", "整改措施", "责任人", "整改时限", "状态", "销号时间"]
    sheet.cell(row=1, column=1, value=f"{cycle.organization.name}{cycle.year}年度述职评议问题整改台账").font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(labels))
    rows = [
        [
            number,
            item.plan.report.organization.name,
            item.text,
            item.category.name,
            item.measures,
            item.owner,
            item.deadline,
            item.state_text,
            timezone.localtime(item.completed_at).replace(tzinfo=None) if item.completed_at else None,
        ]
        for number, item in enumerate(context["items"], start=1)
    ]
    write_table(sheet, 2, labels, rows)
    sheet.freeze_panes = "C3"

    write_table(
        workbook.create_sheet("按党组织"),
        1,
        ["党组织", "问题数", "已完成", "逾期", "完成率（%）", "整改清单状态"],
        [
            [line.plan.report.organization.name, line.total, line.completed, line.overdue, line.completion_rate, line.plan.get_status_display()]
            for line in context["lines"]
        ],
    )
    write_table(
        workbook.create_sheet("按类别"),
        1,
        ["类别", "问题数", "已完成", "逾期"],
        [[row["category__name"], row["total"], row["completed"], row["overdue"]] for row in context["by_category"]],
    )
    workbook.properties.title = f"{cycle.year}年度述职评议整改台账"
    return workbook_bytes(workbook)
