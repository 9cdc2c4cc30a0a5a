"""reviews.results.archive: the year's documents as one .zip, with progress."""

import io
import zipfile

from reviews.results.archive import cycle_archive_filename, cycle_archive_write

from .conftest import page_count


def test_archive_holds_the_summary_and_one_result_per_computed_organization(scored_world):
    w = scored_world
    calls = []
    buffer = io.BytesIO()
    count = cycle_archive_write(cycle=w.cycle, formats={"pdf", "xlsx"}, fileobj=buffer, progress=lambda *a: calls.append(a))
    names = sorted(zipfile.ZipFile(buffer).namelist())
    year = w.cycle.year
    assert names == sorted(
        [
            f"测试街道党工委{year}年度述职评议结果汇总.pdf",
            f"测试街道党工委{year}年度述职评议结果汇总.xlsx",
            f"评议结果/乙社区党支部{year}年度述职评议结果.pdf",
            f"评议结果/甲社区党支部{year}年度述职评议结果.pdf",
        ]
    )
    assert count == 4
    # Progress from 0 to the total, one step per entry, never past the total.
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    archive = zipfile.ZipFile(buffer)
    assert page_count(archive.read(f"评议结果/甲社区党支部{year}年度述职评议结果.pdf")) >= 1
    assert cycle_archive_filename(w.cycle) == f"测试街道党工委{year}年度述职评议文件.zip"


def test_only_the_asked_formats_and_only_computed_results(world):
    # Nothing computed yet: no result PDFs; xlsx only when asked for it alone.
    buffer = io.BytesIO()
    assert cycle_archive_write(cycle=world.cycle, formats={"xlsx", "docx-not-yet"}, fileobj=buffer) == 1
    assert [name.rsplit(".", 1)[1] for name in zipfile.ZipFile(buffer).namelist()] == ["xlsx"]
