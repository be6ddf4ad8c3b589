"""What each phase of a live session allows, and when vote counts are hidden.

Every content service asks `require_allowed` before changing anything, so pages and the API obey
the same rules. A conversation whose phase is None is not a phased session: only its open/closed
status applies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from app.models import Conversation, ConversationStatus, Phase
from app.models.conversation import ConversationState
from app.models.base import utcnow
from app.services.access import require_accepting
from app.services.common.errors import NotAllowedNow

Action = Literal["post", "comment", "edit", "withdraw", "vote"]

ALLOWED: dict[str, frozenset[str]] = {
    Phase.COLLECT: frozenset({"post", "comment", "edit", "withdraw"}),
    Phase.VOTE: frozenset({"vote", "withdraw"}),
    # Withdrawing one's own post stays possible in review: nobody should be stuck with a regretted post.
    Phase.REVIEW: frozenset({"withdraw"}),
    Phase.CLOSED: frozenset(),
}

_REFUSALS: dict[tuple[str, str], str] = {
    (Phase.VOTE, "post"): "The session has moved on to voting, so it is not taking new ideas now.",
    (Phase.VOTE, "comment"): "The session has moved on to voting, so it is not taking new comments now.",
    (Phase.VOTE, "edit"): "Ideas and comments cannot be changed while people are voting.",
    (Phase.COLLECT, "vote"): "Voting has not started yet. The facilitator will open voting once ideas are collected.",
}
_REVIEW = "The session is in review: you can read the ideas and themes, but not post, comment or vote."


# With "move on automatically", a phase whose timer has run out is over even before anyone records it.
NEXT_PHASE: dict[str, str] = {Phase.COLLECT.value: Phase.VOTE.value, Phase.VOTE.value: Phase.REVIEW.value}


def due_phase(conversation: ConversationState, now: datetime | None = None) -> str | None:
    """The phase the session moves on to now that its timer has run out, or None (not opted in, not due)."""
    if not conversation.auto_advance or conversation.phase not in NEXT_PHASE or conversation.phase_ends_at is None:
        return None
    if conversation.status != ConversationStatus.OPEN:
        return None
    return NEXT_PHASE[conversation.phase] if conversation.phase_ends_at <= (now or utcnow()) else None


def current_phase(conversation: ConversationState) -> str | None:
    """The phase the server enforces: the stored one, or the next when an automatic move is due."""
    return due_phase(conversation) or conversation.phase


def allows(conversation: ConversationState, action: Action) -> bool:
    """True if the conversation's phase (if any) allows the action; says nothing about open/closed."""
    phase = current_phase(conversation)
    return phase is None or action in ALLOWED.get(phase, frozenset())


def require_allowed(conversation: ConversationState, action: Action) -> None:
    """Raise NotAllowedNow unless the conversation is accepting and its phase allows the action."""
    require_accepting(conversation)
    if allows(conversation, action):
        return
    phase = current_phase(conversation) or ""
    if phase in (Phase.REVIEW, Phase.CLOSED):
        raise NotAllowedNow(_REVIEW)
    raise NotAllowedNow(_REFUSALS.get((phase, action), _REVIEW))


def counts_hidden(conversation: ConversationState) -> bool:
    """Counts are hidden (from people who have not voted on an idea) until the vote phase ends."""
    if not conversation.votes_hidden or conversation.status == ConversationStatus.CLOSED:
        return False
    return current_phase(conversation) not in (Phase.REVIEW, Phase.CLOSED)


def phase_label(conversation: Conversation) -> str | None:
    return Phase(conversation.phase).label if conversation.phase else None
