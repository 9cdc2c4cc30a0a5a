"""The browser infrastructure works end to end: assets are local, the login form logs in."""

from urllib.parse import urlsplit

from django.urls import reverse

from tests.factories import UserFactory


def test_login_page_loads_its_own_static_assets_only(page, live_url, live_server, page_requests, console_errors):
    response = page.goto(live_url("login"))

    assert response.status == 200
    assert page.title() == "登录 · 述评"
    # Bootstrap's CSS (a card is a flex box), our own CSS (party red) and Bootstrap's JS bundle all loaded.
    assert page.locator(".card").evaluate("el => getComputedStyle(el).display") == "flex"
    button = page.locator("form button[type=submit]")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(183, 28, 28)"
    assert page.evaluate("typeof window.bootstrap") == "object"
    static_requests = [url for url in page_requests if urlsplit(url).path.startswith("/static/")]
    assert any(url.endswith(".css") for url in static_requests)
    assert any(url.endswith(".js") for url in static_requests)
    server = urlsplit(live_server.url).netloc
    assert [url for url in page_requests if urlsplit(url).netloc != server] == []
    assert console_errors == []


def test_user_logs_in_with_the_real_form_and_lands_on_home(page, login, live_url):
    user = UserFactory(username="zhang_shuji", name="张书记")

    login(page, user)

    assert page.url == live_url("reports:home")
    assert page.locator("nav").get_by_text("张书记").is_visible()


def test_wrong_password_shows_the_chinese_error_and_keeps_the_username(page, live_url):
    UserFactory(username="li_shuji")
    page.goto(live_url("login"))
    page.fill("input[name=username]", "li_shuji")
    page.fill("input[name=password]", "wrong-password")

    with page.expect_navigation():
        page.click("form button[type=submit]")

    assert urlsplit(page.url).path == reverse("login")
    assert "用户名或密码不正确" in page.locator(".alert-danger").inner_text()
    assert page.input_value("input[name=username]") == "li_shuji"
    assert page.input_value("input[name=password]") == ""


def test_anonymous_visitor_is_sent_to_login(page, live_url):
    page.goto(live_url("reports:home"))

    assert urlsplit(page.url).path == reverse("login")
    assert page.locator("input[name=username]").is_visible()
