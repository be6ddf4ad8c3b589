"""Conversations, their questions, audiences and wrapped pseudonym keys."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model, db
from app.models.base import utcnow
from app.models.organisation import Organisation


class ConversationStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class VotingMode(enum.StrEnum):
    """Support: one withdrawable upvote. Agree: agree / disagree / pass, changeable."""

    SUPPORT = "support"
    AGREE = "agree"


class ModerationMode(enum.StrEnum):
    """Post: visible at once, moderators can hide. Pre: held until a moderator approves."""

    POST = "post"
    PRE = "pre"


class ConversationKind(enum.StrEnum):
    ONLINE = "online"
    IDEAS_LAB = "ideas_lab"
    CHANGE_HUB = "change_hub"
    WORKSHOP = "workshop"

    @property
    def label(self) -> str:
        return {
            "online": "Online Conversation",
            "ideas_lab": "Ideas Lab",
            "change_hub": "Change Hub session",
            "workshop": "Live workshop",
        }[self.value]


audience = sa.Table(
    "conversation_audience",
    db.metadata,
    sa.Column("conversation_id", sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
)


class ConversationState(Protocol):
    """What the open/closed and phase rules read of a conversation: a Conversation, or a narrow row of it."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def opens_at(self) -> datetime | None: ...
    @property
    def closes_at(self) -> datetime | None: ...
    @property
    def phase(self) -> str | None: ...
    @property
    def phase_ends_at(self) -> datetime | None: ...
    @property
    def auto_advance(self) -> bool: ...
    @property
    def votes_hidden(self) -> bool: ...
    @property
    def voting_mode(self) -> str: ...

    def is_accepting(self, now: datetime | None = None) -> bool: ...


class PostingState(ConversationState, Protocol):
    """What a new post (idea or comment) reads of its conversation besides the open/closed and phase rules: a
    Conversation, or a narrow row of it (app.services.content.ideas.CommentedConversation)."""

    @property
    def organisation_id(self) -> int: ...
    @property
    def comments_enabled(self) -> bool: ...
    @property
    def named_mode(self) -> bool: ...
    @property
    def moderation_mode(self) -> str: ...
    @property
    def batch_release(self) -> bool: ...
    @property
    def batch_size(self) -> int: ...


def accepting(conversation: ConversationState, now: datetime | None = None) -> bool:
    """True while people may post, comment, vote and edit."""
    now = now or utcnow()
    if conversation.status != ConversationStatus.OPEN:
        return False
    if conversation.opens_at and now < conversation.opens_at:
        return False
    return not (conversation.closes_at and now >= conversation.closes_at)


class Conversation(Model):
    """A facilitated conversation under one or more questions, owned by one organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(20), default=ConversationKind.ONLINE.value)
    status: Mapped[str] = mapped_column(sa.String(10), default=ConversationStatus.DRAFT.value, index=True)
    voting_mode: Mapped[str] = mapped_column(sa.String(10), default=VotingMode.SUPPORT.value)
    comments_enabled: Mapped[bool] = mapped_column(default=True)
    named_mode: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # A Change Hub session (or any repeated conversation) carries its themes over from the one before it.
    previous_conversation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="SET NULL")
    )
    moderation_mode: Mapped[str] = mapped_column(sa.String(8), default=ModerationMode.POST.value)
    # Reports from this many different people hide an item until a moderator reviews it.
    report_threshold: Mapped[int] = mapped_column(default=3)
    # Live workshops: people with the join code take part as guests, without an account.
    allow_guests: Mapped[bool] = mapped_column(default=False)
    join_code: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The theme run readers see; switched in the same transaction that writes a run's results.
    current_theme_run_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("theme_run.id", ondelete="SET NULL", use_alter=True)
    )
    # Live sessions (app/services/workshops/session.py): phase is None for a conversation without phases.
    phase: Mapped[str | None] = mapped_column(sa.String(10))
    phase_ends_at: Mapped[datetime | None]
    votes_hidden: Mapped[bool] = mapped_column(default=False)
    # Live session: move collect -> vote -> review by itself when the phase timer runs out.
    auto_advance: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    spotlight_idea_id: Mapped[str | None] = mapped_column(sa.String(24))
    spotlight_theme_id: Mapped[int | None]
    # Batch release (app/services/conversations/release.py): new posts wait unseen until batch_size are waiting or the
    # oldest has waited batch_max_wait_hours, then appear together, shuffled, with one shared hour.
    batch_release: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    batch_size: Mapped[int] = mapped_column(default=5, server_default="5")
    batch_max_wait_hours: Mapped[int] = mapped_column(default=24, server_default="24")
    # The id of the last live event; bumped as the last statement before a writer's COMMIT (app/live/store.py),
    # so ids follow commit order while the row lock lasts only microseconds. Opinion runs compare against it too.
    live_seq: Mapped[int] = mapped_column(default=0)
    # The framework ideas and themes are mapped onto (app/services/frameworks/); NULL: the built-in People Promise.
    framework_id: Mapped[int | None] = mapped_column(sa.ForeignKey("framework.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    audience: Mapped[list[Organisation]] = relationship(secondary=audience, order_by="Organisation.name")
    questions: Mapped[list[Question]] = relationship(
        back_populates="conversation", order_by="Question.position", cascade="all, delete-orphan"
    )
    key: Mapped[ConversationKey | None] = relationship(cascade="all, delete-orphan", lazy="joined")

    def is_accepting(self, now: datetime | None = None) -> bool:
        """True while people may post, comment, vote and edit."""
        return accepting(self, now)

    @property
    def status_label(self) -> str:
        if self.status == ConversationStatus.OPEN and not self.is_accepting():
            if self.opens_at and utcnow() < self.opens_at:
                return "Opens soon"
            return "Closed"
        return {"draft": "Draft", "open": "Open", "closed": "Closed"}[self.status]


class Question(Model):
    """A themed question that ideas are posted under."""

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    conversation: Mapped[Conversation] = relationship(back_populates="questions")


class KeyEpoch(Model):
    """A key epoch: its secret lives outside the database (CHORUS_KEY_DIR) and is destroyed at the next shredding."""

    __table_args__ = (sa.CheckConstraint("is_current", name="only_true"),)

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    # True for the one epoch new keys are wrapped under, NULL otherwise: the unique constraint allows only one.
    is_current: Mapped[bool | None] = mapped_column(unique=True)
    # Opens only with this master key and this epoch's secret: lets start-up tell a wrong key from a right one.
    check: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    master_fingerprint: Mapped[str] = mapped_column(sa.String(16))
    # To the hour: when the epoch's secret was destroyed.
    destroyed_hour: Mapped[datetime | None]


class ConversationKey(Model):
    """A conversation's pseudonym key, wrapped by the master key and a key epoch; wrapped is cleared to shred it."""

    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    wrapped: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    master_fingerprint: Mapped[str] = mapped_column(sa.String(16))
    # NULL for keys wrapped before epochs existed (master key alone); the next shredding moves them to an epoch.
    epoch_id: Mapped[str | None] = mapped_column(sa.String(16), sa.ForeignKey("key_epoch.id"), index=True)
    destroyed_at: Mapped[datetime | None]
