"""What a lead sees to correct one theme's mapping: its elements, and each of its ideas with theirs."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, Framework, FrameworkElement, Idea, IdeaElement, Theme, ThemeElement
from app.services.access import get_led_theme
from app.services.frameworks.catalogue import framework_of

IDEAS_SHOWN = 200  # a theme's ideas listed for correction; a bigger theme is corrected at the theme level


@dataclass
class Mapped:
    element: FrameworkElement
    confidence: float
    source: str


@dataclass
class IdeaMapping:
    idea: Idea
    elements: list[Mapped] = field(default_factory=list)


@dataclass
class ThemeMapping:
    theme: Theme
    conversation: Conversation
    framework: Framework
    elements: list[Mapped]
    ideas: list[IdeaMapping]
    more_ideas: int = 0


def theme_mapping(lead_orgs: frozenset[int], theme_id: int) -> ThemeMapping:
    """A theme the person leads with its elements and its current ideas' elements, or NotFound."""
    from app.services.themes.edits import current_members

    theme = get_led_theme(lead_orgs, theme_id)
    conversation = db.session.get_one(Conversation, theme.conversation_id)
    framework = framework_of(conversation)
    by_id = {e.id: e for e in framework.elements}
    rows = db.session.scalars(sa.select(ThemeElement).where(ThemeElement.theme_id == theme.id)
                              .order_by(ThemeElement.confidence.desc())).all()
    elements = [Mapped(by_id[r.element_id], r.confidence, r.source) for r in rows if r.element_id in by_id]
    members = sorted(current_members(theme))
    ideas = {i.id: IdeaMapping(i) for i in db.session.scalars(
        sa.select(Idea).where(Idea.id.in_(members[:IDEAS_SHOWN])).order_by(Idea.body))} if members else {}
    for row in db.session.scalars(sa.select(IdeaElement).where(IdeaElement.idea_id.in_(ideas))
                                  .order_by(IdeaElement.confidence.desc())) if ideas else []:
        if row.element_id in by_id:
            ideas[row.idea_id].elements.append(Mapped(by_id[row.element_id], row.confidence, row.source))
    return ThemeMapping(theme, conversation, framework, elements, list(ideas.values()),
                        max(0, len(members) - IDEAS_SHOWN))


@dataclass
class ConversationMappings:
    conversation: Conversation
    framework: Framework
    themes: dict[int, list[tuple[int, float, str]]]  # theme id -> (element id, confidence, source)
    ideas: dict[str, list[tuple[int, float, str]]]
    corrections: list


def conversation_mappings(lead_orgs: frozenset[int], conversation_id: int) -> ConversationMappings:
    """Every current mapping of a conversation the person leads, with the leads' corrections, or NotFound."""
    from app.models import ElementCorrection
    from app.services.access import get_led_conversation

    conversation = get_led_conversation(lead_orgs, conversation_id)
    framework = framework_of(conversation)
    valid = [e.id for e in framework.elements]
    themes: dict[int, list[tuple[int, float, str]]] = {}
    for t in db.session.scalars(sa.select(ThemeElement).where(
            ThemeElement.conversation_id == conversation.id, ThemeElement.element_id.in_(valid))
            .order_by(ThemeElement.theme_id, ThemeElement.confidence.desc())):
        themes.setdefault(t.theme_id, []).append((t.element_id, t.confidence, t.source))
    ideas: dict[str, list[tuple[int, float, str]]] = {}
    for i in db.session.scalars(sa.select(IdeaElement).where(
            IdeaElement.conversation_id == conversation.id, IdeaElement.element_id.in_(valid))
            .order_by(IdeaElement.idea_id, IdeaElement.confidence.desc())):
        ideas.setdefault(i.idea_id, []).append((i.element_id, i.confidence, i.source))
    found = db.session.scalars(sa.select(ElementCorrection).where(
        ElementCorrection.conversation_id == conversation.id, ElementCorrection.element_id.in_(valid))
        .order_by(ElementCorrection.id)).all()
    return ConversationMappings(conversation, framework, themes, ideas, list(found))
