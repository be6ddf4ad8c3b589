"""Bar charts of the board report as PNG pictures, drawn on the server with Pillow (no browser, no fonts to install).

Each picture sits beside a table of the same figures and carries a text alternative (Chart.alt_text); labels are
shortened in the picture, never in the table. Drawn at twice the printed size so it stays sharp on paper.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from app.services.reports.model import Chart

SCALE = 2
WIDTH = 640 * SCALE
BAR = 22 * SCALE
GAP = 8 * SCALE
LEFT = 250 * SCALE
PAD = 10 * SCALE
LABEL_CHARS = 34
BLUE = (0, 94, 184)  # NHS blue
TEXT = (33, 43, 50)
GREY = (76, 98, 114)


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own bundled FreeType font: the same picture on every machine, nothing read from the system.
    return ImageFont.load_default(size=13 * SCALE)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"


def bar_png(chart: Chart) -> bytes:
    """A horizontal bar chart of the chart's drawn rows (at most CHART_ROWS), as PNG bytes."""
    rows = chart.drawn or [("Nothing to show yet", 0)]
    height = PAD * 2 + len(rows) * (BAR + GAP)
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font()
    top = max((value for _, value in rows), default=0) or 1
    room = WIDTH - LEFT - 110 * SCALE
    draw.line([(LEFT, PAD // 2), (LEFT, height - PAD // 2)], fill=GREY, width=SCALE)
    for i, (label, value) in enumerate(rows):
        y = PAD + i * (BAR + GAP)
        middle = y + BAR // 2
        draw.text((LEFT - 8 * SCALE, middle), _short(label), fill=TEXT, font=font, anchor="rm")
        width = round(room * value / top)
        if width:
            draw.rectangle([LEFT, y, LEFT + width, y + BAR], fill=BLUE)
        draw.text((LEFT + width + 6 * SCALE, middle), f"{value} {chart.unit_for(value)}", fill=TEXT, font=font, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
