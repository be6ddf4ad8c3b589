"""Schemas for pairwise comparisons, outcomes pages and outcome notices."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.schemas.common import Body, DbId, ItemId, Out, one_of
from app.api.schemas.triage import ItemRef, Outcome

Kind = Annotated[str, Field(json_schema_extra={"enum": ["theme", "idea"]})]
ITEMS = ["themes", "question", "picked"]


class Ranked(Out):
    """A theme or idea with its Bradley-Terry score and 95% interval."""

    id: int | str
    label: str
    score: float
    lower: float
    upper: float
    comparisons: int


class Ranking(Out):
    """The ranking, under `themes` or `ideas` as `compared` says (the other is null)."""

    compared: Kind
    themes: list[Ranked] | None = None
    ideas: list[Ranked] | None = None


class Compared(Out):
    """A theme or idea being compared."""

    id: int | str
    label: str


class Setup(Out):
    """What staff compare in pairs."""

    items: str = Field(json_schema_extra=one_of(ITEMS))
    question_id: int | None
    compared: list[Compared]


class SetupBody(Body):
    """What to compare; with `picked`, the picked ideas of `question_id` (at most 100 in all)."""

    items: Annotated[str, Field(max_length=20, json_schema_extra=one_of(ITEMS))]
    question_id: DbId | None = None
    picked: list[ItemId] | None = Field(None, max_length=1000)


class PairItem(Out):
    """One side of a pair."""

    id: int | str
    label: str
    summary: str | None


class Pair(Out):
    """Two themes or ideas to compare."""

    kind: Kind
    left: PairItem
    right: PairItem
    answered: int


class NextPair(Out):
    """The next pair, or null when there are none left for you."""

    pair: Pair | None


class AnswerBody(Body):
    """Which side is more important: left, right or skip (can't decide); others are refused with 422."""

    left_id: ItemRef
    right_id: ItemRef
    choice: Annotated[str, Field(max_length=10, json_schema_extra={"enum": ["left", "right", "skip"]})]


class Recorded(Out):
    """The answer was stored (with no user id)."""

    recorded: bool


class ThemeOutcome(Out):
    """A theme with its status and published outcome."""

    id: int
    label: str
    status: str
    public_reason: str | None
    outcome: Outcome | None


class ConversationOutcomes(Out):
    """One conversation's themes and outcomes."""

    id: int
    title: str
    themes: list[ThemeOutcome]


class OutcomesPage(Out):
    """ "You said, we did" for a conversation or an organisation."""

    title: str
    conversations: list[ConversationOutcomes]


class OutcomeNotice(Out):
    """An updated outcome on a theme you contributed to or voted on."""

    conversation_id: int
    theme_id: int
    label: str
    updated: bool


class OutcomeNotices(Out):
    """Notices worked out now from your own pseudonyms."""

    notices: list[OutcomeNotice]
