"""Schemas for invitations, reminders and "You said, we did" announcements (facilitators)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Body, DbId, Out, WhenInput, one_of

KINDS = ["invitation", "reminder", "announcement"]
WHEN = ["now", "before_close", "at"]
STATUSES = ["scheduled", "sending", "sent", "failed", "cancelled"]


class AudienceFilter(Body):
    """Narrow a message to organisations and staff groups of at least min_group_size people; both empty: everyone."""

    organisation_ids: Annotated[list[DbId], Field(max_length=200)] = []
    staff_group_ids: Annotated[list[DbId], Field(max_length=500)] = []


class ScheduleBody(AudienceFilter):
    """A message to send now or at an hour: by email, by the conversation's Teams channel, or both."""

    kind: Annotated[str, Field(max_length=20, json_schema_extra=one_of(KINDS))]
    email: bool = True
    teams: bool = False
    when: Annotated[str, Field(max_length=20, json_schema_extra=one_of(WHEN))] = Field(
        "now", description="now; before_close (three days before the closing date); at (the hour given in `at`)")
    at: WhenInput = Field(None, description="With when=at: the date and time, rounded down to the hour (UTC)")
    note: Annotated[str, Field(max_length=1000)] = ""


class Choice(Out):
    id: int
    name: str


class Message(Out):
    """One message and its send log: counts only, never who it went to."""

    id: int
    conversation_id: int
    kind: str = Field(json_schema_extra=one_of(KINDS))
    email: bool
    teams: bool
    audience: str = Field(description="Who it is for, in words: everyone, or the organisations and staff groups chosen")
    organisation_ids: list[int]
    staff_group_ids: list[int]
    note: str
    due_hour: str = Field(description="The hour it is due (UTC)")
    status: str = Field(json_schema_extra=one_of(STATUSES))
    recipients: int = Field(description="How many people it was for when first tried")
    sent: int
    failed: int
    teams_posted: bool
    attempts: int
    last_error: str = Field(description="Why it is waiting or what failed, in words safe to show; empty when fine")
    sent_hour: str | None


class Messages(Out):
    """A conversation's messages (newest first) and what a new one may be narrowed to."""

    conversation_id: int
    min_group_size: int
    audience: int | None = Field(description="People in the audience; null below min_group_size")
    email_configured: bool
    teams_configured: bool
    organisations: list[Choice] = Field(description="Organisations a message may be narrowed to (at least k people)")
    staff_groups: list[Choice] = Field(description="Staff groups a message may be narrowed to (at least k people)")
    messages: list[Message]


class PreviewBody(AudienceFilter):
    kind: Annotated[str, Field(max_length=20, json_schema_extra=one_of(KINDS))] = "invitation"


class Preview(Out):
    """How many people a message would reach by email: a number, never a list; null below min_group_size."""

    recipients: int | None
    min_group_size: int


class WebhookBody(Body):
    url: Annotated[str, Field(max_length=2000, description="The Teams incoming webhook or Workflows address; "
                                                           "empty to stop posting to Teams")]


class TeamsChannel(Out):
    """Whether posts go to Teams, and the address's host only (the rest works like a password)."""

    configured: bool
    address: str | None
