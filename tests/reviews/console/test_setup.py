"""Year setup: the guided page opens a cycle for the chosen organizations; secretaries are told and see the task."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Notification
from reports.models import Cycle
from tests.factories import OrganizationFactory, UserFactory
from tests.reviews.console.conftest import ROLES


def form_data(world, year, **extra):
    deadline = timezone.localtime() + datetime.timedelta(days=40)
    data = {
        "organization": world.committee.pk,
        "year": year,
        "title": "",
        "submission_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "review_deadline": "",
        "meeting_date": "",
        "rubric_source": str(world.cycle.pk),
        "review_weight": "50",
        "routine_weight": "30",
        "ballot_weight": "20",
        "participants": [world.branch_a.pk],
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_setup_page_by_role(as_role, world, role):
    response = as_role(role).get(reverse("reviews:cycle_setup"), {"organization": world.committee.pk})
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    elif role in ("admin", "superuser"):
        assert response.status_code == 200 and response.context["form"] is not None
    elif role == "other_admin":
        assert response.status_code == 404  # another subtree's organization by guessed id
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["other_admin", "secretary_a", "reviewer"])
def test_others_cannot_open_a_cycle_here(as_role, world, role):
    year = world.cycle.year + 1
    response = as_role(role).post(reverse("reviews:cycle_setup"), form_data(world, year))
    assert response.status_code in (403, 404)
    assert not Cycle.objects.filter(organization=world.committee, year=year).exists()


def test_single_reviewing_organization_is_preselected_with_defaults(as_role, world):
    response = as_role("admin").get(reverse("reviews:cycle_setup"))
    form = response.context["form"]
    assert response.context["organization"] == world.committee
    assert form.initial["year"] == world.cycle.year + 1
    assert form.initial["rubric_source"] == str(world.cycle.pk)  # last year's rubric by default
    assert set(form.initial["participants"]) == {world.branch_a.pk, world.branch_b.pk}  # all direct children


def test_opening_a_cycle_for_chosen_participants(as_role, world):
    year = world.cycle.year + 1
    world.cycle.criteria.filter(order=1).update(name="去年改过的指标")
    response = as_role("admin").post(reverse("reviews:cycle_setup"), form_data(world, year))
    cycle = Cycle.objects.get(organization=world.committee, year=year)
    assert response.status_code == 302 and response["Location"] == reverse("reviews:progress", args=[cycle.pk])
    assert cycle.status == Cycle.Status.COLLECTING
    assert cycle.title == f"{year}年度党组织书记抓基层党建工作述职评议"
    assert list(cycle.reports.values_list("organization", flat=True)) == [world.branch_a.pk]
    assert cycle.criteria.filter(name="去年改过的指标").exists()  # copied
    settings = cycle.result_settings
    assert (settings.review_weight, settings.routine_weight, settings.ballot_weight) == (Decimal(50), Decimal(30), Decimal(20))
    assert cycle.reports.get().assignments.filter(reviewer=world.reviewer).exists()
    # only the participating secretary is told, and sees the task at home
    told = Notification.objects.filter(text__contains=cycle.title)
    assert list(told.values_list("user", flat=True)) == [world.secretary_a.pk]
    as_role("secretary_a")
    home = as_role("secretary_a").get(reverse("reports:home"))
    assert any(r.cycle == cycle for r in home.context["current_reports"])
    assert not any(r.cycle == cycle for r in as_role("secretary_b").get(reverse("reports:home")).context["current_reports"])


def test_default_rubric_when_chosen(as_role, world):
    year = world.cycle.year + 1
    world.cycle.criteria.filter(order=1).update(name="去年改过的指标")
    as_role("admin").post(reverse("reviews:cycle_setup"), form_data(world, year, rubric_source=""))
    cycle = Cycle.objects.get(organization=world.committee, year=year)
    assert cycle.criteria.count() == 5 and not cycle.criteria.filter(name="去年改过的指标").exists()


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"year": None}, "year", "已有"),
        ({"ballot_weight": "10"}, "review_weight", "各项权重之和须为 100"),
        ({"participants": []}, "participants", "请至少选择一个参加述职的党组织"),
        ({"submission_deadline": ""}, "submission_deadline", "请填写此项"),
        ({"participants": ["999999"]}, "participants", ""),
    ],
)
def test_invalid_input_stays_on_the_page_with_chinese_errors(as_role, world, extra, field, message):
    year = world.cycle.year if extra.pop("year", 0) is None else world.cycle.year + 1
    response = as_role("admin").post(reverse("reviews:cycle_setup"), form_data(world, year, title="我的标题", **extra))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert "我的标题" in response.content.decode()
    assert Cycle.objects.filter(organization=world.committee).count() == 1


def test_participants_are_only_direct_children_of_the_reviewing_organization(as_role, world):
    response = as_role("admin").post(
        reverse("reviews:cycle_setup"), form_data(world, world.cycle.year + 1, participants=[world.branch_c.pk])
    )
    assert response.status_code == 400 and "participants" in response.context["form"].errors


def test_choice_of_reviewing_organization_when_there_are_several(as_role, world):
    general = OrganizationFactory(name="机关党总支", parent=world.committee, kind="general_branch")
    OrganizationFactory(name="机关第一党支部", parent=general, secretary=UserFactory(username="g1"))
    response = as_role("admin").get(reverse("reviews:cycle_setup"))
    assert response.status_code == 200 and response.context["form"] is None
    assert {org.name for org in response.context["organizations"]} == {"测试街道党工委", "机关党总支"}
    chosen = as_role("admin").get(reverse("reviews:cycle_setup"), {"organization": general.pk})
    assert [org.name for org in chosen.context["form"].fields["participants"].queryset] == ["机关第一党支部"]
