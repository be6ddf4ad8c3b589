"""Sticky-note comments on ideas."""

from __future__ import annotations

from app import live
from app.extensions import db
from app.models import Comment
from app.services.content.authorship import commit_keeping, insert_once, stamp
from app.services.workshops import events
from app.services.common.errors import NotAllowedNow
from app.services.content.ideas import commented_conversation
from app.services.content.own_posts import PostKind, checked_text, own_item, stage_edit, stage_withdrawal
from app.services.common.participants import Participant
from app.services.conversations.release import announce, hold_or_release
from app.services.content.screening import screen_new
from app.services.speakup.threads import open_thread, require_guardian
from app.services.workshops.phases import require_allowed

COMMENT_MIN, COMMENT_MAX = 1, 500
COMMENT = PostKind(Comment, "comment", COMMENT_MIN, COMMENT_MAX, events.comment_edited, events.comment_withdrawn)


def add_comment(
    participant: Participant, idea_id: str, body: str, *, client_token: str | None = None,
    allow_identifying: bool = False, to_guardian: bool = False,
) -> tuple[Comment, bool]:
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
    comment = Comment(conversation_id=conversation.id, idea_id=idea_id, body=text)
    screen_new(comment, conversation, identifying=bool(check.spans))
    slot_tag = stamp(comment, conversation, participant, client_token)
    comment, created = insert_once(comment, slot_tag)
    if to_guardian:
        open_thread(conversation, comment=comment)
    message = events.comment_posted(comment) if created else None
    released = hold_or_release(conversation)  # batch release: this post may complete a batch
    commit_keeping(comment)
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
