"""Over-long input in every text field: a clear Chinese message, the user's text still on the page
(nothing lost), nothing saved."""

import re

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from reports.models import SECTION_MAX_LENGTH, Report
from reviews.forms import SETTINGS_FIELDS
from reviews.models import Criterion, ProblemCategory, Question, Result, Review
from reviews.results.services import results_compute
from reviews.services import question_ask, routine_scores_set
from tests.reports.conftest import submit

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def long_text(length, marker="末尾标记"):
    """`length` characters ending in a marker, so the page must hold the whole text to pass."""
    return "长" * (length - len(marker)) + marker


def assert_refused_and_kept(response, text, *messages):
    html = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert text in html, "the user's text is not on the re-rendered page"
    for message in messages:
        assert message in html, f"missing the message {message!r}"


@pytest.fixture
def submitted(world):
    submit(world.report_a, world.secretary_a)
    return world


@pytest.mark.parametrize("field", list(SECTION_MAX_LENGTH))
def test_report_section_too_long_in_the_editor_form(client, world, field):
    text = long_text(SECTION_MAX_LENGTH[field] + 1)
    client.force_login(world.secretary_a)
    response = client.post(reverse("reports:editor", args=[world.report_a.pk]), {field: text, "base_revision": 0})

    assert_refused_and_kept(response, text, f"最多 {SECTION_MAX_LENGTH[field]} 字")
    assert getattr(Report.objects.get(pk=world.report_a.pk), field) == ""


def test_report_section_too_long_in_the_autosave(client, world):
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("reports:autosave", args=[world.report_a.pk]),
        {"base_revision": 0, "fields": {"problems": long_text(SECTION_MAX_LENGTH["problems"] + 1)}},
        content_type="application/json",
    )
    assert response.status_code == 400
    message = " ".join(str(m) for m in response.json()["errors"]["problems"])
    assert "最多 8000 字" in message
    assert Report.objects.get(pk=world.report_a.pk).problems == ""


def test_import_paste_with_a_too_long_part_keeps_the_preview(client, world):
    client.force_login(world.secretary_a)
    text = long_text(SECTION_MAX_LENGTH["plans"] + 1)
    response = client.post(
        reverse("reports:import_confirm", args=[world.report_a.pk]),
        {"performance": "一、工作开展情况", "plans": text, "base_revision": 0},
    )
    assert_refused_and_kept(response, text, "最多 8000 字")
    assert Report.objects.get(pk=world.report_a.pk).plans == ""


def test_question_too_long(client, submitted):
    text = long_text(2001)
    client.force_login(submitted.reviewer)
    response = client.post(reverse("reviews:question_ask", args=[submitted.report_a.pk]), {"text": text})
    assert_refused_and_kept(response, text, "2000")
    assert CHINESE.search(response.context["question_form"].errors["text"][0])
    assert not Question.objects.exists()


def test_answer_too_long(client, submitted):
    question = question_ask(report=submitted.report_a, by=submitted.reviewer, text="请说明。")
    text = long_text(5001)
    client.force_login(submitted.secretary_a)
    response = client.post(
        reverse("reviews:secretary_questions", args=[submitted.report_a.pk]),
        {"question": question.pk, f"q{question.pk}-answer": text},
    )
    assert_refused_and_kept(response, text, "5000")
    question.refresh_from_db()
    assert question.answer == ""


def review_data(report, **extra):
    criteria = list(report.cycle.criteria.all())
    data = {f"score_{c.pk}": "5" for c in criteria}
    data.update({"action": "submit", "problems-TOTAL_FORMS": "0", "problems-INITIAL_FORMS": "0", "comment": "好。"})
    data.update(extra)
    return data


def test_review_comment_too_long(client, submitted):
    text = long_text(5001)
    client.force_login(submitted.reviewer)
    response = client.post(reverse("reviews:review", args=[submitted.report_a.pk]), review_data(submitted.report_a, comment=text))
    assert_refused_and_kept(response, text, "5000")
    assert not Review.objects.exists()


def test_problem_text_too_long(client, submitted):
    text = long_text(301)
    category = ProblemCategory.objects.first()
    client.force_login(submitted.reviewer)
    data = review_data(
        submitted.report_a, **{"problems-TOTAL_FORMS": "1", "problems-0-text": text, "problems-0-category": category.pk}
    )
    response = client.post(reverse("reviews:review", args=[submitted.report_a.pk]), data)
    assert_refused_and_kept(response, text, "300")
    assert not Review.objects.exists()


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_return_reason_too_long(client, submitted, role):
    text = long_text(2001)
    client.force_login(getattr(submitted, role))
    response = client.post(reverse("reviews:report_return", args=[submitted.report_a.pk]), {"reason": text})
    assert_refused_and_kept(response, text, "2000")
    assert Report.objects.get(pk=submitted.report_a.pk).status == Report.Status.SUBMITTED


def test_return_reason_missing_says_so(client, submitted):
    client.force_login(submitted.admin)
    response = client.post(reverse("reviews:report_return", args=[submitted.report_a.pk]), {"reason": "  "}, follow=True)
    assert "请填写退回原因" in response.content.decode()
    assert Report.objects.get(pk=submitted.report_a.pk).status == Report.Status.SUBMITTED


def test_override_reason_too_long(client, submitted):
    routine_scores_set(cycle=submitted.cycle, scores={submitted.report_a.pk: 90}, by=submitted.admin)
    results_compute(cycle=submitted.cycle, by=submitted.admin)
    result = Result.objects.get(report=submitted.report_a)
    text = long_text(2001)
    client.force_login(submitted.admin)
    response = client.post(reverse("reviews:result_override", args=[result.pk]), {"grade": "fair", "reason": text})
    assert_refused_and_kept(response, text, "2000")
    result.refresh_from_db()
    assert result.override_reason == ""


@pytest.mark.parametrize(("field", "limit"), [("name", 100), ("description", 1000)])
def test_criterion_text_too_long(client, world, field, limit):
    text = long_text(limit + 1)
    data = {"name": "指标", "max_points": "10", "description": "", field: text}
    client.force_login(world.admin)
    response = client.post(reverse("reviews:rubric", args=[world.cycle.pk]), data)
    assert_refused_and_kept(response, text, str(limit))
    assert not Criterion.objects.filter(cycle=world.cycle, max_points=10, name__startswith="指标").exists()


def test_settings_label_too_long(client, world):
    settings = world.cycle.result_settings
    data = {k: ("" if v is None else v) for k, v in model_to_dict(settings, fields=SETTINGS_FIELDS).items()}
    text = long_text(11, marker="等")
    client.force_login(world.admin)
    response = client.post(reverse("reviews:result_settings", args=[world.cycle.pk]), {**data, "label_excellent": text})
    assert_refused_and_kept(response, text, "10")
    settings.refresh_from_db()
    assert settings.label_excellent == "好"
