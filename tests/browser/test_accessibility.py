"""WCAG 2.1 AA: axe-core (vendored from npm, static/vendor/axe-core) run in Chromium over every
role's main pages; any serious or critical violation fails, listed with where it is."""

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from branches.models import Notification, User
from jobs.models import Job
from reports.services import report_return
from reviews.ballots.services import evaluation_open
from reviews.meeting import services as meeting_services
from reviews.models import Attendee
from reviews.results.services import cycle_publish, results_compute
from reviews.services import routine_scores_set
from tests.factories import INCOMPLETE_OK, build_world
from tests.reports.conftest import submit
from tests.reviews.ballots.helpers import setup_evaluation
from tests.reviews.helpers import submit_review

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
# axe-core 4.10.3 from npm (`npm pack axe-core@4.10.3`, package/axe.min.js): see static/vendor/axe-core/VERSION.
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def test_vendored_axe_core_is_the_pinned_release():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert "axe v4.10.3" in AXE.read_text(encoding="utf-8")[:200]


def accessibility_world():
    """report_a in two versions, both reports reviewed, routine scores set, results published,
    and a second cycle's report not started yet (the empty editor); a ballot opened for a voter;
    unread notifications for each role; the cycle's meeting under way (attendees, one checked
    in, the first speech running); a background job half done; 55 more administrators (a people
    table of two pages)."""
    w = build_world()
    submit(w.report_a, w.secretary_a)
    report_return(report=w.report_a, by=w.admin, reason="请补充本年度关键数据。")
    submit(w.report_a, w.secretary_a, problems="二、存在问题\n理论学习不够系统，学用结合不紧。")
    submit(w.report_b, w.secretary_b)
    meeting_evaluation, _codes = setup_evaluation(w.cycle, w.admin, reports=[w.report_a, w.report_b])
    w.meeting = meeting_services.meeting_save(cycle=w.cycle, by=w.admin, title="2026年度述职评议会", place="三楼会议室")
    group = meeting_evaluation.groups.order_by("order").first()
    meeting_services.attendees_set(meeting=w.meeting, by=w.admin, names_by_group={group.pk: ["张三", "李四"]})
    meeting_services.attendee_check_in(attendee=Attendee.objects.get(name="张三"), device="a11yphone0000001")
    meeting_services.speech_start(meeting=w.meeting, by=w.admin)
    submit_review(w.report_a, w.reviewer, 92)
    submit_review(w.report_b, w.reviewer, 70)
    routine_scores_set(cycle=w.cycle, scores={w.report_a.pk: Decimal(90), w.report_b.pk: Decimal(75)}, by=w.admin)
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    evaluation, codes = setup_evaluation(w.other_cycle, w.other_admin, reports=[w.report_c])
    evaluation_open(evaluation=evaluation, by=w.other_admin)
    w.voter_code = codes["班子成员"][0]
    for user in (w.secretary_a, w.reviewer, w.admin):
        Notification.objects.create(user=user, text="测试通知：有新的事项需要您处理。", url="/")
    # Enough administrators that the people table has a second page under a filter.
    staff = User.objects.bulk_create([User(username=f"staff{n:02d}", name=f"组工干部{n:02d}", password="!") for n in range(55)])
    w.committee.administrators.add(*staff)
    w.job = Job.objects.create(
        kind=Job.Kind.SUMMARY, requested_by=w.admin, organization=w.cycle.organization, cycle=w.cycle,
        params={"extension": "xlsx"}, status=Job.Status.RUNNING, done=1, total=2,
    )
    return w


def pages_by_role(w):
    """(URL name or path, args[, query]) of each role's pages; a query applies a table's filter."""
    a, cycle = w.report_a.pk, w.cycle.pk
    own, other = w.report_a.organization.pk, w.report_b.organization.pk
    return {
        "anonymous": [
            ("login", ()),
            ("vote:enter", ()),
            ("screen:page", (w.meeting.screen_token,)),
            ("screen:checkin", (w.meeting.checkin_token,)),
        ],
        "voter": [(f"/vote/{w.voter_code}/", ())],
        "secretary": [
            ("reports:home", ()),
            ("reports:detail", (a,)),
            ("reports:preview", (a,)),
            ("reports:versions", (a,)),
            ("reports:version_diff", (a,)),
            ("reviews:secretary_result", (a,)),
            ("reviews:secretary_questions", (a,)),
            ("reviews:rectification_index", ()),
            ("reviews:organization_file", (own,)),
            ("branches:notifications", ()),
            ("password_change", ()),
        ],
        "secretary_not_started": [
            ("reports:home", ()),
            ("reports:editor", (w.report_c.pk,)),
            ("reports:submit", (w.report_c.pk,)),
        ],
        "reviewer": [
            ("reports:home", ()),
            ("reviews:index", ()),
            ("reviews:queue", (cycle,)),
            ("reviews:queue", (cycle,), "q=测试"),
            ("reviews:review", (a,)),
            ("branches:notifications", ()),
        ],
        "administrator": [
            ("reports:home", ()),
            ("reviews:admin_index", ()),
            ("reviews:admin_cycle", (cycle,)),
            ("reviews:progress", (cycle,)),
            ("reviews:progress", (cycle,), "state=submitted"),
            ("reviews:rubric", (cycle,)),
            ("reviews:result_settings", (cycle,)),
            ("reviews:assignments", (cycle,)),
            ("reviews:routine_scores", (cycle,)),
            ("reviews:results", (cycle,)),
            ("reviews:results", (cycle,), "grade=excellent&q=支部"),
            ("reviews:notice", (cycle,)),
            ("reviews:cycle_withdraw", (cycle,)),
            ("reviews:cycle_close", (cycle,)),
            ("reviews:evaluation", (cycle,)),
            ("reviews:meeting", (cycle,)),
            ("reviews:meeting_console", (cycle,)),
            ("reviews:meeting_confirm", (cycle, "finish")),
            ("reviews:meeting_confirm", (cycle, "checkin_rotate")),
            ("reviews:organization_file", (own,)),
            ("reviews:organization_file", (other,)),
            ("reviews:cycle_analysis", (cycle,)),
            ("reviews:cycle_analysis", (cycle,), "view=normalised"),
            ("reviews:levels", ()),
            ("jobs:detail", (w.job.pk,)),
            ("reviews:rectification_ledger", (cycle,)),
            ("reviews:rectification_ledger", (cycle,), "state=open"),
            ("reviews:admin_report", (a,)),
            ("reports:version_diff", (a,)),
            ("branches:roster", ()),
            ("branches:people", ()),
            ("branches:people", (), "q=staff"),
            ("branches:people", (), "q=staff&page=2"),
            ("branches:organizations", ()),
            ("branches:organizations", (), "q=支部"),
            ("branches:audit_log", ()),
            ("branches:audit_log", (), "action=settings_changed"),
            ("branches:notifications", ()),
        ],
        # Another committee's administrator: a cycle still collecting, its evaluation open.
        "other_administrator": [
            ("reports:home", ()),
            ("reviews:cycle_publish", (w.other_cycle.pk,)),
            ("reviews:evaluation", (w.other_cycle.pk,)),
            ("reviews:cycle_analysis", (w.other_cycle.pk,)),
        ],
    }


def axe_violations(page):
    """{(impact, rule, element, why): None} of the page's serious and critical violations."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate: not subject to the page's CSP
    result = page.evaluate("options => axe.run(document, options)", {"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        (violation["impact"], violation["id"], " ".join(node["target"]), node.get("failureSummary", "").splitlines()[-1].strip())
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
        for node in violation["nodes"]
    ]


@pytest.mark.django_db(transaction=True)
def test_no_serious_or_critical_violations_on_any_roles_main_pages(page, browser, login, live_url):
    w = accessibility_world()
    users = {
        "secretary": w.secretary_a,
        "secretary_not_started": w.secretary_c,
        "reviewer": w.reviewer,
        "administrator": w.admin,
        "other_administrator": w.other_admin,
    }
    found, visited = {}, 0  # violation -> pages where it is
    for role, pages in pages_by_role(w).items():
        context = browser.new_context(base_url=live_url("/"), locale="zh-CN", viewport={"width": 1366, "height": 900})
        role_page = context.new_page()
        try:
            if role in users:
                login(role_page, users[role])
            for name, args, *query in pages:
                url = live_url(name, *args) + (f"?{query[0]}" if query else "")
                response = role_page.goto(url)
                assert response.status == 200, f"{role}: {name} answered {response.status}"
                if query and "page=" in query[0]:  # the pager itself is checked, not only the rows
                    assert role_page.locator("nav[aria-label=分页] .pagination .page-item.active").inner_text().strip() == "2"
                for violation in axe_violations(role_page):
                    found.setdefault(violation, []).append(f"{role} {name}{'?' + query[0] if query else ''}")
                visited += 1
        finally:
            context.close()
    assert visited >= 67
    listed = [f"[{impact}] {rule} at {element}: {why} — on {', '.join(pages)}" for (impact, rule, element, why), pages in found.items()]
    assert listed == [], "axe-core found serious/critical WCAG 2.1 AA violations:\n" + "\n".join(listed)


def test_red_button_shows_a_focus_ring_from_the_keyboard(page, login, live_url, transactional_db):
    """The party-red buttons' focus is a ring (3 px, dark, offset), not only a darker red."""
    page.goto(live_url("login"))
    page.focus("input[name=password]")
    button = page.locator("form button[type=submit].btn-party")
    at_rest = button.evaluate("el => getComputedStyle(el).outlineStyle")
    page.keyboard.press("Tab")
    assert button.evaluate("el => el === document.activeElement")
    style = button.evaluate("el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }")
    assert at_rest == "none" and style == ["solid", "3px", "rgb(33, 37, 41)"]


def test_navigation_links_are_white_on_party_red(page, login, live_url, transactional_db):
    w = build_world()
    login(page, w.admin)
    colours = page.locator("nav.bg-party .nav-link").evaluate_all("links => links.map(a => getComputedStyle(a).color)")
    assert colours and set(colours) == {"rgb(255, 255, 255)"}


@pytest.mark.django_db(transaction=True)
def test_every_view_of_the_big_screen_has_no_serious_or_critical_violations(page, live_url):
    """The dark big screen in each of its views (the page test sees only the one shown at load):
    the countdown in its last minute and over time, and the revealed tallies with all four marks."""
    from playwright.sync_api import expect

    from reviews.ballots.services import evaluation_close
    from reviews.meeting.selectors import screen_state_forget
    from reviews.models import Meeting, Speech
    from tests.reviews.ballots.helpers import vote

    w = build_world()
    submit(w.report_a, w.secretary_a)
    submit(w.report_b, w.secretary_b)
    evaluation, codes = setup_evaluation(w.cycle, w.admin, reports=[w.report_a, w.report_b])
    meeting = meeting_services.meeting_save(cycle=w.cycle, by=w.admin, title="2026年度述职评议会", place="三楼会议室")
    evaluation_open(evaluation=evaluation, by=w.admin)
    evaluation.refresh_from_db()
    every_mark = [("好", "较好"), ("较好", "一般"), ("一般", "差"), ("差", "好")]
    for code, labels in zip([*codes["班子成员"], *codes["群众代表"]], every_mark * 2, strict=False):
        vote(evaluation, code, *labels)
    evaluation_close(evaluation=evaluation, by=w.admin)
    speech = meeting_services.speech_start(meeting=meeting, by=w.admin)
    found = {}

    def check(screen, label, *, elapsed=None):
        if elapsed is not None:
            Speech.objects.filter(pk=speech.pk).update(time_limit_minutes=1, elapsed_seconds=elapsed, running_since=None)
        Meeting.objects.filter(pk=meeting.pk).update(screen=screen, results_revealed=screen == Meeting.Screen.RESULTS)
        screen_state_forget()
        page.goto(live_url("screen:page", meeting.screen_token))
        expect(page.locator(f"#view-{screen}")).to_be_visible(timeout=5000)
        if screen == Meeting.Screen.RESULTS:
            expect(page.locator("#results .seg-4").first).to_be_visible(timeout=5000)
        for violation in axe_violations(page):
            found.setdefault(violation, []).append(label)

    page.set_viewport_size({"width": 1920, "height": 1080})
    for screen in Meeting.Screen.values:
        check(screen, screen)
    check(Meeting.Screen.SPEECH, "last minute", elapsed=30)
    expect(page.locator("#countdown.last-minute")).to_be_visible()
    check(Meeting.Screen.SPEECH, "over time", elapsed=90)
    expect(page.locator("#countdown.overtime")).to_be_visible()
    listed = [f"[{impact}] {rule} at {element}: {why} — on {', '.join(views)}" for (impact, rule, element, why), views in found.items()]
    assert listed == [], "axe-core found violations on the big screen:\n" + "\n".join(listed)


@pytest.mark.django_db(transaction=True)
def test_phone_pages_of_the_meeting_have_no_serious_or_critical_violations(browser, login, live_url):
    """What is used on a phone at the meeting, at 390×844: the check-in page (the list, done, and
    refused) and the host's console."""
    w = build_world()
    submit(w.report_a, w.secretary_a)
    submit(w.report_b, w.secretary_b)
    evaluation, _codes = setup_evaluation(w.cycle, w.admin, reports=[w.report_a, w.report_b])
    meeting = meeting_services.meeting_save(cycle=w.cycle, by=w.admin, title="2026年度述职评议会", place="三楼会议室")
    group = evaluation.groups.order_by("order").first()
    meeting_services.attendees_set(meeting=meeting, by=w.admin, names_by_group={group.pk: ["张三", "李四", "王五"]})
    meeting_services.speech_start(meeting=meeting, by=w.admin)
    found = {}
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = context.new_page()

    def check(label):
        for violation in axe_violations(phone):
            found.setdefault(violation, []).append(label)

    try:
        phone.goto(live_url("screen:checkin", meeting.checkin_token))
        check("check-in list")
        phone.get_by_role("button", name="张三").click()
        phone.wait_for_selector("#checkin-done")
        check("checked in")
        phone.goto(live_url("screen:checkin", meeting.checkin_token))
        phone.get_by_role("button", name="李四").click()
        phone.wait_for_selector("#checkin-error")
        check("refused")
        login(phone, w.admin)
        phone.goto(live_url("reviews:meeting_console", w.cycle.pk))
        check("console")
        phone.goto(live_url("reviews:meeting", w.cycle.pk))
        check("meeting")
    finally:
        context.close()
    listed = [f"[{impact}] {rule} at {element}: {why} — on {', '.join(pages)}" for (impact, rule, element, why), pages in found.items()]
    assert listed == [], "axe-core found violations on the meeting's phone pages:\n" + "\n".join(listed)
