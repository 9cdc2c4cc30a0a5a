"""File downloads of every kind (PDF, Excel): the response, a safe filename, and the
spreadsheet helpers that give every .xlsx of the app one look — and keep every text in it
text (`workbook_bytes`)."""

import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_CONTENT_TYPE = "application/zip"


def download_response(content, filename, content_type=PDF_CONTENT_TYPE):
    """An attachment response; the Chinese filename goes in RFC 5987 `filename*`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def safe_filename(text):
    """A filename part without path separators or characters that trouble file systems."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("._") or "document"


def _text_width(value):
    """Column width in Excel units for a value: a CJK character counts two."""
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def write_header(sheet, row, labels):
    """A header row: bold, shaded, wrapped, centred."""
    thin = Side(style="thin", color="999999")
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=column, value=label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=thin)


def fit_columns(sheet, header_row, minimum=6, maximum=50, header_maximum=16):
    """Each column as wide as its longest value from header_row down; headers wrap, so they
    count up to header_maximum. Measures each distinct value once."""
    for column, values in enumerate(sheet.iter_cols(min_row=header_row, values_only=True), start=1):
        header = min(_text_width(values[0]), header_maximum) if values else 0
        width = max([header, *(_text_width(value) for value in set(values[1:]) if value is not None)])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, minimum), maximum)


# A text beginning with one of these becomes a formula when Excel or LibreOffice read it as
# typed input (and openpyxl writes a str beginning with "=" as a formula outright).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def keep_text(cell):
    """Write the cell's str value as a literal string: type "s" (never a formula), and for a
    text that looks like one, Excel's quote prefix, so that editing the cell keeps it text too."""
    cell.data_type = "s"
    if cell.value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def workbook_bytes(workbook):
    """.xlsx bytes of `workbook`, every str cell written as text: the app writes no formulas,
    so any would have come from user input (an organization's name, a comment, a measure)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    keep_text(cell)
    workbook.properties.creator = "述评"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_table(sheet, header_row, labels, rows, *, decimal_format=None):
    """A header row, then `rows` (lists of values: numbers stay numbers, Decimals get
    `decimal_format`), fitted columns, everything above the first data row frozen."""
    write_header(sheet, header_row, labels)
    for values in rows:
        sheet.append(values)
        if decimal_format:
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = decimal_format
    fit_columns(sheet, header_row)
    sheet.freeze_panes = f"A{header_row + 1}"  # a coordinate: sheet.cell() would add an empty row to an empty table
