"""The framework view: each element of a conversation's framework with its themes, ideas, support and outcomes.

Read by the lead's and the staff's pages and by the board report. Every count of people (distinct supporters)
is shown only when at least k people (CHORUS_MIN_GROUP_SIZE, never below 10) are counted, rounded to 5; counts of
ideas are counts of content, not people. Only the current run's themes (what staff already see) and published
ideas are counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.services.common.text import sentiment_label
from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    Idea,
    IdeaElement,
    ThemeAssignment,
    ThemeElement,
    ThemePlan,
    ThemeSnapshot,
    ThemeStatus,
    Vote,
)
from app.services.access import get_conversation, get_led_conversation
from app.services.common.participants import Participant
from app.services.conversations.participation import min_group_size, round_to_5
from app.services.frameworks.catalogue import framework_of
from app.services.triage.outcomes import OutcomeItem, conversation_items


def people_count(value: int, k: int) -> int | None:
    """A count of people as it may be shown: rounded to 5, or None when fewer than k."""
    return round_to_5(value) if value >= k else None


@dataclass
class ElementTheme:
    """A theme mapped onto an element: what the board shows of it."""

    theme_id: int
    label: str
    ideas: int
    supporters: int | None  # distinct people who supported its ideas: rounded, None when fewer than k
    sentiment: float | None
    status: str
    confidence: float
    source: str  # "run" or "lead"

    @property
    def status_label(self) -> str:
        return ThemeStatus(self.status).label

    @property
    def sentiment_label(self) -> str:
        return sentiment_label(self.sentiment)


@dataclass
class ElementView:
    element_id: int
    name: str
    description: str
    themes: list[ElementTheme] = field(default_factory=list)
    ideas: int = 0  # published ideas mapped onto the element
    supporters: int | None = None  # distinct supporters of those ideas: rounded, None when fewer than k
    outcomes: list[OutcomeItem] = field(default_factory=list)  # "You said, we did" of its themes


@dataclass
class FrameworkView:
    conversation: Conversation
    framework_id: int
    framework_name: str
    k: int
    elements: list[ElementView]
    ideas: int = 0  # published ideas in the current themes run
    unmapped_ideas: int = 0
    mapped: bool = False  # False until a theme run has mapped this conversation onto its framework

    @property
    def fewer_than(self) -> str:
        return f"fewer than {self.k}"


def framework_view(conversation_id: int) -> FrameworkView:
    """The framework view of a conversation (callers check access; the lead and staff wrappers below do)."""
    conversation = db.session.get_one(Conversation, conversation_id)
    framework = framework_of(conversation)
    k = min_group_size()
    elements = {e.id: ElementView(e.id, e.name, e.description) for e in framework.elements}
    view = FrameworkView(conversation, framework.id, framework.name, k, list(elements.values()))
    run_id = conversation.current_theme_run_id
    if run_id is None:
        return view
    snapshots = {s.theme_id: s for s in db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == run_id))}
    membership = dict(db.session.execute(
        sa.select(ThemeAssignment.idea_id, ThemeAssignment.theme_id).join(Idea, Idea.id == ThemeAssignment.idea_id)
        .where(ThemeAssignment.run_id == run_id, Idea.status == ContentStatus.PUBLISHED)).all())
    view.ideas = len(membership)
    idea_elements: dict[str, set[int]] = defaultdict(set)
    for idea_id, element_id in db.session.execute(
            sa.select(IdeaElement.idea_id, IdeaElement.element_id).where(
                IdeaElement.conversation_id == conversation.id, IdeaElement.element_id.in_(elements))):
        if idea_id in membership:
            idea_elements[idea_id].add(element_id)
    view.mapped = bool(idea_elements) or db.session.scalar(sa.select(ThemeElement.theme_id).where(
        ThemeElement.conversation_id == conversation.id, ThemeElement.element_id.in_(elements)).limit(1)) is not None
    view.unmapped_ideas = sum(1 for i in membership if not idea_elements.get(i))
    supporters_of_idea: dict[str, set[str]] = defaultdict(set)
    for idea_id, voter in db.session.execute(sa.select(Vote.idea_id, Vote.voter).where(
            Vote.conversation_id == conversation.id, Vote.value == 1)):
        if idea_id in membership:
            supporters_of_idea[idea_id].add(voter)
    element_supporters: dict[int, set[str]] = defaultdict(set)
    for idea_id, element_ids in idea_elements.items():
        for element_id in element_ids:
            elements[element_id].ideas += 1
            element_supporters[element_id] |= supporters_of_idea.get(idea_id, set())
    theme_supporters: dict[int, set[str]] = defaultdict(set)
    for idea_id, theme_id in membership.items():
        if theme_id is not None:
            theme_supporters[theme_id] |= supporters_of_idea.get(idea_id, set())
    plans = {p.theme_id: p for p in db.session.scalars(
        sa.select(ThemePlan).where(ThemePlan.theme_id.in_(snapshots)))} if snapshots else {}
    theme_elements: dict[int, list[int]] = defaultdict(list)
    rows = db.session.scalars(sa.select(ThemeElement).where(
        ThemeElement.conversation_id == conversation.id, ThemeElement.element_id.in_(elements),
        ThemeElement.theme_id.in_(snapshots)).order_by(ThemeElement.confidence.desc())).all() if snapshots else []
    for row in rows:
        snap = snapshots[row.theme_id]
        plan = plans.get(row.theme_id)
        elements[row.element_id].themes.append(ElementTheme(
            theme_id=row.theme_id, label=snap.label, ideas=snap.size,
            supporters=people_count(len(theme_supporters.get(row.theme_id, ())), k), sentiment=snap.sentiment,
            status=plan.status if plan else ThemeStatus.NEW.value, confidence=round(row.confidence, 2),
            source=row.source))
        theme_elements[row.theme_id].append(row.element_id)
    for element_id, people in element_supporters.items():
        elements[element_id].supporters = people_count(len(people), k)
    for item in conversation_items(conversation):
        for element_id in theme_elements.get(item.theme.id, ()):
            elements[element_id].outcomes.append(item)
    return view


def framework_view_for_lead(lead_orgs: frozenset[int], conversation_id: int) -> FrameworkView:
    """The framework view of a conversation the person leads, or NotFound."""
    return framework_view(get_led_conversation(lead_orgs, conversation_id).id)


def framework_view_for_staff(participant: Participant, conversation_id: int) -> FrameworkView:
    """The framework view of a conversation the person can see (its current themes and published outcomes)."""
    return framework_view(get_conversation(participant, conversation_id).id)
