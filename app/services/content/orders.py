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

import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, ContentStatus, Idea, Vote

ORDERED = ("newest", "supported", "discussed")


@functools.cache  # six statements (three sorts, a stage or not), built once with parameters, not per request
def _order(sort: str, staged: bool) -> sa.Select:
    """Ids of a question's published ideas in `sort`'s order; parameters question, conversation (and stage)."""
    published = (Idea.question_id == sa.bindparam("question")) & (Idea.status == ContentStatus.PUBLISHED)
    if staged:
        published = published & (Idea.stage == sa.bindparam("stage"))
    query = sa.select(Idea.id).where(published)
    if sort == "newest":
        return query.order_by(Idea.created_hour.desc(), Idea.id)
    conversation = sa.bindparam("conversation", type_=sa.Integer)
    if sort == "supported":
        counted = (sa.select(Vote.idea_id.label("idea_id"), sa.func.count().label("n"))
                   .where(Vote.conversation_id == conversation, Vote.value == 1).group_by(Vote.idea_id).subquery())
    else:
        counted = (sa.select(Comment.idea_id.label("idea_id"), sa.func.count().label("n"))
                   .where(Comment.conversation_id == conversation, Comment.status == ContentStatus.PUBLISHED)
                   .group_by(Comment.idea_id).subquery())
    return (query.outerjoin(counted, counted.c.idea_id == Idea.id)
            .order_by(sa.func.coalesce(counted.c.n, 0).desc(), Idea.created_hour.desc(), Idea.id))


def full_order(conversation_id: int, question_id: int, sort: str, stage: str | None = None) -> tuple[str, ...]:
    """Every published idea id of the question (at a stage, if given) in the sort's order: most supported or most
    discussed first (then newest), or newest first; ties broken by id, so every reader gets the same order."""
    parameters = {"question": question_id, "conversation": conversation_id, "stage": stage}
    return tuple(db.session.connection().scalars(_order(sort, stage is not None), parameters))
