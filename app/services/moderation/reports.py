"""Participants reporting ideas and comments; enough reports hide an item until a moderator looks.

A report is stored with a per-conversation reporter pseudonym, HMAC(conversation key, "report" ‖ user
key): one report per person per item is a unique constraint, and no user id is kept.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app import live
from app.crypto import tag
from app.extensions import db
from app.models import Comment, ContentReport, ContentStatus, Idea, ModerationEntry, ModerationLogAction, ReportReason
from app.services.workshops import events
from app.services.common.errors import InvalidInput, NotFound
from app.services.content.ideas import visible_idea
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant

NOTE_MAX = 500


def reporter_pseudonym(key: bytes, user_key: str) -> str:
    return tag(key, "report", user_key)


def reportable_item(participant: Participant, kind: str, item_id: str) -> Idea | Comment:
    if kind == "idea":
        return visible_idea(participant, item_id)
    if kind == "comment":
        return reportable_comment(participant, item_id)
    raise NotFound()


def reportable_comment(participant: Participant, comment_id: str) -> Comment:
    """A published comment on an idea this person can see, or NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != ContentStatus.PUBLISHED:
        raise NotFound("We could not find that comment.")
    visible_idea(participant, comment.idea_id)
    return comment


def unresolved_reports(kind: str, item_id: str) -> int:
    column = ContentReport.idea_id if kind == "idea" else ContentReport.comment_id
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ContentReport).where(column == item_id, ContentReport.cleared.is_(False))
    ) or 0


def report_item(participant: Participant, kind: str, item_id: str, reason: str, note: str = "") -> bool:
    """Report an idea or comment; False when this person had already reported it (nothing changes)."""
    item = reportable_item(participant, kind, item_id)
    # Reports are taken for as long as the post can be seen and the conversation key exists.
    conversation = item.conversation if isinstance(item, Idea) else item.idea.conversation
    if reason not in {r.value for r in ReportReason}:
        raise InvalidInput("Choose why you are reporting this", field="reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"Your note must be {NOTE_MAX} characters or fewer", field="note")
    if reason == ReportReason.OTHER and not note:
        raise InvalidInput("Tell the moderators what is wrong", field="note")
    reporter = reporter_pseudonym(conversation_key(conversation), participant.user_key)
    # Lock the item so concurrent reports count each other before deciding to hide it.
    db.session.execute(sa.select(type(item)).where(type(item).id == item.id).with_for_update())
    # ON CONFLICT DO NOTHING, not a caught unique violation: PostgreSQL would log the reporter and item with a time.
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(sa.Table, ContentReport.__table__)  # a declarative model's table: typed as any FromClause
    added = db.session.scalar(insert(table).values(
        conversation_id=conversation.id, reporter=reporter, reason=reason, note=note,
        idea_id=item.id if kind == "idea" else None, comment_id=item.id if kind == "comment" else None,
    ).on_conflict_do_nothing().returning(table.c.id))  # rowcount is -1 on some drivers; RETURNING is exact
    if added is None:
        db.session.rollback()
        return False
    item.queued = True
    message = None
    if item.status == ContentStatus.PUBLISHED and unresolved_reports(kind, item.id) >= conversation.report_threshold:
        item.status = ContentStatus.HIDDEN
        db.session.add(ModerationEntry(conversation_id=conversation.id, item_kind=kind, item_id=item.id,
                                       action=ModerationLogAction.AUTO_HIDE, reason="reports",
                                       note=f"Reported by {conversation.report_threshold} or more people"))
        message = events.moderated(item, was_published=True)
    db.session.commit()
    live.publish(message)
    return True
