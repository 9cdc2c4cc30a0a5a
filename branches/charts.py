"""Charts drawn on the server as SVG: the same markup on pages and in PDFs (WeasyPrint runs no
JavaScript), nothing fetched from anywhere.

A chart is data first: `Chart` holds the categories, the series and their numbers; `chart.svg`
draws it, and templates/charts/_chart.html shows the SVG with the same numbers as a table below
(accessible, printable). Every text drawn is escaped. The SVG scales to its container (viewBox,
width 100%), so it reads on a phone.

    chart = bar_chart(title="等次分布", categories=["好", "较好"], series=[Series("党组织数", [2, 3])], unit="个")
    {% load charts %}{% chart chart %}

Kinds: bar (vertical), hbar (horizontal, for long labels), stacked (vertical, series stacked,
with a legend), line (a trend over years; gaps where a value is missing).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Party red first, then colours told apart in print and by most colour-blind readers.
PALETTE = ["#b71c1c", "#e07b39", "#2a6f97", "#6a994e", "#7b5ea7", "#8d6e63", "#546e7a"]
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"
KINDS = ("bar", "hbar", "stacked", "line")


@dataclass
class Series:
    name: str
    values: list  # numbers (int, Decimal, float) or None, one per category
    color: str = ""


@dataclass
class TableColumn:
    """A column of the chart's table that is not drawn (e.g. the share beside a count)."""

    name: str
    values: list
    unit: str = ""


@dataclass
class Chart:
    kind: str
    title: str
    categories: list
    series: list
    unit: str = ""  # shown after numbers: "分", "个", "%"
    value_max: Decimal | None = None  # the axis' top; the largest value (rounded up) when None
    value_min: Decimal | None = None  # line charts only: the axis' bottom (0 for bars)
    caption: str = ""
    # More columns of the table, not drawn: [TableColumn].
    table_extra: list = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for index, series in enumerate(self.series):
            if len(series.values) != len(self.categories):
                raise ValueError(f"series {series.name!r} has {len(series.values)} values for {len(self.categories)} categories")
            series.color = series.color or PALETTE[index % len(PALETTE)]
        for extra in self.table_extra:
            if len(extra.values) != len(self.categories):
                raise ValueError(f"table column {extra.name!r} has {len(extra.values)} values for {len(self.categories)} categories")

    @property
    def is_empty(self):
        return not self.categories or all(value is None for series in self.series for value in series.values)

    @property
    def rows(self):
        """[(category, [value text per series])] for the table beside the chart."""
        return [
            (
                category,
                [number_text(series.values[index], self.unit) for series in self.series]
                + [number_text(extra.values[index], extra.unit) for extra in self.table_extra],
            )
            for index, category in enumerate(self.categories)
        ]

    @property
    def columns(self):
        return [series.name for series in self.series] + [extra.name for extra in self.table_extra]

    @property
    def svg(self):
        return mark_safe(_DRAW[self.kind](self))


def bar_chart(*, title, categories, series, unit="", horizontal=False, value_max=None, caption="", table_extra=()):
    return Chart(
        "hbar" if horizontal else "bar", title, list(categories), list(series), unit, value_max, None, caption, list(table_extra)
    )


def stacked_bar_chart(*, title, categories, series, unit="", value_max=None, caption=""):
    return Chart("stacked", title, list(categories), list(series), unit, value_max, None, caption)


def line_chart(*, title, categories, series, unit="", value_min=None, value_max=None, caption=""):
    return Chart("line", title, list(categories), list(series), unit, value_max, value_min, caption)


# ------------------------------------------------------------------------------- numbers


def number_text(value, unit=""):
    """90 → "90", 85.50 → "85.5", None → "—"; with the unit appended."""
    if value is None:
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{number:f}{unit}"


def _nice_top(value, whole=False):
    """The axis' top: the value rounded up to 1, 2, 2.5 or 5 × a power of ten (at least 1);
    never 2.5 × for counts (`whole`), whose grid lines must fall on whole numbers."""
    value = float(value)
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _values(chart):
    return [float(value) for series in chart.series for value in series.values if value is not None]


def _whole(chart):
    return all(float(value).is_integer() for value in _values(chart))


def _top(chart, stacked=False):
    if chart.value_max is not None:
        return float(chart.value_max)
    if stacked:
        sums = [sum(float(series.values[i] or 0) for series in chart.series) for i in range(len(chart.categories))]
        return _nice_top(max(sums, default=0), _whole(chart))
    return _nice_top(max(_values(chart), default=0), _whole(chart))


def _f(number):
    return f"{number:.1f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------------------- drawing


def _open(chart, width, height):
    title = escape(chart.title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="{escape(FONT)}" font-size="12">'
        f"<title>{title}</title>"
    )


def _text(x, y, text, anchor="middle", size=12, fill="#212529", weight=""):
    bold = ' font-weight="bold"' if weight else ""
    return f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}>{escape(text)}</text>'


def _short(label, limit):
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _ticks(chart, low, high):
    """Four grid steps, or as many as put every grid line of a count axis on a whole number."""
    span = high - low
    if _whole(chart) and float(low).is_integer() and float(span).is_integer() and span > 0:
        for ticks in (4, 5, 3, 2, 1):
            if span % ticks == 0:
                return ticks
    return 4


def _axis(parts, left, top, plot_width, plot_height, low, high, ticks=4):
    """Horizontal grid lines with their values, bottom to top."""
    for step in range(ticks + 1):
        value = low + (high - low) * step / ticks
        y = top + plot_height - plot_height * step / ticks
        parts.append(f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(left + plot_width)}" y2="{_f(y)}" stroke="#dee2e6" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, number_text(round(value, 2), ""), anchor="end", size=11, fill="#495057"))


def _legend(parts, chart, y, width):
    if len(chart.series) < 2:
        return
    x = 10
    for series in chart.series:
        parts.append(f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" fill="{series.color}"/>')
        parts.append(_text(x + 16, y, series.name, anchor="start", size=11))
        x += 16 + 12 * len(series.name) + 18
        if x > width - 60:
            y += 16
            x = 10


def _draw_bar(chart):
    width, height = 640, 300
    left, top, right, bottom = 48, 16, 12, 56 if len(chart.series) > 1 else 40
    plot_width, plot_height = width - left - right, height - top - bottom
    high = _top(chart)
    parts = [_open(chart, width, height)]
    _axis(parts, left, top, plot_width, plot_height, 0, high, _ticks(chart, 0, high))
    count = max(len(chart.categories), 1)
    group = plot_width / count
    bar = min(group * 0.8 / max(len(chart.series), 1), 60)
    limit = max(int(group / 12), 2)
    for index, category in enumerate(chart.categories):
        start = left + group * index + (group - bar * len(chart.series)) / 2
        for number, series in enumerate(chart.series):
            value = series.values[index]
            if value is None:
                continue
            bar_height = plot_height * min(float(value), high) / high if high else 0
            x, y = start + bar * number, top + plot_height - bar_height
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar - 2)}" height="{_f(bar_height)}" fill="{series.color}">'
                f"<title>{escape(category)} {escape(series.name)}：{escape(number_text(value, chart.unit))}</title></rect>"
            )
            parts.append(_text(x + (bar - 2) / 2, y - 3, number_text(value), size=10, fill="#212529"))
        parts.append(_text(left + group * index + group / 2, top + plot_height + 16, _short(category, limit), size=11))
    _legend(parts, chart, height - 8, width)
    parts.append("</svg>")
    return "".join(parts)


def _draw_hbar(chart):
    rows = max(len(chart.categories), 1)
    row_height = 14 * len(chart.series) + 10
    width = 640
    left, top, right = 150, 8, 70
    height = top + rows * row_height + (24 if len(chart.series) > 1 else 8)
    plot_width = width - left - right
    values = _values(chart)
    low = min(min(values, default=0), 0)
    high = chart.value_max if chart.value_max is not None else _nice_top(max(max(values, default=0), 0))
    high = float(high)
    if low < 0:
        # Signed values (a reviewer's distance from the others): the axis is symmetric around 0.
        extent = _nice_top(max(abs(low), high))
        low, high = -extent, extent
    span = (high - low) or 1
    zero = left + plot_width * (0 - low) / span
    parts = [_open(chart, width, height)]
    parts.append(f'<line x1="{_f(zero)}" y1="{top}" x2="{_f(zero)}" y2="{_f(top + rows * row_height)}" stroke="#adb5bd" stroke-width="1"/>')
    for index, category in enumerate(chart.categories):
        y0 = top + index * row_height + 5
        parts.append(_text(left - 6, y0 + row_height / 2, _short(category, 12), anchor="end", size=11))
        for number, series in enumerate(chart.series):
            value = series.values[index]
            if value is None:
                continue
            value = float(value)
            end = left + plot_width * (min(max(value, low), high) - low) / span
            x, bar_width = min(zero, end), abs(end - zero)
            y = y0 + number * 14
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar_width)}" height="12" fill="{series.color}">'
                f"<title>{escape(category)} {escape(series.name)}：{escape(number_text(value, chart.unit))}</title></rect>"
            )
            label_x = max(end, zero) + 4 if value >= 0 else min(end, zero) - 4
            parts.append(_text(label_x, y + 10, number_text(value, chart.unit), anchor="start" if value >= 0 else "end", size=10))
    _legend(parts, chart, height - 6, width)
    parts.append("</svg>")
    return "".join(parts)


def _draw_stacked(chart):
    width, height = 640, 320
    left, top, right, bottom = 48, 16, 12, 60
    plot_width, plot_height = width - left - right, height - top - bottom
    high = _top(chart, stacked=True)
    parts = [_open(chart, width, height)]
    _axis(parts, left, top, plot_width, plot_height, 0, high, _ticks(chart, 0, high))
    count = max(len(chart.categories), 1)
    group = plot_width / count
    bar = min(group * 0.7, 80)
    limit = max(int(group / 12), 2)
    for index, category in enumerate(chart.categories):
        x = left + group * index + (group - bar) / 2
        base = 0.0
        for series in chart.series:
            value = float(series.values[index] or 0)
            if not value:
                continue
            segment = plot_height * value / high if high else 0
            y = top + plot_height - plot_height * base / high - segment
            parts.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar)}" height="{_f(segment)}" fill="{series.color}" stroke="#fff" stroke-width="0.5">'
                f"<title>{escape(category)} {escape(series.name)}：{escape(number_text(series.values[index], chart.unit))}</title></rect>"
            )
            if segment >= 12:
                parts.append(_text(x + bar / 2, y + segment / 2 + 4, number_text(series.values[index]), size=10, fill="#fff"))
            base += value
        parts.append(_text(left + group * index + group / 2, top + plot_height + 16, _short(category, limit), size=11))
    _legend(parts, chart, height - 10, width)
    parts.append("</svg>")
    return "".join(parts)


def _draw_line(chart):
    width, height = 640, 260
    left, top, right, bottom = 48, 16, 16, 56 if len(chart.series) > 1 else 36
    plot_width, plot_height = width - left - right, height - top - bottom
    values = _values(chart)
    high = _top(chart)
    low = float(chart.value_min) if chart.value_min is not None else 0.0
    if values and low >= min(values):
        low = 0.0
    span = (high - low) or 1
    parts = [_open(chart, width, height)]
    _axis(parts, left, top, plot_width, plot_height, low, high, _ticks(chart, low, high))
    count = len(chart.categories)
    step = plot_width / max(count - 1, 1)

    def point(index, value):
        x = left + (step * index if count > 1 else plot_width / 2)
        return x, top + plot_height - plot_height * (float(value) - low) / span

    for index, category in enumerate(chart.categories):
        x, _y = point(index, low)
        parts.append(_text(x, top + plot_height + 16, _short(category, 8), size=11))
    for series in chart.series:
        # A missing year breaks the line rather than joining across it.
        segment = []
        for index, value in enumerate(series.values + [None]):
            if value is not None:
                segment.append(point(index, value))
                continue
            if len(segment) > 1:
                path = " ".join(f"{_f(x)},{_f(y)}" for x, y in segment)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{series.color}" stroke-width="2.5"/>')
            segment = []
        for index, value in enumerate(series.values):
            if value is None:
                continue
            x, y = point(index, value)
            parts.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4" fill="{series.color}">'
                f"<title>{escape(chart.categories[index])} {escape(series.name)}：{escape(number_text(value, chart.unit))}</title></circle>"
            )
            parts.append(_text(x, y - 8, number_text(value), size=10))
    _legend(parts, chart, height - 8, width)
    parts.append("</svg>")
    return "".join(parts)


_DRAW = {"bar": _draw_bar, "hbar": _draw_hbar, "stacked": _draw_stacked, "line": _draw_line}
