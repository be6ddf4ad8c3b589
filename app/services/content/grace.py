"""The grace period: after a conversation closes, its authors may still edit or withdraw their own posts.

For CHORUS_SHRED_GRACE_DAYS after closing (the closing date, or the moment a facilitator closed it) an author
who realises a post identifies them can still rewrite or remove it. Posting, commenting and voting stay closed.
Once the key is destroyed nobody can be linked to a post, so nothing can be changed by anyone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from flask import current_app

from app.models import Conversation, ConversationStatus
from app.models.base import utcnow
from app.services.common.errors import NotAllowedNow
from app.services.workshops.phases import allows, require_allowed

AuthorAction = Literal["edit", "withdraw"]

ARCHIVED = ("This conversation has been archived: the code that linked people to their posts has been destroyed, "
            "so nobody can find, edit or withdraw their own posts any more.")


def closed_since(conversation: Conversation, now: datetime | None = None) -> datetime | None:
    """When the conversation stopped taking posts, or None while it is open (or still a draft)."""
    now = now or utcnow()
    if conversation.status == ConversationStatus.CLOSED:
        return conversation.closed_at or conversation.closes_at or now
    if conversation.status == ConversationStatus.OPEN and conversation.closes_at and conversation.closes_at <= now:
        return conversation.closes_at  # past its date, not yet marked closed by the scheduler
    return None


def is_archived(conversation: Conversation) -> bool:
    """True once the conversation's key is destroyed: no post can be linked to its author again."""
    return conversation.key is None or conversation.key.wrapped is None


def grace_ends(conversation: Conversation, now: datetime | None = None) -> datetime | None:
    """When authors lose the right to edit or withdraw, for a closed conversation; None while open."""
    since = closed_since(conversation, now)
    if since is None:
        return None
    return since + timedelta(days=int(current_app.config.get("CHORUS_SHRED_GRACE_DAYS", 14)))


def in_grace_period(conversation: Conversation, now: datetime | None = None) -> bool:
    """True while the conversation is closed, its key exists, and the grace period has not run out."""
    now = now or utcnow()
    ends = grace_ends(conversation, now)
    return ends is not None and now < ends and not is_archived(conversation)


def may_change(conversation: Conversation, action: AuthorAction) -> bool:
    """For pages: may an author edit or withdraw their own post now (open and phase allows, or grace period)?"""
    if in_grace_period(conversation):
        return True
    return conversation.is_accepting() and allows(conversation, action)


def require_may_change(conversation: Conversation, action: AuthorAction) -> None:
    """Raise NotAllowedNow unless an author may edit or withdraw their own post in this conversation now."""
    if in_grace_period(conversation):
        return
    if is_archived(conversation):
        raise NotAllowedNow(ARCHIVED)
    ends = grace_ends(conversation)
    if ends is not None:
        raise NotAllowedNow(f"This conversation closed and the time to edit or withdraw posts ended on "
                            f"{ends:%-d %B %Y}. Posts can no longer be changed.")
    require_allowed(conversation, action)
