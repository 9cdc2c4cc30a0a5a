"""First login with an initial password: the person must set their own before anything else."""

from django.urls import reverse

from branches.roster import roster_import
from tests.branches.roster_helpers import roster_bytes
from tests.factories import PASSWORD, UserFactory


def test_must_change_password_redirects_everything_but_the_change_logout_and_static(client, db):
    user = UserFactory(username="newbie", must_change_password=True)
    client.force_login(user)
    for name in ["reports:home", "reviews:index", "branches:notifications", "branches:roster"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), name
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "请先设置自己的新密码" in page.content.decode()
    assert client.get("/static/css/shuping.css").status_code != 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_changing_the_password_clears_the_flag(client, db):
    user = UserFactory(username="newbie", must_change_password=True)
    client.force_login(user)
    same = client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert same.status_code == 200 and "新密码不能与当前密码相同" in same.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Dangjian#2026", "new_password2": "Dangjian#2026"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Dangjian#2026")
    assert client.get(reverse("reports:home")).status_code == 200


def test_users_without_the_flag_are_not_redirected(client, world):
    client.force_login(world.secretary_a)
    assert client.get(reverse("reports:home")).status_code == 200


def test_imported_secretary_logs_in_changes_password_and_sees_the_task(client, world):
    from tests.factories import launch_cycle

    outcome = roster_import(
        content=roster_bytes([("新区党委", "党委", "测试街道党工委", "", "", ""), ("新区第一党支部", "党支部", "新区党委", "林书记", "13900000011", "lin")]),
        by=world.admin,
    )
    password = next(p["password"] for p in outcome.passwords if p["username"] == "lin")
    new_committee = world.committee.children.get(name="新区党委")
    launch_cycle(organization=new_committee, by=world.admin)

    response = client.post(reverse("login"), {"username": "lin", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("reports:home"))["Location"] == reverse("password_change")
    client.post(reverse("password_change"), {"old_password": password, "new_password1": "Lin#Dangjian2026", "new_password2": "Lin#Dangjian2026"})
    home = client.get(reverse("reports:home"))
    assert home.status_code == 200
    assert "新区第一党支部" in home.content.decode() and "撰写" in home.content.decode()
