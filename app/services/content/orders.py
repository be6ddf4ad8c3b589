"""The full order of a question's published ideas for a sort, in one statement: what every reader's pages slice.

A sorted page used to be its own query, ordering every idea of the question by per-idea correlated counts
(`cards.vote_count`): one index lookup per idea per page, repeated for each page number. Here the question's votes
(or published comments) are grouped once, found by the conversation's own index (ix_vote_conversation_voter,
ix_comment_conversation_id: never another conversation's rows), and joined to the question's ideas, so the
work is one pass over the conversation's votes, and every page of the same event is a slice of the same list
(listing.list_ideas keeps it per conversation event, listing_cache). A kept order of 6,000 ids is about 0.4 MB.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.extensions import db
from app.models import Comment, ContentStatus, Idea, Vote

ORDERED = ("newest", "supported", "discussed")


@functools.cache  # twelve statements (three sorts, a stage or not, joined or not), built once with parameters
def _order(sort: str, staged: bool, joined: bool = False) -> sa.Select:
    """Ids of a question's published ideas in `sort`'s order; parameters question, conversation (and stage).
    `joined`: the same as one comma-joined string (PostgreSQL's string_agg ... ORDER BY), which spares the worker
    building a row object per idea (about 5 ms of its CPU at 6,000 ideas, on every event)."""
    published = (Idea.question_id == sa.bindparam("question")) & (Idea.status == ContentStatus.PUBLISHED)
    if staged:
        published = published & (Idea.stage == sa.bindparam("stage"))
    order: list[Any] = [Idea.created_hour.desc(), Idea.id]
    source: sa.FromClause = Idea.__table__
    if sort != "newest":
        conversation = sa.bindparam("conversation", type_=sa.Integer)
        if sort == "supported":
            counted = (sa.select(Vote.idea_id.label("idea_id"), sa.func.count().label("n"))
                       .where(Vote.conversation_id == conversation, Vote.value == 1).group_by(Vote.idea_id).subquery())
        else:
            counted = (sa.select(Comment.idea_id.label("idea_id"), sa.func.count().label("n"))
                       .where(Comment.conversation_id == conversation, Comment.status == ContentStatus.PUBLISHED)
                       .group_by(Comment.idea_id).subquery())
        source = source.outerjoin(counted, counted.c.idea_id == Idea.id)
        order.insert(0, sa.func.coalesce(counted.c.n, 0).desc())
    if joined:  # ids are URL-safe base64 or hex (random_id): never a comma
        return sa.select(sa.func.string_agg(Idea.id, aggregate_order_by(sa.literal_column("','"), *order))
                         ).select_from(source).where(published)
    return sa.select(Idea.id).select_from(source).where(published).order_by(*order)


def full_order(conversation_id: int, question_id: int, sort: str, stage: str | None = None) -> tuple[str, ...]:
    """Every published idea id of the question (at a stage, if given) in the sort's order: most supported or most
    discussed first (then newest), or newest first; ties broken by id, so every reader gets the same order."""
    parameters = {"question": question_id, "conversation": conversation_id, "stage": stage}
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        joined = connection.scalar(_order(sort, stage is not None, True), parameters)
        return tuple(joined.split(",")) if joined else ()
    return tuple(connection.scalars(_order(sort, stage is not None), parameters))
