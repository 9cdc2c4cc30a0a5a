"""The reviewer's desk (reviews:review): each criterion's description beside its score, problems
as several lines of text, the question box at the top of the scoring panel."""

from django.urls import reverse

from reviews.models import Problem, ProblemCategory
from tests.reviews.helpers import scores_totalling


def desk(client, w):
    client.force_login(w.reviewer)
    response = client.get(reverse("reviews:review", args=[w.report_a.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_criterion_shows_its_description_tied_to_its_input(client, submitted):
    html = desk(client, submitted)
    for criterion in submitted.cycle.criteria.all():
        assert criterion.description
        assert f'id="criterion-description-{criterion.pk}">{criterion.description}</span>' in html
        assert f'aria-describedby="criterion-description-{criterion.pk}"' in html


def test_problems_are_multi_line_and_kept_as_written(client, submitted):
    w = submitted
    html = desk(client, w)
    assert '<textarea name="problems-0-text"' in html
    text = "“三会一课”记录不规范：\n支委会记录缺少议题和决议。"
    data = {f"score_{pk}": points for pk, points in scores_totalling(w.cycle, 80).items()}
    data.update(
        {
            "comment": "工作扎实。",
            "action": "draft",
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            "problems-0-text": text.replace("\n", "\r\n"),  # as a browser posts a textarea
            "problems-0-category": ProblemCategory.objects.first().pk,
        }
    )
    assert client.post(reverse("reviews:review", args=[w.report_a.pk]), data).status_code == 302
    assert Problem.objects.get().text == text


def test_the_question_box_comes_before_the_score_form_in_the_panel(client, submitted):
    html = desk(client, submitted)
    panel = html.index('id="review-panel"')
    assert panel < html.index('id="question-form"') < html.index('id="review-form"')
    # The report itself is the other column, before the panel.
    assert html.index('id="report-body"') < panel
    # On narrow screens the jump links lead to the panel and to the questions.
    assert 'href="#review-panel"' in html and 'href="#questions"' in html
