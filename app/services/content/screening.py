"""Deciding whether new or edited content is shown at once or held for a moderator.

Pre-moderation holds everything. In post-moderation, text flagged automatically (identifying
details the author chose to keep, or abusive language) is held too: showing a colleague's name or
abuse to a whole trust, even briefly, does more harm than a short wait for a moderator.
A post that needs no moderator is published, or waits for the next batch when batch release is on.
"""

from __future__ import annotations

from app.models import Comment, ContentStatus, Conversation, Idea, ModerationMode
from app.models.conversation import PostingState
from app.services.conversations.release import new_status
from nlp.abuse import find_abusive_language


def is_abusive(text: str) -> bool:
    return bool(find_abusive_language(text))


def new_flags(body: str, conversation: PostingState, *, identifying: bool) -> dict[str, object]:
    """A new item's flags, status and queue place, as column values."""
    abusive = is_abusive(body)
    held = conversation.moderation_mode == ModerationMode.PRE or identifying or abusive
    return {"flagged_identifying": identifying, "flagged_abusive": abusive,
            "status": ContentStatus.PENDING if held else new_status(conversation), "queued": held}


def screen_new(item: Idea | Comment, conversation: PostingState, *, identifying: bool) -> None:
    """Set a new item's flags, status and queue place."""
    for key, value in new_flags(item.body, conversation, identifying=identifying).items():
        setattr(item, key, value)


def screen_edit(item: Idea | Comment, conversation: Conversation, *, identifying: bool) -> None:
    """After an author's edit: held again if moderated before, pre-moderated, or now flagged."""
    moderated = item.status in (ContentStatus.PENDING, ContentStatus.HIDDEN) or item.moderator_edited or item.notice_action
    item.flagged_identifying = identifying
    item.flagged_abusive = is_abusive(item.body)
    if moderated or conversation.moderation_mode == ModerationMode.PRE or item.flagged_identifying or item.flagged_abusive:
        item.status, item.queued = ContentStatus.PENDING, True
    # The text is the author's own again, and rewriting answers any notice about it.
    item.moderator_edited = False
    item.notice_unseen = False
