import pytest
from django.urls import reverse

from reports.diff import versions_diff

from .conftest import submit


def test_versions_diff_figures(returned_world):
    w = returned_world
    submit(w.report_a, w.secretary_a, member_count=30)
    a, b = w.report_a.versions.order_by("number")
    parts, figures = versions_diff(a, b)
    assert [p.field for p in parts] == ["preamble", "performance", "problems", "plans", "rectification"]
    assert not any(p.changed for p in parts)
    assert figures == [("党员人数", None, 30)]


@pytest.mark.parametrize(
    "url_name, args",
    [("admin:reports_cycle_changelist", []), ("admin:reports_report_changelist", []), ("admin:reports_reportversion_changelist", [])],
)
def test_admin_lists(client, submitted_world, url_name, args):
    client.force_login(submitted_world.superuser)
    assert client.get(reverse(url_name, args=args) + "?q=甲社区").status_code == 200


def test_admin_report_is_read_only(client, submitted_world):
    w = submitted_world
    client.force_login(w.superuser)
    url = reverse("admin:reports_report_change", args=[w.report_a.pk])
    html = client.get(url).content.decode()
    assert "全年召开主题党日12次。" in html and 'name="performance"' not in html
    response = client.post(url, {"performance": "管理员改的"})
    assert response.status_code == 403
    w.report_a.refresh_from_db()
    assert w.report_a.performance != "管理员改的"
    html = client.get(reverse("admin:reports_reportversion_change", args=[w.report_a.versions.get().pk])).content.decode()
    assert 'name="performance"' not in html


def test_admin_cycle_edits_dates_not_state(client, world):
    client.force_login(world.superuser)
    html = client.get(reverse("admin:reports_cycle_change", args=[world.cycle.pk])).content.decode()
    assert 'name="submission_deadline_0"' in html and 'name="status"' not in html
    assert client.get(reverse("admin:reports_cycle_add")).status_code == 403


def test_admin_is_closed_to_administrators_even_with_staff_status_and_permissions(client, world):
    """The admin site is for superusers only (config/admin.py): an administrator sees no report there,
    not even of their own subtree; they read reports on the app's pages."""
    submit(world.report_a, world.secretary_a)
    submit(world.report_c, world.secretary_c)
    world.other_admin.is_staff = True
    world.other_admin.save()
    from django.contrib.auth.models import Permission

    world.other_admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="reports"))
    client.force_login(world.other_admin)
    login = reverse("admin:login")
    for url in (
        reverse("admin:reports_report_changelist"),
        reverse("admin:reports_report_change", args=[world.report_a.pk]),
        reverse("admin:reports_report_change", args=[world.report_c.pk]),
        reverse("admin:reports_cycle_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url
        assert "丙社区党支部" not in response.content.decode()
