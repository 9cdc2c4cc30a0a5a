"""The shared pieces of a large table (branches/tables.py): sortable headers, the pager and the
hidden sort of a filter form. Their markup is in templates/tables/."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.inclusion_tag("tables/_sort_header.html")
def sort_header(table, key, label, classes="", title=""):
    """<th> of a sortable column: a link that sorts by it (again: the other way round)."""
    active = table.sort_key == key
    return {
        "url": table.sort_url(key),
        "label": label,
        "title": title,
        "classes": classes,
        "active": active,
        "descending": active and table.descending,
        "aria_sort": ("descending" if table.descending else "ascending") if active else "",
    }


@register.inclusion_tag("tables/_pager.html")
def pager(table, label="条"):
    return {"table": table, "page": table.page, "label": label}


@register.simple_tag
def table_hidden(table):
    """The hidden input a filter form carries so that filtering keeps the table's sort."""
    return format_html('<input type="hidden" name="{}" value="{}">', table.sort_param, table.sort)


@register.filter
def page_url(table, number):
    return table.page_url(number)
