"""The roster pages through the test client: roles, preview → apply → passwords shown once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.middleware import ROSTER_PASSWORDS_SESSION_KEY
from branches.models import Organization, User
from branches.roster import MEMBER_SHEET, ORGANIZATION_SHEET
from tests.branches.roster_helpers import branches_rows, roster_bytes, sheet_rows

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]
ADMINISTRATORS = {"admin", "other_admin", "superuser"}
GET_PAGES = ["roster", "roster_template", "roster_export", "roster_passwords"]


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def upload(content, name="名册.xlsx"):
    return {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", GET_PAGES)
def test_get_pages_by_role(client, world, role, page):
    response = login(client, world, role).get(reverse(f"branches:{page}"))
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    elif role in ADMINISTRATORS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["roster_preview", "roster_apply"])
def test_post_pages_by_role(client, world, role, page):
    response = login(client, world, role).post(reverse(f"branches:{page}"), upload(roster_bytes()))
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    elif role in ADMINISTRATORS:
        assert response.status_code in (200, 302, 400)
    else:
        assert response.status_code == 403


def test_export_is_scoped_to_the_administrators_subtree(client, world):
    client.force_login(world.other_admin)
    response = client.get(reverse("branches:roster_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    names = {row[0] for row in sheet_rows(response.content, ORGANIZATION_SHEET)[1:]}
    assert names == {"另一街道党工委", "丙社区党支部"}
    members = sheet_rows(response.content, MEMBER_SHEET)[1:]
    assert [row[3] for row in members] == ["other_reviewer"]


def test_preview_apply_and_passwords_shown_once(client, world):
    client.force_login(world.admin)
    content = roster_bytes(branches_rows("测试街道党工委", 50))
    preview = client.post(reverse("branches:roster_preview"), upload(content))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "新增党组织 <strong>50</strong> 个" in page and "确认导入" in page
    assert not Organization.objects.filter(name__startswith="新建").exists()  # nothing written yet
    checksum = preview.context["checksum"]

    applied = client.post(reverse("branches:roster_apply"), {"checksum": checksum})
    assert applied.status_code == 302 and applied["Location"] == reverse("branches:roster_passwords")
    assert Organization.objects.filter(name__startswith="新建", parent=world.committee).count() == 50
    # the passwords are not readable from the session store without the browser's key
    assert "roster_key" in applied.cookies
    stored = client.session[ROSTER_PASSWORDS_SESSION_KEY]
    shown = client.get(reverse("branches:roster_passwords"))
    passwords = shown.context["passwords"]
    assert len(passwords) == 50 and all(p["password"] not in stored for p in passwords)
    user = User.objects.get(username=passwords[0]["username"])
    assert user.check_password(passwords[0]["password"]) and user.must_change_password
    assert passwords[0]["password"] in shown.content.decode()

    download = client.get(reverse("branches:roster_passwords_download"))
    assert download.status_code == 200
    rows = sheet_rows(download.content, "初始密码")
    assert rows[0] == ["姓名", "账号", "手机号", "职务", "初始密码"] and len(rows) == 51
    assert rows[1][4] == passwords[0]["password"]
    # gone afterwards
    assert client.get(reverse("branches:roster_passwords")).context["passwords"] is None
    again = client.get(reverse("branches:roster_passwords_download"))
    assert again.status_code == 302


def test_leaving_the_passwords_page_forgets_them(client, world):
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes(branches_rows("测试街道党工委", 2))))
    client.post(reverse("branches:roster_apply"), {"checksum": preview.context["checksum"]})
    assert client.get(reverse("branches:roster_passwords")).context["passwords"]
    client.get(reverse("reports:home"))
    assert ROSTER_PASSWORDS_SESSION_KEY not in client.session
    assert client.get(reverse("branches:roster_passwords")).context["passwords"] is None


def test_preview_with_errors_offers_no_apply_and_apply_needs_the_previewed_file(client, world):
    client.force_login(world.admin)
    bad = client.post(reverse("branches:roster_preview"), upload(roster_bytes([("新支部", "党支部", "不存在", "", "", "")])))
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "找不到党组织“不存在”" in page and "确认导入" not in page
    stale = client.post(reverse("branches:roster_apply"), {"checksum": "0" * 64})
    assert stale.status_code == 302 and stale["Location"] == reverse("branches:roster")
    assert not Organization.objects.filter(name="新支部").exists()


def test_apply_revalidates(client, world):
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes([("新支部", "党支部", "甲社区党支部", "", "", "")])))
    assert preview.status_code == 200
    # between preview and apply the parent moves out of the administrator's reach
    world.committee.administrators.remove(world.admin)
    world.other_committee.administrators.add(world.admin)
    response = client.post(reverse("branches:roster_apply"), {"checksum": preview.context["checksum"]})
    assert response.status_code == 400 and "未导入任何内容" in response.content.decode()
    assert not Organization.objects.filter(name="新支部").exists()


def test_upload_must_be_xlsx(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("branches:roster_preview"), upload(b"a,b", name="roster.csv"))
    assert response.status_code == 400 and "请上传 Excel 工作簿（.xlsx）文件" in response.content.decode()
