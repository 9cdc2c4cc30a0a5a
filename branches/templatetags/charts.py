"""{% chart chart %}: a branches.charts.Chart as SVG with its numbers in a table below."""

from django import template

register = template.Library()


@register.inclusion_tag("charts/_chart.html")
def chart(chart, table=True, chart_id=""):
    """`table=False` only where the same numbers stand in a table right beside the chart."""
    return {"chart": chart, "table": table, "chart_id": chart_id}
