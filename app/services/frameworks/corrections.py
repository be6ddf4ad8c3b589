"""Leads correct the framework mapping: add or remove an element for a theme or an idea.

A correction is stored as what was decided (element, theme or idea, added or removed) and nothing else: no
person, no time, like a manual placement of an idea. It changes the current mapping at once and every later run
applies it on top of what it finds; added ones also become example phrases for the organisation's later runs.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    ElementCorrection,
    FrameworkElement,
    Idea,
    IdeaElement,
    MappingSource,
    ThemeElement,
)
from app.services.access import get_led_conversation, get_led_theme
from app.services.common.errors import NotFound
from app.services.common.transaction import transaction
from app.services.frameworks.catalogue import framework_of


def led_idea(lead_orgs: frozenset[int], idea_id: str) -> Idea:
    """A published idea of a conversation the person leads, or NotFound."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.status != ContentStatus.PUBLISHED:
        raise NotFound("We could not find that idea.")
    get_led_conversation(lead_orgs, idea.conversation_id)
    return idea


def _element(conversation: Conversation, element_id: int) -> FrameworkElement:
    element = next((e for e in framework_of(conversation).elements if e.id == element_id), None)
    if element is None:
        raise NotFound("That element is not part of this conversation's framework.")
    return element


def _record(conversation_id: int, element_id: int, added: bool, *, theme_id: int | None = None,
            idea_id: str | None = None) -> ElementCorrection:
    target = ElementCorrection.theme_id == theme_id if theme_id is not None else ElementCorrection.idea_id == idea_id
    correction = db.session.scalar(sa.select(ElementCorrection).where(ElementCorrection.element_id == element_id, target))
    if correction is None:
        correction = ElementCorrection(conversation_id=conversation_id, element_id=element_id, theme_id=theme_id,
                                       idea_id=idea_id, added=added)
        db.session.add(correction)
    correction.added = added
    db.session.flush()
    return correction


def _map_as_said(model: type[ThemeElement] | type[IdeaElement], key: tuple[int | str, int], added: bool,
                 **columns: int | str) -> None:
    """Show the lead's word at once: the mapping with primary key `key` is there with full confidence as the
    lead's (made from `columns` if missing), or gone."""
    row = cast("ThemeElement | IdeaElement | None", db.session.get(model, key))
    if added and row is None:
        db.session.add(model(**columns, confidence=1.0, source=MappingSource.LEAD.value))
    elif added and row is not None:
        row.confidence, row.source = 1.0, MappingSource.LEAD.value
    elif row is not None:
        db.session.delete(row)


@transaction
def correct_theme(lead_orgs: frozenset[int], theme_id: int, element_id: int, added: bool, *,
                  conversation_id: int | None = None) -> ElementCorrection:
    """A lead says a theme does (added) or does not belong under an element; the board shows it at once.

    With `conversation_id`, a theme of another conversation is NotFound too.
    """
    theme = get_led_theme(lead_orgs, theme_id)
    if conversation_id is not None and theme.conversation_id != conversation_id:
        raise NotFound("We could not find that theme.")
    conversation = db.session.get_one(Conversation, theme.conversation_id)
    element = _element(conversation, element_id)
    correction = _record(conversation.id, element.id, added, theme_id=theme.id)
    _map_as_said(ThemeElement, (theme.id, element.id), added, theme_id=theme.id, element_id=element.id,
                 conversation_id=conversation.id)
    return correction


@transaction
def correct_idea(lead_orgs: frozenset[int], idea_id: str, element_id: int, added: bool, *,
                 conversation_id: int | None = None) -> ElementCorrection:
    """A lead says an idea does (added) or does not belong under an element; the board shows it at once."""
    idea = led_idea(lead_orgs, idea_id)
    if conversation_id is not None and idea.conversation_id != conversation_id:
        raise NotFound("We could not find that idea.")
    conversation = db.session.get_one(Conversation, idea.conversation_id)
    element = _element(conversation, element_id)
    correction = _record(conversation.id, element.id, added, idea_id=idea.id)
    _map_as_said(IdeaElement, (idea.id, element.id), added, idea_id=idea.id, element_id=element.id,
                 conversation_id=conversation.id)
    return correction


def get_led_correction(lead_orgs: frozenset[int], correction_id: int) -> ElementCorrection:
    correction = db.session.get(ElementCorrection, correction_id)
    if correction is None:
        raise NotFound("We could not find that correction.")
    get_led_conversation(lead_orgs, correction.conversation_id)
    return correction


def withdraw_correction(lead_orgs: frozenset[int], correction_id: int) -> None:
    """Take back a correction: the element is mapped as the runs find it again (re-mapped in the background)."""
    from app.jobs import outbox
    from app.services.frameworks.catalogue import queue_mapping

    correction = get_led_correction(lead_orgs, correction_id)
    if correction.added:  # drop what the lead added; the background mapping puts back anything the run finds
        if correction.theme_id is not None:
            db.session.execute(sa.delete(ThemeElement).where(ThemeElement.element_id == correction.element_id,
                                                             ThemeElement.theme_id == correction.theme_id))
        else:
            db.session.execute(sa.delete(IdeaElement).where(IdeaElement.element_id == correction.element_id,
                                                            IdeaElement.idea_id == correction.idea_id))
    queue_mapping(correction.conversation_id)  # with the change: Redis being away delays it, never strands it
    db.session.delete(correction)
    db.session.commit()
    outbox.dispatch()


def corrections_for(conversation_id: int) -> list[ElementCorrection]:
    """Every correction in a conversation, for the API and the board."""
    return list(db.session.scalars(sa.select(ElementCorrection).where(
        ElementCorrection.conversation_id == conversation_id).order_by(ElementCorrection.id)))


__all__ = ["correct_idea", "correct_theme", "corrections_for", "get_led_correction", "led_idea",
           "withdraw_correction"]
