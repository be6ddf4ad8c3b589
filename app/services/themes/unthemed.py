"""The Unthemed list: ideas the last run could not place, shown to leads with a way to place each in a theme."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, Idea, Theme, ThemeAssignment, ThemeRun, ThemeSnapshot
from app.services.access import get_led_conversation, get_led_theme
from app.services.common.errors import NotFound
from app.services.common.transaction import transaction

__all__ = ["UnthemedView", "place_unthemed_idea", "unthemed_ideas"]


@dataclass
class UnthemedView:
    """A conversation's unthemed ideas in the current run and the themes they can be placed in."""

    conversation: Conversation
    run: ThemeRun | None
    ideas: list[Idea] = field(default_factory=list)
    themes: list[tuple[int, str]] = field(default_factory=list)  # (theme id, label), largest first


def unthemed_ideas(lead_orgs: frozenset[int], conversation_id: int) -> UnthemedView:
    """The unthemed ideas of a conversation the person leads, in a stable order (by text, never by time)."""
    conversation = get_led_conversation(lead_orgs, conversation_id)
    run = db.session.get(ThemeRun, conversation.current_theme_run_id) if conversation.current_theme_run_id else None
    view = UnthemedView(conversation, run)
    if run is None:
        return view
    view.ideas = list(db.session.scalars(
        sa.select(Idea).join(ThemeAssignment, ThemeAssignment.idea_id == Idea.id)
        .where(ThemeAssignment.run_id == run.id, ThemeAssignment.theme_id.is_(None)).order_by(Idea.body, Idea.id)))
    view.themes = [(s.theme_id, s.label) for s in db.session.scalars(
        sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == run.id).order_by(ThemeSnapshot.size.desc(), ThemeSnapshot.id))]
    return view


@transaction
def place_unthemed_idea(lead_orgs: frozenset[int], conversation_id: int, idea_id: str, theme_id: int) -> Theme:
    """Place one unthemed idea in a theme of the same conversation; every later run keeps it there."""
    from app.services.themes.edits import move_idea

    conversation = get_led_conversation(lead_orgs, conversation_id)
    target = get_led_theme(lead_orgs, theme_id)
    if target.conversation_id != conversation.id:
        raise NotFound("We could not find that theme.")
    move_idea(conversation, idea_id, target)
    return target
