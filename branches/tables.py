"""One way to show a large table: sorted, filtered and paged in the database.

A view filters its queryset (its own filters, from validated query parameters), then

    table = Table(request, queryset, sorts={"name": ["organization__name"], ...}, default="name")

`table.page` is a Paginator page (one COUNT and one LIMIT/OFFSET query, whatever the size of the
set), `table.rows` its objects. Sorting is `?sort=key` (ascending) or `?sort=-key` (descending);
an unknown key falls back to the default, a bad page number to the first or last page — never an
error. Every link (sortable headers, pager) keeps the request's other parameters (filters, the
other table's sort and page), so that several tables can share a page with a `prefix`.
Templates render headers with `{% sort_header table "key" "标题" %}`, the pager with
`{% pager table %}` and a filter form's hidden sort with `{% table_hidden table %}`
(branches/templatetags/tables.py).
"""

from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.expressions import OrderBy

PAGE_SIZE = 50


def _ordering(field, descending):
    """`field` ("name", "-name" or an F()/OrderBy expression), reversed when `descending`.
    Expressions keep NULLs last in both directions (an unranked row is never "first")."""
    if isinstance(field, str):
        if not descending:
            return field
        return field[1:] if field.startswith("-") else f"-{field}"
    if isinstance(field, OrderBy):
        expression, reverse = field.expression, field.descending
    else:
        expression, reverse = field, False
    if isinstance(expression, str):
        expression = F(expression)
    if reverse != descending:
        return expression.desc(nulls_last=True)
    return expression.asc(nulls_last=True)


def sort_order(request, *, sorts, default, prefix="", tiebreak="pk"):
    """(key, descending, order_by arguments) of the request's `<prefix>sort` parameter; an unknown
    or missing one means `default`. Exports of a table use it to keep the order shown."""
    value = request.GET.get(f"{prefix}sort", "").strip()
    key = value.removeprefix("-")
    if key not in sorts:
        value = default
        key = default.removeprefix("-")
    descending = value.startswith("-")
    order = [_ordering(field, descending) for field in sorts[key]]
    order.append(_ordering(tiebreak, descending))
    return key, descending, order


def _page_number(value):
    """A page parameter as a number ≥ 1: missing or not a number ("abc", "1.5") is the first page,
    below 1 the first, beyond the end the last (Paginator.get_page clamps)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return 1
    if len(value) > 9:  # (also keeps int() away from thousands of digits)
        return 10**9
    return max(int(value), 1)


class Table:
    """A sorted page of `queryset`. See the module's docstring.

    sorts    {key: [field or expression, ...]}: the ordering of each sortable column, ascending
    default  the key (or "-key") used when the request names none or an unknown one
    prefix   the parameters' prefix ("items_" → items_sort, items_page) when a page has several
    tiebreak the final ordering that makes pages stable (rows of equal keys never repeat or vanish
             between pages)
    descending_first  keys whose header sorts descending on the first click (scores: highest first)
    """

    def __init__(
        self, request, queryset, *, sorts, default, prefix="", per_page=PAGE_SIZE, tiebreak="pk", descending_first=()
    ):
        self.params = request.GET
        self.descending_first = set(descending_first)
        self.prefix = prefix
        self.sort_param = f"{prefix}sort"
        self.page_param = f"{prefix}page"
        self.sort_key, self.descending, order = sort_order(request, sorts=sorts, default=default, prefix=prefix, tiebreak=tiebreak)
        self.paginator = Paginator(queryset.order_by(*order), per_page)
        self.page = self.paginator.get_page(_page_number(self.params.get(self.page_param)))
        self.rows = list(self.page.object_list)

    @property
    def sort(self):
        """The current sort as a parameter value ("name" or "-name")."""
        return f"-{self.sort_key}" if self.descending else self.sort_key

    @property
    def count(self):
        return self.paginator.count

    def query(self, **changes):
        """The request's query string with `changes` (unprefixed names: sort, page; None removes)."""
        params = self.params.copy()
        for name, value in changes.items():
            name = f"{self.prefix}{name}"
            if value is None:
                params.pop(name, None)
            else:
                params[name] = value
        return params.urlencode()

    def sort_url(self, key):
        """The link of a column's header: ascending (or descending_first) first, the other way
        round when it is the current sort; back on the first page."""
        if key == self.sort_key:
            value = key if self.descending else f"-{key}"
        else:
            value = f"-{key}" if key in self.descending_first else key
        return f"?{self.query(sort=value, page=None)}"

    def page_url(self, number):
        return f"?{self.query(page=number)}"

    def window(self, size=2):
        """Page numbers around the current one for the pager: [1, None, 4, 5, 6, None, 40]
        (None is a gap)."""
        last = self.paginator.num_pages
        shown = sorted({1, last, *range(max(1, self.page.number - size), min(last, self.page.number + size) + 1)})
        numbers = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers
