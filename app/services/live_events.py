"""The live events content services record: what changed, never who changed it.

Payloads carry ids, text already visible on the board and counts; no author tag, user or time.
Held or hidden content (anything not published) produces no event.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import live
from app.extensions import db
from app.live import LiveMessage
from app.models import Comment, ContentStatus, Conversation, Idea, Vote, VotingMode
from app.services.phases import counts_hidden


def vote_counts(idea_id: str, voting_mode: str) -> dict[str, int]:
    """An idea's counts in the conversation's voting mode."""
    rows = dict(db.session.execute(
        sa.select(Vote.value, sa.func.count()).where(Vote.idea_id == idea_id).group_by(Vote.value)
    ).all())
    if voting_mode == VotingMode.SUPPORT:
        return {"support": int(rows.get(1, 0))}
    return {"agree": int(rows.get(1, 0)), "disagree": int(rows.get(-1, 0)), "pass": int(rows.get(0, 0))}


def idea_posted(idea: Idea) -> LiveMessage | None:
    if idea.status != ContentStatus.PUBLISHED:
        return None
    return live.record(idea.conversation_id, "idea", {"idea_id": idea.id, "question_id": idea.question_id,
                                                      "body": idea.body})


def idea_edited(idea: Idea) -> LiveMessage | None:
    if idea.status != ContentStatus.PUBLISHED:
        return None
    return live.record(idea.conversation_id, "idea_edited", {"idea_id": idea.id, "body": idea.body})


def idea_withdrawn(idea: Idea) -> LiveMessage:
    return live.record(idea.conversation_id, "idea_withdrawn", {"idea_id": idea.id})


def comment_posted(comment: Comment) -> LiveMessage | None:
    if comment.status != ContentStatus.PUBLISHED:
        return None
    return live.record(comment.conversation_id, "comment", {"idea_id": comment.idea_id, "comment_id": comment.id,
                                                            "body": comment.body})


def comment_edited(comment: Comment) -> LiveMessage | None:
    if comment.status != ContentStatus.PUBLISHED:
        return None
    return live.record(comment.conversation_id, "comment_edited", {"idea_id": comment.idea_id,
                                                                   "comment_id": comment.id, "body": comment.body})


def comment_withdrawn(comment: Comment) -> LiveMessage:
    return live.record(comment.conversation_id, "comment_withdrawn", {"idea_id": comment.idea_id,
                                                                      "comment_id": comment.id})


def votes_changed(conversation: Conversation, idea_id: str) -> LiveMessage:
    """Counts while they are shown; while hidden, only that they changed (browsers ask for what they may see)."""
    if counts_hidden(conversation):
        return live.record(conversation.id, "votes", {"idea_id": idea_id, "hidden": True})
    return live.record(conversation.id, "votes", {"idea_id": idea_id,
                                                  "votes": vote_counts(idea_id, conversation.voting_mode)})
