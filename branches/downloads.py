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


# XML 1.0 cannot hold these: openpyxl refuses a cell holding one (the whole download a 500) and a
# .docx holding one cannot be saved. A form feed or vertical tab pasted from Word is enough.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text):
    """`text` as a str XML can hold: control characters other than tab and newline dropped."""
    return _NOT_XML.sub("", "" if text is None else str(text))


def cell_value(value):
    """A value a worksheet cell can hold: a str cleaned of control characters, anything else as is."""
    return clean_text(value) if isinstance(value, str) else value


# Characters of a filename part: 75 Chinese characters and an extension stay under the 255 bytes
# Linux allows a file name (an organization's name may have 100).
FILENAME_LENGTH = 75


def safe_filename(text):
    """A filename part without path separators or characters that trouble file systems (Windows
    refuses control characters in a name: an archive holding one would not unpack)."""
    name = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", text).strip("._")
    if len(name) > FILENAME_LENGTH:  # shortened in the middle: the end names the document (第2版)
        name = f"{name[: FILENAME_LENGTH // 2]}…{name[-(FILENAME_LENGTH - FILENAME_LENGTH // 2 - 1):]}"
    return name or "document"


def unique_name(name, taken):
    """`name`, or `name（2）`… before its extension when `taken` (the names an archive already
    holds) has it: two 第一党支部 under different parents would otherwise overwrite each other
    when unpacked. Adds the name returned to `taken`."""
    stem, dot, extension = name.rpartition(".")
    if not dot or "/" in extension:
        stem, dot, extension = name, "", ""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}（{number}）{dot}{extension}"
    taken.add(candidate)
    return candidate


def _text_width(value):
    """Column width in Excel units for a value: a CJK character counts two."""
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def write_header(sheet, row, labels):
    """A header row: bold, shaded, wrapped, centred."""
    thin = Side(style="thin", color="999999")
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=column, value=cell_value(label))
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
        sheet.append([cell_value(value) for value in values])
        if decimal_format:
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = decimal_format
    fit_columns(sheet, header_row)
    wrap_long_text(sheet, header_row + 1)
    sheet.freeze_panes = f"A{header_row + 1}"  # a coordinate: sheet.cell() would add an empty row to an empty table


def wrap_long_text(sheet, first_row, line_height=15):
    """Wrap the texts wider than their column (fit_columns caps the width): a spreadsheet prints a
    long text only up to the next filled cell, so without wrapping the rest would be lost on paper.
    The row is made tall enough for the wrapped lines (LibreOffice keeps a stored file's row heights)."""
    widths = {}
    for row in sheet.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if isinstance(cell.value, str):
                letter = cell.column_letter
                if letter not in widths:
                    widths[letter] = sheet.column_dimensions[letter].width or 8
                usable = max(widths[letter] - 1, 1)
                needed = sum(-(-max(_text_width(part), 1) // usable) for part in cell.value.split("\n"))
                if needed > 1:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                    lines = max(lines, needed)
        if lines > 1:
            dimension = sheet.row_dimensions[row[0].row]
            dimension.height = max(dimension.height or 0, lines * line_height)


def print_setup(sheet, *, title_rows):
    """A4 landscape, fitted to one page wide, `title_rows` (e.g. "1:2") repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "— &P —"
