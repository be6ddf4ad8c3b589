"""Framework element columns for the CSV/XLSX exports: each theme's and idea's element names, `;`-joined."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, IdeaElement, ThemeElement
from app.services.frameworks.catalogue import framework_of

COLUMN = "Framework elements"


def element_columns(conversation: Conversation) -> tuple[dict[int, str], dict[str, str]]:
    """(theme id -> names, idea id -> names), names in the framework's order and `;`-joined.

    One pair of ids per mapping is held in memory (a few per idea), so the idea sheet can still stream.
    """
    elements = {e.id: (e.position, e.name) for e in framework_of(conversation).elements}

    def joined(rows: sa.Result) -> dict:
        found: dict[object, list[tuple[int, str]]] = defaultdict(list)
        for owner, element_id in rows:
            if element_id in elements:
                found[owner].append(elements[element_id])
        return {owner: "; ".join(name for _, name in sorted(names)) for owner, names in found.items()}

    themes = joined(db.session.execute(sa.select(ThemeElement.theme_id, ThemeElement.element_id).where(
        ThemeElement.conversation_id == conversation.id)))
    ideas = joined(db.session.execute(sa.select(IdeaElement.idea_id, IdeaElement.element_id).where(
        IdeaElement.conversation_id == conversation.id)))
    return themes, ideas
