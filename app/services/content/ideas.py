"""Posting, editing and withdrawing ideas."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, lazyload, load_only

from app import live
from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationKey, Idea, Vote
from app.services.content.authorship import commit_keeping, insert_once, stamp
from app.services.workshops import events
from app.services.access import get_question, member_visibility, visibility_params, visible_to
from app.services.themes.embeddings import forget_embedding, queue_embedding
from app.services.common.errors import NotFound
from app.services.content.own_posts import PostKind, checked_text, own_item, stage_edit, stage_withdrawal
from app.services.common.participants import Participant
from app.services.conversations.release import announce, hold_or_release
from app.services.content.screening import screen_new
from app.services.speakup.threads import open_thread, require_guardian
from app.services.workshops.phases import require_allowed

IDEA_MIN, IDEA_MAX = 5, 2000


def _forget_votes_and_vector(idea: Idea) -> None:
    forget_embedding(idea.id)
    db.session.execute(sa.delete(Vote).where(Vote.idea_id == idea.id))


IDEA = PostKind(Idea, "idea", IDEA_MIN, IDEA_MAX, events.idea_edited, events.idea_withdrawn,
                on_withdraw=_forget_votes_and_vector)


def post_idea(
    participant: Participant, question_id: int, body: str, *, client_token: str | None = None,
    allow_identifying: bool = False, to_guardian: bool = False,
) -> tuple[Idea, bool]:
    """Post an idea; a repeated submission with the same client token returns the first idea and False.

    `to_guardian` also sends it to the Freedom to Speak Up Guardian, in the same transaction, through a row that
    points only at the idea (app/services/speakup/threads.py).
    """
    question = get_question(participant, question_id)
    conversation = question.conversation
    require_allowed(conversation, "post")
    if to_guardian:
        require_guardian(conversation)
    text, check = checked_text(body, allow_identifying=allow_identifying, what="idea", minimum=IDEA_MIN, maximum=IDEA_MAX)
    idea = Idea(conversation_id=conversation.id, question_id=question.id, body=text, sentiment=check.sentiment)
    screen_new(idea, conversation, identifying=bool(check.spans))
    stamped = stamp(idea, conversation, participant, client_token)
    idea, created = insert_once(idea, stamped)
    if to_guardian:
        open_thread(conversation, idea=idea)
    message = events.idea_posted(idea) if created else None
    released = hold_or_release(conversation)  # batch release: this post may complete a batch
    commit_keeping(idea)
    live.publish(message)
    announce(released)
    if created and idea.status == ContentStatus.PUBLISHED:  # held or waiting: no job dates it to the second
        queue_embedding(conversation.id)
    return idea, created


# The lookup every vote and comment starts with, built once for members (guests see one conversation: built per call).
_VISIBLE_IDEA = (
    sa.select(Idea).join(Idea.conversation)
    .where(Idea.id == sa.bindparam("idea_id"), Idea.status == ContentStatus.PUBLISHED, member_visibility())
    # The conversation's organisation is not joined in: no write path reads it (it loads if something does).
    .options(contains_eager(Idea.conversation).lazyload(Conversation.organisation))
)


def visible_idea(participant: Participant, idea_id: str) -> Idea:
    """A published idea in a conversation this person may see, or NotFound."""
    # One statement: the idea, its conversation (with its key) and the access check together.
    if participant.guest_conversation_id is None:
        idea = db.session.scalar(_VISIBLE_IDEA, {"idea_id": idea_id, **visibility_params(participant)})
    else:
        idea = db.session.scalar(
            sa.select(Idea).join(Idea.conversation)
            .where(Idea.id == idea_id, Idea.status == ContentStatus.PUBLISHED, visible_to(participant))
            .options(contains_eager(Idea.conversation).lazyload(Conversation.organisation))
        )
    if idea is None:
        raise NotFound("We could not find that idea.")
    return idea


# Votes and comments need the idea's conversation, not the idea: the idea row is matched and access-checked in the
# same statement but never loaded as an object (an ORM row fewer to build on every write). Built once, as above.
_IDEA_CONVERSATION = (
    sa.select(Conversation).join(Idea, Idea.conversation_id == Conversation.id)
    .where(Idea.id == sa.bindparam("idea_id"), Idea.status == ContentStatus.PUBLISHED, member_visibility())
    .options(lazyload(Conversation.organisation))
)
# What a vote reads of the conversation (its open/closed state and phase, the voting mode, whether counts are hidden,
# the wrapped key), and nothing else of its 40-odd columns: the vote path builds the object from a narrow row.
VOTE_READS = (Conversation.id, Conversation.status, Conversation.opens_at, Conversation.closes_at, Conversation.phase,
              Conversation.phase_ends_at, Conversation.auto_advance, Conversation.votes_hidden, Conversation.voting_mode)
_NARROW = (load_only(*VOTE_READS, raiseload=False),
           joinedload(Conversation.key).load_only(ConversationKey.wrapped, ConversationKey.epoch_id))
_IDEA_CONVERSATION_FOR_VOTE = _IDEA_CONVERSATION.options(*_NARROW)


def visible_idea_conversation(participant: Participant, idea_id: str, *, for_vote: bool = False) -> Conversation:
    """The conversation of a published idea this person may see, or NotFound: the same check as visible_idea.

    The caller uses `idea_id` itself afterwards; it names exactly the idea the check matched. `for_vote` loads only
    VOTE_READS (and the key): anything else read of it later is loaded then, in a statement of its own.
    """
    if participant.guest_conversation_id is None:
        statement = _IDEA_CONVERSATION_FOR_VOTE if for_vote else _IDEA_CONVERSATION
        conversation = db.session.scalar(statement, {"idea_id": idea_id, **visibility_params(participant)})
    else:
        guest = (
            sa.select(Conversation).join(Idea, Idea.conversation_id == Conversation.id)
            .where(Idea.id == idea_id, Idea.status == ContentStatus.PUBLISHED, visible_to(participant))
            .options(lazyload(Conversation.organisation))
        )
        conversation = db.session.scalar(guest.options(*_NARROW) if for_vote else guest)
    if conversation is None:
        raise NotFound("We could not find that idea.")
    return conversation


def own_idea(participant: Participant, idea_id: str) -> Idea:
    """One of this person's own ideas (published, held or hidden), or NotFound for anything else."""
    return own_item(participant, IDEA, idea_id)


def edit_idea(participant: Participant, idea_id: str, body: str, *, allow_identifying: bool = False) -> Idea:
    """Change the text of one's own idea while the conversation is open or in its grace period."""
    edit = stage_edit(participant, IDEA, idea_id, body, allow_identifying=allow_identifying)
    if edit.changed:
        edit.item.sentiment = edit.check.sentiment
        forget_embedding(edit.item.id)
    db.session.commit()
    live.publish(edit.message)
    # Not for a held or waiting idea, nor after closing: a job would date the edit to the second.
    if edit.changed and edit.item.status == ContentStatus.PUBLISHED and edit.item.conversation.is_accepting():
        queue_embedding(edit.item.conversation_id)
    return edit.item


def withdraw_idea(participant: Participant, idea_id: str) -> None:
    """Withdraw one's own idea: its text and votes are deleted; comments stay hidden with it."""
    _, message = stage_withdrawal(participant, IDEA, idea_id)
    db.session.commit()
    live.publish(message)
