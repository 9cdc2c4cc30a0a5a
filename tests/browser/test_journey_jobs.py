"""The year's .zip in a real browser: the administrator starts it on the results page, watches
the progress page move (polling its JSON) while the background worker builds it, and downloads it."""

import io
import re
import time
import zipfile

from playwright.sync_api import expect

from jobs import services
from jobs.models import Job
from reviews.results.services import results_compute
from tests.browser.test_journeys_results import download, reviewed_world

WATCH_COUNT = """() => {
  window.seenCounts = [];
  const count = document.getElementById("job-count");
  new MutationObserver(() => window.seenCounts.push(count.textContent))
    .observe(count, {childList: true, characterData: true, subtree: true});
}"""


def test_the_years_zip_is_built_in_the_background_with_progress_then_downloaded(
    page, login, live_url, transactional_db, console_errors, page_requests, task_worker, monkeypatch
):
    w = reviewed_world()
    results_compute(cycle=w.cycle, by=w.admin)
    # Each step of the archive lasts longer than the page's polling interval (1 s), so that the
    # page shows the steps between 0 and the total, not only the end.
    real_progress = services.job_progress

    def steady_progress(job, done, total):
        real_progress(job, done, total)
        if done < total:
            time.sleep(1.5)

    monkeypatch.setattr(services, "job_progress", steady_progress)
    login(page, w.admin)
    page.goto(live_url("reviews:results", w.cycle.pk))

    page.locator("#cycle-archive-button").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    job = Job.objects.get()
    expect(page.locator("#job-status")).to_have_text("排队中")
    page.evaluate(WATCH_COUNT)

    task_worker.start()
    expect(page.locator("#job-download")).to_be_visible(timeout=90_000)
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.locator("#job-bar")).to_have_attribute("aria-valuenow", "100")
    # The summary (PDF, Word, Excel), two result sheets and two submitted reports (PDF and Word each).
    expect(page.locator("#job-outcome")).to_have_text("共 11 个文件")
    seen = page.evaluate("window.seenCounts")
    steps = [int(m.group(1)) for text in seen if (m := re.search(r"(\d+) / 11", text))]
    assert any(0 < step < 11 for step in steps), seen  # the bar moved through the steps
    assert steps == sorted(steps) and steps[-1] == 11, seen
    assert sum(f"/jobs/{job.pk}/status/" in url for url in page_requests) >= 3

    name, content = download(page, page.locator("#job-download"))
    assert name == f"测试街道党工委{w.cycle.year}年度述职评议文件.zip"
    names = sorted(zipfile.ZipFile(io.BytesIO(content)).namelist())
    assert len(names) == 11 and sum(n.startswith("评议结果/") for n in names) == 4
    assert console_errors == []
