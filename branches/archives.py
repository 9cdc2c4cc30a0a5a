"""Uploaded zip packages (.docx, .xlsx) checked before anything parses them.

A few KB of deflate can inflate to GBs of XML ("zip bomb"), and the XML parsers behind
python-docx and openpyxl hold what they read in memory. `archive_check` refuses a package
whose entry count, inflated size or compression ratio is out of proportion, looking first at
the end-of-central-directory record (the entry count, before zipfile builds its list), then
at the declared sizes, then inflating every entry through a small buffer and counting the
bytes that really come out — so a header that lies about a size is caught too. Memory stays
at one buffer; time at one pass of zlib over at most `max_total` bytes.
"""

import io
import struct
import zipfile
import zlib

from django.core.exceptions import ValidationError

MAX_ENTRIES = 1000
# Ordinary OOXML parts compress 3–30×; a bomb's parts, hundreds or a thousand times.
MAX_RATIO = 100
# Small parts may compress absurdly well (a run of spaces) without harm.
RATIO_FROM_BYTES = 256 * 1024
CHUNK = 64 * 1024

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF


class ArchiveRefused(ValidationError):
    """The package is out of proportion (too big inflated, too many parts, too compressed)."""


class ArchiveBroken(ValidationError):
    """The package is not a readable zip (corrupt, encrypted, or its sizes lie)."""


def _megabytes(size):
    return f"{size / 1024 / 1024:g}"


def _declared_entries(file):
    """The entry count of the end-of-central-directory record, or None when there is none."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    tail_size = min(size, _EOCD_SIZE + _MAX_COMMENT)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    _disk_entries, total_entries = struct.unpack("<HH", tail[at + 8 : at + 12])
    return total_entries


def archive_check(source, *, max_total, label="文件", max_entries=MAX_ENTRIES, max_ratio=MAX_RATIO):
    """Raise ArchiveRefused (a Chinese ValidationError) when the zip package `source` (bytes
    or a seekable binary file such as an UploadedFile) would inflate to more than `max_total`
    bytes, holds more than `max_entries` parts, or has a part compressed more than
    `max_ratio` times; ArchiveBroken when it is not a readable zip. `label` names the file
    in the message ("Word 文档"). A file is left at position 0."""
    file = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    try:
        _check(file, max_total=max_total, label=label, max_entries=max_entries, max_ratio=max_ratio)
    finally:
        file.seek(0)


def _check(file, *, max_total, label, max_entries, max_ratio):
    refused = f"该{label}可能是异常文件，系统没有读取它"
    broken = ArchiveBroken(f"无法读取该{label}：文件已损坏、已加密，或其中记录的大小与实际内容不符。")
    entries = _declared_entries(file)
    if entries is None:
        raise broken
    # 0xFFFF: a ZIP64 count follows elsewhere; no document of this app needs that many parts.
    if entries > max_entries:
        raise ArchiveRefused(f"{refused}：其中的部件超过 {max_entries} 个。")
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise ArchiveRefused(f"{refused}：其中的部件超过 {max_entries} 个。")
            if sum(info.file_size for info in infos) > max_total:
                raise ArchiveRefused(f"{refused}：解压后超过 {_megabytes(max_total)} MB。请删除其中的大图片等内容后再上传。")
            for info in infos:
                if info.file_size > RATIO_FROM_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
                    raise ArchiveRefused(f"{refused}：其中的内容压缩了 {max_ratio} 倍以上，不像正常的文档。")
            total = 0
            for info in infos:
                produced = 0
                with archive.open(info) as stream:
                    while chunk := stream.read(CHUNK):
                        produced += len(chunk)
                        total += len(chunk)
                        if produced > info.file_size:
                            raise broken
                        if total > max_total:
                            raise ArchiveRefused(f"{refused}：解压后超过 {_megabytes(max_total)} MB。")
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError, OSError) as error:
        # BadZipFile also covers a wrong CRC: the part ended before or after its declared size.
        raise broken from error
