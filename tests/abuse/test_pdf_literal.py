"""Hostile text in the PDFs: printed literally (the HTML behind the PDF escapes it, so a tag is
neither interpreted nor dropped)."""

import io
import re

from pypdf import PdfReader

from reports.pdf import report_pdf
from reviews.models import ProblemCategory
from reviews.results.documents import result_pdf_for_report
from reviews.results.services import cycle_publish, results_compute
from reviews.services import review_save, routine_scores_set
from tests.abuse.test_escaping import IMG, SCRIPT, SQL
from tests.factories import INCOMPLETE_OK
from tests.reports.conftest import submit


def pdf_text(content):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def squeeze(text):
    return re.sub(r"\s+", "", text)


def test_report_pdf_prints_hostile_text_literally(world):
    version = submit(world.report_a, world.secretary_a, performance=f"一、工作开展情况\n{SCRIPT}", problems=f"二、存在问题\n{IMG}", plans=f"三、下一步打算\n{SQL}")

    text = pdf_text(report_pdf(world.report_a, version=version).content)

    for payload in (SCRIPT, IMG, SQL):
        assert squeeze(payload) in text
    assert "&lt;" not in text and "&#x27;" not in text  # not double-escaped either


def test_result_pdf_prints_hostile_comment_literally(world):
    submit(world.report_a, world.secretary_a)
    criteria = list(world.cycle.criteria.all())
    review_save(
        report=world.report_a,
        reviewer=world.reviewer,
        scores={c.pk: c.max_points for c in criteria},
        comment=f"{SCRIPT}{SQL}",
        problems=[{"text": IMG, "category": ProblemCategory.objects.first()}],
        submit=True,
    )
    routine_scores_set(cycle=world.cycle, scores={world.report_a.pk: 95}, by=world.admin)
    results_compute(cycle=world.cycle, by=world.admin)
    cycle_publish(cycle=world.cycle, by=world.admin, reason=INCOMPLETE_OK)

    text = pdf_text(result_pdf_for_report(world.report_a).content)

    for payload in (SCRIPT, SQL, IMG):
        assert squeeze(payload) in text
