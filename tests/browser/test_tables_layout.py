"""Every data table on a phone (390×844) and a laptop (1366×900): the document never scrolls
sideways (a wide table scrolls inside its own box, its first column sticky), a name cell is never
squeezed to one character per line, and the results' criterion headers are shown in full."""

import pytest
from django.utils import timezone

from reviews.models import ProblemCategory
from reviews.results.services import cycle_publish, results_compute
from tests.browser.conftest import ARTIFACTS
from tests.factories import INCOMPLETE_OK, build_world
from tests.reviews.helpers import submit_report, submit_review

SHOTS = ARTIFACTS / "tables"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
LONG_NAME = "城关街道机关第三党支部离退休干部第一党小组"

# Measured in the page: the document's overflow, and each data table's first body cell.
MEASURE = """() => {
  const doc = document.documentElement;
  const cells = [...document.querySelectorAll("table.data-table > tbody > tr:first-child > td:first-child:not([colspan])")];
  return {
    overflow: doc.scrollWidth - doc.clientWidth,
    culprits: [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > doc.clientWidth + 0.5 && !(e.parentElement && e.parentElement.closest(".table-responsive"))).slice(0, 5).map(e => `${e.tagName}.${e.className}#${e.id}`),
    tables: document.querySelectorAll("table.data-table").length,
    unwrapped: [...document.querySelectorAll("table.data-table")].filter(t => !t.closest(".table-responsive")).map(t => t.id),
    cells: cells.map(td => {
      const size = parseFloat(getComputedStyle(td).fontSize);
      return {table: td.closest("table").id, text: td.innerText.trim().slice(0, 20), width: td.getBoundingClientRect().width, chars: td.getBoundingClientRect().width / size};
    }),
  };
}"""


@pytest.fixture
def scene(transactional_db):
    w = build_world()
    w.branch_a.name = LONG_NAME
    w.branch_a.save()
    category = ProblemCategory.objects.order_by("order").first()
    for report, total in ((w.report_a, 92), (w.report_b, 71)):
        submit_report(report)
        submit_review(report, w.reviewer, total, problems=[{"text": "三会一课记录不够规范，部分支部会议记录缺少讨论内容", "category": category}])
    results_compute(cycle=w.cycle, by=w.admin)
    cycle_publish(cycle=w.cycle, by=w.admin, reason=INCOMPLETE_OK)
    w.cycle.refresh_from_db()
    assert w.cycle.published_at and w.cycle.published_at <= timezone.now()
    return w


def pages(w):
    return [
        (w.reviewer, "reviews:queue", [w.cycle.pk]),
        (w.admin, "reviews:admin_index", []),
        (w.admin, "reviews:progress", [w.cycle.pk]),
        (w.admin, "reviews:results", [w.cycle.pk]),
        (w.admin, "reviews:assignments", [w.cycle.pk]),
        (w.admin, "reviews:routine_scores", [w.cycle.pk]),
        (w.admin, "reviews:rubric", [w.cycle.pk]),
        (w.admin, "reviews:rectification_ledger", [w.cycle.pk]),
        (w.admin, "branches:audit_log", []),
        (w.admin, "branches:organizations", []),
        (w.admin, "branches:people", []),
    ]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_data_tables_fit_the_screen_and_names_stay_readable(page, login, live_url, scene, viewport, console_errors):
    page.set_viewport_size(viewport)
    logged_in = None
    for user, name, args in pages(scene):
        if user != logged_in:
            page.context.clear_cookies()
            login(page, user)
            logged_in = user
        page.goto(live_url(name, *args))
        # Kept as artifacts for a look by eye (test-artifacts/browser/tables/).
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name.replace(':', '-')}-{viewport['width']}.png"), full_page=True)
        figures = page.evaluate(MEASURE)
        assert figures["tables"], f"{name}: no data table"
        assert figures["overflow"] <= 0, f"{name} at {viewport['width']}px: the document scrolls sideways by {figures['overflow']}px: {figures['culprits']}"
        assert not figures["unwrapped"], f"{name}: tables outside a scrolling box: {figures['unwrapped']}"
        for cell in figures["cells"]:
            # One character per line would be ~1 em wide; a name column keeps at least several.
            assert cell["chars"] >= 4, f"{name} at {viewport['width']}px: first cell of #{cell['table']} is {cell['width']:.0f}px ({cell['text']})"
    assert not console_errors


def test_long_name_in_the_reviewers_queue_on_a_phone(page, login, live_url, scene):
    page.set_viewport_size(PHONE)
    login(page, scene.reviewer)
    page.goto(live_url("reviews:queue", scene.cycle.pk))
    cell = page.locator(f"#queue-row-{scene.report_a.pk} td").first
    box = cell.bounding_box()
    size = cell.evaluate("td => parseFloat(getComputedStyle(td).fontSize)")
    lines = cell.evaluate("td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }")
    assert box["width"] >= 6 * size
    assert lines <= 4, f"{LONG_NAME} wraps over {lines} lines"
    # The table scrolls inside its box and the name stays in view while it does.
    scroller = page.locator("#queue-table").locator("xpath=ancestor::div[contains(@class, 'table-responsive')][1]")
    scroller.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    after = cell.bounding_box()
    assert abs(after["x"] - box["x"]) < 1


def test_results_headers_are_readable_at_1366(page, login, live_url, scene):
    page.set_viewport_size(LAPTOP)
    login(page, scene.admin)
    page.goto(live_url("reviews:results", scene.cycle.pk))
    headers = page.locator("#results-table th.criterion-header")
    names = list(scene.cycle.criteria.order_by("order", "pk").values_list("name", flat=True))
    # In full (wrapped over lines where narrow), never cut to "提高基层党..."
    assert [text.replace("\n", "") for text in headers.all_inner_texts()] == names
    clipped = headers.evaluate_all("ths => ths.filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.innerText)")
    assert not clipped
    assert all("..." not in text and "…" not in text for text in headers.all_inner_texts())


def test_routine_scores_typed_on_a_page_are_not_lost_by_paging(page, login, live_url, scene):
    login(page, scene.admin)
    url = live_url("reviews:routine_scores", scene.cycle.pk)
    page.goto(url)
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.fill(f"#id_routine_{scene.report_a.pk}", "88")
    page.locator("#routine-form th a.sort-link").last.click()
    assert dialogs and "未保存" in dialogs[0]
    assert page.url == url and page.input_value(f"#id_routine_{scene.report_a.pk}") == "88"
    # Once the form is submitted, leaving the page it comes back to asks nothing.
    with page.expect_navigation():
        page.locator("#routine-form button[type=submit]").click()
    page.locator("#routine-form th a.sort-link").last.click()
    page.wait_for_url("**sort=-score**")
    assert len(dialogs) == 1
