"""Hostile zip packages (issue 12): every upload that is a zip — the report's .docx import,
the roster .xlsx, rectification evidence .docx/.xlsx — is refused with a Chinese message
before any parser reads it when it would inflate out of proportion, has too many parts or
lies about a part's size; and every upload is refused or read within 200 MB of memory.
(Times are printed by bench/bench_uploads.py.)"""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.archives import ArchiveBroken, ArchiveRefused, archive_check
from branches.models import Organization
from branches.roster import MAX_INFLATED_BYTES, roster_read
from reports.docx_import import MAX_DOCX_INFLATED_BYTES, docx_to_text
from reviews.models import RectificationEvidence
from reviews.rectification.evidence import evidence_check
from tests import bombs
from tests.branches.roster_helpers import roster_bytes
from tests.reviews.rectification.scenes import build_approved, build_published

MEMORY_BOUND_MB = 200


def docx_upload(content, name="报告.docx"):
    return SimpleUploadedFile(name, content)


# --- the shared check ---------------------------------------------------------------------


def test_a_120_kb_docx_inflating_to_42_mb_is_refused_by_its_declared_size():
    bomb = bombs.docx_bomb()
    assert len(bomb) < 130 * 1024
    with pytest.raises(ArchiveRefused, match="解压后超过 8 MB"):
        archive_check(bomb, max_total=MAX_DOCX_INFLATED_BYTES, label="Word 文档")


def test_a_small_bomb_under_the_size_cap_is_refused_by_its_ratio():
    bomb = bombs.docx_bomb(inflated=4 * bombs.MB, packed=0)
    with pytest.raises(ArchiveRefused, match="压缩了 100 倍以上"):
        archive_check(bomb, max_total=MAX_DOCX_INFLATED_BYTES, label="Word 文档")


def test_too_many_parts_are_refused_before_zipfile_lists_them(monkeypatch):
    import zipfile

    def no_listing(*args, **kwargs):
        raise AssertionError("the central directory should not be read")

    content = bombs.many_entries(5000)
    monkeypatch.setattr(zipfile.ZipFile, "__init__", no_listing)
    with pytest.raises(ArchiveRefused, match="部件超过 1000 个"):
        archive_check(content, max_total=MAX_DOCX_INFLATED_BYTES, label="Word 文档")


def test_a_header_that_lies_about_a_size_is_caught_while_inflating():
    with pytest.raises(ArchiveBroken, match="大小与实际内容不符"):
        archive_check(bombs.lying_header(), max_total=MAX_DOCX_INFLATED_BYTES, label="Word 文档")


def test_limits_are_exact():
    import zipfile

    honest = bombs.docx_honest(2 * bombs.MB)
    total = bombs.inflated_size(honest)
    archive_check(honest, max_total=total, label="Word 文档")
    with pytest.raises(ArchiveRefused):
        archive_check(honest, max_total=total - 1, label="Word 文档")
    entries = len(zipfile.ZipFile(io.BytesIO(honest)).infolist())
    archive_check(honest, max_total=total, max_entries=entries)
    with pytest.raises(ArchiveRefused):
        archive_check(honest, max_total=total, max_entries=entries - 1)


def test_not_a_zip_is_broken_and_a_file_is_rewound():
    with pytest.raises(ArchiveBroken):
        archive_check(b"garbage", max_total=bombs.MB)
    upload = docx_upload(bombs.docx_honest(1000))
    upload.read(10)
    archive_check(upload, max_total=bombs.MB)
    assert upload.tell() == 0


# --- each upload: refused before parsing, or read, within the memory bound -------------------

HOSTILE_DOCX = {
    "bomb": (bombs.docx_bomb, "解压后超过 8 MB"),
    "ratio": (lambda: bombs.docx_bomb(inflated=4 * bombs.MB, packed=0), "压缩了 100 倍以上"),
    "many": (lambda: bombs.many_entries(5000), "部件超过 1000 个"),
    "lying": (bombs.lying_header, "大小与实际内容不符"),
}


def read_unparsed(monkeypatch, module, attribute, read):
    """(outcome, peak MB) of read(), with the parser module.attribute failing the test if called."""

    def parse(*args, **kwargs):
        raise AssertionError(f"{module.__name__}.{attribute} must not see a hostile package")

    monkeypatch.setattr(module, attribute, parse)
    return bombs.peak_memory_mb(read)


@pytest.mark.parametrize("kind", HOSTILE_DOCX)
def test_docx_import_refuses_hostile_packages_within_the_memory_bound(kind, monkeypatch):
    import docx

    build, message = HOSTILE_DOCX[kind]
    content = build()
    outcome, peak = read_unparsed(monkeypatch, docx, "Document", lambda: docx_to_text(docx_upload(content)))
    assert isinstance(outcome, ValidationError) and message in outcome.messages[0]
    assert peak < MEMORY_BOUND_MB


def test_docx_import_reads_the_largest_accepted_document_within_the_memory_bound():
    content = bombs.docx_honest(MAX_DOCX_INFLATED_BYTES - 1000 * 1024)  # python-docx's template takes 0.8 MB
    assert bombs.inflated_size(content) > MAX_DOCX_INFLATED_BYTES - 300 * 1024
    outcome, peak = bombs.peak_memory_mb(lambda: docx_to_text(docx_upload(content)))
    assert isinstance(outcome, str) and len(outcome) > 1_000_000
    assert peak < MEMORY_BOUND_MB


HOSTILE_XLSX = {
    "bomb": (bombs.xlsx_bomb, "解压后超过 4 MB"),
    "ratio": (lambda: bombs.xlsx_bomb(inflated=3 * bombs.MB), "压缩了 100 倍以上"),
    "many": (lambda: bombs.many_entries(5000, base=roster_bytes([("支部", "党支部", "", "", "", "")])), "部件超过 1000 个"),
    "lying": (lambda: bombs.lying_header(base=bombs.xlsx_bomb(inflated=0), name="xl/worksheets/sheet1.xml"), "不是有效的 Excel"),
}


@pytest.mark.parametrize("kind", HOSTILE_XLSX)
def test_roster_refuses_hostile_packages_within_the_memory_bound(kind, monkeypatch):
    import openpyxl

    build, message = HOSTILE_XLSX[kind]
    content = build()
    outcome, peak = read_unparsed(monkeypatch, openpyxl, "load_workbook", lambda: roster_read(content))
    organizations, members, errors = outcome
    assert not organizations and not members and message in errors[0].message
    assert peak < MEMORY_BOUND_MB


def test_roster_reads_the_largest_accepted_workbook_within_the_memory_bound():
    content = bombs.xlsx_bomb(inflated=MAX_INFLATED_BYTES - 200 * 1024, honest_rows=100, numbered=True)
    assert MAX_INFLATED_BYTES - 600 * 1024 < bombs.inflated_size(content) <= MAX_INFLATED_BYTES
    outcome, peak = bombs.peak_memory_mb(lambda: roster_read(content))
    organizations, _members, errors = outcome
    assert len(organizations) == 100
    assert [error.message for error in errors] == ["行数超过 6000 行（含空行），请删除多余的行或分批导入。"]
    assert peak < MEMORY_BOUND_MB


@pytest.mark.parametrize("kind", HOSTILE_DOCX)
def test_evidence_refuses_hostile_word_files_within_the_memory_bound(kind):
    build, _message = HOSTILE_DOCX[kind]
    content = build()
    outcome, peak = bombs.peak_memory_mb(lambda: evidence_check(docx_upload(content, "整改记录.docx")))
    assert isinstance(outcome, ValidationError) and "整改记录.docx" in outcome.messages[0]
    assert peak < MEMORY_BOUND_MB


def test_evidence_refuses_a_bomb_that_would_pass_its_larger_size_cap_by_ratio():
    with pytest.raises(ValidationError, match="压缩了 100 倍以上"):
        evidence_check(docx_upload(bombs.docx_bomb(inflated=42 * bombs.MB), "记录.docx"))
    with pytest.raises(ValidationError, match="压缩了 100 倍以上"):
        evidence_check(docx_upload(bombs.xlsx_bomb(inflated=42 * bombs.MB), "台账.xlsx"))


@pytest.fixture
def approved(world):
    return build_approved(build_published(world))


# --- through the pages: a Chinese message, the user's state kept, nothing written ------------


def test_docx_import_page_shows_the_refusal_on_the_editor(client, world):
    client.force_login(world.secretary_a)
    response = client.post(reverse("reports:import", args=[world.report_a.pk]), {"docx_file": docx_upload(bombs.docx_bomb())})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="editor-form"' in html
    assert "该Word 文档可能是异常文件，系统没有读取它：解压后超过 8 MB" in html
    assert re.search(r'<section id="import-panel"', html)  # not started: the import comes first, open


def test_roster_preview_page_shows_the_refusal_and_writes_nothing(client, world):
    client.force_login(world.admin)
    before = Organization.objects.count()
    response = client.post(
        reverse("branches:roster_preview"), {"file": SimpleUploadedFile("名册.xlsx", bombs.xlsx_bomb())}
    )
    assert "该Excel 工作簿可能是异常文件，系统没有读取它：解压后超过 4 MB" in response.content.decode()
    assert Organization.objects.count() == before


def test_evidence_page_refuses_a_bomb_and_keeps_the_text(client, approved):
    client.force_login(approved.secretary_a)
    response = client.post(
        reverse("reviews:rectification_item", args=[approved.item_a.pk]),
        {"text": "已召开专题会议整改", "files": [docx_upload(bombs.docx_bomb(), "会议记录.docx")]},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "会议记录.docx" in html and "压缩了 100 倍以上" in html and "已召开专题会议整改" in html
    assert not RectificationEvidence.objects.exists()
