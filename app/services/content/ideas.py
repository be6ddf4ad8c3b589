"""Posting, editing and withdrawing ideas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, contains_eager, lazyload

from app import live
from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationKey, Idea, Vote
from app.services.content.authorship import commit_keeping, insert_once, stamp
from app.services.workshops import events
from app.services.access import (VOTED_COLUMNS, VotedConversation, get_question, member_visibility, visibility_params,
                                 visible_to)
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
    slot_tag = stamp(idea, conversation, participant, client_token)
    idea, created = insert_once(idea, slot_tag)
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
# same statement but never loaded as an object, and the conversation is read as a narrow row of what each reads.


def _voted(access: sa.ColumnElement[bool], idea_id: sa.BindParameter[str] | str,
           columns: tuple[sa.ColumnElement[Any] | InstrumentedAttribute[Any], ...] = VOTED_COLUMNS) -> sa.Select:
    return (sa.select(*columns).select_from(Idea).join(Conversation, Conversation.id == Idea.conversation_id)
            .outerjoin(ConversationKey, ConversationKey.conversation_id == Conversation.id)
            .where(Idea.id == idea_id, Idea.status == ContentStatus.PUBLISHED, access))


_VOTED = _voted(member_visibility(), sa.bindparam("idea_id"))  # built once for members, as above


@dataclass(frozen=True, slots=True)
class CommentedConversation(VotedConversation):
    """What a comment reads of the idea's conversation: a vote's narrow row (VotedConversation) and what a new post
    needs besides (app.models.conversation.PostingState: owner for the Guardian, comments on or off, named mode,
    moderation, batch release), from one narrow row rather than an ORM object of its 40-odd columns and its key.
    Its fields follow the vote's in the order of _COMMENTED_COLUMNS."""

    organisation_id: int
    comments_enabled: bool
    named_mode: bool
    moderation_mode: str
    batch_release: bool
    batch_size: int


_COMMENTED_COLUMNS = (*VOTED_COLUMNS, Conversation.organisation_id, Conversation.comments_enabled,
                      Conversation.named_mode, Conversation.moderation_mode, Conversation.batch_release,
                      Conversation.batch_size)
_COMMENTED = _voted(member_visibility(), sa.bindparam("idea_id"), _COMMENTED_COLUMNS)  # built once, as above


def voted_conversation(participant: Participant, idea_id: str) -> VotedConversation:
    """The conversation of a published idea this person may see, for a vote, or NotFound: the same check as visible_idea
    in one statement, read as a narrow row. The caller uses `idea_id` itself afterwards: it names the idea matched."""
    connection = db.session.connection()
    if participant.guest_conversation_id is None:
        row = connection.execute(_VOTED, {"idea_id": idea_id, **visibility_params(participant)}).first()
    else:
        row = connection.execute(_voted(visible_to(participant), idea_id)).first()
    if row is None:
        raise NotFound("We could not find that idea.")
    return VotedConversation(*row)


def commented_conversation(participant: Participant, idea_id: str) -> CommentedConversation:
    """voted_conversation for a comment: the same access check in one statement, read as a narrow row."""
    connection = db.session.connection()
    if participant.guest_conversation_id is None:
        row = connection.execute(_COMMENTED, {"idea_id": idea_id, **visibility_params(participant)}).first()
    else:
        row = connection.execute(_voted(visible_to(participant), idea_id, _COMMENTED_COLUMNS)).first()
    if row is None:
        raise NotFound("We could not find that idea.")
    return CommentedConversation(*row)


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
