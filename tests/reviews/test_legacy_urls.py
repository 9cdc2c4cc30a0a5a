"""The year's pages moved from /reviews/admin/ to /reviews/cycles/: every old address redirects
permanently to the new one of the same page, with its query; the new address checks access."""

import pytest
from django.urls import reverse

from tests.test_permission_matrix import url_patterns


def old_address(new):
    """The address a page had before the move: /reviews/cycles/<id>/… was /reviews/admin/cycle/<id>/…"""
    tail = new.removeprefix("/reviews/cycles/")
    first, _, rest = tail.partition("/")
    return "/reviews/admin/" + (f"cycle/{first}/{rest}" if first.isdigit() else tail)


def moved_pages():
    for name, pattern in url_patterns():
        if name.startswith("reviews:") and str(pattern.pattern).startswith("cycles/"):
            kwargs = {kwarg: 7 for kwarg in pattern.pattern.regex.groupindex}
            yield name, reverse(name, kwargs=kwargs)


def test_the_years_pages_no_longer_live_under_admin():
    pages = dict(moved_pages())
    assert len(pages) >= 30
    assert pages["reviews:admin_index"] == "/reviews/cycles/"
    assert pages["reviews:admin_cycle"] == "/reviews/cycles/7/"
    assert not any(path.startswith("/reviews/admin/") for path in pages.values())


@pytest.mark.django_db
@pytest.mark.parametrize("name, new", sorted(moved_pages()))
def test_every_old_address_redirects_permanently_to_the_new_one(client, name, new):
    response = client.get(old_address(new))
    assert response.status_code == 301, name
    assert response["Location"] == new


@pytest.mark.django_db
def test_the_redirect_keeps_the_query_and_leaves_access_to_the_new_address(client, world):
    old = f"/reviews/admin/cycle/{world.cycle.pk}/progress/?state=late&sort=name"
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == reverse("reviews:progress", args=[world.cycle.pk]) + "?state=late&sort=name"
    client.force_login(world.secretary_a)
    assert client.get(response["Location"]).status_code == 404  # not theirs: the new page decides
    client.force_login(world.admin)
    assert client.get(old, follow=True).status_code == 200


@pytest.mark.django_db
def test_old_addresses_do_not_take_posts(client, world):
    """A POST is not redirected (a browser would repeat it as a GET): it answers 405."""
    client.force_login(world.admin)
    assert client.post(f"/reviews/admin/cycle/{world.cycle.pk}/results/compute/").status_code == 405
