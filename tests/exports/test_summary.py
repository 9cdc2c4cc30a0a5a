"""The annual summary as PDF and .xlsx: content, workbook structure, permissions, queries."""

import io
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from branches.services import organization_move
from reviews.models import ResultSettings, Score
from reviews.results.documents import reviewer_labels
from reviews.results.summary import grade_bars, summary_context, summary_workbook
from tests.factories import CommitteeFactory, OrganizationFactory, UserFactory, launch_cycle

from .conftest import COMMENT_A, page_count, pdf_text, review, submit_report


def download(client, user, cycle, kind):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(f"reviews:summary_{kind}", args=[cycle.pk]))


# --- PDF ------------------------------------------------------------------------------------


def test_summary_pdf_content(client, scored_world, tmp_path):
    w = scored_world
    response = download(client, w.admin, w.cycle, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert unquote(response["Content-Disposition"].split("''")[1]) == f"测试街道党工委{w.cycle.year}年度述职评议结果汇总.pdf"
    text = pdf_text(response.content, tmp_path)
    pages = page_count(response.content)
    assert [f"—{n}—" in text for n in range(1, pages + 2)] == [True] * pages + [False]
    lines = [line for line in text.splitlines() if line.strip()]
    # Ranking: 甲 (94.05, 好) before 乙 (72.45, 一般).
    a, b = w.report_a.result, w.report_b.result
    assert a.rank == 1 and b.rank == 2
    assert text.index("甲社区党支部") < text.index("乙社区党支部")
    assert str(a.total) in text and str(b.total) in text
    assert "92.75" in text and "96.00" in text  # component scores of 甲
    # Grade distribution chart: one 好, one 一般, none 较好 / 差.
    flat = " ".join(text.split())
    assert "好 1个 50%" in flat and "较好 0个" in flat and "一般 1个 50%" in flat and "差 0个" in flat
    assert "等次分布" in text
    # Per-criterion averages and the common problems, by category with organization counts.
    assert "各项评价指标平均得分" in text and "各项评价指标得分率" in text  # the chart above the table
    assert any("组织建设（涉及2个党组织，共4条）" in line for line in lines)
    assert "三会一课记录不规范" in text and "党员发展工作滞后" in text
    assert "盖章" in text and "制表人" in text


def test_grade_bars_scale_to_the_longest():
    distribution = [
        {"grade": "excellent", "label": "好", "count": 2, "percent": Decimal("20.00")},
        {"grade": "good", "label": "较好", "count": 8, "percent": Decimal("80.00")},
        {"grade": "fair", "label": "一般", "count": 0, "percent": Decimal("0.00")},
        {"grade": "poor", "label": "差", "count": 0, "percent": Decimal("0.00")},
        {"grade": "", "label": "未定等次", "count": 0, "percent": Decimal("0.00")},
    ]
    bars = grade_bars(distribution)
    assert [(bar.label, bar.width) for bar in bars] == [("好", 25), ("较好", 100), ("一般", 0), ("差", 0)]


def test_summary_context_averages_and_problems(scored_world):
    context = summary_context(scored_world.cycle)
    first = context["criterion_summary"][0]
    criterion, mean, share = first
    assert criterion.max_points == 25
    # 甲: (24 + 22.5) / 2 = 23.25; 乙: (17.5 + 19) / 2 = 18.25; every organization weighs the same.
    assert mean == Decimal("20.75")
    assert share == Decimal("83.00")
    assert [group.category for group in context["common_problems"]] == ["组织建设", "思想政治建设"]
    organisation = context["common_problems"][0]
    assert organisation.top[0] == ("三会一课记录不规范", 2, 3)


# --- Excel ----------------------------------------------------------------------------------


def test_summary_xlsx_opens_with_the_right_values(client, scored_world):
    w = scored_world
    response = download(client, w.admin, w.cycle, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert unquote(response["Content-Disposition"].split("''")[1]).endswith("年度述职评议结果汇总.xlsx")

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["汇总", "等次分布", "指标平均分", "共性问题", "民主测评", "评分明细"]
    summary = workbook["汇总"]
    assert "述职评议结果汇总表" in summary["A1"].value
    header = [cell.value for cell in summary[2]]
    assert header[:3] == ["排名", "党组织", "书记"]
    assert header[-5:] == ["现场评议得分（60%）", "日常考核得分（40%）", "综合得分", "等次", "备注"]
    assert summary.freeze_panes == "C3"
    first = {label: cell.value for label, cell in zip(header, summary[3], strict=True)}
    assert first["排名"] == 1 and isinstance(first["排名"], int)
    assert first["党组织"] == "甲社区党支部"
    assert first["综合得分"] == pytest.approx(94.05) and isinstance(first["综合得分"], float)
    assert first["现场评议得分（60%）"] == pytest.approx(92.75)
    assert first["日常考核得分（40%）"] == 96
    assert first["等次"] == "好"
    assert first["履行党建工作责任（满分25）"] == pytest.approx(23.25)
    assert summary.cell(row=4, column=2).value == "乙社区党支部"
    # Then a blank row, 制表人 / 审核人, the 落款 and its date.
    assert summary.cell(row=5, column=2).value is None
    assert [summary.cell(row=6, column=1).value, summary.cell(row=6, column=3).value] == ["制表人：", "审核人："]
    signature = [cell.value for row in summary.iter_rows(min_row=7) for cell in row if cell.value]
    assert signature[0] == f"{w.cycle.organization.name}（盖章）" and signature[1].endswith("日")
    assert summary.column_dimensions["B"].width >= 14  # "甲社区党支部" is 12 wide

    # Printable: A4 landscape, one page wide, the title and header rows on every page.
    for sheet in workbook.worksheets:
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert summary.print_title_rows == "$1:$2"
    assert workbook["评分明细"].print_title_rows == "$1:$1"

    detail = workbook["评分明细"]
    criteria = list(w.cycle.criteria.all())
    assert [cell.value for cell in detail[1]] == ["党组织", "评议人"] + [f"{c.name}（满分{c.max_points.normalize():f}）" for c in criteria] + ["合计"]
    assert detail.freeze_panes == "C2"
    rows = list(detail.iter_rows(min_row=2, values_only=True))
    # Wide: one row per organization and reviewer, every score in it.
    assert len(rows) == 4 and len(rows) * len(criteria) == Score.objects.filter(review__report__cycle=w.cycle).count()
    assert [(row[0], row[1]) for row in rows] == [
        ("甲社区党支部", "评议人1"), ("甲社区党支部", "评议人2"), ("乙社区党支部", "评议人1"), ("乙社区党支部", "评议人2")
    ]
    for row in rows:
        assert all(isinstance(value, (int, float)) for value in row[2:])
        assert row[-1] == pytest.approx(sum(row[2:-1]))


def test_summary_xlsx_carries_grades_criteria_problems(client, scored_world):
    w = scored_world
    workbook = load_workbook(io.BytesIO(download(client, w.admin, w.cycle, "xlsx").content))
    context = summary_context(w.cycle)
    grades = workbook["等次分布"]
    assert [[c.value for c in row] for row in grades.iter_rows(min_row=2, max_col=3)] == [
        [bar.label, bar.count, pytest.approx(float(bar.percent))] for bar in context["grade_bars"]
    ]
    charts = grades._charts
    assert len(charts) == 1 and charts[0].tagname == "barChart"
    criteria = workbook["指标平均分"]
    assert [[c.value for c in row] for row in criteria.iter_rows(min_row=2)] == [
        [criterion.name, pytest.approx(float(criterion.max_points)), pytest.approx(float(mean)), pytest.approx(float(share))]
        for criterion, mean, share in context["criterion_summary"]
    ]
    problems = [[c.value for c in row] for row in workbook["共性问题"].iter_rows(min_row=2)]
    assert ["组织建设", 2, 4, "三会一课记录不规范", 2, 3] in problems
    assert workbook["民主测评"]["A2"].value == "本年度民主测评尚未结束或未进行。"


def test_summary_xlsx_chart_is_native(client, scored_world):
    import zipfile

    content = download(client, scored_world.admin, scored_world.cycle, "xlsx").content
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert any(name.startswith("xl/charts/chart") for name in names)


def test_xlsx_names_reviewers_when_the_setting_allows(scored_world):
    ResultSettings.objects.filter(cycle=scored_world.cycle).update(show_reviewer_names=True)
    detail = load_workbook(io.BytesIO(summary_workbook(scored_world.cycle)))["评分明细"]
    assert {row[1] for row in detail.iter_rows(min_row=2, values_only=True)} == {"张评议", "李评议"}


def test_reviewer_labels():
    first, second = UserFactory.build(pk=1, name="甲"), UserFactory.build(pk=2, name="乙")
    assert reviewer_labels([first, second], show_names=False) == {1: "评议人1", 2: "评议人2"}
    assert reviewer_labels([first, second], show_names=True) == {1: "甲", 2: "乙"}


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
@pytest.mark.parametrize(
    "role, status",
    [
        ("admin", 200),
        ("superuser", 200),
        ("reviewer", 404),
        ("secretary_a", 404),
        ("secretary_b", 404),
        ("other_reviewer", 404),
        ("other_admin", 404),
    ],
)
def test_summary_permissions(client, published_world, kind, role, status):
    assert download(client, getattr(published_world, role), published_world.cycle, kind).status_code == status


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_summary_anonymous_is_sent_to_login(client, world, kind):
    response = download(client, None, world.cycle, kind)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_administrator_of_a_higher_committee_may_download(client, scored_world):
    w = scored_world
    county = CommitteeFactory(name="县委")
    organization_move(organization=w.committee, parent=county)
    county_admin = UserFactory(username="county_admin")
    county.administrators.add(county_admin)
    assert download(client, county_admin, w.cycle, "xlsx").status_code == 200


# --- queries do not grow with the number of organizations ------------------------------------


def _queries(function, *args):
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)


def test_summary_queries_do_not_grow_with_organizations(scored_world):
    w = scored_world
    small = (_queries(summary_context, w.cycle), _queries(summary_workbook, w.cycle))

    reviewer3 = UserFactory(username="reviewer3_t")
    w.committee.committee_members.add(reviewer3)
    branches = [OrganizationFactory(name=f"新增第{i}党支部", parent=w.committee) for i in range(3)]
    cycle = launch_cycle(organization=w.committee, year=w.cycle.year + 1, by=w.admin, participants=[w.branch_a, w.branch_b, *branches])
    for index, report in enumerate(cycle.reports.all()):
        submit_report(report, report.organization.secretary or w.admin, rectification="已整改。")
        review(report, w.reviewer, "0.8", COMMENT_A, [("三会一课记录不规范", "组织建设")])
        review(report, reviewer3, f"0.{6 + index}", "意见。", [(f"问题{index}", "作风建设")])
    large = (_queries(summary_context, cycle), _queries(summary_workbook, cycle))
    assert large == small
