"""Sentence embeddings of ideas: computed once per idea, in a background job, and reused by every theme run.

The web request only queues the job (its payload is the idea id alone). An edit or withdrawal deletes the
stored vector, so a vector always describes the idea's current text and a withdrawn idea leaves nothing behind.
"""

from __future__ import annotations

import logging

import numpy as np
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import ContentStatus, Idea, IdeaVector

log = logging.getLogger("chorus.embeddings")
BACKEND = "minilm"


def embeddings_enabled() -> bool:
    """Whether theme runs use sentence embeddings here (optional packages installed and not switched off)."""
    from nlp import represent

    return current_app.config.get("CHORUS_THEMES_BACKEND", "auto") != "tfidf-lsa" and represent.embeddings_available()


def queue_embedding(idea_id: str) -> None:
    """Queue the embedding of a new or edited idea; does nothing when embeddings are not in use."""
    if not embeddings_enabled():
        return
    from app.jobs import enqueue

    try:
        enqueue("ideas.embed", idea_id)
    except Exception:  # a queue outage must not lose the idea: the next theme run embeds what is missing
        log.exception("Could not queue the embedding of an idea; the next theme run will compute it")


def forget_embedding(idea_id: str) -> None:
    """Delete an idea's stored vectors (the caller commits), after an edit or a withdrawal."""
    db.session.execute(sa.delete(IdeaVector).where(IdeaVector.idea_id == idea_id))


def embed_idea(idea_id: str) -> bool:
    """Job: compute and store one idea's embedding unless it is already stored; True when it computed one."""
    from nlp import represent

    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.status != ContentStatus.PUBLISHED or not embeddings_enabled():
        return False
    if db.session.get(IdeaVector, (idea_id, BACKEND)) is not None:
        return False
    vector = np.asarray(represent.embed_many([idea.body])[0], dtype=np.float32)
    db.session.add(IdeaVector(idea_id=idea_id, backend=BACKEND, vector=vector.tobytes()))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # a theme run stored it meanwhile
        db.session.rollback()
        return False
    return True


def stored_vectors(ideas: list[Idea]) -> dict[str, np.ndarray] | None:
    """Stored embeddings of these ideas, computing (and storing) only missing ones; None without the backend."""
    from nlp import represent

    if not represent.embeddings_available():
        return None
    ids = [i.id for i in ideas]
    cached = {
        row.idea_id: np.frombuffer(row.vector, dtype=np.float32)
        for row in db.session.scalars(
            sa.select(IdeaVector).where(IdeaVector.backend == BACKEND, IdeaVector.idea_id.in_(ids)))
    }
    missing = [i for i in ideas if i.id not in cached]
    if missing:
        vectors = np.asarray(represent.embed_many([i.body for i in missing]), dtype=np.float32)
        for idea, vector in zip(missing, vectors, strict=True):
            db.session.add(IdeaVector(idea_id=idea.id, backend=BACKEND, vector=vector.tobytes()))
            cached[idea.id] = vector
    return cached
