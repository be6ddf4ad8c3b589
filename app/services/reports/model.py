"""The board report of a conversation: one model, rendered both as the printable page and as a Word document.

Both renderings read only this model, so they always say the same. What it holds is what a board may see:
counts of people rounded to 5 and hidden below k (CHORUS_MIN_GROUP_SIZE, never below 10), participation from the
last scheduled batch only (rule A4), quotes checked for identifying details, and dates to the day at most. It
holds no author tag, pseudonym, idea id or time of day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationKind, Idea, ThemeAssignment, ThemeRun, ThemeStatus
from app.models.base import utcnow
from app.services.access import get_led_conversation
from app.services.conversations.participation import Cell, participation_figures
from app.services.frameworks.view import FrameworkView, framework_view, people_count
from app.services.themes.quotes import is_quotable
from app.services.triage.board import BoardCard, build_cards
from app.services.triage.pairwise import ranking

QUOTES_PER_THEME = 2
QUOTE_MAX = 400  # characters; a longer idea is cut at a word and marked with an ellipsis
CHART_ROWS = 15  # bars per chart; the table beside it lists every row


@dataclass
class Chart:
    """A bar chart and the figures it draws: the table beside the picture lists the same rows."""

    key: str
    title: str
    unit: str  # plural noun for the values, e.g. "ideas"
    label_heading: str
    rows: list[tuple[str, int]]

    @property
    def drawn(self) -> list[tuple[str, int]]:
        return self.rows[:CHART_ROWS]

    def unit_for(self, value: int) -> str:
        return self.unit[:-1] if value == 1 and self.unit.endswith("s") else self.unit

    @property
    def alt_text(self) -> str:
        if not self.rows:
            return f"{self.title}: nothing to show yet."
        shown = "; ".join(f"{label}: {value} {self.unit_for(value)}" for label, value in self.drawn)
        more = f" The table lists all {len(self.rows)} rows." if len(self.rows) > len(self.drawn) else ""
        return f"Bar chart of {self.title.lower()}. {shown}.{more}"


@dataclass
class Participation:
    """Participation from the last scheduled batch; None where the batch has not run or a figure is hidden."""

    counted_on: date | None
    ideas: int | None
    comments: int | None
    votes: int | None
    people: int | None
    by_organisation: list[Cell]
    by_staff_group: list[Cell]


@dataclass
class ReportOutcome:
    heard: str
    will_do: str
    by_whom: str
    by_when: date | None
    updates: list[tuple[date, str]]


@dataclass
class ReportTheme:
    label: str
    summary: str
    status: str
    reason: str  # the public reason when not taking it forward
    owner: str
    due: date | None
    ideas: int
    support: int  # supporting votes (a count of votes, not of people)
    people: int | None  # distinct supporters, rounded to 5; None when fewer than k
    sentiment: str
    score: float
    elements: list[str]
    quotes: list[str]
    outcome: ReportOutcome | None
    actions: list[str] = field(default_factory=list)  # "text – owner – by date (done)"


@dataclass
class ReportElement:
    name: str
    description: str
    ideas: int
    people: int | None
    themes: list[tuple[str, int, str, str]]  # label, ideas, people supporting (or "fewer than k"), status
    outcomes: int


@dataclass
class RankedRow:
    label: str
    score: float
    lower: float
    upper: float
    comparisons: int


@dataclass
class BoardReport:
    conversation_id: int
    title: str
    organisation: str
    kind: str
    named_mode: bool
    opened: date | None
    closes: date | None
    prepared: date
    k: int
    ideas: int  # ideas in the current themes run
    unthemed: int
    participation: Participation
    themes: list[ReportTheme]
    framework: str
    mapped: bool
    elements: list[ReportElement]
    unmapped_ideas: int
    ranking: list[RankedRow]
    charts: list[Chart] = field(default_factory=list)

    @property
    def fewer_than(self) -> str:
        return f"fewer than {self.k}"

    def people(self, value: int | None) -> str:
        return f"{value}" if value is not None else self.fewer_than


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _date_text(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_MAX:
        return text
    return text[:QUOTE_MAX].rsplit(" ", 1)[0] + "…"


def _theme(card: BoardCard, k: int, elements: list[str]) -> ReportTheme:
    plan = card.plan
    status = ThemeStatus(plan.status)
    # The run's quotes are checked again on read: a better detector then covers old runs at once.
    quotes = [_quote(i.body) for i in card.quotes if is_quotable(i.body)][:QUOTES_PER_THEME]
    outcome = None
    if card.outcome is not None:
        o = card.outcome
        outcome = ReportOutcome(o.heard, o.will_do, o.by_whom, o.by_when,
                                [(u.created_at.date(), u.body) for u in o.updates])
    actions = [f"{a.text}{' – ' + a.owner if a.owner else ''}{' – by ' + _date_text(a.due_on) if a.due_on else ''}"
               f"{' (done)' if a.done else ''}" for a in card.actions]
    return ReportTheme(
        label=card.snapshot.label, summary=card.summary, status=status.label,
        reason=plan.public_reason if status == ThemeStatus.NOT_TAKING_FORWARD else "", owner=plan.owner or "",
        due=plan.due_on, ideas=card.snapshot.size, support=card.support, people=people_count(card.breadth.voters, k),
        sentiment=card.sentiment_label, score=card.score.total, elements=elements, quotes=quotes, outcome=outcome,
        actions=actions)


def _unthemed(conversation: Conversation) -> int:
    """Published ideas of the current run that are in no theme."""
    if conversation.current_theme_run_id is None:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(ThemeAssignment).join(Idea, Idea.id == ThemeAssignment.idea_id)
        .where(ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id.is_(None),
               Idea.status == ContentStatus.PUBLISHED)) or 0


def _participation(conversation: Conversation) -> Participation:
    figures = participation_figures(conversation)
    return Participation(
        counted_on=_day(figures.updated_at), ideas=figures.ideas, comments=figures.comments, votes=figures.votes,
        people=figures.participants, by_organisation=figures.by_organisation, by_staff_group=figures.by_staff_group)


def _elements(view: FrameworkView) -> list[ReportElement]:
    return [ReportElement(e.name, e.description, e.ideas, e.supporters,
                          [(t.label, t.ideas, view.fewer_than if t.supporters is None else str(t.supporters),
                            t.status_label) for t in e.themes], len(e.outcomes))
            for e in view.elements]


def _charts(report: BoardReport) -> list[Chart]:
    sizes = sorted(((t.label, t.ideas) for t in report.themes), key=lambda row: (-row[1], row[0]))
    statuses = {s.label: 0 for s in ThemeStatus}
    for theme in report.themes:
        statuses[theme.status] += 1
    charts = [Chart("sizes", "Ideas in each theme", "ideas", "Theme", sizes),
              Chart("statuses", "Themes by status", "themes", "Status", list(statuses.items()))]
    if report.mapped:
        charts.append(Chart("elements", f"Ideas by {report.framework} element", "ideas", "Element",
                            [(e.name, e.ideas) for e in report.elements]))
    return charts


def board_report(organisation_ids: frozenset[int], conversation_id: int) -> BoardReport:
    """The board report of a conversation run by one of `organisation_ids` (NotFound otherwise).

    Callers pass the organisations where the person is a change-hub lead, or a facilitator: both may read the
    report of their own organisation's conversations, and nobody else learns that the conversation exists.
    """
    conversation = get_led_conversation(organisation_ids, conversation_id)
    run = db.session.get(ThemeRun, conversation.current_theme_run_id) if conversation.current_theme_run_id else None
    cards = build_cards(conversation, run) if run is not None else []
    cards.sort(key=lambda c: (-c.score.total, c.theme.id))  # priority order, as on the board and in the exports
    view = framework_view(conversation.id)
    k = view.k
    theme_elements: dict[int, list[str]] = {}
    for element in view.elements:
        for t in element.themes:
            theme_elements.setdefault(t.theme_id, []).append(element.name)
    ideas = view.ideas
    report = BoardReport(
        conversation_id=conversation.id, title=conversation.title, organisation=conversation.organisation.name,
        kind=ConversationKind(conversation.kind).label, named_mode=conversation.named_mode,
        opened=_day(conversation.opens_at), closes=_day(conversation.closes_at), prepared=utcnow().date(), k=k,
        ideas=ideas, unthemed=_unthemed(conversation), participation=_participation(conversation),
        themes=[_theme(card, k, theme_elements.get(card.theme.id, [])) for card in cards],
        framework=view.framework_name, mapped=view.mapped, elements=_elements(view),
        unmapped_ideas=view.unmapped_ideas,
        ranking=[RankedRow(r.item.label, r.score, r.lower, r.upper, r.comparisons) for r in ranking(conversation)])
    report.charts = _charts(report)
    return report
