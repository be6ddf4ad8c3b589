"""QR codes for the join address, drawn as inline SVG by segno (no image files, no JavaScript)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(address: str, label: str) -> Markup:
    """An inline SVG QR code for an address, named for screen readers by its label."""
    # Medium error correction survives a projector's glare; the size comes from CSS so it fills its box.
    svg = segno.make(address, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="chorus-qr",
                                                     lineclass=None, light="#fff", title=label)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1))
