"""Schemas for a conversation's live state and facilitators' live controls."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.api.schemas.common import Body, DbId, Out, Query
from app.urls import MAX_DB_INT

PHASES = ["collect", "vote", "review", "closed"]


class LiveState(Out):
    """The live state as this person may see it: no author or user; counts are null while hidden from you."""

    conversation_id: int
    status: str
    phase: str | None = Field(json_schema_extra={"enum": [*PHASES, None]})
    phase_label: str | None
    ends_at: str | None
    now: str
    votes_hidden: bool
    auto_advance: bool
    spotlight: dict[str, Any] = Field(description='{"kind": null}, or the idea or theme on every screen')
    last_event_id: int
    ideas: dict[str, dict[str, Any]] = Field(description="votes (null while hidden), comments and my_vote per idea id")


class Event(Out):
    """One live event."""

    id: int
    type: str
    data: dict[str, Any]


class Live(Out):
    """The live state, and the events after the cursor (`reset` when some are no longer kept)."""

    state: LiveState
    events: list[Event]
    reset: bool


class LiveOnly(Out):
    """The live state after a change."""

    state: LiveState


class LiveQuery(Query):
    """Events after this id (from Last-Event-ID or the last event seen)."""

    after: int | None = Field(None, ge=0, le=MAX_DB_INT)  # an event id: a database integer


class PhaseBody(Body):
    """The phase to move to."""

    phase: Annotated[str, Field(max_length=20, json_schema_extra={"enum": PHASES})]


class TimerBody(Body):
    """Start, extend or stop the phase timer; minutes (1 to 180) to start or add."""

    action: Annotated[str, Field(max_length=10, json_schema_extra={"enum": ["start", "add", "stop"]})]
    minutes: int | None = Field(None, ge=-(2**31), le=2**31 - 1)


class SpotlightBody(Body):
    """An idea or a theme to spotlight; neither clears it."""

    idea_id: Annotated[str, Field(max_length=64)] | None = None
    theme_id: DbId | None = None


class VotesHiddenBody(Body):
    """Hide vote counts until each person votes, or until voting ends."""

    votes_hidden: bool


class AutoAdvanceBody(Body):
    """Move on automatically when the phase timer ends."""

    auto_advance: bool

