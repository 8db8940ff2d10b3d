"""Charts as inline SVG drawn on the server from numbers: no script, no CDN, and no
``style`` attribute (the CSP allows none) — only SVG presentation attributes.

Every chart is ``role="img"`` named by its ``<title>``; the page puts a table with the
same numbers beside it, which is what screen readers and copy-paste use. A suppressed
count (``value`` None) gets no bar or a grey cell, and its text (``<5``) says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

INK = "#1b1b1b"
SERIES = ("#0b4f6c", "#b35600", "#1e6b33")  # ≥ 3:1 against white, told apart by shape too
GRID = "#c8c8c8"
SUPPRESSED = "#e3e3e3"
LABEL_WIDTH = 230
ROW = 28
FONT = 'font-family="system-ui, sans-serif" font-size="13"'


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int | float | None  # None: not shown (suppressed or unknown)
    text: str  # what is written at the bar's end: "12", "<5", "80 %"


def _svg(chart_id: str, title: str, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" {FONT}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text is escaped


def _short(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _scale(values: Sequence[int | float | None]) -> float:
    return float(max((v for v in values if v), default=0) or 1)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, width: int = 560) -> Markup:
    """Horizontal bars, one per row, the value written at the end of each."""
    plot = width - LABEL_WIDTH - 70
    top = max(_scale([b.value for b in bars]), 1.0)
    height = len(bars) * ROW + 12
    body = [f'<line x1="{LABEL_WIDTH}" y1="4" x2="{LABEL_WIDTH}" y2="{height - 4}" '
            f'stroke="{GRID}"/>']  # fmt: skip
    for index, bar in enumerate(bars):
        y = 6 + index * ROW
        middle = y + ROW / 2
        length = 0.0 if not bar.value else max(plot * bar.value / top, 2.0)
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(_short(bar.label))}</text>'
        )
        if length:
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 5}" width="{length:.1f}" '
                f'height="{ROW - 10}" fill="{SERIES[0]}"/>'
            )
        body.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle + 4:.1f}" '
            f'fill="{INK}">{escape(bar.text)}</text>'
        )
    return _svg(chart_id, title, width, height, body)


def grouped_bar_chart(
    chart_id: str,
    title: str,
    groups: Sequence[tuple[str, Sequence[Bar]]],
    series: Sequence[str],
    *,
    width: int = 640,
) -> Markup:
    """Per group (a partner) one thin bar per series, with a legend on top."""
    plot = width - LABEL_WIDTH - 70
    top = max(_scale([b.value for _, bars in groups for b in bars]), 1.0)
    thin = 14
    group_height = thin * len(series) + 12
    legend = 24
    height = legend + len(groups) * group_height + 8
    body: list[str] = []
    for index, name in enumerate(series):
        x = LABEL_WIDTH + index * 130
        body.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{SERIES[index]}"/>')
        body.append(f'<text x="{x + 16}" y="15" fill="{INK}">{escape(_short(name, 16))}</text>')
    for g, (label, bars) in enumerate(groups):
        y0 = legend + g * group_height
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y0 + group_height / 2 + 4:.1f}" '
            f'text-anchor="end" fill="{INK}">{escape(_short(label))}</text>'
        )
        for s, bar in enumerate(bars):
            y = y0 + 4 + s * thin
            length = 0.0 if not bar.value else max(plot * bar.value / top, 2.0)
            if length:
                body.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
                    f'height="{thin - 3}" fill="{SERIES[s % len(SERIES)]}"/>'
                )
            body.append(
                f'<text x="{LABEL_WIDTH + length + 5:.1f}" y="{y + thin - 4}" '
                f'font-size="11" fill="{INK}">{escape(bar.text)}</text>'
            )
    return _svg(chart_id, title, width, height, body)


def _mix(share: float) -> str:
    """From near white to the brand colour as ``share`` goes from 0 to 1."""
    low, high = (0xF2, 0xF7, 0xF9), (0x0B, 0x4F, 0x6C)
    rgb = [round(a + (b - a) * share) for a, b in zip(low, high, strict=True)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def heat_map(
    chart_id: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[Bar]],
    *,
    cell: int = 56,
) -> Markup:
    """A matrix of rows × columns, each cell shaded by its value and labelled with its text."""
    top = max(_scale([c.value for row in cells for c in row]), 1.0)
    header = 120
    width = LABEL_WIDTH + cell * len(columns) + 110  # room for the slanted last label
    height = header + cell * len(rows) + 10
    body: list[str] = []
    for c, name in enumerate(columns):
        x = LABEL_WIDTH + c * cell + cell / 2
        body.append(
            f'<text x="{x:.1f}" y="{header - 8}" transform="rotate(-45 {x:.1f} {header - 8})" '
            f'fill="{INK}">{escape(_short(name, 18))}</text>'
        )
    for r, name in enumerate(rows):
        y = header + r * cell
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(_short(name))}</text>'
        )
        for c, item in enumerate(cells[r]):
            x = LABEL_WIDTH + c * cell
            share = (item.value or 0) / top
            fill = SUPPRESSED if item.value is None and item.text else _mix(share)
            ink = "#ffffff" if share > 0.5 else INK
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}"/>'
            )
            body.append(
                f'<text x="{x + cell / 2 - 1:.1f}" y="{y + cell / 2 + 4:.1f}" '
                f'text-anchor="middle" fill="{ink}">{escape(item.text)}</text>'
            )
    return _svg(chart_id, title, width, height, body)
