"""Sentence embeddings of ideas: computed once per idea, in a background job, and reused by every theme run.

The web request only queues a job for the whole conversation (its payload is the conversation id alone, so
no job, job log or Redis record names a post next to the second it was written); many posts before the job
starts make one job. An edit or withdrawal deletes the stored vector, so a vector always describes the
idea's current text and a withdrawn idea leaves nothing behind.
"""

from __future__ import annotations

import logging
from typing import cast

import numpy as np
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app import jobs
from app.extensions import db
from app.models import ContentStatus, Idea, IdeaVector

log = logging.getLogger("chorus.embeddings")
BACKEND = "minilm"


def embeddings_enabled() -> bool:
    """Whether theme runs use sentence embeddings here (optional packages installed and not switched off)."""
    from nlp import represent

    return current_app.config.get("CHORUS_THEMES_BACKEND", "auto") != "tfidf-lsa" and represent.embeddings_available()


def queue_embedding(conversation_id: int) -> None:
    """Queue the embedding of a conversation's new or edited ideas; does nothing when embeddings are off."""
    if not embeddings_enabled():
        return
    try:
        jobs.enqueue_once("ideas.embed", conversation_id)
    except Exception:  # a queue outage must not lose the idea: the next theme run embeds what is missing
        log.exception("Could not queue the embedding of a conversation's ideas; the next theme run will compute it")


def forget_embedding(idea_id: str) -> None:
    """Delete an idea's stored vectors (the caller commits), after an edit or a withdrawal."""
    db.session.execute(sa.delete(IdeaVector).where(IdeaVector.idea_id == idea_id))


def _store(rows: list[dict]) -> int:
    """Insert vectors, skipping any a theme run stored meanwhile (no constraint error reaches the server log)."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = cast(sa.Table, IdeaVector.__table__)  # a declarative model's table: typed as any FromClause
    stored = db.session.scalars(insert(table).values(rows).on_conflict_do_nothing(
        index_elements=["idea_id", "backend"]).returning(table.c.idea_id))
    return len(stored.all())


@jobs.job("ideas.embed")
def embed_conversation(conversation_id: int, batch_size: int = 64) -> int:
    """Job: compute and store the embeddings of a conversation's published ideas that have none; returns how many."""
    from nlp import represent

    if not embeddings_enabled():
        return 0
    stored = sa.select(IdeaVector.idea_id).where(IdeaVector.backend == BACKEND)
    missing = db.session.execute(sa.select(Idea.id, Idea.body).where(
        Idea.conversation_id == conversation_id, Idea.status == ContentStatus.PUBLISHED,
        Idea.id.not_in(stored)).order_by(Idea.id)).all()
    done = 0
    for start in range(0, len(missing), batch_size):
        chunk = missing[start:start + batch_size]
        vectors = np.asarray(represent.embed_many([body for _, body in chunk]), dtype=np.float32)
        done += _store([{"idea_id": idea_id, "backend": BACKEND, "vector": vector.tobytes()}
                        for (idea_id, _), vector in zip(chunk, vectors, strict=True)])
        db.session.commit()
    return done


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
        _store([{"idea_id": idea.id, "backend": BACKEND, "vector": vector.tobytes()}
                for idea, vector in zip(missing, vectors, strict=True)])  # an embedding job may store some meanwhile
        cached.update({idea.id: vector for idea, vector in zip(missing, vectors, strict=True)})
    return cached
