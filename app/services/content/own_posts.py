"""Authors changing their own ideas and comments: the one path edits and withdrawals of both take.

Each step is the same for both kinds: find the item by recomputing its author tag (NotFound for
anyone else), ask the phase (or the grace period after closing: app/services/content/grace.py), check the new
text, screen it again for moderation, remove the old text's other copies (app/services/content/forgetting.py) and
record the live event in the same transaction. A closed conversation has no live boards, so a change in
its grace period records no event: one would date the author's late change next to the post. The services in ideas.py and comments.py add what only ideas need
(sentiment, embeddings, votes), then commit and publish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic

from app.extensions import db
from app.live import LiveMessage
from app.models import ContentStatus, Conversation
from app.services.content.authorship import Content, require_author
from app.services.common.errors import IdentifyingDetails, NotFound
from app.services.content.forgetting import forget_copies, rewrite_copies
from app.services.content.grace import require_may_change
from app.services.common.participants import Participant
from app.services.content.screening import screen_edit
from app.services.common.text import clean_text
from app.services.themes.reading import TextCheck, check_text


@dataclass(frozen=True)
class PostKind(Generic[Content]):
    """What differs between ideas and comments on this path: the model, the length limits, the events."""

    model: type[Content]
    what: str  # "idea" or "comment", in messages to the author
    minimum: int
    maximum: int
    edited: Callable[[Content], LiveMessage | None]
    withdrawn: Callable[[Content], LiveMessage | None]
    # Deletes what else goes with a withdrawn item, before its event takes the conversation's row lock
    # (voting takes its locks in that order too).
    on_withdraw: Callable[[Content], None] | None = None


@dataclass(frozen=True)
class Edit(Generic[Content]):
    """A staged edit; `message` is None when no live event was recorded (unchanged, unseen, or closed)."""

    item: Content
    check: TextCheck
    message: LiveMessage | None
    changed: bool = False


def checked_text(body: str, *, allow_identifying: bool, what: str, minimum: int, maximum: int) -> tuple[str, TextCheck]:
    """Clean the text and refuse identifying details unless the author has confirmed them."""
    text = clean_text(body, minimum=minimum, maximum=maximum, what=what)
    check = check_text(text)
    if check.spans and not allow_identifying:
        raise IdentifyingDetails(check.spans, what)
    return text, check


def own_item(participant: Participant, kind: PostKind[Content], item_id: str) -> Content:
    """One of this person's own items (published, held or hidden), or NotFound for anything else."""
    item = require_author(participant, db.session.get(kind.model, item_id))
    if item.status == ContentStatus.WITHDRAWN:
        raise NotFound()
    return item


def stage_edit(participant: Participant, kind: PostKind[Content], item_id: str, body: str, *,
               allow_identifying: bool) -> Edit[Content]:
    """Change the text of one's own item and screen it again; the caller commits, then publishes."""
    item = own_item(participant, kind, item_id)
    conversation = _conversation(item)
    require_may_change(conversation, "edit")
    text, check = checked_text(body, allow_identifying=allow_identifying, what=kind.what,
                               minimum=kind.minimum, maximum=kind.maximum)
    if text == item.body:
        return Edit(item, check, None)
    item.body = text
    item.edited = True
    screen_edit(item, conversation, identifying=bool(check.spans))
    rewrite_copies(item)
    return Edit(item, check, kind.edited(item) if conversation.is_accepting() else None, changed=True)


def stage_withdrawal(participant: Participant, kind: PostKind[Content], item_id: str) -> tuple[Content, LiveMessage | None]:
    """Withdraw one's own item: its text is deleted and it leaves the queue; the caller commits, then publishes."""
    item = own_item(participant, kind, item_id)
    conversation = _conversation(item)
    require_may_change(conversation, "withdraw")
    item.status = ContentStatus.WITHDRAWN
    item.body = ""
    item.queued = item.notice_unseen = False
    forget_copies(item)
    if kind.on_withdraw is not None:
        kind.on_withdraw(item)
    return item, kind.withdrawn(item) if conversation.is_accepting() else None


def _conversation(item: Content) -> Conversation:
    # require_author has just loaded it, so this is the session's copy, not another query.
    conversation = db.session.get(Conversation, item.conversation_id)
    assert conversation is not None  # require_author answered NotFound otherwise
    return conversation
