"""Error pages with DEBUG off (issue 12): Chinese 400/403/404/500 pages and CSRF failure page;
non-numeric ids in forms and query strings give 400, not a 500; a body over
DATA_UPLOAD_MAX_MEMORY_SIZE (a 6 MB paste) gives a Chinese 413 — JSON for the editor's
autosave, a page for a form post."""

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from branches.models import Notification
from reports.models import Report

SIX_MB = 6 * 1024 * 1024


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def assert_chinese_page(response, status, text):
    html = response.content.decode()
    assert response.status_code == status
    assert text in html and '<html lang="zh-hans">' in html
    assert "Bad Request" not in html and "Server Error" not in html and "Traceback" not in html


# --- non-numeric ids -----------------------------------------------------------------------


def test_notifications_read_with_a_bad_id_is_400(client, world):
    mine = Notification.objects.create(user=world.secretary_a, text="通知")
    unread = Notification.objects.filter(read_at=None).count()
    client.force_login(world.secretary_a)
    for bad in ["abc", "1.5", "²", "1" * 30]:
        assert_chinese_page(client.post(reverse("branches:notifications_read"), {"id": bad}), 400, "请求无效")
    assert Notification.objects.filter(read_at=None).count() == unread  # nothing marked
    assert client.post(reverse("branches:notifications_read"), {"id": str(mine.pk)}).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


@pytest.mark.parametrize("field", ["report", "reviewer"])
def test_assignment_add_with_a_bad_id_is_400(client, world, field):
    client.force_login(world.admin)
    data = {"report": world.report_a.pk, "reviewer": world.reviewer.pk, field: "abc"}
    assert_chinese_page(client.post(reverse("reviews:assignments", args=[world.cycle.pk]), data), 400, "请求无效")


def test_assignment_add_with_an_unknown_id_is_404(client, world):
    client.force_login(world.admin)
    data = {"report": 99999999, "reviewer": world.reviewer.pk}
    assert_chinese_page(client.post(reverse("reviews:assignments", args=[world.cycle.pk]), data), 404, "页面不存在")


def test_assignments_page_ignores_a_bad_query_string(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("reviews:assignments", args=[world.cycle.pk]) + "?report=abc").status_code == 200


def test_rubric_copy_with_a_bad_source_is_400(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("reviews:rubric", args=[world.cycle.pk]), {"action": "copy", "source": "abc"})
    assert_chinese_page(response, 400, "请求无效")


def test_audit_log_ignores_a_bad_organization_filter(client, world):
    client.force_login(world.admin)
    for bad in ["x", "²", "1" * 30]:  # "²".isdigit() is true, and int("²") raised a 500
        response = client.get(reverse("branches:audit_log") + f"?organization={bad}")
        assert response.status_code == 200 and response.context["organization"] is None


@pytest.fixture
def published(world):
    from tests.reviews.rectification.scenes import build_published

    return build_published(world)


@pytest.mark.parametrize(("field", "value"), [("category", "abc"), ("items", "abc"), ("items", "²")])
def test_merge_with_a_bad_id_is_400(client, published, field, value):
    w = published
    client.force_login(w.admin)
    data = {"items": [str(item.pk) for item in w.items_a[:2]], "text": "合并后的问题", "category": ""}
    data[field] = [value] if field == "items" else value
    response = client.post(reverse("reviews:rectification_merge", args=[w.plan_a.pk]), data)
    assert_chinese_page(response, 400, "请求无效")
    assert w.plan_a.items.count() == len(w.items_a)


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_item_edit_with_a_bad_category_is_400(client, published, value):
    w = published
    client.force_login(w.admin)
    response = client.post(reverse("reviews:rectification_item_edit", args=[w.item_a.pk]), {"text": "改写", "category": value})
    assert_chinese_page(response, 400, "请求无效")


# --- the pages themselves ------------------------------------------------------------------


def test_404_page_is_chinese(client, world):
    client.force_login(world.secretary_a)
    assert_chinese_page(client.get("/no-such-page/"), 404, "页面不存在")
    assert_chinese_page(client.get(reverse("reports:detail", args=[world.report_c.pk])), 404, "页面不存在")


def test_403_page_is_chinese(client, world):
    client.force_login(world.secretary_a)
    assert_chinese_page(client.get(reverse("branches:roster")), 403, "您无权执行此操作")


def test_csrf_failure_page_is_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.secretary_a)
    response = client.post(reverse("branches:notifications_read"), {})
    assert_chinese_page(response, 403, "页面已过期")
    anonymous = Client(enforce_csrf_checks=True)
    assert_chinese_page(anonymous.post(reverse("login"), {"username": "x", "password": "y"}), 403, "页面已过期")


def test_500_page_needs_neither_database_nor_request_context():
    # No `db` fixture: pytest-django refuses any query, so this proves the page makes none.
    response = server_error(RequestFactory().get("/"))
    assert_chinese_page(response, 500, "服务器出错")


def test_500_page_through_the_client(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("branches.views.notifications_mark_read", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.secretary_a)
    assert_chinese_page(client.post(reverse("branches:notifications_read")), 500, "服务器出错")


# --- a body over the limit ----------------------------------------------------------------


def test_a_6_mb_autosave_gets_a_chinese_413_as_json(client, world):
    client.force_login(world.secretary_a)
    body = json.dumps({"base_revision": 0, "fields": {"performance": "党" * (SIX_MB // 3)}})
    response = client.post(
        reverse("reports:autosave", args=[world.report_a.pk]),
        body,
        content_type="application/json",
        headers={"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 413
    data = response.json()
    assert data["error"] == "too_big" and "超过 5 MB 的上限" in data["message"] and "没有丢失" in data["message"]
    assert Report.objects.get(pk=world.report_a.pk).performance == ""


def test_a_6_mb_paste_posted_as_a_form_gets_a_chinese_413_page(client, world):
    client.force_login(world.secretary_a)
    response = client.post(reverse("reports:import", args=[world.report_a.pk]), {"full_text": "党" * (SIX_MB // 3)})
    assert_chinese_page(response, 413, "超过 5 MB 的上限")
    assert "返回" in response.content.decode()


def test_a_6_mb_urlencoded_post_gets_the_413_page(client, world):
    client.force_login(world.secretary_a)
    response = client.post(
        reverse("reports:import", args=[world.report_a.pk]),
        "full_text=" + "a" * SIX_MB,
        content_type="application/x-www-form-urlencoded",
    )
    assert_chinese_page(response, 413, "内容太大")


@pytest.mark.parametrize("target", ["abc", "progress", "/reviews/"])
def test_a_bare_word_as_the_next_page_is_followed_as_a_url_not_a_500(client, world, target):
    client.force_login(world.admin)
    response = client.post(reverse("reviews:remind", args=[world.report_a.pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == target
