"""Rectification views: every role against every URL, the whole flow through the test client,
errors that keep the user's input, and query counts that do not grow with the rows."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Notification
from reports.models import Report
from reviews.models import Problem, RectificationEvidence, RectificationItem, RectificationPlan
from reviews.rectification.services import progress_report
from tests.factories import ProblemCategoryFactory
from tests.reviews.rectification.scenes import fill_plan

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]
ADMINS = {"admin", "superuser"}
PDF = b"%PDF-1.4\n%%EOF\n"


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def get_url(world, name):
    args = {
        "rectification_index": [],
        "rectification_plan": [world.plan_a.pk],
        "rectification_item": [world.item_a.pk],
        "rectification_ledger": [world.cycle.pk],
        "rectification_ledger_xlsx": [world.cycle.pk],
        "rectification_ledger_pdf": [world.cycle.pk],
    }[name]
    return reverse(f"reviews:{name}", args=args)


GET_EXPECTED = {
    "rectification_index": {
        "secretary_a": 200, "secretary_b": 200, "reviewer": 403, "other_reviewer": 403,
        "admin": 200, "other_admin": 200, "superuser": 200,
    },
    "rectification_plan": {"secretary_a": 200, "admin": 200, "superuser": 200},
    "rectification_item": {"secretary_a": 200, "admin": 200, "superuser": 200},
    "rectification_ledger": {"admin": 200, "superuser": 200},
    "rectification_ledger_xlsx": {"admin": 200, "superuser": 200},
    "rectification_ledger_pdf": {"admin": 200, "superuser": 200},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(GET_EXPECTED))
def test_get_access(client, approved, name, role):
    response = login(client, approved, role).get(get_url(approved, name))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == GET_EXPECTED[name].get(role, 404)


def _post_cases(w):
    """name -> (url, data, check that the action took effect). plan_a is approved, plan_b drafting
    with two items (item_b and extra)."""
    first, second = w.items_a[0], w.items_a[1]
    return {
        "rectification_plan": (
            reverse("reviews:rectification_plan", args=[w.plan_b.pk]),
            {f"measures_{w.item_b.pk}": "建立制度", "action": "save"},
            lambda: RectificationItem.objects.get(pk=w.item_b.pk).measures == "建立制度",
        ),
        "rectification_merge": (
            reverse("reviews:rectification_merge", args=[w.plan_b.pk]),
            {"items": [w.item_b.pk, w.extra.pk]},
            lambda: w.plan_b.items.count() == 1,
        ),
        "rectification_item_edit": (
            reverse("reviews:rectification_item_edit", args=[w.item_b.pk]),
            {"text": "改后的问题", "category": w.item_b.category_id},
            lambda: RectificationItem.objects.get(pk=w.item_b.pk).text == "改后的问题",
        ),
        "rectification_plan_decide": (
            reverse("reviews:rectification_plan_decide", args=[w.plan_b.pk]),
            {"action": "return", "reason": "请细化"},
            lambda: RectificationPlan.objects.get(pk=w.plan_b.pk).status == RectificationPlan.Status.RETURNED,
        ),
        "rectification_item": (
            reverse("reviews:rectification_item", args=[first.pk]),
            {"text": "已推进"},
            lambda: first.events.filter(text="已推进").exists(),
        ),
        "rectification_item_confirm": (
            reverse("reviews:rectification_item_confirm", args=[second.pk]),
            {"confirm": "1"},
            lambda: RectificationItem.objects.get(pk=second.pk).status == RectificationItem.Status.COMPLETED,
        ),
        "rectification_generate": (
            reverse("reviews:rectification_generate", args=[w.cycle.pk]),
            {},
            lambda: RectificationPlan.objects.filter(report=w.report_a).exists(),
        ),
    }


POST_ALLOWED = {
    "rectification_plan": {"secretary_b"},
    "rectification_merge": ADMINS,
    "rectification_item_edit": ADMINS,
    "rectification_plan_decide": ADMINS,
    "rectification_item": {"secretary_a"},
    "rectification_item_confirm": ADMINS,
    "rectification_generate": ADMINS,
}


@pytest.fixture
def post_scene(approved):
    """plan_a approved; plan_b drafting with a second item to merge with."""
    w = approved
    w.item_b = w.plan_b.items.get()
    w.extra = RectificationItem.objects.create(plan=w.plan_b, text="另一个问题", category=w.item_b.category, order=1)
    w.extra.problems.add(*Problem.objects.filter(review__report=w.report_b))
    return w


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(POST_ALLOWED))
def test_post_access(client, post_scene, name, role):
    w = post_scene
    if name == "rectification_plan_decide":
        fill_plan(w.plan_b, w.secretary_b)
    if name == "rectification_generate":
        RectificationPlan.objects.filter(report=w.report_a).delete()
    url, data, took_effect = _post_cases(w)[name]
    response = login(client, w, role).post(url, data)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not took_effect()
    elif role in POST_ALLOWED[name]:
        assert response.status_code == 302, response.content.decode()[:500]
        assert took_effect()
    else:
        assert response.status_code == 404
        assert not took_effect()


def test_approve_and_close_item_confirm_first_by_get_never_acting(client, post_scene):
    w = post_scene
    fill_plan(w.plan_b, w.secretary_b)
    client.force_login(w.admin)
    approve = reverse("reviews:rectification_plan_decide", args=[w.plan_b.pk])
    assert 'id="confirm-approve-form"' in client.get(approve).content.decode()
    assert RectificationPlan.objects.get(pk=w.plan_b.pk).status == RectificationPlan.Status.SUBMITTED
    assert client.post(approve, {"action": "approve", "confirm": "1"}).status_code == 302
    assert RectificationPlan.objects.get(pk=w.plan_b.pk).status == RectificationPlan.Status.APPROVED
    # An approved plan: the page says why nothing can be done, and a POST does nothing.
    page = client.get(approve).content.decode()
    assert 'id="confirm-blocked"' in page and 'name="confirm"' not in page
    item = w.items_a[1]
    url = reverse("reviews:rectification_item_confirm", args=[item.pk])
    assert client.get(url + "?back=plan").status_code == 200
    assert RectificationItem.objects.get(pk=item.pk).status != RectificationItem.Status.COMPLETED
    response = client.post(url, {"back": "plan", "confirm": "1"})
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert RectificationItem.objects.get(pk=item.pk).status == RectificationItem.Status.COMPLETED
    assert 'id="confirm-blocked"' in client.get(url).content.decode()
    client.force_login(w.other_admin)
    assert client.get(url).status_code == 404 and client.get(approve).status_code == 404


def test_get_is_refused_on_post_only_urls(client, approved):
    client.force_login(approved.admin)
    for name, args in [
        ("rectification_merge", [approved.plan_a.pk]),
        ("rectification_item_reopen", [approved.item_a.pk]),
        ("rectification_item_edit", [approved.item_a.pk]),
        ("rectification_generate", [approved.cycle.pk]),
    ]:
        assert client.get(reverse(f"reviews:{name}", args=args)).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_reopen_access(client, approved, role):
    item = approved.item_a
    progress_report(item=item, by=approved.secretary_a, text="完成", request_completion=True)
    response = login(client, approved, role).post(reverse("reviews:rectification_item_reopen", args=[item.pk]), {"reason": "不完整"})
    item.refresh_from_db()
    if role in ADMINS:
        assert response.status_code == 302 and item.completion_requested_at is None
    else:
        assert response.status_code in (302, 404) and item.completion_requested_at is not None


# ---------------------------------------------------------------- errors keep the input


def test_incomplete_plan_submission_shows_errors_and_keeps_the_text(client, published):
    client.force_login(published.secretary_a)
    item = published.item_a
    data = {"action": "submit", f"measures_{item.pk}": "我写的整改措施", f"owner_{item.pk}": "", f"deadline_{item.pk}": "2026-06-30"}
    response = client.post(reverse("reviews:rectification_plan", args=[published.plan_a.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "我写的整改措施" in body and "请填写责任人。" in body
    published.plan_a.refresh_from_db()
    assert published.plan_a.status == RectificationPlan.Status.DRAFTING


def test_bad_attachment_shows_the_error_and_keeps_the_progress_text(client, approved):
    client.force_login(approved.secretary_a)
    response = client.post(
        reverse("reviews:rectification_item", args=[approved.item_a.pk]),
        {"text": "本月进展说明", "files": [SimpleUploadedFile("x.pdf.exe", PDF)]},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "本月进展说明" in body and "类型不允许" in body
    assert not RectificationEvidence.objects.exists()


def test_returning_without_reason_is_refused_with_a_message(client, published):
    fill_plan(published.plan_a, published.secretary_a)
    client.force_login(published.admin)
    response = client.post(
        reverse("reviews:rectification_plan_decide", args=[published.plan_a.pk]), {"action": "return", "reason": ""}, follow=True
    )
    assert "请填写退回原因。" in response.content.decode()
    published.plan_a.refresh_from_db()
    assert published.plan_a.status == RectificationPlan.Status.SUBMITTED


def test_secretary_sees_how_many_reviewers_named_a_problem_not_who(client, published):
    client.force_login(published.secretary_a)
    body = client.get(reverse("reviews:rectification_plan", args=[published.plan_a.pk])).content.decode()
    assert "1位评议人提出" in body and published.reviewer2.display_name not in body
    client.force_login(published.admin)
    body = client.get(reverse("reviews:rectification_plan", args=[published.plan_a.pk])).content.decode()
    assert published.reviewer2.display_name in body


# ---------------------------------------------------------------- the whole flow


def test_end_to_end_through_the_client(client, published):
    w = published
    plan_url = reverse("reviews:rectification_plan", args=[w.plan_a.pk])
    first = w.plan_a.items.get(text="“三会一课”记录不规范")
    second = w.plan_a.items.get(text="三会一课记录不够规范")

    # The administrator merges the two wordings of the same problem.
    client.force_login(w.admin)
    response = client.post(
        reverse("reviews:rectification_merge", args=[w.plan_a.pk]),
        {"items": [first.pk, second.pk], "text": "“三会一课”记录不规范", "category": ""},
    )
    assert response.status_code == 302
    merged = w.plan_a.items.get(text="“三会一课”记录不规范")
    assert merged.problems.count() == 2
    items = list(w.plan_a.items.all())
    assert len(items) == 2

    # The secretary finds the list from the home page and submits the plan.
    client.force_login(w.secretary_a)
    assert reverse("reviews:rectification_index") in client.get(reverse("reports:home")).content.decode()
    assert plan_url in client.get(reverse("reviews:rectification_index")).content.decode()
    data = {"action": "submit"}
    for item in items:
        data.update({f"measures_{item.pk}": f"措施：{item.text}", f"owner_{item.pk}": "王书记", f"deadline_{item.pk}": "2026-06-30"})
    assert client.post(plan_url, data).status_code == 302
    assert Notification.objects.filter(user=w.admin, url=plan_url).exists()

    # The administrator sends it back, the secretary resubmits, the administrator approves.
    client.force_login(w.admin)
    client.post(reverse("reviews:rectification_plan_decide", args=[w.plan_a.pk]), {"action": "return", "reason": "时限太晚"})
    client.force_login(w.secretary_a)
    assert "时限太晚" in client.get(plan_url).content.decode()
    data.update({f"deadline_{item.pk}": "2026-05-31" for item in items})
    client.post(plan_url, data)
    client.force_login(w.admin)
    approve_url = reverse("reviews:rectification_plan_decide", args=[w.plan_a.pk])
    page = client.get(approve_url).content.decode()
    assert "确认审核通过整改清单" in page and "书记不能再修改整改措施" in page
    # Not ticked: nothing changes (the page again, 400).
    assert client.post(approve_url, {"action": "approve"}).status_code == 400
    w.plan_a.refresh_from_db()
    assert w.plan_a.status == RectificationPlan.Status.SUBMITTED
    client.post(approve_url, {"action": "approve", "confirm": "1"})
    w.plan_a.refresh_from_db()
    assert w.plan_a.status == RectificationPlan.Status.APPROVED

    # The secretary reports progress with evidence and asks for 销号.
    client.force_login(w.secretary_a)
    item_url = reverse("reviews:rectification_item", args=[merged.pk])
    response = client.post(
        item_url,
        {"text": "已统一使用组织生活记录本", "request_completion": "on", "files": [SimpleUploadedFile("记录本.pdf", PDF)]},
    )
    assert response.status_code == 302
    evidence = RectificationEvidence.objects.get()
    body = client.get(item_url).content.decode()
    assert "已统一使用组织生活记录本" in body and reverse("reviews:rectification_evidence", args=[evidence.pk]) in body

    # The administrator confirms it (销号) and exports the ledger.
    client.force_login(w.admin)
    confirm_url = reverse("reviews:rectification_item_confirm", args=[merged.pk])
    page = client.get(confirm_url).content.decode()
    assert "确认销号" in page and "标记为“已完成”" in page
    assert client.post(confirm_url).status_code == 400  # not ticked: nothing changes
    merged.refresh_from_db()
    assert merged.status != RectificationItem.Status.COMPLETED
    assert client.post(confirm_url, {"confirm": "1"}).status_code == 302
    merged.refresh_from_db()
    assert merged.status == RectificationItem.Status.COMPLETED
    ledger = client.get(reverse("reviews:rectification_ledger", args=[w.cycle.pk]))
    assert ledger.status_code == 200 and ledger.context["completion_rate"] == 33  # 1 of 3 items (a: 2, b: 1)
    xlsx = client.get(reverse("reviews:rectification_ledger_xlsx", args=[w.cycle.pk]))
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["整改台账", "按党组织", "按类别"]
    values = [cell.value for row in workbook["整改台账"].iter_rows() for cell in row]
    assert "“三会一课”记录不规范" in values and "已完成" in values
    pdf = client.get(reverse("reviews:rectification_ledger_pdf", args=[w.cycle.pk]))
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Disposition"].startswith("attachment;")

    # Next year the secretary's report starts from it.
    from tests.factories import launch_cycle

    next_cycle = launch_cycle(organization=w.committee, year=w.cycle.year + 1, by=w.admin)
    report = next_cycle.reports.get(organization=w.branch_a)
    client.force_login(w.secretary_a)
    response = client.post(reverse("reports:start", args=[report.pk]), follow=True)
    assert "“三会一课”记录不规范" in response.context["form"]["rectification"].value()
    assert "整改状态为已完成" in response.context["form"]["rectification"].value()
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


# ---------------------------------------------------------------- query counts


def _add_items(plan, count):
    category = ProblemCategoryFactory(name="其他")
    problems = list(Problem.objects.filter(review__report=plan.report))
    for index in range(count):
        item = RectificationItem.objects.create(plan=plan, text=f"问题{index}", category=category, order=10 + index, deadline="2026-01-01")
        item.problems.add(*problems)


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("page", ["ledger", "plan", "index"])
def test_query_count_does_not_grow_with_rows(client, approved, page):
    url = {
        "ledger": reverse("reviews:rectification_ledger", args=[approved.cycle.pk]),
        "plan": reverse("reviews:rectification_plan", args=[approved.plan_b.pk]),
        "index": reverse("reviews:rectification_index"),
    }[page]
    client.force_login(approved.admin if page != "index" else approved.superuser)
    small = _queries(client, url)
    _add_items(approved.plan_b, 15)
    assert _queries(client, url) == small


def test_item_page_query_count_does_not_grow_with_history(client, approved):
    url = reverse("reviews:rectification_item", args=[approved.item_a.pk])
    client.force_login(approved.admin)
    progress_report(item=approved.item_a, by=approved.secretary_a, text="一", files=[SimpleUploadedFile("a.pdf", PDF)])
    small = _queries(client, url)
    for index in range(5):
        progress_report(item=approved.item_a, by=approved.secretary_a, text=f"进展{index}", files=[SimpleUploadedFile("a.pdf", PDF)])
    assert _queries(client, url) == small
