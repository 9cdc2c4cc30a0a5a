import pytest
from django.core.cache import cache

from reviews.meeting.selectors import screen_state_forget
from reviews.meeting.services import meeting_save
from tests.reviews.ballots.helpers import setup_evaluation


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    screen_state_forget()


@pytest.fixture
def meeting_scene(submitted):
    """report_a and report_b submitted; a draft evaluation (班子成员 3, 群众代表 4); the meeting set up."""
    evaluation, codes = setup_evaluation(submitted.cycle, submitted.admin)
    submitted.evaluation, submitted.codes = evaluation, codes
    submitted.meeting = meeting_save(cycle=submitted.cycle, by=submitted.admin, title="2026年度述职评议会", place="三楼会议室")
    submitted.speech_a = submitted.meeting.speeches.get(report=submitted.report_a)
    submitted.speech_b = submitted.meeting.speeches.get(report=submitted.report_b)
    return submitted
