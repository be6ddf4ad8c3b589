"""Mapping ideas and themes onto a conversation's framework: a background step of the theme run, never a page.

The run maps every idea of its current assignments with nlp.frameworks (sentence embeddings when the run used
them, reusing its vectors; the lexicon/TF-IDF method otherwise), maps each theme from its ideas, then applies the
leads' corrections on top (a removed element never comes back, an added one stays). Elements leads added in any
conversation of the same organisation are passed as extra example phrases, so later runs learn from them.
Mappings are replaced whole in the run's transaction; they carry no person and no time.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import sqlalchemy as sa

from app import jobs
from app.extensions import db
from app.models import (
    ContentStatus,
    Conversation,
    ElementCorrection,
    Framework,
    Idea,
    IdeaElement,
    MappingSource,
    Theme,
    ThemeAssignment,
    ThemeElement,
)
from app.services.frameworks.catalogue import framework_of

log = logging.getLogger("chorus.frameworks")
EXTRA_PER_ELEMENT = 40  # lead-added texts kept as examples per element: enough to learn from, bounded in cost
Mapped = list[tuple[str, float]]


def elements_of(framework: Framework) -> list:
    from nlp.frameworks import Element

    return [Element(key=str(e.id), name=e.name, description=e.description, examples=tuple(e.examples))
            for e in framework.elements]


def extra_examples(organisation_id: int, framework: Framework) -> dict[str, list[str]]:
    """Texts leads placed on each element in this organisation's conversations (newest first, bounded)."""
    element_ids = [e.id for e in framework.elements]
    if not element_ids:
        return {}
    mine = sa.select(Conversation.id).where(Conversation.organisation_id == organisation_id)
    base = sa.select(ElementCorrection.element_id).where(
        ElementCorrection.added.is_(True), ElementCorrection.element_id.in_(element_ids),
        ElementCorrection.conversation_id.in_(mine))
    rows = list(db.session.execute(
        base.add_columns(Idea.body).join(Idea, Idea.id == ElementCorrection.idea_id)
        .where(Idea.status == ContentStatus.PUBLISHED).order_by(ElementCorrection.id.desc())).all())
    rows += db.session.execute(
        base.add_columns(Theme.label).join(Theme, Theme.id == ElementCorrection.theme_id)
        .order_by(ElementCorrection.id.desc())).all()
    extra: dict[str, list[str]] = defaultdict(list)
    for element_id, text in rows:
        if len(extra[str(element_id)]) < EXTRA_PER_ELEMENT and text:
            extra[str(element_id)].append(text[:500])
    return dict(extra)


_element_cache: dict[str, np.ndarray] = {}  # digest of a framework's wording -> its embeddings, per worker process
ELEMENT_CACHE_SIZE = 32


def _element_vectors(elements: Sequence, extra: Mapping[str, Sequence[str]], dimensions: int) -> np.ndarray:
    """Embeddings of the framework's wording, computed once per worker until the wording, the corrections or the
    embedding model (told by its number of dimensions, which must match the ideas' vectors) change."""
    import hashlib

    from nlp import represent
    from nlp.frameworks import element_texts

    texts = element_texts(elements, extra)
    wording = hashlib.sha256("\x00".join(texts).encode()).hexdigest()
    digest = f"{dimensions}:{wording}"
    cached = _element_cache.get(digest)
    if cached is None:
        cached = np.asarray(represent.embed_many(texts), dtype=np.float32)
        if len(_element_cache) >= ELEMENT_CACHE_SIZE:
            _element_cache.pop(next(iter(_element_cache)))
        _element_cache[digest] = cached
    return cached


def map_conversation(conversation: Conversation, vectors: Mapping[str, np.ndarray] | None = None) -> int:
    """Map the current run's ideas and themes onto the conversation's framework; returns ideas mapped (flushes).

    `vectors` are the run's sentence embeddings per idea id; without them (or with any idea missing) the lexicon
    method is used. Replaces the conversation's mappings in the caller's transaction.
    """
    from nlp.frameworks import map_texts, map_theme

    db.session.execute(sa.delete(IdeaElement).where(IdeaElement.conversation_id == conversation.id))
    db.session.execute(sa.delete(ThemeElement).where(ThemeElement.conversation_id == conversation.id))
    if conversation.current_theme_run_id is None:
        return 0
    framework = framework_of(conversation)
    elements = elements_of(framework)
    rows = db.session.execute(
        sa.select(Idea.id, Idea.body, ThemeAssignment.theme_id).join(ThemeAssignment, ThemeAssignment.idea_id == Idea.id)
        .where(ThemeAssignment.run_id == conversation.current_theme_run_id, Idea.status == ContentStatus.PUBLISHED)
        .order_by(Idea.id)).all()
    if not rows or not elements:
        return 0
    extra = extra_examples(conversation.organisation_id, framework)
    use_vectors = vectors is not None and all(r.id in vectors for r in rows)
    if use_vectors and vectors is not None:
        idea_vectors = np.vstack([vectors[r.id] for r in rows])
        found = map_texts([r.body for r in rows], elements, vectors=idea_vectors,
                          element_vectors=_element_vectors(elements, extra, idea_vectors.shape[1]), extra_examples=extra)
    else:
        found = map_texts([r.body for r in rows], elements, extra_examples=extra)
    corrections = db.session.scalars(sa.select(ElementCorrection).where(
        ElementCorrection.conversation_id == conversation.id)).all()
    idea_maps = {r.id: _corrected(dict(m), [c for c in corrections if c.idea_id == r.id])
                 for r, m in zip(rows, found, strict=True)}
    members: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if r.theme_id is not None:
            members[r.theme_id].append(r.id)
    theme_maps = {theme_id: _corrected(dict(map_theme([_plain(idea_maps[i]) for i in ids])),
                                       [c for c in corrections if c.theme_id == theme_id])
                  for theme_id, ids in sorted(members.items())}
    valid = {e.id for e in framework.elements}
    db.session.add_all(IdeaElement(idea_id=i, element_id=e, conversation_id=conversation.id, confidence=c, source=s)
                       for i, m in sorted(idea_maps.items()) for e, (c, s) in sorted(m.items()) if e in valid)
    db.session.add_all(ThemeElement(theme_id=t, element_id=e, conversation_id=conversation.id, confidence=c, source=s)
                       for t, m in theme_maps.items() for e, (c, s) in sorted(m.items()) if e in valid)
    db.session.flush()
    return len(rows)


def _plain(mapping: dict[int, tuple[float, str]]) -> Mapped:
    return [(str(e), c) for e, (c, _) in mapping.items()]


def _corrected(found: dict, corrections: Sequence[ElementCorrection]) -> dict[int, tuple[float, str]]:
    """The run's mapping with the leads' corrections on top: removed elements go, added ones stay (confidence 1)."""
    result = {int(key): (float(conf), MappingSource.RUN.value) for key, conf in found.items()}
    for correction in corrections:
        if correction.added:
            result[correction.element_id] = (1.0, MappingSource.LEAD.value)
        else:
            result.pop(correction.element_id, None)
    return result


@jobs.job("frameworks.map")
def remap_conversation(conversation_id: int) -> int:
    """Job: map a conversation's current run onto its (new or edited) framework without clustering again."""
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        return 0
    vectors = None
    from app.services.themes.embeddings import embeddings_enabled, stored_vectors

    if embeddings_enabled():
        ids = db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
            ThemeAssignment.run_id == conversation.current_theme_run_id)).all()
        vectors = stored_vectors(list(db.session.scalars(sa.select(Idea).where(Idea.id.in_(ids))))) if ids else None
    mapped = map_conversation(conversation, vectors)
    db.session.commit()
    return mapped
