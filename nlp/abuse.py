"""Spot abusive language (profanity, insults, threats) with a shipped word and phrase list.

Matching is on word boundaries and ignores case, so a term never matches inside a longer word
("Scunthorpe", "assessment"). A match only sends a post to the moderation queue; it never blocks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["AbuseMatch", "find_abusive_language", "load_terms"]

# Common endings a single-word term may carry ("idiots", "fucking" is listed, "bastards").
_ENDINGS = r"(?:s|es|ed|ing|er|ers)?"


@dataclass(frozen=True)
class AbuseMatch:
    """One abusive term found: character offsets [start, end) and the matched text."""

    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def load_terms() -> tuple[str, ...]:
    """The shipped terms, lower case, without comments or blank lines."""
    raw = resources.files("nlp").joinpath("data/abusive_terms.txt").read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip().lower() for line in raw.splitlines())
    return tuple(dict.fromkeys(line for line in lines if line))


def _term_pattern(term: str) -> str:
    words = [re.escape(w) for w in term.replace("’", "'").split()]
    if len(words) == 1:
        return words[0] + _ENDINGS
    return r"\s+".join(words)


@lru_cache(maxsize=8)
def _compile(terms: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "motherfucker" wins over "fucker" and phrases over their first word.
    ordered = sorted(terms, key=len, reverse=True)
    alternatives = "|".join(_term_pattern(t) for t in ordered)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])", re.IGNORECASE)


def find_abusive_language(text: str, extra_terms: Iterable[str] = ()) -> list[AbuseMatch]:
    """Every abusive term in `text`, in order; `extra_terms` adds local terms to the shipped list."""
    if not text:
        return []
    extra = tuple(t.strip().lower() for t in extra_terms if t and t.strip())
    pattern = _compile(load_terms() + extra)
    normalised = text.replace("’", "'")
    return [AbuseMatch(m.start(), m.end(), text[m.start():m.end()]) for m in pattern.finditer(normalised)]
