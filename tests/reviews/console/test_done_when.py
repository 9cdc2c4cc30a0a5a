"""The issue's acceptance path on the demo world, through the pages only."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from branches.models import Notification, Organization, User
from reports.models import Cycle
from tests.branches.roster_helpers import branches_rows, roster_bytes, sheet_rows


def test_orgadmin_imports_50_branches_opens_a_cycle_follows_and_reminds_then_a_new_secretary_starts(client, db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    orgadmin = User.objects.get(username="orgadmin")
    committee = Organization.objects.get(name="城关街道党工委")
    client.force_login(orgadmin)

    template = client.get(reverse("branches:roster_template"))
    assert sheet_rows(template.content, "党组织")[0][0] == "名称"
    content = roster_bytes(branches_rows(committee.name, 50, prefix="新"))
    preview = client.post(reverse("branches:roster_preview"), {"file": SimpleUploadedFile("名册.xlsx", content)})
    assert preview.status_code == 200 and preview.context["plan"].counts["new"] == 50
    applied = client.post(reverse("jobs:roster_apply"), {"checksum": preview.context["checksum"]})
    passwords = client.get(applied["Location"]).context["passwords"]  # 50 accounts: done in the request
    assert len(passwords) == 50
    new_branches = list(committee.children.filter(name__startswith="新第"))
    assert len(new_branches) == 50

    year = Cycle.objects.filter(organization=committee).order_by("-year").first().year + 1
    setup = client.get(reverse("reviews:cycle_setup"))
    assert setup.context["form"].initial["year"] == year
    deadline = timezone.localtime() + datetime.timedelta(days=20)
    response = client.post(
        reverse("reviews:cycle_setup"),
        {
            "organization": committee.pk,
            "year": year,
            "submission_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "rubric_source": setup.context["form"].initial["rubric_source"],
            "review_weight": "60",
            "routine_weight": "40",
            "ballot_weight": "0",
            "participants": [org.pk for org in new_branches],
        },
    )
    cycle = Cycle.objects.get(organization=committee, year=year)
    assert response["Location"] == reverse("reviews:progress", args=[cycle.pk])
    progress = client.get(reverse("reviews:progress", args=[cycle.pk]))
    assert progress.context["counts"]["not_started"] == 50 and progress.context["counts"]["late"] == 0

    Cycle.objects.filter(pk=cycle.pk).update(submission_deadline=timezone.now() - datetime.timedelta(hours=1))
    Notification.objects.all().delete()
    client.post(reverse("reviews:remind_late", args=[cycle.pk]))
    assert Notification.objects.count() == 50
    assert set(Notification.objects.values_list("user__username", flat=True)) == {p["username"] for p in passwords}

    client.logout()
    first = passwords[0]
    assert client.post(reverse("login"), {"username": first["username"], "password": first["password"]}).status_code == 302
    assert client.get(reverse("reports:home"))["Location"] == reverse("password_change")
    changed = client.post(
        reverse("password_change"),
        {"old_password": first["password"], "new_password1": "Xin#Shuji2026", "new_password2": "Xin#Shuji2026"},
    )
    assert changed.status_code == 302
    home = client.get(reverse("reports:home"))
    assert [r.cycle for r in home.context["current_reports"]] == [cycle]
    assert "撰写" in home.content.decode()
