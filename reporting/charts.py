"""Weekly series drawn as SVG on the server: no JavaScript, no CDN, no dependency.

A chart is a picture of the table that follows it, which is its accessible equivalent:
the ``<svg>`` has ``role="img"`` and is named by its ``<title>`` and described by its
``<desc>`` (which names the highest and latest values). Series are told apart by colour
(each at least 3:1 against white, WCAG 1.4.11), by dash pattern and by marker shape, and
named in a legend, so that colour is never the only cue. The drawing scales to its
container (``viewBox``), so it fits a 320 px screen as well as a wide one.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP = 48, 12, 12
PLOT_BOTTOM = 190  # the x axis; week labels and the legend sit below it
# GOV.UK Frontend palette colours with at least 3:1 contrast on white.
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#0b0c0c", "#912b88")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
MAX_X_LABELS = 6


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _nice_max(highest: float) -> float:
    """A round top for the y axis at or above ``highest``."""
    if highest <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if highest <= step * 4:
            return step * 4
    magnitude = 10 ** (len(str(int(highest))) - 1)
    return ((int(highest) // magnitude) + 1) * magnitude


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 4.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x + 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def describe(series: list[tuple[str, list[float | None]]], x_labels: list[str], unit: str) -> str:
    """What the chart shows, in words, for its ``<desc>``."""
    parts = []
    for name, values in series:
        known = [(v, label) for v, label in zip(values, x_labels, strict=True) if v is not None]
        if not known:
            parts.append(f"{name}: no data in the period.")
            continue
        high, high_at = max(known, key=lambda item: item[0])
        last, last_at = known[-1]
        parts.append(
            f"{name}: highest {_number(high)}{unit} ({high_at}); "
            f"latest {_number(last)}{unit} ({last_at})."
        )
    return " ".join(parts) + " The table below gives every value."


def weekly_chart(
    *,
    chart_id: str,
    title: str,
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    kind: str = "line",
    unit: str = "",
    y_max: float | None = None,
) -> str:
    """The SVG markup (escaped; safe to mark safe) of a line chart of one or more weekly
    series, or a bar chart of the first. A missing value (None) is a gap, never zero."""
    count = len(x_labels)
    highest = max((v for _n, values in series for v in values if v is not None), default=0)
    top = y_max if y_max is not None else _nice_max(highest)
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(count, 1)

    def x_of(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    def y_of(value: float) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - TOP) * (min(value, top) / top)

    legend_rows = (len(series) + 1) // 2 if kind == "line" else 0
    height = HEIGHT + 18 * max(legend_rows - 1, 0)
    out = [
        f'<svg class="fd-chart__svg" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'focusable="false" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(series, x_labels, unit.strip()))}</desc>',
        '<g font-family="arial, sans-serif" font-size="13" fill="#0b0c0c">',
    ]
    for step in range(5):
        value = top * step / 4
        y = y_of(value)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#0b0c0c" if step == 0 else "#b1b4b6"}" stroke-width="1"/>'
        )
        label = escape(_number(value) + unit.strip())
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    every = max(1, -(-count // MAX_X_LABELS))
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == count - 1 and (count - 1) % every > every / 2:
            short = escape(label.removeprefix("w/c ").rsplit(" ", 1)[0])
            out.append(
                f'<text x="{x_of(i):.1f}" y="{PLOT_BOTTOM + 18}" '
                f'text-anchor="middle">{short}</text>'
            )
    if kind == "bar" and series:
        values = series[0][1]
        bar = slot * 0.6
        for i, value in enumerate(values):
            if value is None:
                continue
            y = y_of(value)
            out.append(
                f'<rect x="{x_of(i) - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{PLOT_BOTTOM - y:.1f}" fill="{COLOURS[0]}"/>'
            )
    else:
        for n, (_name, values) in enumerate(series):
            colour, dash, shape = COLOURS[n % 6], DASHES[n % 6], MARKERS[n % 6]
            runs, run = [], []
            for i, value in enumerate(values):
                if value is None:
                    if run:
                        runs.append(run)
                    run = []
                else:
                    run.append((x_of(i), y_of(value)))
            if run:
                runs.append(run)
            for points in runs:
                d = " ".join(
                    f"{'M' if j == 0 else 'L'}{x:.1f},{y:.1f}" for j, (x, y) in enumerate(points)
                )
                dashed = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2.5"{dashed}/>'
                )
                out.extend(_marker(shape, x, y, colour) for x, y in points)
        for n, (name, _values) in enumerate(series):
            colour, dash, shape = COLOURS[n % 6], DASHES[n % 6], MARKERS[n % 6]
            lx = LEFT + (n % 2) * (plot_width / 2)
            ly = PLOT_BOTTOM + 44 + 18 * (n // 2)
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{lx:.1f}" x2="{lx + 28:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
                f'stroke="{colour}" stroke-width="2.5"{dashed}/>'
            )
            out.append(_marker(shape, lx + 14, ly - 4, colour))
            out.append(f'<text x="{lx + 36:.1f}" y="{ly}">{escape(name)}</text>')
    out.append("</g></svg>")
    return "".join(out)
