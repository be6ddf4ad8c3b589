"""Sticky-note comments on ideas."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from app import live
from app.extensions import db
from app.models import Comment, ContentStatus, NewComment
from app.services.content.authorship import authored, insert_row
from app.services.workshops import events
from app.services.common.errors import NotAllowedNow
from app.services.content.ideas import commented_conversation
from app.services.content.own_posts import PostKind, checked_text, own_item, stage_edit, stage_withdrawal
from app.services.common.participants import Participant
from app.services.conversations.release import announce, hold_or_release
from app.services.content.screening import new_flags
from app.services.speakup.threads import open_thread, require_guardian
from app.services.workshops.phases import require_allowed

COMMENT_MIN, COMMENT_MAX = 1, 500
_TABLE = cast(sa.Table, Comment.__table__)  # a declarative model's table: typed as any FromClause
_SHOWN = sa.select(*(_TABLE.c[name] for name in NewComment._fields))  # a NewComment, read again
COMMENT = PostKind(Comment, "comment", COMMENT_MIN, COMMENT_MAX, events.comment_edited, events.comment_withdrawn)


def add_comment(
    participant: Participant, idea_id: str, body: str, *, client_token: str | None = None,
    allow_identifying: bool = False, to_guardian: bool = False,
) -> tuple[NewComment, bool]:
    """Add a comment; a repeated submission with the same client token returns the first one and False.

    `to_guardian` also sends it to the Freedom to Speak Up Guardian, as for ideas.
    """
    conversation = commented_conversation(participant, idea_id)  # a narrow row, not the Conversation object
    require_allowed(conversation, "comment")
    if not conversation.comments_enabled:
        raise NotAllowedNow("Comments are turned off in this conversation.")
    if to_guardian:
        require_guardian(conversation)
    text, check = checked_text(body, allow_identifying=allow_identifying, what="comment", minimum=COMMENT_MIN, maximum=COMMENT_MAX)
    author, slot_tag = authored(Comment, conversation.key(), conversation.named_mode, participant, client_token)
    values = {"conversation_id": conversation.id, "idea_id": idea_id, "body": text,
              **new_flags(text, conversation, identifying=bool(check.spans)), **author}
    row, created = insert_row(Comment, values, slot_tag, NewComment._fields, lambda: db.session.execute(
        _SHOWN.where(_TABLE.c.author_tag == author["author_tag"])).first())
    comment = NewComment._make(row)
    if to_guardian:
        open_thread(conversation, comment=comment)
    message = events.comment_posted(comment) if created else None
    released = hold_or_release(conversation)  # batch release: this post may complete a batch
    if released.messages and comment.status == ContentStatus.WAITING:  # it did: published with the batch's hour
        comment = NewComment._make(db.session.execute(_SHOWN.where(_TABLE.c.id == comment.id)).one())
    db.session.commit()
    live.publish(message)
    announce(released)
    return comment, created


def own_comment(participant: Participant, comment_id: str) -> Comment:
    """One of this person's own comments (published, held or hidden), or NotFound for anything else."""
    return own_item(participant, COMMENT, comment_id)


def edit_comment(participant: Participant, comment_id: str, body: str, *, allow_identifying: bool = False) -> Comment:
    """Change one's own comment while the conversation is open or in its grace period."""
    edit = stage_edit(participant, COMMENT, comment_id, body, allow_identifying=allow_identifying)
    db.session.commit()
    live.publish(edit.message)
    return edit.item


def withdraw_comment(participant: Participant, comment_id: str) -> None:
    """Withdraw one's own comment; its text is deleted."""
    _, message = stage_withdrawal(participant, COMMENT, comment_id)
    db.session.commit()
    live.publish(message)
