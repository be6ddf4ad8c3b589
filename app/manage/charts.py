"""Server-drawn SVG charts (no JavaScript); every chart sits beside a data table with the same numbers."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from markupsafe import Markup, escape

QUADRANTS = {
    (True, False): "Quick wins",
    (True, True): "Major projects",
    (False, False): "Fill-ins",
    (False, True): "Hard slogs",
}


def quadrant(impact: int, effort: int) -> str:
    """Impact and effort from 1 to 5; 3 and above counts as high."""
    return QUADRANTS[(impact >= 3, effort >= 3)]


def matrix_svg(points: Sequence[tuple[int, str, int, int]], title: str = "Impact and effort of rated themes") -> Markup:
    """A 2×2 of (number, label, impact, effort) points; numbers match the table beside it."""
    size, pad = 400, 48
    cell = (size - 2 * pad) / 5

    def x(effort: float) -> float:
        return pad + (effort - 0.5) * cell

    def y(impact: float) -> float:
        return size - pad - (impact - 0.5) * cell

    parts = [
        f'<svg class="chorus-chart" viewBox="0 0 {size} {size}" role="img" aria-labelledby="matrix-title matrix-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="matrix-title">{escape(title)}</title>',
        '<desc id="matrix-desc">Each numbered circle is a theme placed by its impact (up) and effort (across). '
        'The table beside the chart lists the same themes.</desc>',
        f'<rect x="{pad}" y="{pad}" width="{size - 2 * pad}" height="{size - 2 * pad}" fill="#ffffff" stroke="#4c6272"/>',
        f'<line x1="{x(2.5)}" y1="{pad}" x2="{x(2.5)}" y2="{size - pad}" stroke="#4c6272" stroke-dasharray="4 3"/>',
        f'<line x1="{pad}" y1="{y(2.5)}" x2="{size - pad}" y2="{y(2.5)}" stroke="#4c6272" stroke-dasharray="4 3"/>',
        f'<text x="{pad + 6}" y="{pad + 16}" font-size="12" fill="#212b32">Quick wins</text>',
        f'<text x="{size - pad - 6}" y="{pad + 16}" font-size="12" fill="#212b32" text-anchor="end">Major projects</text>',
        f'<text x="{pad + 6}" y="{size - pad - 8}" font-size="12" fill="#212b32">Fill-ins</text>',
        f'<text x="{size - pad - 6}" y="{size - pad - 8}" font-size="12" fill="#212b32" text-anchor="end">Hard slogs</text>',
        f'<text x="{size / 2}" y="{size - 12}" font-size="13" fill="#212b32" text-anchor="middle">Effort (1 low to 5 high)</text>',
        f'<text x="14" y="{size / 2}" font-size="13" fill="#212b32" text-anchor="middle" transform="rotate(-90 14 {size / 2})">Impact (1 low to 5 high)</text>',
    ]
    crowd: dict[tuple[int, int], list[int]] = defaultdict(list)
    for number, _label, impact, effort in points:
        crowd[(impact, effort)].append(number)
    for (impact, effort), numbers in crowd.items():
        # The themes sharing a score are laid out on a small grid inside their own square, shrinking as it
        # fills, so no circle covers another (or one in the next square) however many there are.
        cols = math.ceil(math.sqrt(len(numbers)))
        rows = math.ceil(len(numbers) / cols)
        step = min(22.0, cell / max(cols, rows))
        radius = min(10.0, step / 2 - 1)
        font = max(6.0, radius * 1.1)
        for i, number in enumerate(numbers):
            cx = x(effort) + (i % cols - (cols - 1) / 2) * step
            cy = y(impact) + (i // cols - (rows - 1) / 2) * step
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#005eb8"/>')
            parts.append(f'<text x="{cx:.1f}" y="{cy + font * 0.36:.1f}" font-size="{font:.1f}" fill="#ffffff" '
                         f'text-anchor="middle">{number}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_svg(rows: Sequence[tuple[str, float]], title: str, unit: str, chart_id: str) -> Markup:
    """Horizontal bars of (label, value); labels are truncated in the picture, never in the table."""
    width, bar_h, gap, left = 640, 22, 8, 230
    height = max(1, len(rows)) * (bar_h + gap) + 30
    top = max((v for _, v in rows), default=0) or 1
    parts = [
        f'<svg class="chorus-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)} (the table below has the same numbers)</title>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        w = (width - left - 70) * value / top
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 15}" font-size="13" fill="#212b32" text-anchor="end">{escape(short)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#005eb8"/>')
        shown_unit = unit[:-1] if value == 1 and unit.endswith("s") else unit
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="13" fill="#212b32">{value:g} {escape(shown_unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
