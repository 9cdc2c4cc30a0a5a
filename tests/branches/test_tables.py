"""branches.tables: sorting both ways, bad parameters answered sanely, links that keep the state,
a constant number of queries, and the template tags."""

import pytest
from django.db import connection
from django.db.models import F
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from branches.models import Organization
from branches.tables import Table, sort_order
from tests.factories import OrganizationFactory

SORTS = {
    "name": ["name"],
    "order": ["order", "name"],
    # NULL-able: organizations without a secretary have no secretary__username
    "secretary": [F("secretary__username").asc(nulls_last=True)],
}


def table(query="", queryset=None, **kwargs):
    request = RequestFactory().get("/list/" + (f"?{query}" if query else ""))
    kwargs.setdefault("per_page", 3)
    kwargs.setdefault("default", "name")
    return Table(request, queryset if queryset is not None else Organization.objects.all(), sorts=SORTS, **kwargs)


@pytest.fixture
def organizations(db):
    # Names and orders deliberately in different orders.
    return [OrganizationFactory(name=name, order=order) for name, order in zip("dbeacgf", [3, 1, 7, 2, 6, 5, 4], strict=True)]


def names(t):
    return "".join(org.name for org in t.rows)


def test_ascending_and_descending_sort_in_the_database(organizations):
    assert names(table("sort=name")) == "abc"
    assert names(table("sort=-name")) == "gfe"
    assert names(table("sort=name&page=3")) == "g"
    assert names(table("sort=-name&page=3")) == "a"
    assert names(table("sort=order")) == "bad"
    assert names(table("sort=-order")) == "ecg"


def test_unknown_sort_falls_back_to_the_default(organizations):
    for query in ["sort=password", "sort=-password", "sort=--name", "sort=", "sort=name;drop", ""]:
        t = table(query)
        assert (t.sort_key, t.descending, names(t)) == ("name", False, "abc"), query
    t = table("sort=nope", default="-name")
    assert (t.sort, names(t)) == ("-name", "gfe")


def test_nulls_stay_last_both_ways(organizations, django_user_model):
    for org, username in zip(organizations[:3], ["u2", "u1", "u3"], strict=True):
        org.secretary = django_user_model.objects.create(username=username)
        org.save()
    ascending = [o.secretary.username if o.secretary else None for o in table("sort=secretary", per_page=10).rows]
    descending = [o.secretary.username if o.secretary else None for o in table("sort=-secretary", per_page=10).rows]
    assert ascending[:3] == ["u1", "u2", "u3"] and set(ascending[3:]) == {None}
    assert descending[:3] == ["u3", "u2", "u1"] and set(descending[3:]) == {None}


@pytest.mark.parametrize(
    ("page", "expected"),
    [("1", 1), ("2", 2), ("3", 3), ("4", 3), ("0", 1), ("-1", 1), ("abc", 1), ("1.5", 1), ("²", 1), ("9" * 5000, 3), ("", 1)],
)
def test_page_numbers_out_of_bounds_or_nonsense_are_clamped(organizations, page, expected):
    t = table(f"page={page}")
    assert t.page.number == expected
    assert t.count == 7 and t.paginator.num_pages == 3


def test_links_keep_filters_and_reset_the_page_on_a_new_sort(organizations):
    t = table("q=社区&sort=name&page=2&items_page=4")
    assert t.page_url(3) == "?q=%E7%A4%BE%E5%8C%BA&sort=name&page=3&items_page=4"
    # The current column's header sorts the other way; another column's ascending; both from page 1.
    assert t.sort_url("name") == "?q=%E7%A4%BE%E5%8C%BA&sort=-name&items_page=4"
    assert t.sort_url("order") == "?q=%E7%A4%BE%E5%8C%BA&sort=order&items_page=4"
    assert table("sort=-name").sort_url("name") == "?sort=name"
    assert table(descending_first={"order"}).sort_url("order") == "?sort=-order"


def test_prefixed_tables_share_a_page_without_touching_each_other(organizations):
    query = "a_sort=-name&a_page=2&b_sort=order"
    first, second = table(query, prefix="a_"), table(query, prefix="b_")
    assert names(first) == "dcb" and names(second) == "bad"
    assert second.page_url(2) == "?a_sort=-name&a_page=2&b_sort=order&b_page=2"


def test_window_of_page_numbers(db):
    OrganizationFactory.create_batch(40)
    t = table("page=10", per_page=2)  # 20 pages
    assert t.window() == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert table("page=1", per_page=2).window() == [1, 2, 3, None, 20]
    assert table(per_page=50).window() == [1]


def test_two_queries_whatever_the_size(db):
    OrganizationFactory.create_batch(3)
    with CaptureQueriesContext(connection) as small:
        table("sort=-order&page=2", per_page=2)
    OrganizationFactory.create_batch(60)
    with CaptureQueriesContext(connection) as large:
        large_table = table("sort=-order&page=2", per_page=2)
    assert len(small) == len(large) == 2  # COUNT, then one LIMIT/OFFSET page
    assert "LIMIT 2 OFFSET 2" in large.captured_queries[-1]["sql"]
    assert large_table.count == 63


def test_sort_order_for_exports_is_the_table_order(organizations):
    request = RequestFactory().get("/list/?sort=-order")
    key, descending, order = sort_order(request, sorts=SORTS, default="name")
    assert (key, descending) == ("order", True)
    assert "".join(o.name for o in Organization.objects.order_by(*order)) == "ecgfdab"


def render(source, **context):
    return Template("{% load tables %}" + source).render(Context(context))


def test_sort_header_announces_the_current_direction(organizations):
    t = table("sort=-name&q=x")
    html = render('{% sort_header t "name" "名称" "text-end" "全称" %}{% sort_header t "order" "排序" %}', t=t)
    assert 'aria-sort="descending"' in html and html.count("aria-sort") == 1
    assert 'href="?sort=name&amp;q=x"' in html and 'href="?sort=order&amp;q=x"' in html
    assert 'class="sortable text-end"' in html and 'title="全称"' in html
    assert "▼" in html and "▲" not in html


def test_pager_and_hidden_sort(organizations):
    t = table("sort=-name&page=2")
    html = render("{% pager t %}{% table_hidden t %}", t=t)
    assert "共 7 条，第 4–6 条" in html
    assert 'href="?sort=-name&amp;page=1"' in html and 'href="?sort=-name&amp;page=3"' in html
    assert 'aria-current="page"><span class="page-link">2<' in html
    assert '<input type="hidden" name="sort" value="-name">' in html
    single = render("{% pager t %}", t=table(per_page=50))
    assert "共 7 条" in single and "pagination" not in single
