"""The democratic evaluation end to end: the administrator sets it up and prints the codes,
confirms the opening (the codes' plain text goes), three phones vote, closing confirms at a
turnout it calls low, the tally and the results show the ballot score."""

import re
from decimal import Decimal

from reviews.models import BallotCode
from reviews.rubric_services import result_settings_update
from tests.browser.conftest import TIMEOUT_MS
from tests.factories import build_world
from tests.reviews.helpers import submit_report

PHONE = {"width": 390, "height": 844}


def _vote_on_phone(browser, live_url, code, labels):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    phone = context.new_page()
    try:
        phone.goto(live_url("vote:code", code))
        entries = phone.locator("li.entry")
        assert entries.count() == len(labels)
        # Nothing is wider than the phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for index, label in enumerate(labels):
            entries.nth(index).get_by_label(label, exact=True).check()
        phone.get_by_role("button", name="下一步：确认").click()
        assert phone.locator("#vote-summary").is_visible()
        phone.get_by_role("button", name="确认提交").click()
        assert phone.locator("#vote-receipt").inner_text() == "您的测评票已计入"
        assert phone.evaluate("document.scripts.length") == 0
    finally:
        context.close()


def test_administrator_sets_up_the_ballot_three_phones_vote_and_the_score_reaches_the_results(
    page, browser, login, live_url, console_errors
):
    world = build_world()
    for report in (world.report_a, world.report_b):
        submit_report(report)
    result_settings_update(
        settings=world.cycle.result_settings,
        data={"review_weight": Decimal(40), "routine_weight": Decimal(30), "ballot_weight": Decimal(30)},
        by=world.admin,
    )

    login(page, world.admin)
    page.goto(live_url("reviews:evaluation", world.cycle.pk))
    page.click("#evaluation-setup")
    page.fill("input[name=group_size_0]", "3")  # 班子成员: three phones
    # Three of 33 is far from half: this meeting's rules do not require a quorum (on by default).
    page.uncheck("input[name=quorum_required]")
    page.click("text=保存并生成测评码")
    assert page.locator("#evaluation-status").inner_text() == "准备中"

    with page.expect_download() as download:
        page.click("#codes-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    codes = list(BallotCode.objects.filter(group__name="班子成员").order_by("pk").values_list("plain", flat=True))
    assert len(codes) == 3

    # Opening destroys the codes' plain text: the page says so and waits for the confirmation.
    page.click("#evaluation-open")
    assert "测评码明文立即销毁" in page.locator("#consequences").inner_text()
    page.click("#confirm-open-button")  # not ticked: the browser asks for the tick, nothing happened
    assert page.locator("#confirm-box:invalid").count() == 1
    assert "/evaluation/open/" in page.url
    assert BallotCode.objects.filter(group__name="班子成员").exclude(plain="").count() == 3
    page.check("#confirm-box")
    page.click("#confirm-open-button")
    assert page.locator("#evaluation-status").inner_text() == "测评中"

    for code, labels in zip(codes, [("好", "较好"), ("好", "一般"), ("较好", "一般")], strict=True):
        _vote_on_phone(browser, live_url, code, labels)

    page.reload()
    assert page.locator("tr[data-group=班子成员] .turnout-cast").inner_text() == "3"
    page.click("#evaluation-close")
    # Three of the 33 expected voters (the other groups keep their default sizes): low turnout, said.
    assert "参测人数未过半数" in page.locator("#low-turnout").inner_text()
    assert "不能重新开始" in page.locator("#consequences").inner_text()
    page.check("#confirm-box")
    page.click("#confirm-close-button")
    assert page.locator("#evaluation-status").inner_text() == "已结束"
    # A: (1 + 1 + 0.9) / 3 = 96.67; B: (0.9 + 0.7 + 0.7) / 3 = 76.67
    assert page.locator("tr[data-organization=甲社区党支部] .ballot-score").inner_text() == "96.67"
    assert page.locator("tr[data-organization=乙社区党支部] .ballot-score").inner_text() == "76.67"

    page.goto(live_url("reviews:results", world.cycle.pk))
    page.get_by_role("button", name=re.compile("计算结果|重新计算")).click()
    table = page.locator("table", has_text="综合得分").first.inner_text()
    assert "民主测评" in table
    assert "96.67" in table and "76.67" in table
    assert console_errors == []
