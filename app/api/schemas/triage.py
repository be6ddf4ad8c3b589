"""Schemas for the lead's triage board, plans and outcomes, pairwise comparisons and "You said, we did"."""

from __future__ import annotations

from typing import Annotated, overload

from pydantic import Field, RootModel

from app.api.schemas.common import Body, DateInput, DbId, ItemId, Out, Query, Short, Text, iso_day, one_of
from app.api.schemas.themes import Quote
from app.models import Outcome as OutcomeRow
from app.services.triage.board import BoardCard

STATUSES = ["new", "under_review", "prioritised", "in_progress", "done", "not_taking_forward"]
ItemRef = Annotated[DbId | ItemId, Field(description="a theme id (integer) or an idea id (string)")]
Rating = Annotated[int, Field(ge=-(2**31), le=2**31 - 1, strict=True)]


class Update(Out):
    """A progress update on a published outcome."""

    body: str
    on: str


class Outcome(Out):
    """A theme's published "You said, we did"."""

    heard: str
    will_do: str
    by_whom: str
    by_when: str | None
    published_on: str
    updated_on: str
    updates: list[Update]

    @overload
    @classmethod
    def of(cls, outcome: OutcomeRow) -> Outcome: ...

    @overload
    @classmethod
    def of(cls, outcome: OutcomeRow | None) -> Outcome | None: ...

    @classmethod
    def of(cls, outcome: OutcomeRow | None) -> Outcome | None:
        """The outcome as JSON, or None when none is published."""
        if outcome is None:
            return None
        return cls(heard=outcome.heard, will_do=outcome.will_do, by_whom=outcome.by_whom, by_when=iso_day(outcome.by_when),
                   published_on=iso_day(outcome.published_at), updated_on=iso_day(outcome.updated_at),
                   updates=[Update(body=u.body, on=iso_day(u.created_at)) for u in outcome.updates])


class Breadth(Out):
    """How widely a theme is supported; null below the k threshold."""

    people: int | None
    threshold: int
    organisations: int | None
    staff_groups: int | None


class ScorePart(Out):
    """One part of the priority score, explained."""

    name: str
    points: float
    out_of: int
    explanation: str


class Score(Out):
    """The priority score and its parts."""

    total: float
    parts: list[ScorePart]


class Action(Out):
    """An action on a theme's plan."""

    id: int
    text: str
    owner: str | None = None
    due_on: str | None = None
    done: bool


class BoardTheme(Out):
    """A theme on the triage board. Breadth is null below the k threshold."""

    id: int
    label: str
    summary: str
    size: int
    support: int
    sentiment: float | None
    trend: str = Field(json_schema_extra={"enum": ["new", "rising", "falling", "steady", "recurring"]})
    previous_session_theme_id: int | None = Field(
        None, description="The same theme in the session before (a Change Hub's last session), when it recurs")
    pinned: bool
    breadth: Breadth
    score: Score
    status: str = Field(json_schema_extra=one_of(STATUSES))
    public_reason: str | None
    owner: str | None
    due_on: str | None
    impact: int | None
    effort: int | None
    rank: int | None
    actions: list[Action]
    quotes: list[Quote]
    outcome: Outcome | None

    @classmethod
    def of(cls, card: BoardCard) -> BoardTheme:
        """The card as a lead sees it."""
        plan, breadth = card.plan, card.breadth
        return cls(
            id=card.theme.id, label=card.snapshot.label, summary=card.theme.summary, size=card.snapshot.size,
            support=card.support, sentiment=card.snapshot.sentiment, trend=card.trend, pinned=card.theme.pinned,
            previous_session_theme_id=card.earlier.theme_id if card.earlier is not None else None,
            breadth=Breadth(people=breadth.voters if breadth.shown else None, threshold=breadth.k,
                            organisations=breadth.organisations if breadth.shown else None,
                            staff_groups=breadth.staff_groups if breadth.shown else None),
            score=Score(total=card.score.total, parts=[ScorePart(name=p.name, points=p.points, out_of=p.weight,
                                                                 explanation=p.explanation) for p in card.score.parts]),
            status=plan.status, public_reason=plan.public_reason, owner=plan.owner, due_on=iso_day(plan.due_on),
            impact=plan.impact, effort=plan.effort, rank=plan.manual_rank,
            actions=[Action(id=a.id, text=a.text, owner=a.owner, due_on=iso_day(a.due_on), done=a.done)
                     for a in card.actions],
            quotes=[Quote(idea_id=q.id, body=q.body) for q in card.quotes], outcome=Outcome.of(card.outcome))


class ThemeRef(Out):
    """A theme by id and label."""

    id: int
    label: str


class SetAsideTheme(ThemeRef):
    """A theme that is not in the current run's themes (merged away or marked not a theme)."""

    in_current_themes: bool = False


class ThemeCard(RootModel[BoardTheme | SetAsideTheme]):
    """A theme's card, or only its id and label when it is not among the current themes."""


class Board(Out):
    """The triage board."""

    conversation_id: int
    order: str
    unthemed: int
    themes: list[BoardTheme]
    not_themes: list[ThemeRef]


class BoardQuery(Query):
    """The board's order (others fall back to score)."""

    order: Annotated[str, Field(max_length=20, json_schema_extra={"enum": ["score", "rank", "size"]})] = "score"


class ThemeEdit(Body):
    """Exactly one of label, summary, pinned or not_a_theme."""

    label: Short | None = None
    summary: Text | None = None
    pinned: bool | None = None
    not_a_theme: bool | None = None


class MergeBody(Body):
    """The theme to merge this one into."""

    target_id: DbId


class SplitBody(Body):
    """Either idea_ids (with a label for the new theme), or recluster: true."""

    idea_ids: list[ItemId] | None = Field(None, max_length=1000)
    label: Short = ""
    recluster: bool = False


class Created(Out):
    """The themes a split created."""

    created: list[ThemeRef]


class PlacementBody(Body):
    """Move one idea into a theme."""

    idea_id: ItemId
    theme_id: DbId


class Placement(Out):
    """Where the idea now is."""

    idea_id: str
    theme_id: int


class StatusBody(Body):
    """The workflow status; not_taking_forward needs public_reason (others are refused with 422)."""

    status: Annotated[str, Field(max_length=40, json_schema_extra=one_of(STATUSES))]
    public_reason: Text = ""


class OwnerBody(Body):
    """Owner (free text) and due date."""

    owner: Short
    due_on: DateInput = None


class RatingBody(Body):
    """Impact and effort, 1 to 5 each (or null)."""

    impact: Rating | None = None
    effort: Rating | None = None


class RankBody(Body):
    """Manual position on the board; null to follow the score."""

    rank: Rating | None = None


class ActionBody(Body):
    """A new action."""

    text: Text
    owner: Short = ""
    due_on: DateInput = None


class DoneBody(Body):
    """Whether the action is done."""

    done: bool


class ActionDone(Out):
    """An action after marking it."""

    id: int
    text: str
    done: bool


class OutcomeBody(Body):
    """What we heard, what we will do, by whom and (optionally) by when."""

    heard: Text
    will_do: Text
    by_whom: Short
    by_when: DateInput = None


class UpdateBody(Body):
    """A progress update."""

    body: Text
