"""Small SVG charts written with the standard library alone.

Grouped bars (one group per workload, one bar per system) and lines (one
per series), on a logarithmic axis where values span orders of magnitude.
The output is plain SVG 1.1 that code hosts render in markdown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

#: Okabe and Ito's palette, told apart by readers with colour blindness.
COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#999999",
    "#F0E442",
    "#000000",
)
WIDTH, HEIGHT = 920, 400
LEFT, RIGHT, TOP, BOTTOM = 80, 230, 40, 60


@dataclass(frozen=True)
class Scale:
    """Maps values in [low, high] to pixels in [start, end], maybe by log10."""

    low: float
    high: float
    start: float
    end: float
    log: bool

    def __call__(self, value: float) -> float:
        if self.log:
            low, high, value = map(math.log10, (self.low, self.high, value))
        else:
            low, high = self.low, self.high
        return self.start + (value - low) / (high - low) * (self.end - self.start)

    def ticks(self) -> list[float]:
        """Decades on a log scale; five or so round steps on a linear one."""
        if self.log:
            first, last = math.log10(self.low), math.log10(self.high)
            return [10.0**k for k in range(math.ceil(first), math.floor(last) + 1)]
        step = 10 ** math.floor(math.log10((self.high - self.low) / 5))
        step *= min(
            m for m in (1, 2, 5, 10) if (self.high - self.low) / (m * step) <= 6
        )
        first = math.ceil(self.low / step) * step
        return [first + k * step for k in range(int((self.high - first) / step) + 1)]


def scale_for(values: Sequence[float], start: float, end: float, log: bool) -> Scale:
    """A scale spanning ``values``: whole decades on a log scale, else from 0."""
    if log:
        low = 10 ** math.floor(math.log10(min(values)))
        high = 10 ** math.ceil(math.log10(max(values)))
        return Scale(low, high if high > low else low * 10, start, end, True)
    return Scale(0.0, max(values) * 1.05 or 1.0, start, end, False)


def _text(x: float, y: float, text: str, anchor: str = "middle", **style: str) -> str:
    attributes = "".join(f' {key.replace("_", "-")}="{v}"' for key, v in style.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attributes}>'
        f"{escape(text)}</text>"
    )


def _label(value: float) -> str:
    if value >= 1e4 or value < 1e-2:
        return f"1e{round(math.log10(value))}" if value > 0 else "0"
    return f"{value:g}"


def _frame(title: str, y_label: str, y: Scale) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        _text(WIDTH / 2, 22, title, font_size="15", font_weight="bold"),
    ]
    for tick in y.ticks():
        position = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{position:.1f}" '
            f'y2="{position:.1f}" stroke="#dddddd"/>'
        )
        parts.append(_text(LEFT - 6, position + 4, _label(tick), anchor="end"))
    middle = (TOP + HEIGHT - BOTTOM) / 2
    parts.append(
        f'<text transform="translate(18 {middle:.1f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    parts.append(
        f'<polyline points="{LEFT},{TOP} {LEFT},{HEIGHT - BOTTOM} '
        f'{WIDTH - RIGHT},{HEIGHT - BOTTOM}" fill="none" stroke="black"/>'
    )
    return parts


def _colours(names: Sequence[str], given: dict[str, str] | None) -> list[str]:
    """Each series' colour: the one given for its name, else the next free."""
    given = given or {}
    spare = iter(c for c in COLOURS * 2 if c not in given.values())
    return [given[name] if name in given else next(spare) for name in names]


def _legend(names: Sequence[str], colours: Sequence[str]) -> list[str]:
    parts = []
    for index, (name, colour) in enumerate(zip(names, colours, strict=True)):
        y = TOP + 10 + 20 * index
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 16}" x2="{WIDTH - RIGHT + 36}" '
            f'y1="{y}" y2="{y}" stroke="{colour}" stroke-width="8"/>'
        )
        parts.append(_text(WIDTH - RIGHT + 42, y + 4, name, anchor="start"))
    return parts


def bar_chart(
    title: str,
    groups: Sequence[str],
    series: dict[str, Sequence[float | None]],
    y_label: str,
    log: bool = True,
    guides: Sequence[tuple[float, str]] = (),
    colours: dict[str, str] | None = None,
) -> str:
    """Grouped bars: ``series[name][i]`` is the bar of ``name`` in group i
    (None draws none); each guide is a dashed horizontal line, labelled on
    the right; ``colours`` fixes the colours of some series by name."""
    palette = _colours(list(series), colours)
    values = [v for bars in series.values() for v in bars if v is not None]
    values += [value for value, _ in guides]
    y = scale_for(values, HEIGHT - BOTTOM, TOP, log)
    parts = _frame(title, y_label, y)
    group_width = (WIDTH - LEFT - RIGHT) / len(groups)
    bar_width = 0.8 * group_width / max(1, len(series))
    for g, group in enumerate(groups):
        left = LEFT + g * group_width + 0.1 * group_width
        for s, (name, bars) in enumerate(series.items()):
            value = bars[g]
            if value is None or (log and value <= 0):
                continue
            top = y(value)
            parts.append(
                f'<rect x="{left + s * bar_width:.1f}" y="{top:.1f}" '
                f'width="{bar_width - 1:.1f}" height="{HEIGHT - BOTTOM - top:.1f}" '
                f'fill="{palette[s]}"><title>{escape(name)}: '
                f"{value:.3g}</title></rect>"
            )
        for line, word in enumerate(_two_lines(group)):
            centre = LEFT + (g + 0.5) * group_width
            parts.append(_text(centre, HEIGHT - BOTTOM + 18 + 15 * line, word))
    for value, label in guides:
        position = y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{position:.1f}" '
            f'y2="{position:.1f}" stroke="black" stroke-dasharray="6 3"/>'
        )
        parts.append(_text(WIDTH - RIGHT + 6, position + 4, label, anchor="start"))
    legend = _legend(list(series), palette)
    return "\n".join([*parts, *legend, "</svg>"]) + "\n"


def _two_lines(label: str) -> list[str]:
    words = label.split()
    if len(words) < 2:
        return words
    half = (len(words) + 1) // 2
    return [" ".join(words[:half]), " ".join(words[half:])]


def line_chart(
    title: str,
    series: dict[str, Sequence[tuple[float, float]]],
    x_label: str,
    y_label: str,
    log_x: bool = False,
    log_y: bool = True,
    colours: dict[str, str] | None = None,
) -> str:
    """Lines through ``series[name]``'s (x, y) points, markers on each;
    ``colours`` fixes the colours of some series by name."""
    palette = _colours(list(series), colours)
    xs = [x for points in series.values() for x, _ in points]
    ys = [y for points in series.values() for _, y in points]
    x_scale = scale_for(xs, LEFT, WIDTH - RIGHT, log_x)
    if not log_x:
        x_scale = Scale(min(xs), max(xs), LEFT, WIDTH - RIGHT, False)
    y_scale = scale_for(ys, HEIGHT - BOTTOM, TOP, log_y)
    parts = _frame(title, y_label, y_scale)
    for tick in x_scale.ticks():
        position = x_scale(tick)
        parts.append(_text(position, HEIGHT - BOTTOM + 18, _label(tick)))
    parts.append(_text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 14, x_label))
    for colour, points in zip(palette, series.values(), strict=True):
        pixels = [(x_scale(x), y_scale(y)) for x, y in points]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pixels)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" '
            'stroke-width="2"/>'
        )
        parts += [
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>'
            for px, py in pixels
        ]
    return "\n".join([*parts, *_legend(list(series), palette), "</svg>"]) + "\n"
