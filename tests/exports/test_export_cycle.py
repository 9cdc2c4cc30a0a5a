"""python manage.py export_cycle YEAR [--organization NAME] --out DIR"""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from .conftest import page_count, pdf_text


def export(*args):
    stdout = io.StringIO()
    call_command("export_cycle", *[str(arg) for arg in args], stdout=stdout)
    return stdout.getvalue()


def test_writes_summary_and_one_result_per_organization(scored_world, tmp_path):
    w = scored_world
    out = tmp_path / "out"
    output = export(w.cycle.year, "--organization", "测试街道党工委", "--out", out)

    summary_pdf = out / f"测试街道党工委{w.cycle.year}年度述职评议结果汇总.pdf"
    summary_xlsx = out / f"测试街道党工委{w.cycle.year}年度述职评议结果汇总.xlsx"
    results = sorted(path.name for path in (out / "评议结果").iterdir())
    assert results == [f"乙社区党支部{w.cycle.year}年度述职评议结果.pdf", f"甲社区党支部{w.cycle.year}年度述职评议结果.pdf"]
    assert page_count(summary_pdf.read_bytes()) >= 1
    assert load_workbook(summary_xlsx)["汇总"]["B3"].value == "甲社区党支部"
    text = pdf_text((out / "评议结果" / results[0]).read_bytes(), tmp_path)
    assert "乙社区党支部" in text and "甲社区党支部" not in text
    assert "其中评议结果 2 个" in output
    # Not published: no 通报, no letters; every submitted report's latest version.
    assert not (out / "点评反馈意见书").exists()
    assert sorted(path.name for path in (out / "述职报告").iterdir()) == [
        f"乙社区党支部{w.cycle.year}年度述职报告（第1版）.pdf", f"甲社区党支部{w.cycle.year}年度述职报告（第1版）.pdf"
    ]


def test_skips_organizations_without_computed_result(world, tmp_path):
    output = export(world.cycle.year, "--organization", "测试街道党工委", "--out", tmp_path)
    assert "跳过 甲社区党支部：结果尚未计算" in output
    assert not (tmp_path / "评议结果").exists()
    assert (tmp_path / f"测试街道党工委{world.cycle.year}年度述职评议结果汇总.xlsx").exists()


def test_several_cycles_in_a_year_need_the_organization(world, tmp_path):
    with pytest.raises(CommandError, match="--organization"):
        export(world.cycle.year, "--out", tmp_path)
    with pytest.raises(CommandError, match="没有找到"):
        export(world.cycle.year, "--organization", "不存在的党委", "--out", tmp_path)
    with pytest.raises(CommandError, match="没有找到"):
        export(1999, "--out", tmp_path)
