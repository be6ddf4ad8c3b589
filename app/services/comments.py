"""Sticky-note comments on ideas."""

from __future__ import annotations

from app import live
from app.extensions import db
from app.models import Comment, ContentStatus
from app.services.authorship import insert_once, require_author, stamp
from app.services import live_events
from app.services.errors import NotAllowedNow, NotFound
from app.services.ideas import checked_text, visible_idea
from app.services.participants import Participant
from app.services.participation import record_participation
from app.services.release import announce, hold_or_release
from app.services.screening import screen_edit, screen_new
from app.services.phases import require_allowed

COMMENT_MIN, COMMENT_MAX = 1, 500


def add_comment(
    participant: Participant, idea_id: str, body: str, *, client_token: str | None = None,
    allow_identifying: bool = False,
) -> tuple[Comment, bool]:
    """Add a comment; a repeated submission with the same client token returns the first one and False."""
    idea = visible_idea(participant, idea_id)
    conversation = idea.conversation
    require_allowed(conversation, "comment")
    if not conversation.comments_enabled:
        raise NotAllowedNow("Comments are turned off in this conversation.")
    text, check = checked_text(body, allow_identifying=allow_identifying, what="comment", minimum=COMMENT_MIN, maximum=COMMENT_MAX)
    comment = Comment(conversation_id=conversation.id, idea_id=idea.id, body=text)
    screen_new(comment, conversation, identifying=bool(check.spans))
    stamp(comment, conversation, participant, client_token)
    comment, created = insert_once(comment)
    record_participation(conversation, participant)
    message = live_events.comment_posted(comment) if created else None
    released = hold_or_release(conversation)  # batch release: this post may complete a batch
    db.session.commit()
    live.publish(message)
    announce(released)
    return comment, created


def own_comment(participant: Participant, comment_id: str) -> Comment:
    """One of this person's own comments (published, held or hidden), or NotFound for anything else."""
    comment = require_author(participant, db.session.get(Comment, comment_id))
    if comment.status == ContentStatus.WITHDRAWN:
        raise NotFound()
    return comment


def edit_comment(participant: Participant, comment_id: str, body: str, *, allow_identifying: bool = False) -> Comment:
    """Change one's own comment while the conversation is open."""
    comment = own_comment(participant, comment_id)
    require_allowed(comment.idea.conversation, "edit")
    text, check = checked_text(body, allow_identifying=allow_identifying, what="comment", minimum=COMMENT_MIN, maximum=COMMENT_MAX)
    message = None
    if text != comment.body:
        comment.body = text
        comment.edited = True
        screen_edit(comment, comment.idea.conversation, identifying=bool(check.spans))
        message = live_events.comment_edited(comment)
    db.session.commit()
    live.publish(message)
    return comment


def withdraw_comment(participant: Participant, comment_id: str) -> None:
    """Withdraw one's own comment; its text is deleted."""
    comment = own_comment(participant, comment_id)
    require_allowed(comment.idea.conversation, "withdraw")
    comment.status = ContentStatus.WITHDRAWN
    comment.body = ""
    comment.queued = comment.notice_unseen = False
    message = live_events.comment_withdrawn(comment)
    db.session.commit()
    live.publish(message)
