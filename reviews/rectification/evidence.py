"""Evidence files of rectification progress: bounded, typed by their first bytes, never parsed."""

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from branches.archives import ArchiveRefused, archive_check

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 5
# Allowed evidence: extension -> (content type, check of the file's first bytes / structure).
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SIGNATURES = {".pdf": b"%PDF-", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}
_ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
# The server only lists a package's parts, but the file goes on to the administrators' Word and
# Excel: a 10 MB package of pictures inflates to little more, a bomb to far more.
MAX_EVIDENCE_INFLATED_BYTES = 50 * 1024 * 1024


def evidence_display_name(name):
    """The uploaded file's name as display text: last path part only, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip().lstrip(".")
    return name[-120:] or "附件"


def evidence_check(upload):
    """(extension, content type, display name) of an acceptable evidence file, else a Chinese
    ValidationError: only pdf, jpg, png, docx, xlsx whose content matches the extension, ≤ 10 MB."""
    display = evidence_display_name(upload.name)
    extension = PurePosixPath(display.lower()).suffix
    allowed = "PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）"
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(f"“{display}”的类型不允许上传，佐证材料只能是 {allowed} 文件。")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(f"“{display}”太大（{upload.size / 1024 / 1024:.1f} MB），每个文件不能超过 10 MB。")
    if upload.size == 0:
        raise ValidationError(f"“{display}”是空文件。")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension in _SIGNATURES:
        valid = head.startswith(_SIGNATURES[extension])
    else:
        try:
            archive_check(upload, max_total=MAX_EVIDENCE_INFLATED_BYTES, label=f"文件“{display}”")
            with zipfile.ZipFile(upload) as archive:
                valid = _ZIP_MEMBERS[extension] in archive.namelist()
        except ArchiveRefused:
            raise
        except (ValidationError, zipfile.BadZipFile):
            valid = False
        upload.seek(0)
    if not valid:
        raise ValidationError(f"“{display}”的内容与扩展名不符（可能已损坏，或只是改了扩展名），请上传真实的 {allowed} 文件。")
    return extension, EVIDENCE_TYPES[extension], display
