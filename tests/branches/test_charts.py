"""Server-side SVG charts (branches/charts.py): geometry follows the numbers, text is escaped,
every chart is accessible and carries its numbers in a table."""

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.template import Context, Template

from branches.charts import Series, TableColumn, bar_chart, line_chart, number_text, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(chart):
    return ElementTree.fromstring(str(chart.svg))


def bars(chart):
    return [rect for rect in parsed(chart).iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def test_bar_heights_are_proportional_to_values():
    chart = bar_chart(title="等次分布", categories=["好", "较好", "一般", "差"], series=[Series("党组织数", [2, 4, 1, 0])], value_max=4)
    heights = [float(rect.get("height")) for rect in bars(chart)]
    # The largest value fills the plot; 2 is half of it, 1 a quarter, 0 has no height.
    assert heights[1] > 0
    assert heights[0] == pytest.approx(heights[1] / 2, abs=0.2)
    assert heights[2] == pytest.approx(heights[1] / 4, abs=0.2)
    assert heights[3] == 0
    # Taller bar → higher top (smaller y): a flipped axis would fail here.
    ys = [float(rect.get("y")) for rect in bars(chart)]
    assert ys[1] < ys[0] < ys[2] < ys[3]


def test_svg_is_accessible_and_escapes_every_text():
    hostile = '<script>alert("x")</script>&'
    chart = bar_chart(title=hostile, categories=[hostile], series=[Series(hostile, [3])])
    svg = str(chart.svg)
    assert "<script>" not in svg
    root = parsed(chart)  # well-formed XML despite the hostile text
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == hostile
    html = Template("{% load charts %}{% chart chart %}").render(Context({"chart": chart}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<table" in html and "<figure" in html


def test_table_lists_the_numbers_of_every_series_and_extra_column():
    chart = bar_chart(
        title="等次分布",
        categories=["好", "较好"],
        series=[Series("党组织数", [2, 3])],
        unit="个",
        table_extra=[TableColumn("占比", [Decimal("40.00"), Decimal("60.00")], "%")],
    )
    assert chart.columns == ["党组织数", "占比"]
    assert chart.rows == [("好", ["2个", "40%"]), ("较好", ["3个", "60%"])]
    html = Template("{% load charts %}{% chart chart %}").render(Context({"chart": chart}))
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["2个", "40%", "3个", "60%"]


def test_horizontal_bars_grow_from_zero_both_ways():
    chart = bar_chart(title="评议人偏离", categories=["评议人1", "评议人2"], series=[Series("偏离", [Decimal("4"), Decimal("-2")])], horizontal=True)
    first, second = bars(chart)
    # Symmetric axis around 0: the positive bar starts at 0 and goes right, the negative ends at 0.
    assert float(first.get("x")) == pytest.approx(float(second.get("x")) + float(second.get("width")), abs=0.2)
    assert float(first.get("width")) == pytest.approx(2 * float(second.get("width")), abs=0.2)


def test_stacked_segments_add_up_and_keep_series_order():
    chart = stacked_bar_chart(
        title="各党委等次分布",
        categories=["甲镇", "乙镇"],
        series=[Series("好", [1, 0]), Series("较好", [3, 2]), Series("一般", [0, 2])],
        value_max=4,
    )
    rects = bars(chart)
    # 甲镇: 好 1 then 较好 3 (a zero segment is not drawn); 乙镇: 较好 2, 一般 2.
    heights = [float(rect.get("height")) for rect in rects]
    assert len(rects) == 4
    assert heights[0] * 3 == pytest.approx(heights[1], abs=0.3)
    assert heights[0] + heights[1] == pytest.approx(heights[2] + heights[3], abs=0.5)  # both total 4
    # The second segment sits on top of the first.
    assert float(rects[1].get("y")) + float(rects[1].get("height")) == pytest.approx(float(rects[0].get("y")), abs=0.2)


def test_line_breaks_at_a_missing_year_and_rises_with_the_value():
    chart = line_chart(title="综合得分", categories=["2022", "2023", "2024", "2025"], series=[Series("综合得分", [80, 90, None, 70])], value_max=100)
    root = parsed(chart)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1  # 2022–2023 joined; 2025 alone, not joined across 2024
    points = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]
    assert len(points) == 3
    assert points[1][1] < points[0][1] < points[2][1]  # 90 above 80 above 70
    assert points[0][0] < points[1][0] < points[2][0]


def test_empty_chart_says_so_and_mismatched_series_are_refused():
    chart = bar_chart(title="空", categories=[], series=[Series("数量", [])])
    assert chart.is_empty
    html = Template("{% load charts %}{% chart chart %}").render(Context({"chart": chart}))
    assert "暂无数据" in html and "<svg" not in html
    with pytest.raises(ValueError):
        bar_chart(title="错", categories=["甲", "乙"], series=[Series("数量", [1])])


def test_number_text():
    assert number_text(None) == "—"
    assert number_text(Decimal("85.50"), "分") == "85.5分"
    assert number_text(90) == "90"
    assert number_text(2.345) == "2.35"


def test_count_axis_grid_lines_fall_on_whole_numbers():
    chart = bar_chart(title="等次分布", categories=["好", "较好"], series=[Series("党组织数", [4, 5])])
    labels = [text.text for text in parsed(chart).iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    assert labels == ["0", "1", "2", "3", "4", "5"]
    chart = bar_chart(title="得分", categories=["甲"], series=[Series("得分", [Decimal("2.2")])])
    assert "2.5" in [text.text for text in parsed(chart).iter(f"{SVG}text")]
