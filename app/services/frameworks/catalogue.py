"""Frameworks per organisation: the built-in People Promise, a trust's own frameworks, and their elements.

The People Promise is created once, on first use, from nlp's shipped CSV (organisation_id NULL, offered to every
organisation, read-only). A trust's own frameworks are edited by its admins; a conversation uses the framework its
facilitator chose, or the People Promise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Conversation, ElementCorrection, Framework, FrameworkElement, IdeaElement, ThemeElement
from app.services.common.errors import Conflict, InvalidInput, NotFound
from app.services.common.transaction import transaction

BUILTIN_KEY = "people-promise"
BUILTIN_NAME = "NHS People Promise"
NAME_MAX = 120
DESCRIPTION_MAX = 1000
EXAMPLES_MAX = 2000  # all of an element's example phrases together
MAX_ELEMENTS = 50


@dataclass
class ElementInput:
    """An element as typed in a form or read from a CSV row, before it is checked."""

    name: str
    description: str = ""
    examples: list[str] = field(default_factory=list)


def default_framework() -> Framework:
    """The built-in People Promise, created from nlp's CSV the first time anyone needs it (flushes)."""
    framework = db.session.scalar(sa.select(Framework).where(Framework.builtin_key == BUILTIN_KEY))
    if framework is not None:
        _follow_the_shipped_file(framework)
        return framework
    from nlp.frameworks import read_default_framework

    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = Framework.__table__
    created = db.session.scalar(insert(table).values(  # type: ignore[arg-type]
        builtin_key=BUILTIN_KEY, name=BUILTIN_NAME, organisation_id=None,
        description="The seven elements of the NHS People Promise: what staff say would most improve their working "
                    "experience.").on_conflict_do_nothing(index_elements=["builtin_key"]).returning(table.c.id))
    if created is not None:  # another worker may have created it meanwhile: then theirs is used
        for position, element in enumerate(read_default_framework()):
            db.session.add(FrameworkElement(framework_id=created, position=position, name=element.name[:NAME_MAX],
                                            description=element.description, examples=list(element.examples)))
        db.session.flush()
    return db.session.scalars(sa.select(Framework).where(Framework.builtin_key == BUILTIN_KEY)).one()


SYNCED = "chorus.builtin_framework_synced"  # in app.extensions: this app compared the built-in rows with the file


def _follow_the_shipped_file(framework: Framework) -> None:
    """Give the built-in framework the shipped file's wording (a newer release may have improved it; flushes).

    It is read-only for admins, so its rows are only ever the file's; elements keep their ids (and so the ideas,
    themes and corrections mapped onto them) and are matched by position. Checked once per app (each app has
    its own database; a process may make more than one).
    """
    if current_app.extensions.get(SYNCED):
        return
    from nlp.frameworks import read_default_framework

    shipped = read_default_framework()
    rows = sorted(framework.elements, key=lambda e: e.position)
    if len(rows) == len(shipped) and all(r.name == e.name[:NAME_MAX] for r, e in zip(rows, shipped)):
        for row, element in zip(rows, shipped):
            if row.description != element.description or list(row.examples) != list(element.examples):
                row.description, row.examples = element.description, list(element.examples)
        db.session.flush()
    current_app.extensions[SYNCED] = True


def available_frameworks(organisation_ids: frozenset[int]) -> list[Framework]:
    """The People Promise and the frameworks of these organisations, built-in first, then by name."""
    default = default_framework()
    own = db.session.scalars(sa.select(Framework).where(Framework.organisation_id.in_(organisation_ids))
                             .order_by(Framework.name)).all() if organisation_ids else []
    db.session.commit()  # the People Promise may just have been created from its file
    return [default, *own]


def framework_of(conversation: Conversation) -> Framework:
    """The framework a conversation's ideas and themes are mapped onto."""
    if conversation.framework_id is not None:
        framework = db.session.get(Framework, conversation.framework_id)
        if framework is not None:
            return framework
    return default_framework()


def get_framework(organisation_ids: frozenset[int], framework_id: int) -> Framework:
    """A framework these organisations may use (theirs or a built-in one), or NotFound."""
    framework = db.session.get(Framework, framework_id)
    if framework is None or not (framework.is_builtin or framework.organisation_id in organisation_ids):
        raise NotFound("We could not find that framework.")
    return framework


def get_own_framework(organisation_ids: frozenset[int], framework_id: int) -> Framework:
    """A framework of one of these organisations, which its admins may change; built-in ones are NotFound here."""
    framework = get_framework(organisation_ids, framework_id)
    if framework.is_builtin:
        raise NotFound("The built-in framework cannot be changed. Add your organisation's own framework instead.")
    return framework


def _clean_name(value: str, what: str, field_name: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise InvalidInput(f"Enter the {what}'s name", field=field_name)
    if len(value) > NAME_MAX:
        raise InvalidInput(f"The {what}'s name must be {NAME_MAX} characters or fewer", field=field_name)
    return value


def checked_element(element: ElementInput, where: str = "") -> ElementInput:
    """The element with its name, description and examples trimmed and checked; InvalidInput naming `where`."""
    name = _clean_name(element.name, "element", "name")
    description = (element.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(f"{where}The description of {name} must be {DESCRIPTION_MAX:,} characters or fewer",
                           field="description")
    examples = [e.strip() for e in element.examples if e.strip()]
    if sum(len(e) for e in examples) > EXAMPLES_MAX:
        raise InvalidInput(f"{where}The example phrases of {name} must be {EXAMPLES_MAX:,} characters or fewer "
                           "in all", field="examples")
    return ElementInput(name, description, examples)


@transaction
def create_framework(organisation_id: int, name: str, description: str = "",
                     elements: list[ElementInput] | None = None) -> Framework:
    """Add an organisation's own framework, with its elements in order; nothing is written if any part is wrong."""
    name = _clean_name(name, "framework", "name")
    if len((description or "").strip()) > DESCRIPTION_MAX:
        raise InvalidInput(f"The description must be {DESCRIPTION_MAX:,} characters or fewer", field="description")
    if db.session.scalar(sa.select(Framework.id).where(Framework.organisation_id == organisation_id,
                                                       Framework.name == name)):
        raise Conflict(f"Your organisation already has a framework called {name}", field="name")
    elements = elements or []
    if len(elements) > MAX_ELEMENTS:
        raise InvalidInput(f"A framework can have at most {MAX_ELEMENTS} elements", field="elements")
    checked = [checked_element(e) for e in elements]
    names = [e.name.casefold() for e in checked]
    if len(set(names)) != len(names):
        raise InvalidInput("Each element needs a different name", field="elements")
    framework = Framework(organisation_id=organisation_id, name=name, description=(description or "").strip())
    framework.elements = [FrameworkElement(position=i, name=e.name, description=e.description, examples=e.examples)
                          for i, e in enumerate(checked)]
    db.session.add(framework)
    db.session.flush()
    return framework


@transaction
def update_framework(framework: Framework, name: str, description: str) -> Framework:
    name = _clean_name(name, "framework", "name")
    if len((description or "").strip()) > DESCRIPTION_MAX:
        raise InvalidInput(f"The description must be {DESCRIPTION_MAX:,} characters or fewer", field="description")
    if db.session.scalar(sa.select(Framework.id).where(Framework.organisation_id == framework.organisation_id,
                                                       Framework.name == name, Framework.id != framework.id)):
        raise Conflict(f"Your organisation already has a framework called {name}", field="name")
    framework.name, framework.description = name, (description or "").strip()
    return framework


@transaction
def delete_framework(framework: Framework) -> None:
    """Remove a framework; conversations that used it go back to the People Promise at their next mapping."""
    db.session.execute(sa.update(Conversation).where(Conversation.framework_id == framework.id).values(framework_id=None))
    element_ids = [e.id for e in framework.elements]
    if element_ids:  # explicit: SQLite enforces ON DELETE CASCADE only with its pragma
        for model in (IdeaElement, ThemeElement, ElementCorrection):
            db.session.execute(sa.delete(model).where(model.element_id.in_(element_ids)))
    db.session.delete(framework)


def _element_name_taken(framework: Framework, name: str, exclude_id: int | None = None) -> bool:
    return any(e.name.casefold() == name.casefold() and e.id != exclude_id for e in framework.elements)


@transaction
def add_element(framework: Framework, element: ElementInput) -> FrameworkElement:
    checked = checked_element(element)
    if len(framework.elements) >= MAX_ELEMENTS:
        raise InvalidInput(f"A framework can have at most {MAX_ELEMENTS} elements", field="name")
    if _element_name_taken(framework, checked.name):
        raise Conflict(f"This framework already has an element called {checked.name}", field="name")
    row = FrameworkElement(position=max((e.position for e in framework.elements), default=-1) + 1,
                           name=checked.name, description=checked.description, examples=checked.examples)
    framework.elements.append(row)
    db.session.flush()
    return row


def get_element(framework: Framework, element_id: int) -> FrameworkElement:
    element = next((e for e in framework.elements if e.id == element_id), None)
    if element is None:
        raise NotFound("We could not find that element.")
    return element


@transaction
def update_element(element: FrameworkElement, changes: ElementInput) -> FrameworkElement:
    checked = checked_element(changes)
    if _element_name_taken(element.framework, checked.name, exclude_id=element.id):
        raise Conflict(f"This framework already has an element called {checked.name}", field="name")
    element.name, element.description, element.examples = checked.name, checked.description, checked.examples
    return element


@transaction
def remove_element(element: FrameworkElement) -> None:
    """Remove an element with its mappings and corrections."""
    for model in (IdeaElement, ThemeElement, ElementCorrection):
        db.session.execute(sa.delete(model).where(model.element_id == element.id))
    element.framework.elements.remove(element)


def queue_mapping(conversation_id: int) -> None:
    """Re-map the current run in the background (job frameworks.map); the caller commits, then dispatches."""
    from app.jobs import outbox

    outbox.defer("frameworks.map", conversation_id)


def choose_framework(facilitates: frozenset[int], conversation_id: int, framework_id: int) -> Conversation:
    """A facilitator chooses the framework a conversation is mapped onto; re-mapped in the background."""
    from app.jobs import outbox
    from app.services.access import get_managed_conversation

    conversation = get_managed_conversation(facilitates, conversation_id)
    framework = get_framework(frozenset({conversation.organisation_id}), framework_id)
    if framework_of(conversation).id != framework.id:
        conversation.framework_id = None if framework.is_builtin else framework.id
        # The old framework's mappings mean nothing now; corrections stay with their elements for a switch back.
        for model in (IdeaElement, ThemeElement):
            db.session.execute(sa.delete(model).where(model.conversation_id == conversation.id))
        if conversation.current_theme_run_id is not None:
            queue_mapping(conversation.id)  # with the change: Redis being away delays it, never strands it
    db.session.commit()
    outbox.dispatch()
    return conversation


@transaction
def move_element(element: FrameworkElement, up: bool) -> None:
    """Swap an element with the one before (up) or after it; the framework's order is what every page shows."""
    ordered = list(element.framework.elements)
    index = ordered.index(element)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        row.position = position
