"""The "fair random order" of a question's ideas: each reader's own, stable, and stored nowhere (rule A3)."""

from __future__ import annotations

import base64
import functools

import sqlalchemy as sa

from app.crypto import tag
from app.extensions import db
from app.models import ContentStatus, Idea, Vote

PER_PAGE = 20


def order_seed(key: bytes, user_key: str) -> bytes:
    """The seed of one person's "fair random order": its own HMAC purpose, never stored, so no dump reproduces it."""
    return bytes.fromhex(tag(key, "order", user_key))


@functools.cache  # four statements (either direction, a stage or not), built once with parameters, not per request
def _walk(ascending: bool, staged: bool) -> sa.Select:
    """The fair random order's statement (see fair_random_page); parameters question, start, reach, skip, voter
    (and stage)."""
    published = (Idea.question_id == sa.bindparam("question")) & (Idea.status == ContentStatus.PUBLISHED)
    if staged:
        published = published & (Idea.stage == sa.bindparam("stage"))
    start = sa.bindparam("start", type_=sa.String)
    first, rest = (Idea.id >= start, Idea.id < start) if ascending else (Idea.id <= start, Idea.id > start)
    by_id = Idea.id.asc() if ascending else Idea.id.desc()
    reach = sa.bindparam("reach", type_=sa.Integer)
    stretches = [sa.select(sa.select(Idea.id.label("id"), sa.literal(n).label("part"))
                           .where(published & where).order_by(by_id).limit(reach).subquery())
                 for n, where in enumerate((first, rest))]
    walk = sa.union_all(*stretches).subquery()
    in_order = (walk.c.part, walk.c.id.asc() if ascending else walk.c.id.desc())
    on_page = (sa.select(walk.c.id, walk.c.part).order_by(*in_order)
               .offset(sa.bindparam("skip", type_=sa.Integer)).limit(PER_PAGE).subquery())
    return (sa.select(on_page.c.id, Vote.value)
            .outerjoin(Vote, (Vote.idea_id == on_page.c.id) & (Vote.voter == sa.bindparam("voter")))
            .order_by(on_page.c.part, on_page.c.id.asc() if ascending else on_page.c.id.desc()))


def fair_random_page(question_id: int, stage: str | None, seed: bytes, page: int,
                     voter: str) -> dict[str, int | None]:
    """One page of a person's fair random order: the ids' own random order, entered at a point and in a direction
    chosen by the person's seed, wrapping round at the end.

    Content ids are random (random_id), so ordering by id is a shuffle nobody chose; each reader starts from their
    own point of it, so every idea leads someone's screen. Two index walks (ix_idea_question_status ends with the
    id) read at most the page and those before it, whatever the size of the conversation, in one statement
    that also reads the reader's own votes on the page's ideas; nothing per person is stored (rule A3).
    Returns the page's ids in order, each with the reader's vote on it (None if none).
    """
    start = base64.urlsafe_b64encode(seed[:16]).decode().rstrip("=")
    parameters = {"question": question_id, "start": start, "reach": page * PER_PAGE,
                  "skip": (page - 1) * PER_PAGE, "voter": voter, "stage": stage}
    walk = _walk(bool(seed[16] & 1), stage is not None)
    return dict(db.session.connection().execute(walk, parameters).all())  # a dict keeps the page's order
