"""Ideas, sticky-note comments and votes: the anonymous content.

No row here holds a user id, email, user key or exact time. Author tags are per item and
votes carry a per-conversation voter pseudonym; both are HMACs under the conversation key.
Tables are WITHOUT ROWID on SQLite so a file dump does not keep insertion order.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import random_id, this_hour
from app.models.conversation import Conversation, Question


class ContentStatus(enum.StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"  # held for a moderator (pre-moderation, or flagged automatically)
    HIDDEN = "hidden"  # hidden by a moderator, or by reports until a moderator reviews it
    WAITING = "waiting"  # batch release: seen only by its author until the next batch (app/services/conversations/release.py)


class IdeaStage(enum.StrEnum):
    """Where an Ideas Lab idea has got to; facilitators move it on."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    TAKEN_FORWARD = "taken_forward"
    DONE = "done"
    NOT_TAKEN_FORWARD = "not_taken_forward"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ContentFields:
    """Columns ideas and comments share: the text, its per-item author tag, and the hour it was posted.

    `author_tag` is an HMAC of the author's key and the item's own `nonce` under the conversation key
    (app/services/content/authorship.py), so no two items of one author can be linked; no column says who.
    """

    id: Mapped[str] = mapped_column(sa.String(24), primary_key=True, default=random_id)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    author_tag: Mapped[str] = mapped_column(sa.String(64), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(32))
    # The author's slot for this item (app.crypto.author_slots): how their own items are found without testing
    # every item. Random for imported items (no author); empty only on items written before slots existed.
    slot_tag: Mapped[str | None] = mapped_column(sa.String(64))  # unique: an index per table, below
    created_hour: Mapped[datetime] = mapped_column(default=this_hour)
    edited: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(12), default=ContentStatus.PUBLISHED.value)
    author_name: Mapped[str | None] = mapped_column(sa.String(120))  # only in named-mode conversations
    # Posted although identifying details (names, ward numbers...) were detected: facilitators see a flag.
    flagged_identifying: Mapped[bool] = mapped_column(default=False)


class ModerationFields:
    """Columns ideas and comments share for moderation; none of them says who wrote the item.

    The notice columns hold the moderator's message to the author on the item itself, so the author
    finds it by recomputing their own author tags at their next visit; nobody else can tell whose it is.
    """

    # Waiting in the moderation queue (held, flagged, reported, or rewritten after moderation).
    queued: Mapped[bool] = mapped_column(default=False, index=True)
    flagged_abusive: Mapped[bool] = mapped_column(default=False)
    moderator_edited: Mapped[bool] = mapped_column(default=False)
    notice_action: Mapped[str | None] = mapped_column(sa.String(12))
    notice_reason: Mapped[str | None] = mapped_column(sa.String(20))
    notice_note: Mapped[str | None] = mapped_column(sa.String(500))
    notice_unseen: Mapped[bool] = mapped_column(default=False, index=True)


class Idea(ContentFields, ModerationFields, Model):
    """An idea posted under a question."""

    __table_args__ = (
        # Ends with the id so a page of the fair random order (ordered by the random id) is an index walk.
        sa.Index("ix_idea_question_status", "question_id", "status", "id"),
        # Items from before author slots: the only ones "My ideas" still finds by testing author tags.
        sa.Index("ix_idea_slot_tag", "slot_tag", unique=True),
        sa.Index("ix_idea_unslotted", "conversation_id", sqlite_where=sa.text("slot_tag IS NULL"),
                 postgresql_where=sa.text("slot_tag IS NULL")),
        {"sqlite_with_rowid": False},
    )

    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(sa.String(12), default="online")
    sentiment: Mapped[float | None]
    # Ideas Lab only: the review stage, and why an idea was not taken forward.
    stage: Mapped[str] = mapped_column(sa.String(20), default=IdeaStage.SUBMITTED.value, server_default="submitted")
    stage_reason: Mapped[str | None] = mapped_column(sa.String(500))

    conversation: Mapped[Conversation] = relationship()
    question: Mapped[Question] = relationship()


class Comment(ContentFields, ModerationFields, Model):
    """A sticky-note comment on an idea."""

    __table_args__ = (
        sa.Index("ix_comment_idea_status", "idea_id", "status"),
        sa.Index("ix_comment_slot_tag", "slot_tag", unique=True),
        sa.Index("ix_comment_unslotted", "conversation_id", sqlite_where=sa.text("slot_tag IS NULL"),
                 postgresql_where=sa.text("slot_tag IS NULL")),
        {"sqlite_with_rowid": False},
    )

    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"))

    idea: Mapped[Idea] = relationship()


class NewComment(NamedTuple):
    """A comment as its INSERT ... RETURNING (or a repeat's SELECT) gave it: what the answer, the live event and a
    Speak Up thread read. Posting keeps no ORM object in the session (building, expiring at COMMIT and setting it
    again was about 4% of a comment's CPU)."""

    id: str
    conversation_id: int
    idea_id: str
    body: str
    created_hour: datetime
    edited: bool
    moderator_edited: bool
    status: str
    author_name: str | None


class Vote(Model):
    """One vote per voter pseudonym per idea, enforced by the primary key; no time is kept."""

    __table_args__ = (
        sa.CheckConstraint("value IN (-1, 0, 1)", name="value_range"),
        sa.Index("ix_vote_conversation_voter", "conversation_id", "voter"),
        {"sqlite_with_rowid": False},
    )

    idea_id: Mapped[str] = mapped_column(sa.ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True)
    voter: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(sa.SmallInteger)
