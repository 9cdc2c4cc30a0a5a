"""Rubric order as users count it: from 1 (issue 20: “排序 0”)."""

import importlib

import pytest
from django.apps import apps
from django.db.models import F
from django.urls import reverse

from reviews.models import DEFAULT_CRITERIA, Criterion
from reviews.rubric_services import criterion_delete, criterion_save


def orders(cycle):
    return list(cycle.criteria.values_list("order", flat=True))


def test_a_launched_cycle_numbers_its_criteria_from_one(world):
    assert orders(world.cycle) == list(range(1, len(DEFAULT_CRITERIA) + 1))


def test_a_new_criterion_goes_last_even_after_a_deletion(world):
    count = world.cycle.criteria.count()
    criterion_delete(criterion=world.cycle.criteria.get(order=2), by=world.admin)
    added = criterion_save(cycle=world.cycle, by=world.admin, name="新增指标", max_points="5")
    assert added.order == count + 1  # not count (which the deletion made equal to the last one)


def test_rubric_page_shows_order_from_one_and_the_form_refuses_zero(client, world):
    client.force_login(world.admin)
    url = reverse("reviews:rubric", args=[world.cycle.pk])
    html = client.get(url).content.decode()
    assert "<td>1</td>" in html and "<td>0</td>" not in html
    assert 'name="order"' in html and 'value="0"' not in html.split('id="criterion-form"')[1]
    response = client.post(url, {"name": "零号指标", "max_points": "5", "order": "0", "description": ""})
    assert response.status_code == 400 and not Criterion.objects.filter(name="零号指标").exists()
    assert "请输入不小于 1 的数值。" in response.content.decode()
    client.post(url, {"name": "末尾指标", "max_points": "5", "order": "", "description": ""})
    assert Criterion.objects.get(name="末尾指标").order == len(DEFAULT_CRITERIA) + 1


@pytest.mark.django_db
def test_migration_moves_rubrics_numbered_from_zero_up_by_one(world):
    migration = importlib.import_module("reviews.migrations.0009_criterion_order_from_one")
    world.cycle.criteria.update(order=F("order") - 1)  # as launched before: 0, 1, 2 …
    world.other_cycle.criteria.filter(order=1).update(order=7)  # from 1 already: untouched
    before_other = orders(world.other_cycle)
    migration.orders_from_one(apps, None)
    assert orders(world.cycle) == list(range(1, len(DEFAULT_CRITERIA) + 1))
    assert orders(world.other_cycle) == before_other
