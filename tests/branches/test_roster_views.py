"""The roster pages through the test client: roles, preview → apply (a job: in the request when
small, in the worker when large) → passwords shown once, to the requester's browser only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from branches.middleware import ROSTER_PASSWORDS_SESSION_KEY
from branches.models import Organization, User
from branches.roster import MEMBER_SHEET, ORGANIZATION_SHEET, RosterInvalid
from branches.roster import apply as roster_apply_module
from jobs.models import Job
from tests.branches.roster_helpers import branches_rows, roster_bytes, sheet_rows
from tests.jobs.helpers import run_queued

ROLES = ["anonymous", "secretary_a", "secretary_b", "reviewer", "other_reviewer", "admin", "other_admin", "superuser"]
ADMINISTRATORS = {"admin", "other_admin", "superuser"}
GET_PAGES = ["roster", "roster_template", "roster_export"]


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
@pytest.mark.parametrize("page", ["branches:roster_preview", "jobs:roster_apply"])
def test_post_pages_by_role(client, world, role, page):
    response = login(client, world, role).post(reverse(page), upload(roster_bytes()))
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

    # 50 new accounts: within JOBS_ROSTER_IN_REQUEST, the job runs in the request
    applied = client.post(reverse("jobs:roster_apply"), {"checksum": checksum})
    job = Job.objects.get(kind=Job.Kind.ROSTER)
    page_url = reverse("jobs:roster_passwords", args=[job.pk])
    assert applied.status_code == 302 and applied["Location"] == page_url
    assert job.status == Job.Status.DONE and job.requested_by == world.admin
    assert Organization.objects.filter(name__startswith="新建", parent=world.committee).count() == 50
    # the passwords are not readable from the session store or the job without the browser's key
    assert applied.cookies["roster_key"]["path"] == page_url
    stored = str(client.session[ROSTER_PASSWORDS_SESSION_KEY])
    shown = client.get(page_url)
    passwords = shown.context["passwords"]
    row = str(Job.objects.filter(pk=job.pk).values().get())
    assert len(passwords) == 50 and all(p["password"] not in stored + row for p in passwords)
    user = User.objects.get(username=passwords[0]["username"])
    assert user.check_password(passwords[0]["password"]) and user.must_change_password
    assert passwords[0]["password"] in shown.content.decode()
    assert "名册已导入：新增50个党组织，修改0个，新建50个账号" in shown.content.decode()

    download = client.get(reverse("jobs:roster_passwords_download", args=[job.pk]))
    assert download.status_code == 200
    rows = sheet_rows(download.content, "初始密码")
    assert rows[0] == ["姓名", "账号", "手机号", "职务", "初始密码"] and len(rows) == 51
    assert rows[1][4] == passwords[0]["password"]
    # gone afterwards
    assert client.get(page_url).context["passwords"] is None
    again = client.get(reverse("jobs:roster_passwords_download", args=[job.pk]))
    assert again.status_code == 302


def test_leaving_the_passwords_page_forgets_them(client, world):
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes(branches_rows("测试街道党工委", 2))))
    page_url = client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]})["Location"]
    assert client.get(page_url).context["passwords"]
    client.get(reverse("reports:home"))
    assert ROSTER_PASSWORDS_SESSION_KEY not in client.session
    assert client.get(page_url).context["passwords"] is None


def test_preview_with_errors_offers_no_apply_and_apply_needs_the_previewed_file(client, world):
    client.force_login(world.admin)
    bad = client.post(reverse("branches:roster_preview"), upload(roster_bytes([("新支部", "党支部", "不存在", "", "", "")])))
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "找不到党组织“不存在”" in page and "确认导入" not in page
    stale = client.post(reverse("jobs:roster_apply"), {"checksum": "0" * 64})
    assert stale.status_code == 302 and stale["Location"] == reverse("branches:roster")
    assert not Organization.objects.filter(name="新支部").exists()


def test_apply_revalidates(client, world):
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes([("新支部", "党支部", "甲社区党支部", "", "", "")])))
    assert preview.status_code == 200
    # between preview and apply the parent moves out of the administrator's reach
    world.committee.administrators.remove(world.admin)
    world.other_committee.administrators.add(world.admin)
    response = client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]})
    assert response.status_code == 400 and "未导入任何内容" in response.content.decode()
    assert not Organization.objects.filter(name="新支部").exists() and not Job.objects.exists()


def test_upload_must_be_xlsx(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("branches:roster_preview"), upload(b"a,b", name="roster.csv"))
    assert response.status_code == 400 and "请上传 Excel 工作簿（.xlsx）文件" in response.content.decode()


def start_in_background(client, world, count, settings):
    settings.JOBS_ROSTER_IN_REQUEST = count - 1
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes(branches_rows("测试街道党工委", count))))
    applied = client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]})
    job = Job.objects.get(kind=Job.Kind.ROSTER)
    assert applied.status_code == 302 and applied["Location"] == reverse("jobs:detail", args=[job.pk])
    return job


def test_a_large_import_runs_in_the_background_and_its_passwords_wait_for_the_requester(client, world, settings):
    job = start_in_background(client, world, 12, settings)
    assert job.status == Job.Status.QUEUED
    assert not Organization.objects.filter(name__startswith="新建").exists()  # nothing written yet
    page_url = reverse("jobs:roster_passwords", args=[job.pk])
    waiting = client.get(reverse("jobs:detail", args=[job.pk]))
    assert waiting.status_code == 200 and waiting.context["state"]["result_url"] == ""
    assert client.get(page_url)["Location"] == reverse("jobs:detail", args=[job.pk])  # not finished yet
    client.get(reverse("reports:home"))  # going elsewhere while it runs keeps the key
    assert run_queued() == 1
    state = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["status"] == "done" and (state["done"], state["total"]) == (24, 24) and state["result_url"] == page_url
    assert "查看导入结果与初始密码" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    passwords = client.get(page_url).context["passwords"]
    assert len(passwords) == 12 and Organization.objects.filter(name__startswith="新建").count() == 12
    user = User.objects.get(username=passwords[0]["username"])
    assert user.check_password(passwords[0]["password"])
    rows = sheet_rows(client.get(reverse("jobs:roster_passwords_download", args=[job.pk])).content, "初始密码")
    assert len(rows) == 13
    assert client.get(page_url).context["passwords"] is None  # once


def test_another_browser_of_the_same_administrator_sees_no_passwords(client, world, settings):
    job = start_in_background(client, world, 3, settings)
    run_queued()
    other = Client()
    other.force_login(world.admin)
    response = other.get(reverse("jobs:roster_passwords", args=[job.pk]))
    assert response.status_code == 200 and response.context["passwords"] is None
    assert client.get(reverse("jobs:roster_passwords", args=[job.pk])).context["passwords"]


JOB_PAGES = ["jobs:detail", "jobs:status", "jobs:roster_passwords", "jobs:roster_passwords_download"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_requester_sees_a_roster_job(client, world, settings, role):
    job = start_in_background(client, world, 3, settings)
    run_queued()
    client.logout()  # a new session: the passwords' key is gone, the job is not
    expected = {
        "anonymous": ["login"] * 4,
        "admin": [200, 200, 200, 302],
        "other_admin": [404] * 4,
        "superuser": [404] * 4,  # even a superuser: the job is its requester's
    }.get(role, [404, 404, 403, 403])  # everyone else: no such job, and the roster pages are not theirs
    outcomes = []
    for name in JOB_PAGES:
        response = login(client, world, role).get(reverse(name, args=[job.pk]))
        login_page = response.status_code == 302 and reverse("login") in response["Location"]
        outcomes.append("login" if login_page else response.status_code)
    assert outcomes == expected


def test_another_administrator_of_the_same_organization_gets_a_404(client, world, settings):
    job = start_in_background(client, world, 3, settings)
    run_queued()
    colleague = User.objects.create(username="colleague_admin", name="同级管理员")
    world.committee.administrators.add(colleague)
    client.force_login(colleague)
    assert [client.get(reverse(name, args=[job.pk])).status_code for name in JOB_PAGES] == [404] * 4
    client.force_login(world.admin)
    assert client.get(reverse("jobs:roster_passwords", args=[job.pk + 1000])).status_code == 404  # a guessed id


def test_a_failure_after_accounts_were_created_still_delivers_their_passwords(client, world, monkeypatch):
    """The roster changed between the accounts and the organizations (another administrator's
    import): the job fails with its message, and the accounts it did create are not orphaned
    without their passwords."""
    def changed_meanwhile(**kwargs):
        raise RosterInvalid(None)

    monkeypatch.setattr(roster_apply_module, "_write", changed_meanwhile)
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes(branches_rows("测试街道党工委", 2))))
    applied = client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]})
    job = Job.objects.get(kind=Job.Kind.ROSTER)
    assert job.status == Job.Status.FAILED and applied["Location"] == reverse("jobs:roster_passwords", args=[job.pk])
    page = client.get(applied["Location"])
    assert "名册在预览后发生了变化" in page.content.decode()
    assert [p["username"] for p in page.context["passwords"]] == ["新建_sec0", "新建_sec1"]
    assert not Organization.objects.filter(name__startswith="新建").exists()


def test_a_failure_without_new_accounts_returns_to_the_roster_with_the_message(client, world, monkeypatch):
    def changed_meanwhile(**kwargs):
        raise RosterInvalid(None)

    monkeypatch.setattr(roster_apply_module, "_write", changed_meanwhile)
    client.force_login(world.admin)
    preview = client.post(reverse("branches:roster_preview"), upload(roster_bytes([("新支部", "党支部", "测试街道党工委", "", "", "")])))
    applied = client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]}, follow=True)
    assert applied.redirect_chain[-1][0] == reverse("branches:roster")
    assert "名册在预览后发生了变化" in applied.content.decode()
    assert Job.objects.get(kind=Job.Kind.ROSTER).status == Job.Status.FAILED
