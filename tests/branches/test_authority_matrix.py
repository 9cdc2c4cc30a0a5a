"""Admin-site and people/roster URLs × roles (issue 12).

Roles: anonymous, a secretary, a reviewer, the subtree administrator, another subtree's
administrator and the superuser. Both administrators are given the worst case of the old design —
staff status and every model permission — so the admin site is shown to rest on superuser status
alone. Targets: the superuser, the other subtree's administrator (also attached to one of the
administrator's branches, as the issue's attack would leave them), an unattached user, a person
straddling both subtrees and an ordinary secretary of the subtree.

Outcomes: "admin-login" (302 to the admin's login), "login" (302 to the app's login), or a status."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from branches.models import AuditEntry
from tests.factories import PASSWORD, UserFactory, build_world

ROLES = ["anonymous", "secretary_a", "reviewer", "admin", "other_admin", "superuser"]
TARGETS = ["secretary_a", "superuser", "other_admin", "newcomer", "straddler", "admin"]


@pytest.fixture
def w(db):
    w = build_world()
    everything = Permission.objects.all()
    for administrator in (w.admin, w.other_admin):
        administrator.is_staff = True
        administrator.save(update_fields=["is_staff"])
        administrator.user_permissions.set(everything)
    w.newcomer = UserFactory(username="newcomer")
    w.straddler = UserFactory(username="straddler")
    w.branch_b.committee_members.add(w.straddler)
    w.branch_c.committee_members.add(w.straddler)
    w.branch_a.committee_members.add(w.other_admin)
    return w


def outcome(response):
    if response.status_code == 302:
        location = response["Location"].split("?")[0]
        if location == reverse("admin:login"):
            return "admin-login"
        if location == reverse("login"):
            return "login"
        return "302"
    return str(response.status_code)


def fetch(client, w, role, url, data=None):
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(w, role))
    return outcome(client.post(url, data) if data is not None else client.get(url))


CLOSED = "admin-login admin-login admin-login admin-login admin-login 200"

ADMIN_SITE = [
    ("admin:index", None),
    ("admin:branches_user_changelist", None),
    ("admin:branches_user_add", None),
    ("admin:branches_organization_changelist", None),
    ("admin:branches_organization_add", None),
    ("admin:branches_organization_change", "committee"),
    ("admin:branches_auditentry_changelist", None),
    ("admin:auth_group_changelist", None),
    ("admin:reports_report_changelist", None),
    ("admin:reviews_problemcategory_changelist", None),
    ("admin:reviews_criterion_changelist", None),
]


@pytest.mark.parametrize("name, target", ADMIN_SITE)
def test_admin_site_pages(client, w, name, target):
    url = reverse(name, args=[getattr(w, target).pk] if target else [])
    assert [fetch(client, w, role, url) for role in ROLES] == CLOSED.split(), url


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", ["admin:branches_user_change", "admin:auth_user_password_change"])
def test_admin_user_and_password_pages(client, w, name, target):
    url = reverse(name, args=[getattr(w, target).pk])
    assert [fetch(client, w, role, url) for role in ROLES] == CLOSED.split(), url


@pytest.mark.parametrize("role", ROLES[:-1])
@pytest.mark.parametrize("target", TARGETS)
def test_admin_password_post_changes_nothing_but_for_the_superuser(client, w, role, target):
    url = reverse("admin:auth_user_password_change", args=[getattr(w, target).pk])
    data = {"password1": "Takeover-2026x", "password2": "Takeover-2026x", "usable_password": "true"}
    assert fetch(client, w, role, url, data) == "admin-login"
    person = getattr(w, target)
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_superuser_sets_a_password_in_the_admin(client, w):
    url = reverse("admin:auth_user_password_change", args=[w.other_admin.pk])
    data = {"password1": "Handover-2026x", "password2": "Handover-2026x", "usable_password": "true"}
    assert fetch(client, w, "superuser", url, data) == "302"
    w.other_admin.refresh_from_db()
    assert w.other_admin.check_password("Handover-2026x")


#                      anonymous secretary reviewer admin other_admin superuser
APP_PAGES = {
    ("branches:organizations", None): "login 403 403 200 200 200",
    ("branches:organization", "branch_a"): "login 403 403 200 404 200",
    ("branches:organization", "branch_c"): "login 403 403 404 200 200",
    ("branches:people", None): "login 403 403 200 200 200",
    ("branches:roster", None): "login 403 403 200 200 200",
    ("branches:roster_export", None): "login 403 403 200 200 200",
    ("password_change", None): "login 200 200 200 200 200",
}
#                  anonymous secretary reviewer admin other_admin superuser
PERSON_PAGES = {
    "secretary_a": "login 403 403 200 404 200",
    "superuser": "login 403 403 404 404 404",
    "other_admin": "login 403 403 404 404 200",
    "newcomer": "login 403 403 404 404 200",
    "straddler": "login 403 403 404 404 200",
    "admin": "login 403 403 404 404 200",
}


@pytest.mark.parametrize("name, target", list(APP_PAGES))
def test_app_pages(client, w, name, target):
    url = reverse(name, args=[getattr(w, target).pk] if target else [])
    assert [fetch(client, w, role, url) for role in ROLES] == APP_PAGES[name, target].split(), url


@pytest.mark.parametrize("target", list(PERSON_PAGES))
@pytest.mark.parametrize("name", ["branches:person", "branches:person_password"])
def test_person_and_password_reset_pages(client, w, name, target):
    url = reverse(name, args=[getattr(w, target).pk])
    assert [fetch(client, w, role, url) for role in ROLES] == PERSON_PAGES[target].split(), url


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", TARGETS)
def test_password_reset_post(client, w, role, target):
    """The POST that resets: only where the GET page was 200; everywhere else nothing changes."""
    person = getattr(w, target)
    url = reverse("branches:person_password", args=[person.pk])
    result = fetch(client, w, role, url, {"reason": "矩阵测试"})
    allowed = PERSON_PAGES[target].split()[ROLES.index(role)] == "200"
    person.refresh_from_db()
    assert (result == "200") == allowed
    assert person.check_password(PASSWORD) != allowed
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_RESET, object_id=person.pk).exists() == allowed
