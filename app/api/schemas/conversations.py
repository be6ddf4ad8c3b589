"""Schemas for conversations, questions, the caller, and facilitators' create and edit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Body, DbId, Out, Short, Text, WhenInput
from app.api.schemas.content import Comment, Idea
from app.models import Conversation as ConversationRow
from app.models import Organisation as OrganisationRow
from app.models import Question as QuestionRow

Count = Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)]


class Question(Out):
    """A question of a conversation."""

    id: int
    conversation_id: int
    text: str
    description: str | None
    position: int

    @classmethod
    def of(cls, question: QuestionRow) -> Question:
        """The question as JSON."""
        return cls(id=question.id, conversation_id=question.conversation_id, text=question.text,
                   description=question.description, position=question.position)


class Conversation(Out):
    """A conversation; `description`, `audience` and `questions` only on a single conversation."""

    id: int
    title: str
    kind: str = Field(json_schema_extra={"enum": ["online", "ideas_lab", "change_hub", "workshop"]})
    status: str = Field(json_schema_extra={"enum": ["draft", "open", "closed"]})
    accepting: bool
    voting_mode: str = Field(json_schema_extra={"enum": ["support", "agree"]})
    comments_enabled: bool
    named_mode: bool
    opens_at: str | None
    closes_at: str | None
    organisation: str
    batch_release: bool = Field(description="New posts wait, seen only by their authors, then appear together")
    batch_size: int
    batch_max_wait_hours: int
    description: str | None = None
    audience: list[str] | None = None
    questions: list[Question] | None = None

    @classmethod
    def of(cls, conversation: ConversationRow, *, audience: list[OrganisationRow] | None = None) -> Conversation:
        """The conversation as JSON; with `audience` (as the caller may see it) also its description and questions."""
        def when(value: datetime | None) -> str | None:
            return value.isoformat() + "Z" if value else None

        full = audience is not None  # a listing gives null for these three, as before
        return cls(id=conversation.id, title=conversation.title, kind=conversation.kind, status=conversation.status,
                   accepting=conversation.is_accepting(), voting_mode=conversation.voting_mode,
                   comments_enabled=conversation.comments_enabled, named_mode=conversation.named_mode,
                   opens_at=when(conversation.opens_at), closes_at=when(conversation.closes_at),
                   organisation=conversation.organisation.name, batch_release=conversation.batch_release,
                   batch_size=conversation.batch_size, batch_max_wait_hours=conversation.batch_max_wait_hours,
                   description=conversation.description if full else None,
                   audience=[org.name for org in audience] if audience is not None else None,
                   questions=[Question.of(q) for q in conversation.questions] if full else None)


class ConversationList(Out):
    """Conversations open to the caller."""

    conversations: list[Conversation]


class QuestionList(Out):
    """The questions of a conversation."""

    questions: list[Question]


class Membership(Out):
    """One organisation the caller belongs to, with their role there."""

    organisation: str
    organisation_id: int
    role: str
    staff_group: str | None


class Me(Out):
    """The signed-in person: a display name and their memberships."""

    display_name: str | None
    memberships: list[Membership]


class Mine(Out):
    """The caller's own ideas and comments, found by recomputing author tags."""

    ideas: list[Idea]
    comments: list[Comment]
    archived: bool = Field(description="The key is destroyed: no post can be found, edited or withdrawn")
    can_edit: bool = Field(description="You may edit or withdraw your posts now")
    edit_until: str | None = Field(description="After closing: the end of the grace period for edits and withdrawals "
                                   "(ISO 8601, UTC)", json_schema_extra={"format": "date-time"})


class ConversationEdit(Body):
    """Fields of a conversation; on PATCH only those sent change (a null clears only a date)."""

    title: Short = ""
    description: Text = ""
    kind: Short = Field("online", json_schema_extra={"enum": ["online", "ideas_lab", "change_hub", "workshop"]})
    voting_mode: Short = Field("support", json_schema_extra={"enum": ["support", "agree"]})
    comments_enabled: bool = True
    named_mode: bool = False
    audience_ids: list[DbId] = Field([], max_length=1000, description="organisation ids")
    questions: list[Text] = Field([], max_length=100)
    opens_at: WhenInput = None
    closes_at: WhenInput = None
    batch_release: bool = False
    batch_size: Count = Field(5, description="Release when this many are waiting (3 to 100)")
    batch_max_wait_hours: Count = Field(24, description="Or when the first has waited this long (1 to 168)")


class ConversationCreate(ConversationEdit):
    """A new draft conversation; organisation_id may be left out by someone facilitating in one organisation."""

    title: Short
    questions: list[Text] = Field(max_length=100)
    audience_ids: list[DbId] = Field(max_length=1000, description="organisation ids")
    organisation_id: DbId | None = None
