"""The roster format can re-create the demo world (seed_demo): export it, import it into an empty database."""

import io

from django.core.management import call_command

from branches.models import Organization, User
from branches.roster import roster_export, roster_import


def snapshot():
    organizations = {
        (org.name, org.get_kind_display(), org.parent.name if org.parent else None, org.secretary.username if org.secretary else None)
        for org in Organization.objects.select_related("parent", "secretary")
    }
    members = {
        (org.name, member.username) for org in Organization.objects.all() for member in org.committee_members.all()
    }
    people = {
        (user.username, user.name, user.phone)
        for user in User.objects.filter(pk__in=[*Organization.objects.values_list("secretary", flat=True), *User.objects.filter(committee_organizations__isnull=False).values_list("pk", flat=True)])
    }
    return organizations, members, people


def test_export_of_the_seeded_world_recreates_it_in_an_empty_database(transactional_db):
    # transactional_db: emptying the database with `flush` (TRUNCATE) cannot run inside the
    # test's own transaction on PostgreSQL while deferred constraint checks are pending.
    call_command("seed_demo", stdout=io.StringIO())
    superuser = User.objects.get(username="admin")
    content = roster_export(superuser)
    expected = snapshot()
    # the demo: a county committee above two townships (17 organizations, 8 committee seats)
    assert len(expected[0]) == 17 and len(expected[1]) == 8

    call_command("flush", interactive=False, verbosity=0)
    assert not Organization.objects.exists()
    importer = User.objects.create(username="installer", is_superuser=True, is_staff=True)
    outcome = roster_import(content=content, by=importer)

    assert snapshot() == expected
    assert {p["username"] for p in outcome.passwords} == {username for username, _name, _phone in expected[2]}
    assert all(user.must_change_password for user in User.objects.exclude(pk=importer.pk))
    # the paths are a real tree
    for org in Organization.objects.select_related("parent"):
        assert org.path == (org.parent.path if org.parent else "/") + f"{org.pk}/"
