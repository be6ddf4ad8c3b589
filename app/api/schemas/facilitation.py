"""Schemas for batch release, participation figures, paper-note import and Ideas Lab stages."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Body, DbId, Out, Text

STAGES = ["submitted", "under_review", "taken_forward", "done", "not_taken_forward"]


class BatchState(Out):
    """Batch-release settings and how many posts are waiting (a count only, never the posts)."""

    conversation_id: int
    batch_release: bool
    batch_size: int
    batch_max_wait_hours: int
    waiting: int
    released: int | None = Field(None, description="Only after a release")


class Cell(Out):
    """One group's count of people; null (and hidden) below the minimum group size."""

    group: str
    participants: int | None
    hidden: bool


class Participation(Out):
    """Participation figures, never per person and from the last hourly batch, never live: groups below
    min_group_size are folded into "Other" and never named; every figure is null until the first batch."""

    conversation_id: int
    min_group_size: int
    updated_at: str | None = Field(description="The hour the figures were worked out (UTC)")
    ideas: int | None
    comments: int | None
    votes: int | None
    participants: int | None
    by_organisation: list[Cell]
    by_staff_group: list[Cell]


class PaperNotes(Body):
    """Typed-up paper notes: CSV with question and text columns, or one note per line for `question_id`."""

    notes: Annotated[str, Field(max_length=2_000_000)]
    question_id: DbId | None = Field(None, description="The question for notes given one per line")
    dry_run: bool = Field(False, description="Check and preview without saving")


class CheckedNote(Out):
    """A note as it would be imported."""

    row: int
    question_id: int
    text: str
    identifying: list[str]


class Imported(Out):
    """What an import did (or, on a dry run, would do)."""

    imported: int
    idea_ids: list[str] = []
    flagged_identifying: int = 0
    held_for_moderation: int = Field(default=0, description="Imported notes waiting in the moderation queue")
    notes: list[CheckedNote] = []


class RowProblem(Out):
    """One row's problem in an import that saved nothing."""

    row: int
    message: str


class NoteImportState(Out):
    """A large paper-note import (over CHORUS_NOTES_INLINE_MAX notes), checked and saved by a background job."""

    id: int
    conversation_id: int
    status: str = Field(json_schema_extra={"enum": ["queued", "running", "succeeded", "failed"]})
    check_only: bool = Field(description="A dry run: the notes are checked, nothing is saved")
    total: int
    checked: int = Field(description="Notes checked so far")
    imported: int = Field(description="Notes saved as ideas, once it has succeeded")
    flagged: int = Field(description="Notes that wait (or would wait) in the moderation queue")
    held_for_moderation: int
    error: str | None = None
    rows: list[RowProblem] = []


class StageBody(Body):
    """Where an Ideas Lab idea has got to; not_taken_forward needs a reason (others are refused with 422)."""

    stage: Annotated[str, Field(max_length=40, json_schema_extra={"enum": STAGES})]
    reason: Text = ""


class Staged(Out):
    """An idea's new stage."""

    id: str
    conversation_id: int
    stage: str
    stage_reason: str | None

