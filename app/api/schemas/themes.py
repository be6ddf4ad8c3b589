"""Schemas for themes, theme runs, and help while drafting (similar ideas, identifying details)."""

from __future__ import annotations

from typing import Annotated, overload

from pydantic import Field, model_validator

from app.api.schemas.common import Body, Out, iso_hour
from app.models import ThemeRun as ThemeRunRow


class TextBody(Body):
    """Draft text, sent in a body (never a URL, so proxies do not log it); only the start is read.

    `body`, as when posting an idea; `text` is the deprecated name, still accepted for older clients.
    """

    body: Annotated[str | None, Field(None, max_length=20_000)]
    text: Annotated[str | None, Field(None, max_length=20_000, description="Deprecated: send body", json_schema_extra={"deprecated": True})]

    @model_validator(mode="after")
    def _one_of_body_or_text(self) -> TextBody:
        if self.body is None and self.text is None:
            raise ValueError("Missing field: body")
        return self

    @property
    def draft(self) -> str:
        """The draft, from `body` or else the deprecated `text`."""
        return self.body if self.body is not None else (self.text or "")


class ThemeRun(Out):
    """A clustering run and how it went; its time only to the hour."""

    id: int
    status: str = Field(json_schema_extra={"enum": ["queued", "running", "succeeded", "failed"]})
    trigger: str
    backend: str | None
    idea_count: int
    theme_count: int
    unthemed_count: int
    error: str | None
    finished_hour: str | None
    stage: str = Field(json_schema_extra={"enum": ["queued", "representing", "clustering", "labelling", "done"]})
    progress_done: int = Field(description="Ideas read so far while representing (n of N)")
    progress_total: int = Field(description="Ideas the run reads (N)")

    @overload
    @classmethod
    def of(cls, run: ThemeRunRow) -> ThemeRun: ...

    @overload
    @classmethod
    def of(cls, run: ThemeRunRow | None) -> ThemeRun | None: ...

    @classmethod
    def of(cls, run: ThemeRunRow | None) -> ThemeRun | None:
        """The run as JSON, or None for no run."""
        if run is None:
            return None
        return cls(id=run.id, status=run.status, trigger=run.trigger, backend=run.backend, idea_count=run.idea_count,
                   theme_count=run.theme_count, unthemed_count=run.unthemed_count, error=run.error,
                   finished_hour=iso_hour(run.finished_at), stage=run.stage or "queued",
                   progress_done=run.progress_done or 0, progress_total=run.progress_total or 0)


class PendingRun(Out):
    """A queued or running run's stage and how far it has got, with the words pages show."""

    run_id: int
    status: str
    stage: str = Field(json_schema_extra={"enum": ["queued", "representing", "clustering", "labelling", "done"]})
    done: int
    total: int
    percent: int
    text: str


class RunProgress(Out):
    """Where the conversation's theme run is; `pending` is null when none is queued or running."""

    pending: PendingRun | None
    current_run_id: int | None


class Quote(Out):
    """An idea quoted as representative of a theme."""

    idea_id: str
    body: str


class Theme(Out):
    """A theme of the current run."""

    id: int
    label: str
    size: int
    top_terms: list[str]
    coherence: float
    sentiment: float | None
    quotes: list[Quote]


class Themes(Out):
    """The current themes, with the state of the latest runs."""

    run: ThemeRun | None
    pending: ThemeRun | None
    latest_failed: ThemeRun | None
    unthemed: int
    themes: list[Theme]


class SimilarIdea(Out):
    """A published idea like the draft, with how alike (0 to 1)."""

    id: str
    body: str
    question_id: int
    score: float


class Similar(Out):
    """Ideas similar to a draft."""

    ideas: list[SimilarIdea]


class Span(Out):
    """One identifying detail found: character offsets [start, end), kind, reason and the text."""

    start: int
    end: int
    kind: str
    reason: str
    text: str


class CheckedText(Out):
    """Identifying details and sentiment of a draft; nothing is stored."""

    spans: list[Span]
    sentiment: float
    speak_up: list[str] = Field(default_factory=list, description=(
        "When the draft reads like a safety, bullying, harassment or discrimination disclosure, what it seems to be "
        "about; the author may then also send it to the Freedom to Speak Up Guardian (to_guardian). Else empty."))
