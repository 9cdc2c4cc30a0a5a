import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import Cycle, Report
from tests.factories import OrganizationFactory, UserFactory, launch_cycle

from .conftest import FILLED, ROLES, fill, make_late, submit

READERS = {"secretary_a", "reviewer", "admin", "superuser"}

CONFIRMED = {"confirm": "1"}  # the box “我已了解上述后果” (branches.confirmations)


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def assert_login_redirect(response):
    assert response.status_code == 302 and reverse("login") in response["Location"]


def assert_no_inline_script(html):
    # CSP: every <script> has a src, except json_script data blocks.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)


# --- home -------------------------------------------------------------------------------


def test_home_anonymous_redirects(client):
    assert_login_redirect(client.get(reverse("reports:home")))


def test_home_secretary_sees_report_card(client, world):
    html = login(client, world, "secretary_a").get(reverse("reports:home")).content.decode()
    assert world.cycle.title in html
    assert reverse("reports:editor", args=[world.report_a.pk]) in html
    assert ">撰写<" in html and "未开始" in html
    assert reverse("reviews:secretary_questions", args=[world.report_a.pk]) in html
    assert reverse("reviews:secretary_result", args=[world.report_a.pk]) not in html
    assert reverse("reports:editor", args=[world.report_b.pk]) not in html
    assert 'id="reviewer-card"' not in html and 'id="no-role"' not in html


def test_home_shows_result_link_once_published_and_overdue_warning(client, world):
    Cycle.objects.filter(pk=world.cycle.pk).update(published_at=timezone.now())
    make_late(world.cycle)
    fill(world.report_a, world.secretary_a)
    html = login(client, world, "secretary_a").get(reverse("reports:home")).content.decode()
    assert reverse("reviews:secretary_result", args=[world.report_a.pk]) in html
    assert "deadline-overdue" in html and "继续撰写" in html


def test_home_returned_report_shows_reason(client, returned_world):
    html = login(client, returned_world, "secretary_a").get(reverse("reports:home")).content.decode()
    assert "整改情况写得太简单。" in html and "修改报告" in html and "已退回修改" in html
    assert "按退回原因修改后重新提交" in html


def test_home_submitted_report_has_view_button_only(client, submitted_world):
    w = submitted_world
    html = login(client, w, "secretary_a").get(reverse("reports:home")).content.decode()
    assert reverse("reports:detail", args=[w.report_a.pk]) in html
    assert reverse("reports:editor", args=[w.report_a.pk]) not in html
    assert "已提交" in html


def test_home_lists_past_cycles(client, world):
    old = launch_cycle(organization=world.committee, year=world.cycle.year - 1, by=world.admin, participants=[world.branch_a])
    submit(old.reports.get(), world.secretary_a)
    Cycle.objects.filter(pk=old.pk).update(status=Cycle.Status.CLOSED)
    html = login(client, world, "secretary_a").get(reverse("reports:home")).content.decode()
    assert 'id="past-reports"' in html and old.title in html


@pytest.mark.parametrize(
    "role, card",
    [("reviewer", "reviews:index"), ("admin", "reviews:admin_index"), ("superuser", "reviews:admin_index"), ("other_reviewer", "reviews:index")],
)
def test_home_role_cards(client, world, role, card):
    html = login(client, world, role).get(reverse("reports:home")).content.decode()
    assert f'href="{reverse(card)}"' in html
    assert 'id="current-reports"' not in html


def test_home_without_role_explains(client, db):
    client.force_login(UserFactory(username="nobody"))
    html = client.get(reverse("reports:home")).content.decode()
    assert 'id="no-role"' in html and "联系本单位组织部门" in html


def test_home_query_count_does_not_grow_with_reports(client, world):
    client.force_login(world.secretary_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:home")).status_code == 200
        return len(queries)

    few = count()
    orgs = [OrganizationFactory(name=f"新支部{i}", parent=world.committee, secretary=world.secretary_a) for i in range(5)]
    for year in (1, 2):
        launch_cycle(organization=world.committee, year=world.cycle.year + year, by=world.admin, participants=orgs)
    assert count() == few


# --- editor -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_editor_only_for_own_secretary(client, world, role):
    response = login(client, world, role).get(reverse("reports:editor", args=[world.report_a.pk]))
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == (200 if role == "secretary_a" else 404)


def test_editor_page_contract(client, world):
    fill(world.report_a, world.secretary_a)
    html = login(client, world, "secretary_a").get(reverse("reports:editor", args=[world.report_a.pk])).content.decode()
    for element_id in [
        "editor-form", "autosave-status", "restore-banner", "restore-accept", "restore-discard", "conflict-panel",
        "conflict-sections", "conflict-apply", "offline-alert", "login-link", "submit-form", "submit-button",
        "save-draft-button", "preamble-box", "import-panel", "import-form", "report-server-data", "figures",
        "count-performance", "errors-performance", "preview-link",
    ]:
        assert f'id="{element_id}"' in html, element_id
    for name in ["preamble", "performance", "problems", "plans", "rectification", "member_count", "base_revision"]:
        assert f'name="{name}"' in html, name
    assert f'data-autosave-url="{reverse("reports:autosave", args=[world.report_a.pk])}"' in html
    assert "js/report-editor.js" in html and "js/char-count.js" in html
    assert "已保存" in html and "/ 20000 字" in html
    assert 'target="_blank"' in html
    assert_no_inline_script(html)
    assert "全年召开主题党日12次。" in html


def test_editor_empty_preamble_is_collapsed(client, world):
    html = login(client, world, "secretary_a").get(reverse("reports:editor", args=[world.report_a.pk])).content.decode()
    assert re.search(r'<details id="preamble-box"[^>]*>', html).group(0).find(" open") == -1
    fill(world.report_a, world.secretary_a)
    html = client.get(reverse("reports:editor", args=[world.report_a.pk])).content.decode()
    assert " open" in re.search(r'<details id="preamble-box"[^>]*>', html).group(0)


def test_editor_rectification_optional_first_year_required_later(client, world):
    html = login(client, world, "secretary_a").get(reverse("reports:editor", args=[world.report_a.pk])).content.decode()
    assert "首次参加述职评议可不填" in html
    earlier = launch_cycle(organization=world.committee, year=world.cycle.year - 1, by=world.admin, participants=[world.branch_a])
    submit(earlier.reports.get(), world.secretary_a)
    html = client.get(reverse("reports:editor", args=[world.report_a.pk])).content.decode()
    assert "首次参加述职评议可不填" not in html and "必填：请说明上年度评议指出问题的整改情况" in html


def test_editor_of_submitted_report_redirects_to_detail(client, submitted_world):
    w = submitted_world
    response = login(client, w, "secretary_a").get(reverse("reports:editor", args=[w.report_a.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[w.report_a.pk])


def test_editor_of_returned_report_shows_reason(client, returned_world):
    w = returned_world
    html = login(client, w, "secretary_a").get(reverse("reports:editor", args=[w.report_a.pk])).content.decode()
    assert 'id="return-reason"' in html and "整改情况写得太简单。" in html


def _post_data(report, **fields):
    data = {name: "" for name in ["preamble", "performance", "problems", "plans", "rectification"]}
    data.update(FILLED)
    data.update(fields)
    data["base_revision"] = fields.get("base_revision", report.revision)
    return data


def test_editor_post_fallback_saves(client, world):
    url = reverse("reports:editor", args=[world.report_a.pk])
    response = login(client, world, "secretary_a").post(url, _post_data(world.report_a, member_count="26"))
    assert response.status_code == 302
    world.report_a.refresh_from_db()
    assert world.report_a.performance == FILLED["performance"] and world.report_a.member_count == 26
    assert world.report_a.revision == 1


def test_editor_post_fallback_too_long_keeps_text(client, world):
    url = reverse("reports:editor", args=[world.report_a.pk])
    long_text = "问题" * 4001
    response = login(client, world, "secretary_a").post(url, _post_data(world.report_a, problems=long_text))
    html = response.content.decode()
    assert response.status_code == 200
    assert "“存在问题”最多 8000 字，当前 8002 字" in html and long_text in html
    world.report_a.refresh_from_db()
    assert world.report_a.problems == ""


def test_editor_post_fallback_bad_figure_keeps_text(client, world):
    url = reverse("reports:editor", args=[world.report_a.pk])
    response = login(client, world, "secretary_a").post(url, _post_data(world.report_a, member_count="很多", plans="我的计划"))
    html = response.content.decode()
    assert response.status_code == 200 and "我的计划" in html and 'id="errors-member_count"' in html
    assert re.search(r'id="errors-member_count"[^>]*><div>[^<]+</div>', html)


def test_editor_post_fallback_conflict_shows_both_and_keeps_mine(client, world):
    fill(world.report_a, world.secretary_a, plans="另一个窗口的计划")
    url = reverse("reports:editor", args=[world.report_a.pk])
    response = login(client, world, "secretary_a").post(url, _post_data(world.report_a, base_revision=0, plans="我的计划"))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="conflict-fallback"' in html
    assert "另一个窗口的计划" in html and "我的计划" in html
    world.report_a.refresh_from_db()
    assert world.report_a.plans == "另一个窗口的计划"
    # saving again from the re-rendered page is a deliberate overwrite
    revision = int(re.search(r'name="base_revision" value="(\d+)"', html).group(1))
    client.post(url, _post_data(world.report_a, base_revision=revision, plans="我的计划"))
    world.report_a.refresh_from_db()
    assert world.report_a.plans == "我的计划"


def test_editor_post_by_other_secretary_is_404(client, world):
    url = reverse("reports:editor", args=[world.report_a.pk])
    assert login(client, world, "secretary_b").post(url, _post_data(world.report_a)).status_code == 404
    world.report_a.refresh_from_db()
    assert world.report_a.revision == 0


# --- submit -----------------------------------------------------------------------------


def test_submit_creates_version_and_locks(client, world):
    fill(world.report_a, world.secretary_a)
    url = reverse("reports:submit", args=[world.report_a.pk])
    response = login(client, world, "secretary_a").post(url, CONFIRMED)
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[world.report_a.pk])
    world.report_a.refresh_from_db()
    assert world.report_a.status == Report.Status.SUBMITTED and world.report_a.versions.count() == 1
    assert client.get(reverse("reports:editor", args=[world.report_a.pk])).status_code == 302
    html = client.get(reverse("reports:detail", args=[world.report_a.pk])).content.decode()
    assert "述职报告已提交，第 1 版" in html and 'id="submitted-note"' in html


def test_submit_twice_makes_one_version(client, world):
    fill(world.report_a, world.secretary_a)
    url = reverse("reports:submit", args=[world.report_a.pk])
    login(client, world, "secretary_a").post(url, CONFIRMED)
    assert client.post(url, CONFIRMED).status_code == 302
    assert world.report_a.versions.count() == 1


def test_submit_get_is_the_confirmation_and_changes_nothing(client, world):
    fill(world.report_a, world.secretary_a)
    response = login(client, world, "secretary_a").get(reverse("reports:submit", args=[world.report_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="confirm-submit"' in html
    assert "生成不可更改的第 1 版" in html and "不能再修改" in html and 'name="confirm"' in html
    assert "逾期" not in html
    world.report_a.refresh_from_db()
    assert world.report_a.status == Report.Status.DRAFT and world.report_a.versions.count() == 0


def test_submit_without_the_box_ticked_submits_nothing(client, world):
    fill(world.report_a, world.secretary_a)
    response = login(client, world, "secretary_a").post(reverse("reports:submit", args=[world.report_a.pk]))
    assert response.status_code == 400
    assert "请勾选“我已了解上述后果”后再提交述职报告。" in response.content.decode()
    world.report_a.refresh_from_db()
    assert world.report_a.status == Report.Status.DRAFT and world.report_a.versions.count() == 0


def test_late_submit_confirmation_says_it_will_be_marked_late(client, world):
    make_late(world.cycle)
    fill(world.report_a, world.secretary_a)
    html = login(client, world, "secretary_a").get(reverse("reports:submit", args=[world.report_a.pk])).content.decode()
    assert "本次提交将标记为“逾期”" in html


def test_submit_incomplete_rerenders_editor_with_errors_and_text(client, world):
    fill(world.report_a, world.secretary_a, plans="")
    response = login(client, world, "secretary_a").post(reverse("reports:submit", args=[world.report_a.pk]), CONFIRMED)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="submit-errors"' in html
    assert "请填写“下一步打算”后再提交。" in html and "全年召开主题党日12次。" in html
    assert world.report_a.versions.count() == 0


def test_late_submit_is_marked(client, world):
    make_late(world.cycle)
    fill(world.report_a, world.secretary_a)
    login(client, world, "secretary_a").post(reverse("reports:submit", args=[world.report_a.pk]), CONFIRMED, follow=True)
    world.report_a.refresh_from_db()
    assert world.report_a.is_late and world.report_a.versions.get().is_late
    html = client.get(reverse("reports:home")).content.decode()
    assert "逾期提交" in html


@pytest.mark.parametrize("role", ["secretary_b", "reviewer", "admin", "superuser"])
def test_submit_by_others_is_404(client, world, role):
    fill(world.report_a, world.secretary_a)
    assert login(client, world, role).post(reverse("reports:submit", args=[world.report_a.pk]), CONFIRMED).status_code == 404
    assert world.report_a.versions.count() == 0


def test_returned_report_resubmitted_as_version_two(client, returned_world):
    w = returned_world
    login(client, w, "secretary_a")
    editor = reverse("reports:editor", args=[w.report_a.pk])
    assert client.get(editor).status_code == 200
    client.post(editor, _post_data(w.report_a, rectification="已补充整改情况。"))
    client.post(reverse("reports:submit", args=[w.report_a.pk]), CONFIRMED)
    assert list(w.report_a.versions.values_list("number", flat=True)) == [1, 2]


# --- reading ----------------------------------------------------------------------------


def _reading_urls(report):
    return [
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:preview", args=[report.pk]),
        reverse("reports:versions", args=[report.pk]),
        reverse("reports:version_detail", args=[report.pk, 1]),
        reverse("reports:version_diff", args=[report.pk]) + "?a=1&b=1",
    ]


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_reading_pages_per_role(client, submitted_world, role):
    w = submitted_world
    login(client, w, role)
    for url in _reading_urls(w.report_a):
        response = client.get(url)
        if role == "anonymous":
            assert_login_redirect(response)
        else:
            assert response.status_code == (200 if role in READERS else 404), (url, response.status_code)


@pytest.mark.parametrize("role", ["reviewer", "admin", "superuser", "secretary_b"])
def test_unsubmitted_report_hidden_from_readers(client, world, role):
    fill(world.report_a, world.secretary_a)
    response = login(client, world, role).get(reverse("reports:detail", args=[world.report_a.pk]))
    assert response.status_code == 404


def test_secretary_sees_draft_detail_and_preview(client, world):
    fill(world.report_a, world.secretary_a)
    login(client, world, "secretary_a")
    html = client.get(reverse("reports:detail", args=[world.report_a.pk])).content.decode()
    assert "全年召开主题党日12次。" in html and "继续撰写" in html
    html = client.get(reverse("reports:preview", args=[world.report_a.pk])).content.decode()
    assert "甲社区党支部书记" in html and '<p class="report-line report-h1">一、工作开展情况</p>' in html


def test_reviewer_reads_submitted_version_not_live_draft(client, returned_world):
    w = returned_world
    fill(w.report_a, w.secretary_a, performance="退回后尚未提交的草稿")
    login(client, w, "reviewer")
    for url in [reverse("reports:detail", args=[w.report_a.pk]), reverse("reports:preview", args=[w.report_a.pk])]:
        html = client.get(url).content.decode()
        assert "全年召开主题党日12次。" in html and "退回后尚未提交的草稿" not in html
    assert "第 1 版" in client.get(reverse("reports:detail", args=[w.report_a.pk])).content.decode()


def test_report_text_is_escaped(client, world):
    submit(world.report_a, world.secretary_a, performance="<script>alert(1)</script>")
    login(client, world, "reviewer")
    for url in [reverse("reports:detail", args=[world.report_a.pk]), reverse("reports:version_detail", args=[world.report_a.pk, 1])]:
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_versions_list_and_diff(client, returned_world):
    w = returned_world
    submit(w.report_a, w.secretary_a, problems="二、存在问题\n理论学习不够系统。<b>", member_count=30)
    login(client, w, "admin")
    html = client.get(reverse("reports:versions", args=[w.report_a.pk])).content.decode()
    assert 'id="version-1"' in html and 'id="version-2"' in html and "与上一版比较" in html
    html = client.get(reverse("reports:version_diff", args=[w.report_a.pk])).content.decode()
    # Side by side: the old paragraph on the left, the edited one on the right, marks inside it only.
    assert re.search(r'<td class="diff-old"><span>理论学习不够</span><del class="diff-removed">深入。</del></td>', html)
    assert re.search(r'<td class="diff-new"><span>理论学习不够</span><ins class="diff-added">系统。&lt;b&gt;</ins></td>', html)
    assert '<tr class="diff-row diff-row-changed">' in html and "修改 1 段" in html
    assert re.search(r'id="diff-plans">\s*<h2[^>]*>下一步打算 <span[^>]*>无变化', html)
    assert "党员人数" in html and ">30<" in html


@pytest.mark.parametrize("query", ["?a=1&b=9", "?a=x&b=1", "?a=0"])
def test_diff_bad_versions_404(client, submitted_world, query):
    w = submitted_world
    url = reverse("reports:version_diff", args=[w.report_a.pk]) + query
    assert login(client, w, "secretary_a").get(url).status_code == 404


def test_version_detail_unknown_number_404(client, submitted_world):
    w = submitted_world
    assert login(client, w, "secretary_a").get(reverse("reports:version_detail", args=[w.report_a.pk, 5])).status_code == 404


def test_guessed_url_of_other_committee_report_is_404(client, world):
    submit(world.report_c, world.secretary_c)
    for role in ["secretary_a", "reviewer", "admin"]:
        client.force_login(getattr(world, role))
        for url in _reading_urls(world.report_c) + [reverse("reports:editor", args=[world.report_c.pk])]:
            assert client.get(url).status_code == 404, (role, url)


def test_editor_offers_the_import_first_until_something_is_written(client, world):
    login(client, world, "secretary_a")
    url = reverse("reports:editor", args=[world.report_a.pk])
    html = client.get(url).content.decode()
    assert '<section id="import-panel"' in html and "先把全文导入" in html
    assert html.index('id="import-panel"') < html.index('id="editor-form"') < html.index('id="submit-form"')
    # a drafted 上年度问题整改情况 alone (drafted from last year's problems) is not "written" yet
    fill(world.report_a, world.secretary_a, preamble="", performance="", problems="", plans="", rectification="上年度问题已整改。")
    assert '<section id="import-panel"' in client.get(url).content.decode()
    fill(world.report_a, world.secretary_a)
    html = client.get(url).content.decode()
    assert '<section id="import-panel"' not in html
    assert re.search(r'<details id="import-panel" class="[^"]*">', html)  # still there, closed


def test_pdf_from_the_editor_and_the_preview(client, world):
    login(client, world, "secretary_a")
    pdf_url = reverse("reports:report_pdf", args=[world.report_a.pk])
    html = client.get(reverse("reports:editor", args=[world.report_a.pk])).content.decode()
    assert f'id="pdf-link" href="{pdf_url}"' in html
    preview = reverse("reports:preview", args=[world.report_a.pk])
    assert 'id="preview-pdf-link"' not in client.get(preview).content.decode()  # nothing written yet
    fill(world.report_a, world.secretary_a)
    assert f'id="preview-pdf-link" href="{pdf_url}"' in client.get(preview).content.decode()
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"
    submit(world.report_a, world.secretary_a)
    login(client, world, "reviewer")
    assert f'id="preview-pdf-link" href="{pdf_url}"' in client.get(preview).content.decode()
