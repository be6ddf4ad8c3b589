"""Idea cards of a list as plain rows (no ORM objects), kept per conversation until its next live event.

A page of cards needs each idea's columns and its counts; every reader of the conversation at the same event number
sees them alike, so they are read once per event per idea and kept in the worker (a cache of its own beside the
listing cache, so a reader paging through the fair random order does not push out the costly sorted pages). What
differs per person (own votes, own ideas, counts hidden until one votes) is worked out per request, never kept.

Kept only while the conversation records a live event for every change a list shows: open and taking posts, and
not an Ideas Lab (stage moves record no event). In the grace period after closing, an author's edit or withdrawal
records none, so a withdrawn idea's text must not outlive its withdrawal in a worker: rows are read afresh then.
The entries carry what the idea row carries, under the conversation's id and the idea's; nothing names a reader
(rules A2, A3).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, Vote
from app.services.access import ListedConversation
from app.services.common.worker_memory import per_app
from app.services.content.listing_cache import ListingCache

CARD_CONVERSATIONS = 32  # conversations whose cards a worker keeps
CARD_ENTRIES = 1000  # cards kept per conversation (a 2,000-character idea is about 2 KB)

_COLUMNS = (Idea.id, Idea.conversation_id, Idea.question_id, Idea.body, Idea.author_tag, Idea.nonce,
            Idea.created_hour, Idea.edited, Idea.moderator_edited, Idea.status, Idea.source, Idea.author_name,
            Idea.flagged_identifying, Idea.stage, Idea.stage_reason)
_FIELDS = len(_COLUMNS)


@dataclass(slots=True)
class IdeaView:
    """An idea as a list shows it: its conversation (this request's narrow row, for templates and API), and its
    columns."""

    conversation: ListedConversation
    id: str
    conversation_id: int
    question_id: int
    body: str
    author_tag: str
    nonce: str
    created_hour: datetime
    edited: bool
    moderator_edited: bool
    status: str
    source: str
    author_name: str | None
    flagged_identifying: bool
    stage: str
    stage_reason: str | None


CardRow = tuple[IdeaView, int, int, int, int]  # the idea, support/agree, disagree, passes, comments


def vote_count(value: int) -> sa.ScalarSelect[int]:
    """One idea's votes of one value, per row: an index lookup, never a group over other ideas or conversations."""
    return (sa.select(sa.func.count()).select_from(Vote).where(Vote.idea_id == Idea.id, Vote.value == value)
            .correlate(Idea).scalar_subquery())


def comment_count() -> sa.ScalarSelect[int]:
    """One idea's published comments, per row (the ix_comment_idea_status index)."""
    return (sa.select(sa.func.count()).select_from(Comment)
            .where(Comment.idea_id == Idea.id, Comment.status == ContentStatus.PUBLISHED)
            .correlate(Idea).scalar_subquery())


@functools.cache  # the same statement every time (statements are immutable): built once, not on every request
def row_query() -> tuple[sa.Select, sa.Label[int], sa.Label[int]]:
    """Card rows (the idea's columns, then its counts), with the support and comment counts to sort by."""
    up, comments = vote_count(1).label("up"), comment_count().label("comments")
    query: sa.Select = sa.select(*_COLUMNS, up, vote_count(-1).label("down"), vote_count(0).label("passes"),
                                      comments)
    return query, up, comments


def card_cache() -> ListingCache:
    """The current app's kept card rows, made on first use."""
    return per_app("card_cache", lambda: ListingCache(CARD_CONVERSATIONS, CARD_ENTRIES))


def keeps_cards(conversation: Conversation | ListedConversation) -> bool:
    """Whether every change to this conversation's cards records a live event now (see the module's rules)."""
    return conversation.kind != "ideas_lab" and conversation.is_accepting()


def card_rows(conversation: ListedConversation, published: Callable[[], sa.ColumnElement[bool]],
              ids: Sequence[str]) -> list[CardRow]:
    """The card rows of these ids in their order, leaving out ids no longer matching `published()`."""
    if not ids:
        return []

    def read(missing: list[Hashable]) -> dict[Hashable, tuple[Any, ...]]:
        rows = db.session.connection().execute(row_query()[0].where(published() & Idea.id.in_(missing)))
        return {row[0]: tuple(row) for row in rows}

    if keeps_cards(conversation):
        found = card_cache().cached_many(conversation.id, conversation.live_seq, list(ids), read)
    else:
        found = read(list(ids))
    cards = []
    for idea_id in ids:
        row = found.get(idea_id)
        if row is not None:
            idea = IdeaView(conversation, *row[:_FIELDS])
            cards.append((idea, row[_FIELDS] or 0, row[_FIELDS + 1] or 0, row[_FIELDS + 2] or 0, row[_FIELDS + 3] or 0))
    return cards
