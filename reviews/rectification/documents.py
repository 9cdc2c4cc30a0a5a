"""The rectification ledger (整改台账) as PDF and Excel. Rendering is reports.pdf.render_pdf;
the workbook uses the sheet helpers of branches.downloads."""

import datetime

from django.db.models import Count
from django.utils import timezone
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from branches.downloads import cell_value, print_setup, safe_filename, workbook_bytes, write_table
from reports.pdf import render_pdf
from reports.word import OfficialDocument
from reviews.rectification.selectors import with_state_text


def ledger_pdf(context):
    return render_pdf(
        "reviews/rectification/ledger_pdf.html", {**context, "generated_at": timezone.localtime()}, stylesheets=("sheet.css",)
    )


def ledger_docx(context):
    """The ledger as .docx: the sections of templates/reviews/rectification/ledger_pdf.html."""
    cycle, today = context["cycle"], context["today"]
    # Landscape: the items' table has eight columns.
    doc = OfficialDocument(title=f"{cycle.organization.name}{cycle.year}年度述职评议整改台账", author=cycle.organization.name, landscape=True)
    doc.title(f"{cycle.year}年度述职评议\n问题整改台账")
    rate = f"，完成率{context['completion_rate']}%" if context["completion_rate"] is not None else ""
    doc.subtitle(f"{cycle.organization.name} · 截至{today.year}年{today.month}月{today.day}日 · 共{context['total']}个问题{rate}")
    doc.heading("一、整改状态")
    states = context["state_counts"]
    doc.table([label for _state, label, _count in states], [[count for _state, _label, count in states]], align=["center"] * len(states))
    doc.heading("二、各党组织整改情况")
    doc.table(
        ["党组织", "整改清单", "问题", "已完成", "逾期", "完成率"],
        [
            [
                line.plan.report.organization.name, line.plan.get_status_display(), line.total, line.completed, line.overdue,
                None if line.completion_rate is None else f"{line.completion_rate}%",
            ]
            for line in context["lines"]
        ],
        align=["left", "center", "right", "right", "right", "right"],
    )
    doc.heading("三、按类别")
    doc.table(
        ["类别", "问题", "已完成", "逾期"],
        [[row["category__name"], row["total"], row["completed"], row["overdue"]] for row in context["by_category"]],
        align=["left", "right", "right", "right"],
    )
    doc.heading("四、整改事项明细（逾期在前）")
    doc.table(
        ["序号", "党组织", "问题", "类别", "整改措施", "责任人", "时限", "状态"],
        [
            [
                number, item.plan.report.organization.name, item.text, item.category.name, item.measures or None,
                item.owner or None, item.deadline.isoformat() if item.deadline else None, item.state_text,
            ]
            for number, item in enumerate(context["items"], start=1)
        ],
        align=["center", "left", "left", "left", "left", "left", "center", "center"],
        size=Pt(10.5),
    )
    doc.blank_line()
    doc.paragraph("制表人：　　　　　　审核人：", indent=False)
    doc.signature(
        f"{cycle.organization.name}（盖章）", today, lines=[f"生成时间：{timezone.localtime():%Y-%m-%d %H:%M}"]
    )
    return doc.to_bytes()


def ledger_filename(cycle, extension):
    return safe_filename(f"{cycle.organization.name}{cycle.year}年度述职评议整改台账") + f".{extension}"


def ledger_workbook(context):
    """Sheets 整改台账 (every item, overdue first), 按党组织 (completion rate) and 按类别."""
    cycle = context["cycle"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    labels = ["序号", "党组织", "问题", "类别", "整改措施", "责任人", "整改时限", "状态", "销号时间"]
    sheet.cell(row=1, column=1, value=cell_value(f"{cycle.organization.name}{cycle.year}年度述职评议问题整改台账")).font = Font(bold=True, size=14)
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
    print_setup(sheet, title_rows="1:2")

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
    for other in workbook.worksheets[1:]:
        print_setup(other, title_rows="1:1")
    workbook.properties.title = f"{cycle.year}年度述职评议整改台账"
    return workbook_bytes(workbook)


# --- 三张清单: 问题清单, 责任清单, 整改清单 --------------------------------------------------

THREE_LISTS = ("问题清单", "责任清单", "整改清单")


def three_lists_items(items):
    """The items of the lists (a RectificationItem queryset, state annotated): organization,
    secretary and category selected, source problems counted. One query."""
    return with_state_text(
        items.select_related("category", "plan__report__organization__secretary")
        .annotate(named_by=Count("problems", distinct=True))
        .order_by("plan__report__organization__order", "plan__report__organization_id", "order", "pk")
    )


def three_lists_tables(items, *, with_organization):
    """{list name: (header, rows)}; the 党组织 column only for a cycle's lists."""
    lead = ["党组织"] if with_organization else []
    tables = {name: (["序号", *lead], []) for name in THREE_LISTS}
    tables["问题清单"][0].extend(["类别", "问题", "提出人数"])
    tables["责任清单"][0].extend(["问题", "第一责任人（书记）", "直接责任人", "整改时限"])
    tables["整改清单"][0].extend(["问题", "整改措施", "责任人", "整改时限", "整改状态"])
    for number, item in enumerate(items, start=1):
        organization = item.plan.report.organization
        first = [number, organization.name] if with_organization else [number]
        secretary = organization.secretary.display_name if organization.secretary else ""
        tables["问题清单"][1].append([*first, item.category.name, item.text, item.named_by])
        tables["责任清单"][1].append([*first, item.text, secretary, item.owner, item.deadline])
        tables["整改清单"][1].append([*first, item.text, item.measures, item.owner, item.deadline, item.state_text])
    return tables


def three_lists_title(cycle, organization=None):
    return f"{organization.name if organization else cycle.organization.name}{cycle.year}年度述职评议三张清单"


def three_lists_workbook(cycle, items, *, organization=None):
    """One sheet per list, title row, frozen header, A4 landscape fitted to width."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in three_lists_tables(items, with_organization=organization is None).items():
        sheet = workbook.create_sheet(name)
        title = f"{organization.name if organization else cycle.organization.name}{cycle.year}年度述职评议{name}"
        sheet.cell(row=1, column=1, value=cell_value(title)).font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        write_table(sheet, 2, header, rows)
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        print_setup(sheet, title_rows="1:2")
    workbook.properties.title = cell_value(three_lists_title(cycle, organization))
    return workbook_bytes(workbook)


def three_lists_docx(cycle, items, *, organization=None):
    """The three lists in one .docx (landscape), each on its own page."""
    doc = OfficialDocument(title=three_lists_title(cycle, organization), author=cycle.organization.name, landscape=True)
    tables = three_lists_tables(items, with_organization=organization is None)
    for index, (name, (header, rows)) in enumerate(tables.items()):
        if index:
            doc.page_break()
        doc.title(f"{organization.name if organization else cycle.organization.name}{cycle.year}年度述职评议{name}")
        doc.table(
            header,
            [[value.isoformat() if isinstance(value, datetime.date) else value for value in row] for row in rows],
            align=["center"] + ["left"] * (len(header) - 1),
            size=Pt(10.5),
        )
        if not rows:
            doc.paragraph("暂无问题。")
    doc.signature(cycle.organization.name, timezone.localdate())
    return doc.to_bytes()


def three_lists_filename(cycle, extension, organization=None):
    return safe_filename(three_lists_title(cycle, organization)) + f".{extension}"
