"""Schemas for reports, the moderation queue, decisions, log and the author's notices; never the author."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Body, Out, Text, iso_hour
from app.models import Comment as CommentRow
from app.models import Idea as IdeaRow

REASONS = ["identifying", "abusive", "off_topic", "duplicate", "other"]
Reason = Annotated[str, Field(max_length=40, json_schema_extra={"enum": REASONS})]
Note = Annotated[str | None, Field(None, max_length=1000, description="Shown to the author; at most 500 characters")]


class ReportBody(Body):
    """Why a post should be looked at; `note` is required when reason is other."""

    reason: Reason
    note: Note = None


class Reported(Out):
    """A report was recorded (or the caller had already reported the item)."""

    reported: bool
    already_reported: bool


class ModerationItem(Out):
    """An idea or comment as moderators see it; never carries its author."""

    kind: str = Field(json_schema_extra={"enum": ["idea", "comment"]})
    id: str
    idea_id: str
    conversation_id: int
    body: str
    status: str
    created_hour: str | None
    edited: bool
    moderator_edited: bool
    flagged_identifying: bool
    flagged_abusive: bool

    @classmethod
    def of(cls, kind: str, item: IdeaRow | CommentRow) -> ModerationItem:
        """The item as moderators see it."""
        return cls(kind=kind, id=item.id, idea_id=item.id if isinstance(item, IdeaRow) else item.idea_id,
                   conversation_id=item.conversation_id, body=item.body, status=item.status,
                   created_hour=iso_hour(item.created_hour), edited=item.edited,
                   moderator_edited=item.moderator_edited, flagged_identifying=item.flagged_identifying,
                   flagged_abusive=item.flagged_abusive)


class QueueItem(ModerationItem):
    """An item waiting for a decision, with why it is there."""

    reasons: list[str]
    reports: dict[str, int]
    report_notes: list[str]


class Queue(Out):
    """The moderation queue of a conversation."""

    moderation_mode: str = Field(json_schema_extra={"enum": ["post", "pre"]})
    report_threshold: int
    items: list[QueueItem]


class ModerationAction(Body):
    """Approve; hide with a reason (and a note for other); or redact with the new body."""

    action: Annotated[str, Field(max_length=20, json_schema_extra={"enum": ["approve", "hide", "redact"]})]
    reason: Reason | None = Field(None, description="Required to hide.")
    note: Note = None
    body: Text | None = Field(None, description="The new text, required to redact.")


class LogEntry(Out):
    """A moderation decision: names the moderator, never the author."""

    id: int
    item_kind: str
    item_id: str
    action: str = Field(json_schema_extra={"enum": ["approve", "hide", "redact", "auto_hide"]})
    reason: str | None
    note: str | None
    moderator_id: int | None
    moderator: str | None
    at: str


class Log(Out):
    """The moderation log of a conversation."""

    entries: list[LogEntry]


class Notice(Out):
    """A moderator's decision on one of the caller's own posts."""

    kind: str = Field(json_schema_extra={"enum": ["idea", "comment"]})
    item_id: str
    conversation_id: int
    action: str = Field(json_schema_extra={"enum": ["hide", "redact"]})
    reason: str | None
    note: str | None
    message: str
    body: str
    status: str


class Notices(Out):
    """Moderation notices on the caller's own posts, computed from their author tags, never stored against them."""

    notices: list[Notice]

