"""Schemas for the outreach monitor and the Freedom to Speak Up route (issue #15)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Body, Out, Query

MessageText = Annotated[str, Field(max_length=20_000)]


class Reach(Out):
    """One group: people who took part (rounded to 5; null below k), its headcount (null when unknown or below k)
    and the share in whole percent (null unless both are shown)."""

    group: str
    participants: int | None
    headcount: int | None
    share: int | None
    ways_to_reach: list[str] = Field(description="Suggested ways to reach this group: paper, huddle, teams")


class ReachBreakdown(Out):
    groups: list[Reach]
    in_other: list[str] = Field(description="Groups of at least k staff counted in Other, so shown with no figure")


class Outreach(Out):
    """The outreach monitor: the last hourly participation batch divided by the workforce baseline, never live."""

    conversation_id: int
    available: bool = Field(description="False until the first batch, and once the conversation is not open")
    min_group_size: int
    updated_at: str | None = Field(description="The hour the participation figures were worked out (UTC)")
    participants: int | None
    without_baseline: list[str]
    by_organisation: ReachBreakdown
    by_staff_group: ReachBreakdown
    least_heard: list[Reach]


class SendBody(Body):
    """Send your own post to the Guardian, with an optional first message."""

    message: MessageText = ""


class MessageBody(Body):
    """A message in a Speak Up thread (1 to 4,000 characters)."""

    body: MessageText


class StatusBody(Body):
    status: Annotated[str, Field(max_length=20, json_schema_extra={"enum": ["open", "closed"]})]


class StatusQuery(Query):
    status: Annotated[str, Field("open", max_length=20, json_schema_extra={"enum": ["open", "closed"]})]


class SpeakUpMessage(Out):
    """A message: from the author (never named) or from a Guardian (their name); times only to the hour."""

    from_guardian: bool
    guardian_name: str | None
    body: str
    hour: str | None


class SentPost(Out):
    """What a Guardian sees of the post: its words (null once withdrawn) and where it was posted. Never who."""

    kind: str = Field(json_schema_extra={"enum": ["idea", "comment"]})
    body: str | None
    conversation: str
    question: str
    on_idea: str | None
    hour: str | None


class SpeakUpThread(Out):
    """A thread between an author and the Guardians. It carries no author tag, pseudonym or name."""

    id: str
    conversation_id: int
    status: str = Field(json_schema_extra={"enum": ["open", "closed"]})
    replies: int
    post: SentPost
    messages: list[SpeakUpMessage]


class SpeakUpQueue(Out):
    threads: list[SpeakUpThread]
    open: int
    unread: int
    closed: int


class MyThreads(Out):
    """Your own threads in a conversation, found from your own author tags (nothing stores whose they are)."""

    threads: list[SpeakUpThread]
