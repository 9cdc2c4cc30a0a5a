"""三张清单 (问题清单, 责任清单, 整改清单) per organization and per cycle, as .docx and .xlsx."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.exports.conftest import docx_text
from tests.reviews.rectification.scenes import build_approved, build_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world):
    return build_approved(build_published(world))


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def test_organizations_lists_in_excel(client, approved):
    w = approved
    response = get(client, w.secretary_a, "reviews:rectification_plan_lists_xlsx", w.plan_a.pk)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["问题清单", "责任清单", "整改清单"]
    problems = workbook["问题清单"]
    assert problems["A1"].value == f"甲社区党支部{w.cycle.year}年度述职评议问题清单"
    assert [c.value for c in problems[2]] == ["序号", "类别", "问题", "提出人数"]
    rows = [list(row) for row in problems.iter_rows(min_row=3, values_only=True)]
    assert [row[2] for row in rows] == [item.text for item in w.items_a]
    assert [row[3] for row in rows] == [item.problems.count() for item in w.items_a]
    responsibility = [list(row) for row in workbook["责任清单"].iter_rows(min_row=3, values_only=True)]
    for row, item in zip(responsibility, w.items_a, strict=True):
        assert row[1:4] == [item.text, w.secretary_a.display_name, item.owner]
        assert row[4].date() == item.deadline
    measures = [list(row) for row in workbook["整改清单"].iter_rows(min_row=3, values_only=True)]
    for row, item in zip(measures, w.items_a, strict=True):
        assert row[1:4] == [item.text, item.measures, item.owner]
        assert row[5] in {"未开始", "整改中", "已完成", "逾期"}
    # No other organization's problems.
    assert "党建与业务融合不够" not in str(rows + responsibility + measures)
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "A3"


def test_cycle_lists_in_word(client, approved):
    w = approved
    response = get(client, w.admin, "reviews:rectification_lists_docx", w.cycle.pk)
    assert response.status_code == 200
    text = docx_text(response.content)
    for name in ("问题清单", "责任清单", "整改清单"):
        assert f"{w.committee.name}{w.cycle.year}年度述职评议{name}" in text
    assert "序号 | 党组织 | 类别 | 问题 | 提出人数" in text
    for item in w.items_a:
        assert f"甲社区党支部 | {item.category.name} | {item.text}" in text
        assert item.measures in text
    assert "乙社区党支部 | 作风建设 | 党建与业务融合不够" in text
    from docx import Document

    section = Document(io.BytesIO(response.content)).sections[0]
    assert section.page_width > section.page_height  # landscape


def test_lists_permissions(client, approved):
    w = approved
    assert get(client, w.secretary_b, "reviews:rectification_plan_lists_docx", w.plan_a.pk).status_code == 404
    assert get(client, w.reviewer, "reviews:rectification_plan_lists_docx", w.plan_a.pk).status_code == 404
    assert get(client, w.secretary_a, "reviews:rectification_lists_xlsx", w.cycle.pk).status_code == 404
    assert get(client, w.other_admin, "reviews:rectification_lists_xlsx", w.cycle.pk).status_code == 404
    assert get(client, w.admin, "reviews:rectification_plan_lists_docx", w.plan_b.pk).status_code == 200
