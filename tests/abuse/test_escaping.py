"""Hostile text in every text field, entered through the real views: every page shows it escaped,
and SQL in text is only text."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils.html import escape

from reports.models import Report
from reviews.forms import SETTINGS_FIELDS
from reviews.models import Criterion, ProblemCategory, Question, Result, Review
from reviews.results.services import cycle_publish, cycle_withdraw, results_compute
from reviews.services import routine_scores_set
from tests.factories import INCOMPLETE_OK

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE reports_report; --"
PAYLOADS = [SCRIPT, IMG, SQL]


def raw_markers(payload):
    """What must never reach a page unescaped."""
    return {SCRIPT: ["<script>alert(1)"], IMG: ["<img src=x"], SQL: []}[payload]


def post(client, user, name, data, *args):
    client.force_login(user)
    response = client.post(reverse(name, args=args), data)
    assert response.status_code in (200, 302), f"{name}: {response.status_code}"
    return response


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return response.content.decode()


def assert_escaped(html, text, where):
    assert escape(text) in html, f"{where}: {text!r} not shown (escaped)"
    for marker in raw_markers(PAYLOAD_OF[text]):
        assert marker not in html, f"{where}: raw {marker!r} in the page"


PAYLOAD_OF = {}


def tagged(payload, label):
    """The payload, made recognisable per field (so a page showing the wrong field does not pass)."""
    text = f"{label}{payload}"
    PAYLOAD_OF[text] = payload
    return text


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img", "sql"])
def test_hostile_text_in_every_field_is_shown_escaped(client, world, payload):
    w = world
    t = {
        name: tagged(payload, label)
        for name, label in [
            ("criterion_name", "指标"),
            ("criterion_description", "说明"),
            ("preamble", "导语"),
            ("performance", "履职"),
            ("problems", "问题"),
            ("plans", "打算"),
            ("rectification", "整改"),
            ("question", "提问"),
            ("answer", "回答"),
            ("comment", "点评"),
            ("problem", "清单"),
            ("override", "调整"),
            ("return", "退回"),
            ("paste", "粘贴"),
        ]
    }
    label = payload[:10]  # grade labels are at most 10 characters
    PAYLOAD_OF[label] = payload if payload != IMG else SQL  # a cut <img tag is not a tag: only check escaping

    # The administrator: a criterion and a grade label.
    post(client, w.admin, "reviews:rubric", {"name": t["criterion_name"], "max_points": "10", "description": t["criterion_description"]}, w.cycle.pk)
    criterion = Criterion.objects.get(cycle=w.cycle, name=t["criterion_name"])
    assert criterion.description == t["criterion_description"]
    settings = w.cycle.result_settings
    data = {k: ("" if v is None else v) for k, v in model_to_dict(settings, fields=SETTINGS_FIELDS).items()}
    post(client, w.admin, "reviews:result_settings", {**data, "label_excellent": label}, w.cycle.pk)
    settings.refresh_from_db()
    assert settings.label_excellent == label.strip()

    # The secretary: the import preview, then the editor's form (the fallback without JavaScript), then submits.
    preview = post(client, w.secretary_a, "reports:import", {"full_text": "一、工作开展情况\n" + t["paste"]}, w.report_a.pk)
    assert_escaped(preview.content.decode(), t["paste"], "import preview")
    sections = {name: t[name] for name in ("preamble", "performance", "problems", "plans", "rectification")}
    post(client, w.secretary_a, "reports:editor", {**sections, "base_revision": 0}, w.report_a.pk)
    assert Report.objects.get(pk=w.report_a.pk).performance == t["performance"]
    for name in ("reports:editor", "reports:detail", "reports:preview"):
        html = page(client, w.secretary_a, name, w.report_a.pk)
        for field in sections:
            assert_escaped(html, t[field], f"{name} {field}")
    post(client, w.secretary_a, "reports:submit", {"confirm": "1"}, w.report_a.pk)
    assert Report.objects.get(pk=w.report_a.pk).status == Report.Status.SUBMITTED

    # The reviewer: a question, then the review with a comment and a problem.
    post(client, w.reviewer, "reviews:question_ask", {"text": t["question"]}, w.report_a.pk)
    question = Question.objects.get(report=w.report_a)
    post(client, w.secretary_a, "reviews:secretary_questions", {"question": question.pk, f"q{question.pk}-answer": t["answer"]}, w.report_a.pk)
    question.refresh_from_db()
    assert question.answer == t["answer"]
    criteria = list(w.cycle.criteria.all())
    review_data = {f"score_{c.pk}": str(min(c.max_points, Decimal(9))) for c in criteria}
    category = ProblemCategory.objects.first()
    review_data.update(
        {
            "comment": t["comment"],
            "action": "submit",
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            "problems-0-text": t["problem"],
            "problems-0-category": category.pk,
        }
    )
    post(client, w.reviewer, "reviews:review", review_data, w.report_a.pk)
    review = Review.objects.get(report=w.report_a, reviewer=w.reviewer)
    assert review.status == Review.Status.SUBMITTED and review.comment == t["comment"]

    html = page(client, w.reviewer, "reviews:review", w.report_a.pk)
    for field in ("criterion_name", "performance", "problems", "question", "answer", "comment", "problem"):
        assert_escaped(html, t[field], f"review page {field}")
    html = page(client, w.secretary_a, "reviews:secretary_questions", w.report_a.pk)
    assert_escaped(html, t["question"], "secretary questions")
    assert_escaped(html, t["answer"], "secretary questions")
    html = page(client, w.admin, "reviews:rubric", w.cycle.pk)
    assert_escaped(html, t["criterion_name"], "rubric")
    assert_escaped(html, t["criterion_description"], "rubric")

    # The administrator: override with a reason, publish; the secretary reads the result.
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: Decimal(90), w.report_b.pk: None}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    result = Result.objects.get(report=w.report_a)
    other_grade = "good" if result.grade != "good" else "fair"
    post(client, w.admin, "reviews:result_override", {"grade": other_grade, "reason": t["override"]}, result.pk)
    result.refresh_from_db()
    assert result.override_reason == t["override"]
    html = page(client, w.admin, "reviews:results", w.cycle.pk)
    assert_escaped(html, t["override"], "results")
    assert_escaped(html, t["criterion_name"], "results")
    assert_escaped(html, label, "results grade label")
    html = page(client, w.admin, "reviews:admin_report", w.report_a.pk)
    for field in ("comment", "problem", "question", "answer"):
        assert_escaped(html, t[field], f"admin report {field}")
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    html = page(client, w.secretary_a, "reviews:secretary_result", w.report_a.pk)
    for field in ("comment", "problem"):
        assert_escaped(html, t[field], f"secretary result {field}")

    # Sent back with a reason: the secretary's editor and the administrator's page show it.
    # (Published results are withdrawn first: no report goes back while they stand.)
    cycle_withdraw(cycle=w.cycle, by=w.admin, reason="退回修改前撤回")
    post(client, w.admin, "reviews:report_return", {"reason": t["return"]}, w.report_a.pk)
    assert Report.objects.get(pk=w.report_a.pk).return_reason == t["return"]
    assert_escaped(page(client, w.secretary_a, "reports:editor", w.report_a.pk), t["return"], "editor return reason")
    assert_escaped(page(client, w.admin, "reviews:admin_report", w.report_a.pk), t["return"], "admin report return reason")

    # SQL in text is text: every table is still there.
    assert Report.objects.count() == 3


def test_hostile_figure_input_is_refused_in_chinese_and_kept_escaped(client, world):
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("reports:editor", args=[world.report_a.pk]),
        {"performance": "一、工作开展情况", "member_meetings": SCRIPT, "base_revision": 0},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "输入整数" in html  # Django's Chinese "请输入整数。"
    assert "<script>alert(1)" not in html
    assert Report.objects.get(pk=world.report_a.pk).performance == ""
    # The autosave (JSON) answers with the Chinese field error.
    response = client.post(
        reverse("reports:autosave", args=[world.report_a.pk]),
        {"base_revision": 0, "fields": {"member_meetings": IMG}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "输入整数" in response.json()["errors"]["member_meetings"][0]
