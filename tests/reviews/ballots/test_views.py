"""The administrator's pages of the democratic evaluation for every role, and the voters'
phone pages through the test client (no JavaScript: plain forms, CSRF enforced)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.ballots.services import evaluation_close, evaluation_open
from reviews.models import Ballot, BallotCode, Evaluation, PaperTally
from tests.factories import OrganizationFactory, UserFactory, launch_cycle
from tests.reviews.ballots.helpers import marks_by_label, setup_evaluation, vote

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]
ALLOWED = {"admin", "superuser"}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _url(name, cycle):
    return reverse(f"reviews:{name}", args=[cycle.pk])


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["evaluation", "evaluation_setup", "evaluation_codes_pdf"])
def test_admin_pages_by_role(client, scene, role, name):
    response = login(client, scene, role).get(_url(name, scene.cycle))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_paper_page_by_role(client, opened, role):
    response = login(client, opened, role).get(_url("evaluation_paper", opened.cycle))
    expected = 200 if role in ALLOWED else (302 if role == "anonymous" else 404)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_opening_by_role(client, scene, role):
    response = login(client, scene, role).post(_url("evaluation_open", scene.cycle), {"confirm": "1"})
    status = Evaluation.objects.get().status
    if role in ALLOWED:
        assert response.status_code == 302
        assert status == Evaluation.Status.OPEN
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert status == Evaluation.Status.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_closing_by_role(client, opened, role):
    response = login(client, opened, role).post(_url("evaluation_close", opened.cycle), {"confirm": "1"})
    closed = Evaluation.objects.get().status == Evaluation.Status.CLOSED
    assert closed == (role in ALLOWED)
    if role not in ALLOWED:
        assert response.status_code == (302 if role == "anonymous" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_paper_entry_by_role(client, opened, role):
    evaluation = opened.evaluation
    entry, group, mark = evaluation.entries.all()[0], evaluation.groups.all()[0], evaluation.marks.all()[0]
    login(client, opened, role).post(_url("evaluation_paper", opened.cycle), {f"paper_{entry.pk}_{group.pk}_{mark.pk}": "2"})
    assert PaperTally.objects.filter(count=2).exists() == (role in ALLOWED)


def test_another_committees_cycle_is_a_404_even_with_an_evaluation(client, scene):
    setup_evaluation(scene.other_cycle, scene.other_admin)
    client.force_login(scene.admin)
    for name in ["evaluation", "evaluation_setup", "evaluation_codes_pdf", "evaluation_paper"]:
        assert client.get(_url(name, scene.other_cycle)).status_code == 404
    assert client.post(_url("evaluation_open", scene.other_cycle), {"confirm": "1"}).status_code == 404
    assert client.get(_url("evaluation_close", scene.other_cycle)).status_code == 404


def test_evaluation_actions_without_an_evaluation_are_a_404(client, world):
    client.force_login(world.admin)
    assert client.get(_url("evaluation", world.cycle)).status_code == 200
    for name in ["evaluation_codes_pdf", "evaluation_paper"]:
        assert client.get(_url(name, world.cycle)).status_code == 404
    assert client.post(_url("evaluation_open", world.cycle), {"confirm": "1"}).status_code == 404
    assert client.get(_url("evaluation_close", world.cycle)).status_code == 404


# ---------------------------------------------------------------- administrator pages


def test_setup_form_defaults_to_submitted_reports_and_creates_the_evaluation(client, submitted):
    submitted.report_b.status = "returned"
    submitted.report_b.save(update_fields=["status"])
    client.force_login(submitted.admin)
    page = client.get(_url("evaluation_setup", submitted.cycle)).content.decode()
    assert f'name="entry_{submitted.report_a.pk}" id="id_entry_{submitted.report_a.pk}" checked' in page
    assert f'name="entry_{submitted.report_b.pk}" id="id_entry_{submitted.report_b.pk}">' in page
    assert 'value="班子成员"' in page and 'value="0.900"' in page or 'value="0.9"' in page
    data = {
        "title": "测试测评会",
        f"entry_{submitted.report_a.pk}": "on",
        f"order_{submitted.report_a.pk}": "1",
        "group_name_0": "班子成员", "group_size_0": "2", "group_weight_0": "70",
        "group_name_1": "群众代表", "group_size_1": "3", "group_weight_1": "30",
        "mark_label_0": "好", "mark_factor_0": "1",
        "mark_label_1": "较好", "mark_factor_1": "0.9",
        "mark_label_2": "一般", "mark_factor_2": "0.7",
        "mark_label_3": "差", "mark_factor_3": "0.5",
    }
    response = client.post(_url("evaluation_setup", submitted.cycle), data)
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.title == "测试测评会"
    assert [e.report_id for e in evaluation.entries.all()] == [submitted.report_a.pk]
    assert BallotCode.objects.filter(group__evaluation=evaluation).count() == 5


def test_setup_errors_keep_the_input(client, submitted):
    client.force_login(submitted.admin)
    data = {"title": "保留的标题", "group_name_0": "班子成员", "group_size_0": "2", "group_weight_0": "70", "mark_label_0": "好", "mark_factor_0": "1"}
    response = client.post(_url("evaluation_setup", submitted.cycle), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "请至少选择一个测评对象" in page
    assert "评价选项须有 2 到" in page
    assert 'value="保留的标题"' in page
    assert not Evaluation.objects.exists()


def test_setup_page_redirects_once_voting_opened(client, opened):
    client.force_login(opened.admin)
    response = client.get(_url("evaluation_setup", opened.cycle))
    assert response.status_code == 302


def test_codes_pdf_only_while_a_draft(client, scene):
    client.force_login(scene.admin)
    response = client.get(_url("evaluation_codes_pdf", scene.cycle))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    evaluation_open(evaluation=scene.evaluation, by=scene.admin)
    response = client.get(_url("evaluation_codes_pdf", scene.cycle))
    assert response.status_code == 302


def test_turnout_while_open_and_no_tallies(client, opened):
    vote(opened.evaluation, opened.codes["群众代表"][0], "好", "差")
    client.force_login(opened.admin)
    page = client.get(_url("evaluation", opened.cycle)).content.decode()
    assert re.search(r'data-group="群众代表">.*?turnout-cast">1<', page, re.S)
    assert 'id="tally"' not in page
    assert "票数统计在测评结束后显示" in page


def test_tally_after_closing(client, opened):
    vote(opened.evaluation, opened.codes["班子成员"][0], "好", "较好")
    evaluation_close(evaluation=opened.evaluation, by=opened.admin)
    client.force_login(opened.admin)
    page = client.get(_url("evaluation", opened.cycle)).content.decode()
    assert 'id="tally"' in page
    assert re.search(r'ballot-score">100.00<', page)
    assert re.search(r'ballot-score">90.00<', page)
    # One leader voted: their group has no line of its own in the tally (only the total).
    tally = page[page.index('id="tally"'):]
    assert "班子成员" not in tally and "其他" not in tally.split("</table>")[0]
    assert "不单独显示" in tally


def _tally_page_queries(client, world, year, extra):
    for index in range(extra):
        OrganizationFactory(parent=world.committee, secretary=UserFactory(username=f"s{year}_{index}"))
    cycle = launch_cycle(organization=world.committee, year=year, by=world.admin)
    evaluation, codes = setup_evaluation(cycle, world.admin)
    evaluation_open(evaluation=evaluation, by=world.admin)
    vote(evaluation, codes["班子成员"][0], *["好"] * evaluation.entries.count())
    evaluation_close(evaluation=evaluation, by=world.admin)
    client.force_login(world.admin)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url("evaluation", cycle)).status_code == 200
    return len(queries)


def test_tally_page_query_count_does_not_grow_with_organizations(client, world):
    assert _tally_page_queries(client, world, 2001, 0) == _tally_page_queries(client, world, 2002, 5)


# ---------------------------------------------------------------- the voters' pages


@pytest.fixture
def phone():
    return Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.7")


def _token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_voting_without_javascript_from_the_qr_link_to_the_receipt(phone, opened):
    evaluation = opened.evaluation
    code = opened.codes["班子成员"][1]
    marks = marks_by_label(evaluation)
    entry_a, entry_b = evaluation.entries.all()
    page = phone.get(reverse("vote:code", args=[code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script" not in html
    assert "甲社区党支部" in html and "书记" in html
    assert html.index("甲社区党支部") < html.index("乙社区党支部")  # meeting order
    assert page["Cache-Control"] == "no-store" or "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "strict-origin"
    token = _token(page)
    # Without the token the vote is refused (CSRF protected, no login needed).
    assert phone.post(reverse("vote:enter"), {"code": code, "step": "confirm"}).status_code == 403
    # One mark missing: the ballot again, with what was chosen kept.
    missing = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": code, "step": "review", f"entry_{entry_a.pk}": marks["较好"]})
    assert missing.status_code == 400
    assert "还有 1 项未选择" in missing.content.decode()
    assert f'value="{marks["较好"]}" checked' in missing.content.decode()
    chosen = {f"entry_{entry_a.pk}": marks["较好"], f"entry_{entry_b.pk}": marks["差"]}
    confirm = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": code, "step": "review", **chosen})
    assert confirm.status_code == 200
    assert "请确认您的评价" in confirm.content.decode()
    assert not Ballot.objects.exists()  # nothing cast before the confirmation
    receipt = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": code, "step": "confirm", **chosen})
    assert receipt.status_code == 200
    assert "您的测评票已计入" in receipt.content.decode()
    ballot = Ballot.objects.get()
    assert {v.entry_id: v.mark_id for v in ballot.votes.all()} == {entry_a.pk: marks["较好"], entry_b.pk: marks["差"]}
    # A second use of the code: a clear message, nothing counted twice.
    again = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": code, "step": "confirm", **chosen})
    assert again.status_code == 409
    assert "已经投过票" in again.content.decode()
    assert Ballot.objects.count() == 1
    assert phone.get(reverse("vote:code", args=[code])).status_code == 409


def test_typing_the_code_on_the_code_page(phone, opened):
    page = phone.get(reverse("vote:enter"))
    assert page.status_code == 200
    assert "csrftoken" in page.cookies
    code = opened.codes["群众代表"][0]
    typed = f"{code[:4]}-{code[4:8]} {code[8:12]}-{code[12:]}".lower()
    ballot = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": _token(page), "code": typed, "step": "enter"})
    assert ballot.status_code == 200
    assert "群众代表" in ballot.content.decode()
    assert f'name="code" value="{code}"' in ballot.content.decode()


def test_wrong_code_and_closed_evaluation_messages(phone, scene):
    token = _token(phone.get(reverse("vote:enter")))
    wrong = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": "ABCD-EFGH-JKLM-NPQR"})
    assert wrong.status_code == 404
    assert "测评码不正确" in wrong.content.decode()
    assert 'value="ABCD-EFGH-JKLM-NPQR"' in wrong.content.decode()  # the typed text stays
    not_open = phone.get(reverse("vote:code", args=[scene.codes["班子成员"][0]]))
    assert not_open.status_code == 403
    assert "不在投票时间内" in not_open.content.decode()


def test_wrong_codes_are_rate_limited_per_address_but_a_real_code_always_votes(opened):
    phone = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(20):
        assert phone.get(reverse("vote:code", args=["WRONGCODE"])).status_code == 404
    # Locked out: unknown codes are no longer checked …
    refused = phone.get(reverse("vote:code", args=["ABCD-EFGH-JKLM-NPQR"]))
    assert refused.status_code == 429
    assert "正确的测评码不受影响" in refused.content.decode()
    # … but a voter on the same network (the venue's Wi-Fi) with a real code votes.
    code = opened.codes["班子成员"][0]
    assert phone.get(reverse("vote:code", args=[code])).status_code == 200
    vote(opened.evaluation, code, "好", "好")
    assert phone.get(reverse("vote:code", args=[code])).status_code == 409  # a real, used code: told so
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(reverse("vote:code", args=["WRONGCODE"])).status_code == 404


def test_a_locked_out_address_casts_a_real_code_through_the_form(opened):
    phone = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.10")
    token = _token(phone.get(reverse("vote:enter")))
    for _ in range(21):
        wrong = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": "ABCD-EFGH-JKLM-NPQR"})
    assert wrong.status_code == 429
    code = opened.codes["群众代表"][1]
    marks = marks_by_label(opened.evaluation)
    chosen = {f"entry_{entry.pk}": marks["较好"] for entry in opened.evaluation.entries.all()}
    receipt = phone.post(reverse("vote:enter"), {"csrfmiddlewaretoken": token, "code": code, "step": "confirm", **chosen})
    assert receipt.status_code == 200
    assert "您的测评票已计入" in receipt.content.decode()
    assert Ballot.objects.count() == 1


def test_the_wrong_code_limit_is_kept_in_the_shared_cache(settings, opened):
    """Not in a worker's memory: the counter is a row of the database cache every process reads."""
    from django.core.cache import caches

    assert settings.CACHES["default"]["BACKEND"] in (
        "django.core.cache.backends.db.DatabaseCache", "django_redis.cache.RedisCache"
    )
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.db.DatabaseCache":
        pytest.skip("Redis configured: shared by construction")
    for _ in range(3):
        Client(REMOTE_ADDR="10.0.0.11").get(reverse("vote:code", args=["WRONGCODE"]))
    table = settings.CACHES["default"]["LOCATION"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        keys = [row[0] for row in cursor.fetchall()]
    assert [key for key in keys if "vote-wrong:" in key]
    assert not any("10.0.0.11" in key for key in keys)  # a keyed hash, not the address
    # A fresh cache object (as in another worker process) sees the same count.
    other_process = caches.create_connection("default")
    assert any(other_process.get(key.split(":", 2)[-1]) == 3 for key in keys if "vote-wrong:" in key)


def test_the_voter_pages_store_nothing_about_the_voter(phone, opened):
    page = phone.get(reverse("vote:code", args=[opened.codes["班子成员"][0]]))
    assert "sessionid" not in page.cookies


def test_behind_a_proxy_wrong_codes_count_per_client_not_per_proxy(settings, opened):
    settings.BEHIND_PROXY = True
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(20):
        Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.1").get(reverse("vote:code", args=["WRONGCODE"]))
    locked = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.1").get(reverse("vote:code", args=["WRONGCODE"]))
    assert locked.status_code == 429
    assert Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.2").get(reverse("vote:code", args=["WRONGCODE"])).status_code == 404


# ---------------------------------------------------------------- opening and closing confirm first


def test_opening_shows_its_consequences_and_needs_the_confirmation(client, scene):
    from branches.models import AuditEntry

    client.force_login(scene.admin)
    page = client.get(_url("evaluation_open", scene.cycle))
    html = page.content.decode()
    assert page.status_code == 200
    assert "测评码明文立即销毁" in html and "不能再修改" in html
    assert "共 7 个测评码" in html
    assert Evaluation.objects.get().status == Evaluation.Status.DRAFT  # a GET never acts
    assert not BallotCode.objects.filter(plain="").exists()
    unconfirmed = client.post(_url("evaluation_open", scene.cycle))
    assert unconfirmed.status_code == 400
    assert "请勾选“我已了解上述后果”" in unconfirmed.content.decode()
    assert Evaluation.objects.get().status == Evaluation.Status.DRAFT
    assert client.post(_url("evaluation_open", scene.cycle), {"confirm": "1"}).status_code == 302
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN
    # A second confirmation (a double click, a resent form) changes nothing and says why.
    again = client.post(_url("evaluation_open", scene.cycle), {"confirm": "1"}, follow=True)
    assert "不能开始测评" in again.content.decode()
    assert AuditEntry.objects.filter(summary__startswith="开始民主测评").count() == 1


def test_closing_at_low_turnout_says_so(client, opened):
    vote(opened.evaluation, opened.codes["班子成员"][0], "好", "好")
    client.force_login(opened.admin)
    page = client.get(_url("evaluation_close", opened.cycle))
    html = page.content.decode()
    assert page.status_code == 200
    assert "参测人数未过半数" in html and "应到 7 人" in html and "只有 1 人参测" in html
    assert "不能重新开始" in html
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN
    assert client.post(_url("evaluation_close", opened.cycle), {"confirm": ""}).status_code == 400
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN
    assert client.post(_url("evaluation_close", opened.cycle), {"confirm": "1"}).status_code == 302
    assert Evaluation.objects.get().status == Evaluation.Status.CLOSED


def test_closing_with_a_quorum_counts_paper_ballots_and_names_those_missing(client, opened):
    from reviews.ballots.services import paper_tallies_set

    evaluation = opened.evaluation
    for code in opened.codes["群众代表"][:2]:
        vote(evaluation, code, "好", "好")
    entry, leaders, good = evaluation.entries.all()[0], evaluation.groups.get(name="班子成员"), marks_by_label(evaluation)["好"]
    paper_tallies_set(evaluation=evaluation, counts={(entry.pk, leaders.pk, good): 2}, by=opened.admin)
    client.force_login(opened.admin)
    html = client.get(_url("evaluation_close", opened.cycle)).content.decode()
    assert "参测人数未过半数" not in html
    assert "已参测 4 人" in html  # 2 on phones + 2 on paper, of 7
    assert "尚未投票的测评码作废" in html


def test_the_confirmation_pages_only_for_the_right_state(client, scene):
    client.force_login(scene.admin)
    response = client.get(_url("evaluation_close", scene.cycle), follow=True)
    assert "不能结束测评" in response.content.decode()
    assert Evaluation.objects.get().status == Evaluation.Status.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_confirmation_pages_by_role(client, opened, role):
    response = login(client, opened, role).get(_url("evaluation_close", opened.cycle))
    expected = 200 if role in ALLOWED else (302 if role == "anonymous" else 404)
    assert response.status_code == expected


def test_the_ballot_page_never_sends_its_code_as_referer_and_voting_over_https_still_passes_csrf(phone, opened):
    """The stylesheet the ballot page loads would carry Referer: https://host/vote/<code>/ into
    the proxy's access log (nginx's combined format, `location /`) beside the voter's address
    and time: the page sends the origin only. Browsers then send a real Origin on the POST
    ("no-referrer" would send Origin: null), which the CSRF check over HTTPS accepts."""
    code = opened.codes["班子成员"][2]
    page = phone.get(reverse("vote:code", args=[code]), secure=True)
    assert page["Referrer-Policy"] in ("strict-origin", "origin")
    assert "/static/" in page.content.decode()  # the stylesheet request that would carry the Referer
    for step in ("enter", "review"):
        response = phone.post(
            reverse("vote:enter"), {"csrfmiddlewaretoken": _token(page), "code": code, "step": step},
            secure=True, HTTP_ORIGIN="https://testserver",
        )
        assert response.status_code in (200, 400), step
        assert response["Referrer-Policy"] in ("strict-origin", "origin")
