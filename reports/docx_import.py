"""Read the text of an uploaded Word (.docx) file, paragraph by paragraph, tables included."""

import zipfile

from django.core.exceptions import ValidationError

from branches.archives import archive_check

MAX_DOCX_BYTES = 5 * 1024 * 1024
# Text, styles and pictures of a long report together stay far below this; python-docx holds
# all of it in memory (about 8× the XML), so a larger package is refused before parsing.
MAX_DOCX_INFLATED_BYTES = 8 * 1024 * 1024


def docx_to_text(upload):
    """The text of `upload` (an UploadedFile), one paragraph per line. Raises a ValidationError
    with a Chinese message for a wrong extension, an oversized, corrupt or empty file, and for
    a package that would inflate out of proportion (checked before python-docx reads it)."""
    name = (upload.name or "").lower()
    if name.endswith(".doc") or name.endswith(".wps"):
        raise ValidationError("暂不支持旧版 Word（.doc）或 WPS 文件，请在 Word/WPS 中“另存为”.docx 格式后再上传，或直接粘贴全文。")
    if not name.endswith(".docx"):
        raise ValidationError("只能上传 Word 文档（.docx 格式）。")
    if upload.size > MAX_DOCX_BYTES:
        raise ValidationError(f"文件太大（{upload.size / 1024 / 1024:.1f} MB），请上传不超过 5 MB 的文件，或直接粘贴全文。")
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise ValidationError("无法读取该文件：它不是有效的 .docx 文档（可能已损坏，或只是改了扩展名）。")
    archive_check(upload, max_total=MAX_DOCX_INFLATED_BYTES, label="Word 文档")
    try:
        import docx

        document = docx.Document(upload)
    except Exception as error:  # python-docx raises several kinds for a broken package
        raise ValidationError("无法读取该 Word 文档，请确认文件能在 Word 中正常打开，或直接粘贴全文。") from error
    lines = list(_body_lines(document))
    if not any(line.strip() for line in lines):
        raise ValidationError("该 Word 文档中没有找到文字。")
    return "\n".join(lines)


def _body_lines(document):
    """Paragraphs and table rows in document order (a table row becomes one line, cells joined by tabs)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                        cells.append(text)
                yield "\t".join(cells)
