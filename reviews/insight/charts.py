"""The insight pages' charts (branches.charts) from the selectors' figures: the same objects
draw on the pages and in the PDFs."""

from branches.charts import Series, TableColumn, bar_chart, line_chart, stacked_bar_chart
from reviews.models import Grade


def trend_chart(years):
    """An organization's total over the years it may be seen (gaps where none)."""
    shown = [year for year in years if year.visible]
    return line_chart(
        title="综合得分趋势",
        categories=[f"{year.cycle.year}年" for year in shown],
        series=[Series("综合得分", [year.total for year in shown])],
        unit="分",
        value_max=100,
        value_min=40,
    )


def distribution_chart(this, last, previous):
    """This year's official grade distribution, last year's beside it (counts; the table adds shares)."""
    items = [index for index, item in enumerate(this) if item["grade"] or item["count"] or (last and last[index]["count"])]
    series = [Series("本年度", [this[index]["count"] for index in items])]
    extra = [TableColumn("本年度占比", [this[index]["percent"] for index in items], "%")]
    if last is not None:
        series.append(Series(f"{previous.year}年度", [last[index]["count"] for index in items]))
        extra.append(TableColumn(f"{previous.year}年度占比", [last[index]["percent"] for index in items], "%"))
    return bar_chart(
        title="等次分布", categories=[this[index]["label"] for index in items], series=series, unit="个", table_extra=extra
    )


def criteria_chart(lines, previous):
    series = [Series("本年度得分率", [line.rate for line in lines])]
    if previous is not None:
        series.append(Series(f"{previous.year}年度得分率", [line.last_rate for line in lines]))
    return bar_chart(
        title="各项评价指标得分率（平均得分 ÷ 满分）",
        categories=[line.name for line in lines],
        series=series,
        unit="%",
        horizontal=True,
        value_max=100,
    )


def reviewers_chart(lines):
    return bar_chart(
        title="评议人与其他评议人平均分之差（百分制）",
        categories=[line.label for line in lines],
        series=[Series("平均差值", [line.distance for line in lines])],
        unit="分",
        horizontal=True,
        caption="正值：比同一报告的其他评议人打分高（偏宽）；负值：偏严。",
    )


def categories_chart(lines, previous):
    series = [Series("本年度", [line.organizations for line in lines])]
    if previous is not None:
        series.append(Series(f"{previous.year}年度", [line.last_organizations for line in lines]))
    return bar_chart(
        title="各类问题涉及的党组织数", categories=[line.category for line in lines], series=series, unit="个", horizontal=True
    )


def levels_distribution_chart(columns):
    """The committees' grade distributions stacked side by side (counts; grade labels of the first
    cycle: labels are a setting, the order of the four grades is not)."""
    labels = columns[0].settings.grade_labels if columns else {grade: label for grade, label in Grade.choices}
    series = [Series(labels[grade], [column.distribution[index]["count"] for column in columns]) for index, grade in enumerate(Grade.values)]
    series.append(Series("未定等次", [column.distribution[-1]["count"] for column in columns], color="#adb5bd"))
    return stacked_bar_chart(title="各党委（党工委）等次分布", categories=[column.cycle.organization.name for column in columns], series=series, unit="个")


def levels_progress_chart(columns):
    return bar_chart(
        title="述职报告提交率",
        categories=[column.cycle.organization.name for column in columns],
        series=[Series("已提交", [column.submitted_percent for column in columns])],
        unit="%",
        horizontal=True,
        value_max=100,
    )


def category_names(columns):
    """Problem categories named in any of the columns, most organizations first."""
    totals = {}
    for column in columns:
        for name, organizations in column.categories.items():
            totals[name] = totals.get(name, 0) + organizations
    return sorted(totals, key=lambda name: (-totals[name], name))
