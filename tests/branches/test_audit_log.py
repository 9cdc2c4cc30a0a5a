"""The audit log page (branches:audit_log): who sees which entries, filters, paging, query count,
and that entries can only be read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, get_resolver, reverse

from branches.models import AuditEntry
from branches.services import audit_record
from reports.services import report_return
from tests.reports.conftest import submit

URL = reverse("branches:audit_log")


@pytest.fixture
def audited(world):
    """world with report_a submitted and returned (by admin) and report_c submitted."""
    submit(world.report_a, world.secretary_a)
    report_return(report=world.report_a, by=world.admin, reason="整改情况写得太简单。")
    submit(world.report_c, world.secretary_c)
    return world


def get_as(client, user, query=""):
    client.force_login(user)
    return client.get(URL + query)


def test_anonymous_is_sent_to_login(client, audited):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["secretary_a", "secretary_b", "reviewer", "other_reviewer"])
def test_non_administrators_are_forbidden(client, audited, role):
    assert get_as(client, getattr(audited, role)).status_code == 403


def test_administrator_sees_the_entries_of_their_subtree_only(client, audited):
    response = get_as(client, audited.admin)

    assert response.status_code == 200
    entries = list(response.context["page"])
    assert {e.organization for e in entries} <= {audited.committee, audited.branch_a, audited.branch_b}
    actions = {e.action for e in entries}
    assert {AuditEntry.Action.REPORT_SUBMITTED, AuditEntry.Action.REPORT_RETURNED, AuditEntry.Action.CYCLE_OPENED} <= actions
    html = response.content.decode()
    assert "整改情况写得太简单。" in html  # the return reason
    assert "丙社区党支部" not in html.split('id="audit-entries"')[1]


def test_other_administrator_does_not_see_this_subtree(client, audited):
    response = get_as(client, audited.other_admin)

    organizations = {e.organization for e in response.context["page"]}
    assert audited.branch_c in organizations
    assert not organizations & {audited.committee, audited.branch_a, audited.branch_b}
    assert "整改情况写得太简单。" not in response.content.decode()


def test_superuser_sees_every_subtree(client, audited):
    organizations = {e.organization for e in get_as(client, audited.superuser).context["page"]}
    assert {audited.branch_a, audited.branch_c} <= organizations


def test_filter_by_action_and_organization(client, audited):
    returned = get_as(client, audited.admin, "?action=report_returned").context["page"]
    assert [e.action for e in returned] == [AuditEntry.Action.REPORT_RETURNED]

    by_branch = get_as(client, audited.admin, f"?organization={audited.branch_a.pk}").context["page"]
    assert {e.organization for e in by_branch} == {audited.branch_a}
    assert len(by_branch) == 2  # submitted, returned

    # Another subtree's organization by guessed id: nothing, not its entries.
    guessed = get_as(client, audited.admin, f"?organization={audited.branch_c.pk}").context["page"]
    assert list(guessed) == []
    # Nonsense filters are ignored rather than failing.
    assert get_as(client, audited.admin, "?action=drop&organization=x").status_code == 200


def test_paginated_and_the_filter_survives_paging(client, audited):
    for n in range(60):
        audit_record(
            organization=audited.branch_b, actor=audited.admin, action=AuditEntry.Action.SETTINGS_CHANGED, summary=f"设置{n}"
        )
    first = get_as(client, audited.admin, "?action=settings_changed")
    assert len(first.context["page"]) == 50
    assert "action=settings_changed&amp;page=2" in first.content.decode()
    second = get_as(client, audited.admin, "?action=settings_changed&page=2")
    assert len(second.context["page"]) == 10


def test_query_count_does_not_grow_with_the_entries(client, audited):
    def queries():
        client.force_login(audited.admin)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    for n in range(40):
        audit_record(
            organization=audited.branch_a, actor=audited.secretary_a, action=AuditEntry.Action.REPORT_SUBMITTED, summary=f"提交{n}"
        )
    assert queries() == few


def test_content_is_escaped(client, audited):
    audit_record(
        organization=audited.branch_a,
        actor=audited.admin,
        action=AuditEntry.Action.GRADE_OVERRIDDEN,
        summary="<script>alert(1)</script>",
        reason="<img src=x onerror=alert(1)>",
    )
    html = get_as(client, audited.admin).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html


def test_linked_from_the_administrator_index(client, audited):
    client.force_login(audited.admin)
    assert f'href="{URL}"' in client.get(reverse("reviews:admin_index")).content.decode()


def test_the_log_is_read_only(client, audited):
    """Append-only: the page refuses writes, and no URL of the project edits or deletes an entry."""
    client.force_login(audited.superuser)
    entry = AuditEntry.objects.first()
    assert client.post(URL, {"id": entry.pk}).status_code == 405
    names = [name for name in _url_names(get_resolver()) if "audit" in name]
    assert names == ["branches:audit_log"]
    for verb in ("edit", "delete", "update", "change"):
        with pytest.raises(NoReverseMatch):
            reverse(f"branches:audit_{verb}", args=[entry.pk])
    # Nor does the system admin site, even for a superuser.
    for admin_url in ("admin:branches_auditentry_change", "admin:branches_auditentry_delete"):
        assert client.post(reverse(admin_url, args=[entry.pk]), {"post": "yes", "summary": "改"}).status_code == 403
    assert client.post(reverse("admin:branches_auditentry_add"), {"summary": "伪造"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).summary == entry.summary


def _url_names(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if hasattr(entry, "url_patterns"):
            if entry.namespace == "admin":
                continue
            yield from _url_names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif entry.name:
            yield f"{namespace}{entry.name}"
