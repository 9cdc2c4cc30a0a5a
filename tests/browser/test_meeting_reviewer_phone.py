"""A reviewer at the meeting scores on the phone: the home page offers the current speaker, and
the link opens that speaker's review form; when the next one starts, the same link follows."""

from playwright.sync_api import expect

from reviews.meeting.services import meeting_save, speech_start
from tests.factories import build_world
from tests.reviews.helpers import submit_report

PHONE = {"width": 390, "height": 844}


def test_reviewer_opens_the_current_speakers_review_form_on_the_phone(page, login, live_url, console_errors):
    world = build_world()
    for report in (world.report_a, world.report_b):
        submit_report(report)
    meeting = meeting_save(cycle=world.cycle, by=world.admin, title="述职评议会")
    speech_start(meeting=meeting, by=world.admin)
    page.set_viewport_size(PHONE)
    login(page, world.reviewer)
    page.goto(live_url("reviews:index"))
    page.click(".current-speaker")
    assert page.url.endswith(f"/reviews/report/{world.report_a.pk}/review/")
    expect(page.locator("#review-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    speech_start(meeting=meeting, by=world.admin)  # the next speaker
    page.goto(live_url("reviews:queue", world.cycle.pk))
    page.click(".current-speaker")
    assert page.url.endswith(f"/reviews/report/{world.report_b.pk}/review/")
    assert console_errors == []
