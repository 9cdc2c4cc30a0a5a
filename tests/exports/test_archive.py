"""The year's .zip (reviews.results.archive.cycle_archive_write) and export_cycle over it."""

import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reviews.results import archive as archive_module
from reviews.results.archive import ARCHIVE_FORMATS, cycle_archive_filename, cycle_archive_write
from reviews.results.feedback import letter_title

from .conftest import COMMENT_B, docx_text, page_count


def archive(cycle, formats):
    calls = []
    buffer = io.BytesIO()
    count = cycle_archive_write(cycle=cycle, formats=formats, fileobj=buffer, progress=lambda done, total: calls.append((done, total)))
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue())), count, calls


def test_everything_of_a_published_cycle(published_world):
    w = published_world
    zip_file, count, calls = archive(w.cycle, {"pdf", "docx", "xlsx"})
    names = zip_file.namelist()
    year, committee = w.cycle.year, w.committee.name
    expected = {
        f"{committee}{year}年度述职评议结果汇总.pdf",
        f"{committee}{year}年度述职评议结果汇总.docx",
        f"{committee}{year}年度述职评议结果汇总.xlsx",
        f"{committee}{year}年度述职评议情况通报.pdf",
        f"{committee}{year}年度述职评议情况通报.docx",
        f"整改/{committee}{year}年度述职评议整改台账.pdf",
        f"整改/{committee}{year}年度述职评议整改台账.docx",
        f"整改/{committee}{year}年度述职评议整改台账.xlsx",
        f"整改/{committee}{year}年度述职评议三张清单.docx",
        f"整改/{committee}{year}年度述职评议三张清单.xlsx",
    }
    for organization in ("甲社区党支部", "乙社区党支部"):
        for extension in ("pdf", "docx"):
            expected |= {
                f"评议结果/{organization}{year}年度述职评议结果.{extension}",
                f"点评反馈意见书/{letter_title(w.cycle, organization)}.{extension}",
                f"述职报告/{organization}{year}年度述职报告（第1版）.{extension}",
            }
    assert set(names) == expected and len(names) == len(expected) == count
    # Progress: once before the first entry, then after each.
    assert calls == [(done, count) for done in range(count + 1)]
    for name in names:
        content = zip_file.read(name)
        if name.endswith(".pdf"):
            assert page_count(content) >= 1, name
        elif name.endswith(".docx"):
            assert docx_text(content).strip(), name
        else:
            assert load_workbook(io.BytesIO(content)).sheetnames, name
    letter_b = docx_text(zip_file.read(f"点评反馈意见书/{letter_title(w.cycle, '乙社区党支部')}.docx"))
    assert COMMENT_B in letter_b


def test_formats_select_the_entries(scored_world):
    w = scored_world
    zip_file, count, _calls = archive(w.cycle, {"docx", "odt"})
    assert count and all(name.endswith(".docx") for name in zip_file.namelist())
    # Not published: no 通报, no letters.
    assert not any(name.startswith("点评反馈意见书/") or "通报" in name for name in zip_file.namelist())
    assert archive(w.cycle, {"xlsx"})[0].namelist() == [f"{w.committee.name}{w.cycle.year}年度述职评议结果汇总.xlsx"]
    assert ARCHIVE_FORMATS == {"pdf", "docx", "xlsx"}


def test_export_cycle_zip_and_formats(published_world, tmp_path):
    w = published_world
    stdout = io.StringIO()
    call_command("export_cycle", str(w.cycle.year), "--organization", w.committee.name, "--format", "docx,xlsx", "--zip", "--out", str(tmp_path), stdout=stdout)
    path = tmp_path / cycle_archive_filename(w.cycle)
    names = zipfile.ZipFile(path).namelist()
    assert names and all(name.endswith((".docx", ".xlsx")) for name in names)
    assert any(name.startswith("点评反馈意见书/") for name in names)
    assert f"（{len(names)} 个文件）" in stdout.getvalue()
    with pytest.raises(CommandError, match="--format"):
        call_command("export_cycle", str(w.cycle.year), "--organization", w.committee.name, "--format", "doc", "--out", str(tmp_path))


def test_worker_processes_write_the_same_archive(published_world, monkeypatch):
    """Forked workers render the per-organization documents: same entries, same order, same text
    (a worker makes no query: the test database lives in this process's memory)."""
    w = published_world
    results = {}
    for workers in (1, 2):
        monkeypatch.setattr(archive_module, "ARCHIVE_WORKERS", workers)
        buffer = io.BytesIO()
        cycle_archive_write(cycle=w.cycle, formats={"docx", "pdf"}, fileobj=buffer)
        archive_file = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
        results[workers] = [
            # The generation time may differ by a minute between the two runs.
            (name, re.sub(r"生成时间：[\d\- :]+", "", docx_text(archive_file.read(name))) if name.endswith(".docx") else page_count(archive_file.read(name)))
            for name in archive_file.namelist()
        ]
    assert results[1] == results[2]
    assert sum(name.startswith(("评议结果/", "点评反馈意见书/", "述职报告/")) for name, _ in results[2]) == 12


def test_per_organization_documents_render_without_a_query(published_world, django_assert_num_queries):
    """What runs in the worker processes reads nothing from the database (and so the archive's
    queries do not grow with the organizations: everything else is read once up front)."""
    from reviews.results.archive import archive_entries

    entries = archive_entries(published_world.cycle, {"pdf", "docx"})
    pure = [entry for entry in entries if entry.pure]
    assert len(pure) == 12
    with django_assert_num_queries(0):
        for entry in pure:
            assert entry.render()
