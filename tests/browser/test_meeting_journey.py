"""The meeting day end to end: a whole 述职评议会 of 8 speakers. The administrator sets the meeting
up, lists the attendees, draws the speaking order (confirmed), and runs it from the console while
the big screen (a 1920×1080 page opened by its link, no login) follows: check-in by phone and by
ticking, the countdown (red in the last minute, stopping on pause), questions recorded on the spot,
a ballot per speaker cast from phone viewports with live turnout, one speaker short of the quorum,
the tallies revealed as a chart. Screenshots of the console and the screen are kept under
test-artifacts/meeting/ (copies in docs/images/ illustrate the README's 开会当天)."""

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from reviews.ballots import services as ballot_services
from reviews.ballots.selectors import evaluation_of
from reviews.models import Attendee, BallotCode, Evaluation, Meeting, MeetingQuestion
from tests.browser.confirmations import confirm_step
from tests.browser.conftest import TIMEOUT_MS
from tests.factories import CommitteeFactory, OrganizationFactory, UserFactory, launch_cycle
from tests.reviews.helpers import submit_report

PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "meeting"
UNITS = ["东风社区", "西湖社区", "南山社区", "北岭社区", "中心小学", "卫生院", "农业站", "城管中队"]


def _world():
    admin = UserFactory(username="meeting_admin", name="组织委员刘敏")
    committee = CommitteeFactory(name="城关街道党工委")
    committee.administrators.add(admin)
    for index, unit in enumerate(UNITS):
        secretary = UserFactory(username=f"sec{index}", name=f"书记{'甲乙丙丁戊己庚辛'[index]}")
        OrganizationFactory(name=f"{unit}党支部", parent=committee, secretary=secretary, order=index)
    cycle = launch_cycle(organization=committee, by=admin)
    for report in cycle.reports.all():
        submit_report(report)
    ballot_services.evaluation_save(
        cycle=cycle, by=admin, title="2026年度述职评议民主测评",
        report_orders={report.pk: index for index, report in enumerate(cycle.reports.order_by("organization__order"))},
        groups=[{"name": "班子成员", "size": 3, "weight": Decimal("60")}, {"name": "党员代表", "size": 4, "weight": Decimal("40")}],
        marks=[{"label": label, "factor": Decimal(f)} for label, f in (("好", "1"), ("较好", "0.9"), ("一般", "0.7"), ("差", "0.5"))],
        mode=Evaluation.Mode.PER_SPEECH, quorum_required=True, abstain_label="不了解",
    )
    return admin, cycle


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def _vote(phone, live_url, code, label):
    phone.goto(live_url("vote:code", code))
    entries = phone.locator("li.entry")
    assert entries.count() == 1  # per-speech: only the speaker being voted on
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    entries.first.get_by_label(label, exact=True).check()
    phone.get_by_role("button", name="下一步：确认").click()
    phone.get_by_role("button", name="确认提交").click()
    expect(phone.locator("#vote-receipt")).to_have_text("您的测评票已计入")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _seconds(text):
    minutes, seconds = re.search(r"(\d+):(\d\d)", text).groups()
    return int(minutes) * 60 + int(seconds)


def test_a_whole_meeting_of_eight_speakers(page, browser, login, live_url, console_errors):
    admin, cycle = _world()
    page.set_viewport_size(LAPTOP)
    login(page, admin)

    # Set the meeting up: date and place, the agenda lists the 8 submitted reports.
    page.goto(live_url("reviews:meeting", cycle.pk))
    page.fill("input[name=date]", "2027-01-15")
    page.fill("input[name=place]", "街道三楼会议室")
    page.click("#meeting-save")
    expect(page.locator("#agenda tbody tr")).to_have_count(8)
    meeting = Meeting.objects.get(cycle=cycle)

    # Attendees by voter group (应到 3 + 4), then the draw, which confirms first.
    groups = {g.name: g for g in evaluation_of(cycle).groups.all()}
    page.fill(f"#names-{groups['班子成员'].pk}", "王书记\n李主任\n张委员")
    page.fill(f"#names-{groups['党员代表'].pk}", "赵一\n钱二\n孙三\n周四")
    page.click("#attendees-save")
    expect(page.locator("#checkin-list tbody tr")).to_have_count(7)
    page.click("#draw")
    expect(page.locator("#consequences")).to_contain_text("抽签只能进行一次")
    confirm_step(page, "draw")
    expect(page.locator("#draw-record")).to_contain_text("随机种子")
    meeting.refresh_from_db()
    order = [s.report.organization.name for s in meeting.speeches.order_by("order")]
    assert sorted(order) == sorted(f"{u}党支部" for u in UNITS)
    # The first speaker gets one minute: the countdown is in its last minute at once.
    first = meeting.speeches.get(order=1)
    page.fill(f"input[name=limit_{first.pk}]", "1")
    # The third reports in writing (书面述职): no clock.
    page.check(f"input[name=writing_{meeting.speeches.get(order=3).pk}]")
    page.click("#agenda-save")
    expect(page.locator(f"input[name=limit_{first.pk}]")).to_have_value("1")
    screen_url = page.locator("#screen-url").inner_text()

    # The big screen: its link, no login, projector size.
    screen_context = browser.new_context(viewport=SCREEN, locale="zh-CN")
    screen_context.set_default_timeout(TIMEOUT_MS)
    screen = screen_context.new_page()
    screen_errors = []
    screen.on("pageerror", lambda error: screen_errors.append(str(error)))
    screen.goto(screen_url)
    expect(screen.locator("#view-welcome")).to_be_visible()
    _shot(screen, "screen-welcome")

    # Check-in: the screen shows the code; one attendee checks in by phone, the rest are ticked.
    page.goto(live_url("reviews:meeting_console", cycle.pk))
    page.click("#screen-checkin")
    expect(screen.locator("#view-checkin")).to_be_visible(timeout=3000)
    phone_context, phone = _phone(browser)
    phone.goto(live_url("screen:checkin", meeting.checkin_token))
    phone.get_by_role("button", name="王书记").click()
    expect(phone.locator("#checkin-done")).to_contain_text("王书记，您已签到")
    expect(screen.locator("#view-checkin [data-turnout=present]")).to_have_text("1", timeout=3000)
    # The same phone cannot check in someone else (one phone, one person).
    phone.goto(live_url("screen:checkin", meeting.checkin_token))
    phone.get_by_role("button", name="李主任").click()
    expect(phone.locator("#checkin-error")).to_contain_text("这部手机已为王书记签到")
    # The check-in link went round outside the room: the host rotates it (confirmed first); the
    # old link stops at once and the screen reloads with the new code by itself.
    old_checkin = phone.url
    old_version = screen.locator("body").get_attribute("data-checkin")
    page.goto(live_url("reviews:meeting", cycle.pk))
    page.click("#checkin-rotate")
    expect(page.locator("#consequences")).to_contain_text("旧的签到链接和二维码立即失效")
    confirm_step(page, "checkin_rotate")
    expect(page.locator(".alert-success")).to_contain_text("已更换签到链接")
    expect(screen.locator("body")).not_to_have_attribute("data-checkin", old_version, timeout=5000)
    expect(screen.locator("#view-checkin")).to_be_visible(timeout=3000)
    assert phone.goto(old_checkin).status == 404
    meeting.refresh_from_db()
    assert page.locator("#checkin-url").inner_text().endswith(f"/screen/checkin/{meeting.checkin_token}/")
    for name in ["李主任", "张委员", "赵一", "钱二", "孙三"]:
        page.locator(f"#checkin-list tr[data-name={name}] button").click()
    expect(screen.locator("#view-checkin [data-turnout=present]")).to_have_text("6", timeout=3000)
    expect(screen.locator("#view-checkin [data-turnout=expected]")).to_have_text("7")
    _shot(screen, "screen-checkin")
    assert Attendee.objects.filter(checked_in_at__isnull=False).count() == 6

    codes = {g: list(BallotCode.objects.filter(group__name=g).order_by("pk").values_list("plain", flat=True)) for g in groups}
    ballot_services.evaluation_open(evaluation=evaluation_of(cycle), by=admin)
    voters = codes["班子成员"][:2] + codes["党员代表"][:2]  # 4 of 7: more than half
    page.goto(live_url("reviews:meeting_console", cycle.pk))

    for number in range(1, 9):
        page.click("#next-speaker")
        speaker = order[number - 1]
        expect(page.locator("#current-speaker")).to_contain_text(speaker)
        expect(screen.locator("#view-speech")).to_be_visible(timeout=3000)
        expect(screen.locator("#speaker-unit")).to_have_text(speaker, timeout=3000)
        if number < 8:
            expect(screen.locator("#next-speaker")).to_contain_text(order[number])
        if number == 1:
            # One minute: red at once; the clock runs, stops on pause, and goes on.
            expect(screen.locator("#countdown")).to_have_class(re.compile("last-minute"))
            start = _seconds(screen.locator("#countdown").inner_text())
            screen.wait_for_timeout(2100)
            assert _seconds(screen.locator("#countdown").inner_text()) < start
            _shot(screen, "screen-speech")
            page.click("#pause")
            expect(page.locator("#resume")).to_be_visible()
            screen.wait_for_timeout(1500)  # the screen has polled the pause
            paused = screen.locator("#countdown").inner_text()
            screen.wait_for_timeout(1500)
            assert screen.locator("#countdown").inner_text() == paused
            page.click("#resume")
            # A question asked on the spot, with the answer's summary.
            page.fill("#q-asker", "王书记")
            page.fill("#q-text", "发展党员工作为何滞后？")
            page.fill("#q-answer", "已制定年度计划，二季度完成。")
            page.click("#question-save")
            expect(page.locator("#current-questions")).to_contain_text("发展党员工作为何滞后？")
            _shot(page, "console")
        elif number == 3:
            expect(screen.locator("#countdown")).to_have_text("书面述职")
            expect(page.locator("#in-writing")).to_be_visible()
        else:
            expect(screen.locator("#countdown")).not_to_have_class(re.compile("last-minute"))
        if number == 2:
            # The host's console on a phone: nothing wider than the screen.
            page.set_viewport_size(PHONE)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            _shot(page, "console-phone")
            page.set_viewport_size(LAPTOP)

        # The ballot on this speaker: the screen shows the code to scan and live turnout.
        page.click("#ballot-open")
        confirm_step(page, "ballot_open", says="不能重新开始")
        expect(screen.locator("#view-voting")).to_be_visible(timeout=3000)
        expect(screen.locator("#voting-on")).to_contain_text(speaker)
        expect(screen.locator("#turnout-voted")).to_have_text("0", timeout=3000)
        short = number == 5  # three votes only: not more than half of 7
        marks = ["好", "较好", "好", "不了解"] if number % 2 else ["较好", "一般", "好", "较好"]
        for index, code in enumerate(voters[: 3 if short else 4]):
            _vote(phone, live_url, code, marks[index])
            expect(screen.locator("#turnout-voted")).to_have_text(str(index + 1), timeout=2500)  # ≤ 2 s behind
        if number == 1:
            _shot(screen, "screen-voting")
        page.goto(live_url("reviews:meeting_console", cycle.pk))
        page.click("#ballot-close")
        expect(page.locator("#consequences")).to_contain_text("不能重新开始")
        if short:
            expect(page.locator("#confirm-turnout")).to_contain_text("未过半数")
        confirm_step(page, "ballot_close")
        expect(page.locator("#current-speaker")).to_contain_text(speaker)

    # Reveal the tallies: a chart with every speaker; the short one is void.
    page.click("#screen-results")
    expect(screen.locator("#view-results")).to_be_visible(timeout=3000)
    expect(screen.locator(".tallies tbody tr")).to_have_count(8, timeout=3000)
    void_row = screen.locator(".tallies tbody tr", has_text=order[4])
    expect(void_row).to_contain_text("未过半数，测评无效")
    expect(void_row.locator(".score")).to_have_text("—")
    expect(screen.locator(".tallies tbody tr", has_text=order[0]).locator(".quorum")).to_contain_text("实投 4 / 应到 7 · 已过半数")
    assert screen.locator(".stack").count() == 8
    _shot(screen, "screen-results")
    # Nothing private on the screen: no code, no attendee name.
    screen_text = screen.locator("body").inner_text()
    assert not any(code in screen_text for group in codes.values() for code in group)
    assert "赵一" not in screen_text
    page.click("#results-hide")
    expect(screen.locator("#view-results")).to_be_hidden(timeout=3000)

    # The end of the meeting (confirmed), then the record.
    page.click("#finish")
    confirm_step(page, "finish")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.FINISHED
    assert meeting.speeches.filter(ended_at__isnull=True).count() == 0
    assert MeetingQuestion.objects.count() == 1
    page.goto(live_url("reviews:meeting", cycle.pk))
    with page.expect_download() as download:
        page.click("#record-docx")
    assert download.value.suggested_filename.endswith("会议记录.docx")
    with page.expect_download() as download:
        page.click("#record-pdf")
    assert download.value.suggested_filename.endswith("会议记录.pdf")

    # The screen's link rotated: the old one stops, the page says so.
    page.click("#screen-rotate")
    expect(screen.locator("#screen-offline")).to_contain_text("大屏链接已失效", timeout=3000)

    phone_context.close()
    screen_context.close()
    assert screen_errors == []
    assert console_errors == []
