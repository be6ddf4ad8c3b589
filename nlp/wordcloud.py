"""A word cloud of short notes: the most frequent meaningful words and two-word phrases, laid out without overlap.

Pure: text in, dataclasses out (the app draws the SVG). Identifying details (names, emails, phone and NHS numbers,
wards), person names and moderators' redaction placeholders never become a word of the cloud. Each word counts the
notes that use it (not how often one note repeats it), so one long note cannot fill the cloud. The layout is a
deterministic spiral: the same notes always give the same picture.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.identifying import find_identifying_details
from nlp.people import is_name_word
from nlp.preprocess import SurfaceForms, analyse_pairs

__all__ = ["CloudWord", "PlacedWord", "WordCloud", "count_words", "layout", "word_cloud"]

# "[name removed]", "[redacted]", "(removed)": what moderators put in place of a detail; never a word of the cloud.
_PLACEHOLDER = re.compile(r"[\[(][^\])]{0,40}[\])]|\b(?:redacted|removed by (?:a )?moderator)\b", re.IGNORECASE)
MIN_NOTES = 2  # a word or phrase must come from at least this many notes (one note alone says little about a room)
CHAR_WIDTH = 0.62  # a character's width as a share of the font size (a safe over-estimate for sans-serif)
LINE_HEIGHT = 1.2
FILL = 0.4  # the share of the canvas the words' boxes may cover before sizes are scaled down


@dataclass(frozen=True)
class CloudWord:
    """A word or phrase and how many notes use it."""

    text: str
    count: int


@dataclass(frozen=True)
class PlacedWord:
    """A word in the picture: its baseline centre (x, y), font size and the box it takes (for overlap checks)."""

    text: str
    count: int
    size: int
    x: float
    y: float
    width: float
    height: float

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x - self.width / 2, self.y - self.height * 0.8, self.x + self.width / 2, self.y + self.height * 0.2)


@dataclass(frozen=True)
class WordCloud:
    """Words placed on a width x height canvas (largest first) and every counted word for the table."""

    width: int
    height: int
    placed: list[PlacedWord]
    words: list[CloudWord]
    notes: int


def _clean(text: str) -> str:
    """The note without identifying details and redaction placeholders (replaced by a break, never joined up)."""
    text = _PLACEHOLDER.sub(" . ", text or "")
    for span in sorted(find_identifying_details(text), key=lambda s: s.start, reverse=True):
        text = text[: span.start] + " . " + text[span.end:]
    return text


def count_words(texts: Sequence[str], limit: int = 40, min_notes: int = MIN_NOTES) -> list[CloudWord]:
    """The `limit` most used words and two-word phrases, by the number of notes using them (ties: alphabetical).

    A single word is left out when a phrase holding it is shown and accounts for most of its notes.
    """
    df: Counter[str] = Counter()
    forms = SurfaceForms(max_order=2)
    for text in texts:
        pairs = [(w, s) for w, s in analyse_pairs(_clean(text)) if not is_name_word(w)]
        forms.add(pairs)
        stems = [s for _, s in pairs]
        df.update(set(stems) | {f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False) if a != b})
    # At equal counts a phrase comes first: "night shift" says more than "night" and "shift".
    ranked = sorted((key for key, n in df.items() if n >= min_notes),
                    key=lambda k: (-df[k], " " not in k, forms.render(k), k))
    chosen: list[str] = []
    for key in ranked:
        if " " not in key and any(key in c.split(" ") and df[c] * 2 > df[key] for c in chosen if " " in c):
            continue
        chosen.append(key)
        if len(chosen) == limit:
            break
    return [CloudWord(forms.render(key), df[key]) for key in chosen]


def layout(words: Sequence[CloudWord], width: int = 720, height: int = 400, min_size: int = 12,
           max_size: int = 56, gap: float = 4.0) -> list[PlacedWord]:
    """Place words biggest first along a spiral from the centre, shrinking every size a step at a time until all
    fit; a word that still fits nowhere is left out (it stays in the table). Sizes grow with the square root of
    the count, so areas follow frequency."""
    placed: list[PlacedWord] = []
    # Start from sizes whose boxes would cover at most FILL of the canvas: most clouds then fit at the first try.
    area = sum((CHAR_WIDTH * s * len(w.text) + gap) * (LINE_HEIGHT * s + gap)
               for w, s in zip(words, _sizes(words, min_size, max_size), strict=True))
    if area > FILL * width * height:
        scale = math.sqrt(FILL * width * height / area)
        max_size, min_size = max(10, int(max_size * scale)), max(10, int(min_size * scale))
    for _ in range(8):
        placed = _place(words, width, height, min_size, max_size, gap)
        if len(placed) == len(words) or max_size <= min_size:
            break
        max_size = max(min_size, int(max_size * 0.85))
        min_size = max(10, int(min_size * 0.9))
    return placed


def _sizes(words: Sequence[CloudWord], min_size: int, max_size: int) -> list[int]:
    """Font sizes growing with the square root of each count, from min_size (fewest notes) to max_size (most)."""
    if not words:
        return []
    top, low = math.sqrt(max(w.count for w in words)), math.sqrt(min(w.count for w in words))
    return [round(min_size + (1.0 if top == low else (math.sqrt(w.count) - low) / (top - low)) * (max_size - min_size))
            for w in words]


def _place(words: Sequence[CloudWord], width: int, height: int, min_size: int, max_size: int,
           gap: float) -> list[PlacedWord]:
    placed: list[PlacedWord] = []
    boxes: list[tuple[float, float, float, float]] = []
    stretch = width / height
    for word, size in zip(words, _sizes(words, min_size, max_size), strict=True):
        w, h = round(CHAR_WIDTH * size * len(word.text), 1), round(LINE_HEIGHT * size, 1)
        hit = 0  # the box hit last: neighbouring spiral points mostly hit the same one, so it is tried first
        for step in range(2400):
            angle = 0.35 * step
            radius = 2.2 * angle
            x = round(width / 2 + radius * math.cos(angle) * stretch, 1)
            y = round(height / 2 + h * 0.3 + radius * math.sin(angle), 1)
            x0, y0, x1, y1 = x - w / 2, y - h * 0.8, x + w / 2, y + h * 0.2  # PlacedWord.box
            if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
                if radius > width:
                    break
                continue
            order = [hit, *range(len(boxes))] if hit < len(boxes) else range(len(boxes))
            for i in order:
                b0, b1, b2, b3 = boxes[i]
                if x0 < b2 + gap and b0 < x1 + gap and y0 < b3 + gap and b1 < y1 + gap:
                    hit = i
                    break
            else:
                placed.append(PlacedWord(word.text, word.count, size, x, y, w, h))
                boxes.append((x0, y0, x1, y1))
                break
    return placed


def word_cloud(texts: Sequence[str], limit: int = 40, width: int = 720, height: int = 400) -> WordCloud:
    """Count the notes' words and lay them out: what the presenter view and console draw."""
    words = count_words(texts, limit)
    return WordCloud(width, height, layout(words, width, height), words, len(texts))
