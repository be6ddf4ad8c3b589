"""Which ideas may stand for a group in a summary (theme quotes, opinion-group statements).

A quote chosen to represent a theme or a group is shown to many people, out of its thread and often in
reports, so it must carry no identifying detail (issue #10.8): an idea that names someone may still be
published (after moderation) where it was posted, but it is never picked to speak for others.
Checked on read as well as when a run picks its quotes, so a better detector covers old runs at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from app.models import ContentStatus, Idea


def is_quotable(text: str) -> bool:
    """True when the text has no name, role, contact detail or place that could identify someone."""
    from nlp.identifying import find_identifying_details

    return not find_identifying_details(text or "")


def quotable(ideas: Iterable[Idea]) -> list[Idea]:
    """The published ideas fit to quote in a summary, in the order given."""
    return [i for i in ideas if i.status == ContentStatus.PUBLISHED and is_quotable(i.body)]


def first_quotable(ideas: Iterable[Idea], n: int) -> list[Idea]:
    """The first n ideas fit to quote, checking no more than needed (a theme can have thousands)."""
    return list(islice((i for i in ideas if i.status == ContentStatus.PUBLISHED and is_quotable(i.body)), max(0, n)))


def theme_summary(lead_summary: str, quotes: list[Idea]) -> str:
    """A lead's summary when written, else one sentence of the theme's most central quotable idea (checked on read)."""
    from nlp.phrases import summary_sentence

    if lead_summary:
        return lead_summary
    return summary_sentence(quotes[0].body) if quotes else ""
