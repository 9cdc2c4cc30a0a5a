from django import template

from reports.splitter import paragraphs

register = template.Library()


@register.filter
def report_paragraphs(text):
    """[(kind, line)] of a report text: headings "h1"/"h2"/"h3" and body "p". Render with {{ line }} (escaped)."""
    return paragraphs(text)
