"""Ideas Lab stages: facilitators move ideas from submitted to done (or not taken forward, with a reason)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Conversation, ConversationKind, Idea, IdeaStage
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound

STAGES: dict[str, str] = {s.value: s.label for s in IdeaStage}
REASON_MAX = 500
PER_PAGE = 30


@dataclass
class StagedIdeas:
    conversation: Conversation
    ideas: list[Idea]
    stage: str | None
    counts: dict[str, int]
    page: int
    pages: int


def _require_ideas_lab(conversation: Conversation) -> None:
    if conversation.kind != ConversationKind.IDEAS_LAB:
        raise NotAllowedNow("Only ideas in an Ideas Lab move through stages.")


def staged_ideas(conversation: Conversation, stage: str | None = None, page: int = 1) -> StagedIdeas:
    """A page of the conversation's published ideas, optionally at one stage, newest first (never an author)."""
    _require_ideas_lab(conversation)
    stage = stage if stage in STAGES else None
    published = (Idea.conversation_id == conversation.id) & (Idea.status == ContentStatus.PUBLISHED)
    counts = dict(db.session.execute(
        sa.select(Idea.stage, sa.func.count()).where(published).group_by(Idea.stage)).all())
    where = published & (Idea.stage == stage) if stage else published
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Idea).where(where)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    ideas = list(db.session.scalars(
        sa.select(Idea).where(where).order_by(Idea.created_hour.desc(), Idea.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    return StagedIdeas(conversation, ideas, stage, {s: counts.get(s, 0) for s in STAGES}, page, pages)


def set_stage(conversation: Conversation, idea_id: str, stage: str, reason: str = "") -> Idea:
    """Move an idea to a stage; "not taken forward" needs a reason that staff will see."""
    _require_ideas_lab(conversation)
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.conversation_id != conversation.id or idea.status != ContentStatus.PUBLISHED:
        raise NotFound("We could not find that idea.")
    if stage not in STAGES:
        raise InvalidInput("Choose a stage from the list", field="stage")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    if stage == IdeaStage.NOT_TAKEN_FORWARD and not reason:
        raise InvalidInput("Say why the idea is not being taken forward: staff will see the reason", field="reason")
    idea.stage = stage
    idea.stage_reason = reason if stage == IdeaStage.NOT_TAKEN_FORWARD else None
    db.session.commit()
    return idea


def set_idea_stage(organisation_ids: frozenset[int], idea_id: str, stage: str, reason: str = "") -> Idea:
    """set_stage for an idea found by id, if the person facilitates its conversation (else NotFound)."""
    from app.services.access import get_managed_conversation

    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise NotFound("We could not find that idea.")
    return set_stage(get_managed_conversation(organisation_ids, idea.conversation_id), idea_id, stage, reason)
