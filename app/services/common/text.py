"""Checking and rendering what people type: plain text with light Markdown formatting."""

from __future__ import annotations

import re
import unicodedata

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.services.common.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")
# Light formatting only: paragraphs, line breaks, bold, italic and lists. No links, images or HTML.
_markdown = MarkdownIt("zero", {"breaks": True, "html": False}).enable(["emphasis", "list", "newline"])
_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li"}


def clean_text(value: str | None, *, minimum: int, maximum: int, what: str, field: str = "body") -> str:
    """Normalise text and check its length, or raise InvalidInput with a plain-English message."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in _CONTROL.sub("", text).split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if not text:
        raise InvalidInput(f"Enter your {what}", field=field)
    if len(text) < minimum:
        raise InvalidInput(f"Your {what} must be {minimum} characters or more", field=field)
    if len(text) > maximum:
        raise InvalidInput(f"Your {what} must be {maximum:,} characters or fewer", field=field)
    return text


def render_rich(text: str) -> Markup:
    """Render stored text as sanitised HTML; nh3 is the last line of defence even though HTML is off."""
    html = _markdown.render(text or "")
    return Markup(nh3.clean(html, tags=_ALLOWED_TAGS, attributes={}, link_rel=None))


def sentiment_label(value: float | None) -> str:
    """A theme's mean sentiment (-1 to 1) in words, as boards and reports show it."""
    if value is None:
        return "Not known"
    if value <= -0.2:
        return "Mostly negative"
    if value >= 0.2:
        return "Mostly positive"
    return "Mixed"
