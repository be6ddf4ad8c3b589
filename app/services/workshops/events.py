"""The live events content services record: what changed, never who changed it.

Payloads carry ids, text already visible on the board and counts; no author tag, user or time.
Held or hidden content (anything not published) never appears in an event; when published content is
held or hidden later, a "withdrawn" event takes it off the boards. A post waiting for a batch release
has never been on a board, so its edits and withdrawal make no event at all: an event then would date
the author's activity, and give away the id of a post that is about to appear in a shuffled batch.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from app import live
from app.extensions import db
from app.live import LiveMessage
from app.models import (Comment, ContentStatus, Conversation, Idea, NewComment, Theme, ThemeRun, ThemeSnapshot, Vote,
                        VotingMode)
from app.models.conversation import ConversationState
from app.services.workshops.phases import counts_hidden


def _remember_status(target: Idea | Comment, value: str, oldvalue: object, initiator: object) -> None:
    """Keep the status an item had before this change (it survives a flush, unlike attribute history)."""
    setattr(target, "_status_before", oldvalue)  # a plain instance attribute, not a mapped column


for _model in (Idea, Comment):
    sa.event.listen(_model.status, "set", _remember_status)


def _never_shown(item: Idea | Comment) -> bool:
    """True for a post that is, or was until this change, waiting for a batch release."""
    return item.status == ContentStatus.WAITING or getattr(item, "_status_before", None) == ContentStatus.WAITING


_VOTES = cast(sa.Table, Vote.__table__)  # a declarative model's table: typed as any FromClause
_COUNTS = (sa.select(_VOTES.c.value, sa.func.count()).where(_VOTES.c.idea_id == sa.bindparam("idea_id"))
           .group_by(_VOTES.c.value))


def vote_counts(idea_id: str, voting_mode: str) -> dict[str, int]:
    """An idea's counts in the conversation's voting mode (a statement built once, on the table: no ORM work)."""
    result = db.session.connection().execute(_COUNTS, {"idea_id": idea_id})
    return counts_by_name({value: count for value, count in result}, voting_mode)


def counts_by_name(rows: dict[int, int], voting_mode: str) -> dict[str, int]:
    """Counts by vote value (1, -1, 0) as the conversation's voting mode names them."""
    if voting_mode == VotingMode.SUPPORT:
        return {"support": int(rows.get(1, 0))}
    return {"agree": int(rows.get(1, 0)), "disagree": int(rows.get(-1, 0)), "pass": int(rows.get(0, 0))}


def idea_posted(idea: Idea) -> LiveMessage | None:
    if idea.status != ContentStatus.PUBLISHED:
        return None
    return live.record(idea.conversation_id, "idea", {"idea_id": idea.id, "question_id": idea.question_id,
                                                      "body": idea.body})


def ideas_added(conversation_id: int, ideas: list[Idea]) -> LiveMessage | None:
    """Many ideas at once (a paper-note import): one event for all, telling boards to reload their state."""
    published = sum(1 for idea in ideas if idea.status == ContentStatus.PUBLISHED)
    return live.record(conversation_id, "ideas_added", {"count": published}) if published else None


def idea_edited(idea: Idea) -> LiveMessage | None:
    """The new text; an edit that sent the idea back to moderation takes it off the boards."""
    if idea.status != ContentStatus.PUBLISHED:
        if _never_shown(idea):
            return None
        return idea_withdrawn(idea)
    return live.record(idea.conversation_id, "idea_edited", {"idea_id": idea.id, "body": idea.body})


def idea_withdrawn(idea: Idea) -> LiveMessage | None:
    if _never_shown(idea):
        return None
    return live.record(idea.conversation_id, "idea_withdrawn", {"idea_id": idea.id})


def comment_posted(comment: Comment | NewComment) -> LiveMessage | None:
    if comment.status != ContentStatus.PUBLISHED:
        return None
    return live.record(comment.conversation_id, "comment", {"idea_id": comment.idea_id, "comment_id": comment.id,
                                                            "body": comment.body})


def comment_edited(comment: Comment) -> LiveMessage | None:
    if comment.status != ContentStatus.PUBLISHED:
        if _never_shown(comment):
            return None
        return comment_withdrawn(comment)
    return live.record(comment.conversation_id, "comment_edited", {"idea_id": comment.idea_id,
                                                                   "comment_id": comment.id, "body": comment.body})


def comment_withdrawn(comment: Comment) -> LiveMessage | None:
    if _never_shown(comment):
        return None
    return live.record(comment.conversation_id, "comment_withdrawn", {"idea_id": comment.idea_id,
                                                                      "comment_id": comment.id})


def votes_changed(conversation: ConversationState, idea_id: str, counts: dict[str, int] | None = None) -> LiveMessage:
    """Counts while they are shown; while hidden, only that they changed (browsers ask for what they may see)."""
    if counts_hidden(conversation):
        return live.record(conversation.id, "votes", {"idea_id": idea_id, "hidden": True})
    counts = counts if counts is not None else vote_counts(idea_id, conversation.voting_mode)
    return live.record(conversation.id, "votes", {"idea_id": idea_id, "votes": counts})


def moderated(item: Idea | Comment, was_published: bool) -> LiveMessage | None:
    """What boards must do after a moderator's decision: show, update or remove the item."""
    if item.status == ContentStatus.PUBLISHED:
        if was_published:
            return idea_edited(item) if isinstance(item, Idea) else comment_edited(item)
        return idea_posted(item) if isinstance(item, Idea) else comment_posted(item)
    if was_published:
        return idea_withdrawn(item) if isinstance(item, Idea) else comment_withdrawn(item)
    return None


BOARD_THEMES = 12  # as many themes as a live board's review phase lists (board._themes)


def board_themes(run_id: int) -> list[dict[str, object]]:
    """A run's biggest themes as live boards list them: the (lead's) name and the number of ideas."""
    rows = db.session.execute(
        sa.select(Theme.label, ThemeSnapshot.size).join(Theme, Theme.id == ThemeSnapshot.theme_id)
        .where(ThemeSnapshot.run_id == run_id).order_by(ThemeSnapshot.size.desc(), Theme.id).limit(BOARD_THEMES)
    ).all()
    return [{"label": label, "size": size} for label, size in rows]


def themes_updated(run: ThemeRun) -> LiveMessage:
    """A theme run finished: boards in their review phase swap in its themes (labels already public there)."""
    return live.record(run.conversation_id, "themes", {"run_id": run.id, "themes": board_themes(run.id)})
