"""Building roster workbooks for the tests."""

import io

from openpyxl import Workbook, load_workbook

from branches.roster import MEMBER_COLUMNS, MEMBER_SHEET, ORGANIZATION_COLUMNS, ORGANIZATION_SHEET


def roster_bytes(organizations=(), members=(), *, organization_columns=ORGANIZATION_COLUMNS, member_columns=MEMBER_COLUMNS):
    """An .xlsx with rows given as tuples in the sheets' column order."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ORGANIZATION_SHEET
    sheet.append(list(organization_columns))
    for row in organizations:
        sheet.append(list(row))
    sheet = workbook.create_sheet(MEMBER_SHEET)
    sheet.append(list(member_columns))
    for row in members:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(content, title):
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def branches_rows(parent, count, *, prefix="新建", start=0):
    return [
        (f"{prefix}第{i}党支部", "党支部", parent, f"书记{i}", f"139{i:08d}", f"{prefix}_sec{i}")
        for i in range(start, start + count)
    ]
