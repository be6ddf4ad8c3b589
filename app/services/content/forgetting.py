"""Removing every stored copy of an author's words when they withdraw or rewrite a post.

The post row is not the only place its text lands: the live replay log keeps the text of "posted" and
"edited" events, reports carry reporters' notes (which often quote the post), the moderation log and the
item's notice keep the moderator's note (likewise), and the embedding cache holds a vector of it. A
withdrawal must leave none of these behind, or the author who realised a post identifies them is not helped.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, ContentReport, ContentStatus, Idea, LiveEvent, ModerationEntry

# Live events whose payload carries a post's text (app/services/workshops/events.py), and the id naming the post.
# Comment events also carry their idea's id, so an idea's own events are told apart by type.
_TEXT_EVENTS = {"idea": (("idea", "idea_edited"), "idea_id"), "comment": (("comment", "comment_edited"), "comment_id")}


def _events_with_text(item: Idea | Comment) -> list[tuple[LiveEvent, dict]]:
    types, key = _TEXT_EVENTS["idea" if isinstance(item, Idea) else "comment"]
    # Ids are 128-bit random strings, so a LIKE on the id finds this item's events; the JSON confirms it.
    rows = db.session.scalars(sa.select(LiveEvent).where(
        LiveEvent.conversation_id == item.conversation_id, LiveEvent.type.in_(types),
        LiveEvent.payload.contains(item.id)))
    found = []
    for event in rows:
        data = json.loads(event.payload)
        if data.get(key) == item.id and "body" in data:
            found.append((event, data))
    return found


def rewrite_copies(item: Idea | Comment) -> None:
    """After an edit, redaction or hiding: earlier live events carry the current text if it is published (so a
    replaying board stays right), otherwise they go; never the old text."""
    for event, data in _events_with_text(item):
        if item.status == ContentStatus.PUBLISHED:
            data["body"] = item.body
            event.payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
        else:  # sent back to moderation: boards get a "withdrawn" event, so the old text goes
            db.session.delete(event)


def forget_copies(item: Idea | Comment) -> None:
    """After a withdrawal: delete every other copy of the text; decisions stay logged without their notes."""
    for event, _ in _events_with_text(item):
        db.session.delete(event)
    column = ContentReport.idea_id if isinstance(item, Idea) else ContentReport.comment_id
    db.session.execute(sa.delete(ContentReport).where(column == item.id))
    kind = "idea" if isinstance(item, Idea) else "comment"
    db.session.execute(sa.update(ModerationEntry).where(
        ModerationEntry.conversation_id == item.conversation_id, ModerationEntry.item_kind == kind,
        ModerationEntry.item_id == item.id).values(note=""))
    item.notice_action = item.notice_reason = item.notice_note = None
