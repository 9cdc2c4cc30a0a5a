"""The printable code sheet, and the ballot score in the result sheet, summary and Excel export."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.ballots.documents import code_cells, qr_svg
from reviews.ballots.services import evaluation_close
from reviews.results.documents import result_context
from reviews.results.selectors import secretary_result
from reviews.results.services import results_compute
from reviews.results.summary import summary_table, summary_workbook
from reviews.rubric_services import result_settings_update
from reviews.selectors import result_settings_for
from reviews.services import routine_scores_set
from tests.reviews.ballots.helpers import vote
from tests.reviews.helpers import submit_review

pytestmark = pytest.mark.django_db


def test_code_cells_carry_the_typable_code_and_a_qr_code_of_the_voting_url(scene):
    urls = []

    def vote_url(code):
        urls.append(code)
        return f"https://example.org/vote/{code}/"

    cells = code_cells(scene.evaluation, vote_url)
    assert len(cells) == 7
    assert [cell.group for cell in cells] == ["班子成员"] * 3 + ["群众代表"] * 4
    first = scene.codes["班子成员"][0]
    assert cells[0].code == "-".join(first[i : i + 4] for i in range(0, 16, 4))
    assert cells[0].qr_svg.startswith("<svg") and "<path" in cells[0].qr_svg
    assert urls == scene.codes["班子成员"] + scene.codes["群众代表"]


def test_qr_code_depends_on_the_url():
    # The SVG is a grid of modules; a different payload must give a different picture.
    assert qr_svg("https://example.org/vote/AAAA/") != qr_svg("https://example.org/vote/BBBB/")


def test_code_sheet_pdf_renders_every_code(client, scene):
    from pypdf import PdfReader

    client.force_login(scene.admin)
    response = client.get(reverse("reviews:evaluation_codes_pdf", args=[scene.cycle.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = text.replace(" ", "").replace("\n", "")
    for code in scene.codes["群众代表"]:
        assert "-".join(code[i : i + 4] for i in range(0, 16, 4)) in compact
    assert "民主测评" in compact


@pytest.fixture
def computed(opened):
    result_settings_update(
        settings=opened.cycle.result_settings,
        data={"review_weight": Decimal(40), "routine_weight": Decimal(30), "ballot_weight": Decimal(30)},
        by=opened.admin,
    )
    vote(opened.evaluation, opened.codes["班子成员"][0], "好", "一般")
    vote(opened.evaluation, opened.codes["班子成员"][1], "较好", "一般")
    evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    for report in (opened.report_a, opened.report_b):
        submit_review(report, opened.reviewer, 88)
    routine_scores_set(cycle=opened.cycle, scores={opened.report_a.pk: 90, opened.report_b.pk: 80}, by=opened.admin)
    results_compute(cycle=opened.cycle, by=opened.admin)
    return opened


def test_the_summary_and_excel_show_the_ballot_score(computed):
    table = summary_table(computed.cycle)
    assert [label for _name, label, _weight in table["components"]] == ["现场评议", "日常考核", "民主测评"]
    scores = {row.report.pk: dict((label, score) for label, _w, score in components) for row, components in table["rows"]}
    # A: 好 + 较好 from the leaders: (1 + 0.9) / 2 = 95.00; B: 一般 twice = 70.00
    assert scores[computed.report_a.pk]["民主测评"] == Decimal("95.00")
    assert scores[computed.report_b.pk]["民主测评"] == Decimal("70.00")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(summary_workbook(computed.cycle))).worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert any(isinstance(value, str) and value.startswith("民主测评得分") for value in values)
    assert 95 in values and 70 in values


def test_the_result_sheet_shows_the_ballot_score(computed):
    settings = result_settings_for(computed.cycle)
    row, reviews, ranked = secretary_result(computed.report_a, settings)
    context = result_context(row, reviews, settings=settings, ranked_count=ranked)
    assert ("民主测评", Decimal("30.00"), Decimal("95.00")) in context["components"]


def test_qr_svg_draws_exactly_the_dark_modules_of_the_qr_code():
    import re

    from reviews.ballots.documents import qr_matrix

    url = "https://example.org/vote/ABCDEFGHJKLMNPQR/"
    drawn = set()
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", qr_svg(url)):
        drawn |= {(int(x) + dx, int(y)) for dx in range(int(width))}
    matrix = qr_matrix(url)
    assert drawn == {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


def test_the_result_sheet_carries_the_ballot_tally(computed):
    settings = result_settings_for(computed.cycle)
    row, reviews, ranked = secretary_result(computed.report_a, settings)
    context = result_context(row, reviews, settings=settings, ranked_count=ranked)
    marks, tally = context["ballot"]
    assert [mark.label for mark in marks] == ["好", "较好", "一般", "差"]
    # Two leaders voted: too few to show apart (MIN_GROUP_VOTES), so only the total carries them.
    assert tally.overall.counts == [1, 1, 0, 0]
    assert [line.label for line in tally.lines] == ["群众代表", "合计（加权）"]
    assert tally.score == Decimal("95.00")
    from django.template.loader import render_to_string

    html = render_to_string("pdf/result.html", context)
    assert "民主测评票数" in html and "95.00" in html
    assert "班子成员" not in html


def test_no_ballot_tally_on_the_result_sheet_without_a_closed_evaluation(opened):
    settings = result_settings_for(opened.cycle)
    row, reviews, ranked = secretary_result(opened.report_a, settings)
    assert result_context(row, reviews, settings=settings, ranked_count=ranked)["ballot"] is None


def test_summary_workbook_ballot_sheet_is_the_tally(computed):
    from openpyxl import load_workbook

    from reviews.ballots.selectors import evaluation_of, evaluation_tally

    sheet = load_workbook(io.BytesIO(summary_workbook(computed.cycle)))["民主测评"]
    header = [cell.value for cell in sheet[1]]
    marks = [mark.label for mark in evaluation_of(computed.cycle).marks.all()]
    assert header[:3] == ["党组织", "测评人类别", "权重"] and header[3 : 3 + len(marks)] == marks
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = [
        [tally.entry.report.organization.name, line.total, line.counts, line.score]
        for tally in evaluation_tally(evaluation_of(computed.cycle))
        for line in tally.lines
    ]
    assert len(rows) == len(expected)
    for row, (name, total, counts, score) in zip(rows, expected, strict=True):
        assert row[0] == name
        assert row[3 : 3 + len(marks)] == counts and row[3 + len(marks)] == total
        assert (row[-1] is None and score is None) or row[-1] == pytest.approx(float(score))
