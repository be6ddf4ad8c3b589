""""You said, we did": leads publish outcomes per theme; staff read them and get in-app notices.

A notice is worked out when the person visits: their author tags and voter pseudonym are recomputed
against the ideas (and comments) of each recently updated theme, in memory. Nothing is stored that links
them to a theme, and dismissing stores nothing server-side either (rule A2): each notice has a seen token,
HMAC(conversation key, "outcome-seen" ‖ user key ‖ outcome ‖ its update time), which the browser keeps.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.crypto import tag, voter_pseudonym
from app.extensions import db
from app.models import (
    Comment,
    Conversation,
    ConversationStatus,
    Idea,
    Organisation,
    Outcome,
    OutcomeUpdate,
    Theme,
    ThemeAssignment,
    ThemePlan,
    ThemeStatus,
    Vote,
    audience,
)
from app.models.base import utcnow
from app.services.access import get_conversation, visible_conversations
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant
from app.services.content.authorship import own_ids

TEXT_MAX = 4000
NOTICE_WINDOW = timedelta(days=90)  # only recent updates are told, so a new device does not replay years of them
SEEN_TOKEN_LENGTH = 24


@dataclass
class OutcomeItem:
    theme: Theme
    status: ThemeStatus
    outcome: Outcome | None
    public_reason: str = ""


@dataclass
class OutcomesPage:
    title: str
    conversations: list[tuple[Conversation, list[OutcomeItem]]]


@dataclass
class Notice:
    conversation: Conversation
    theme: Theme
    outcome: Outcome
    is_update: bool
    token: str


def _text(value: str, name: str, what: str, minimum: int = 3) -> str:
    value = (value or "").strip()
    if not minimum <= len(value) <= TEXT_MAX:
        raise InvalidInput(f"Enter {what} ({minimum} to {TEXT_MAX:,} characters)", field=name)
    return value


def publish_outcome(theme: Theme, heard: str, will_do: str, by_whom: str, by_when: date | None) -> Outcome:
    """Publish (or rewrite) the outcome of a theme: what was heard, what will be done, by whom, by when."""
    plan = db.session.get(ThemePlan, theme.id)
    if theme.not_a_theme or (plan is not None and plan.merged_into_id is not None):
        raise NotAllowedNow("Publish outcomes on themes that are still on the board.")
    heard = _text(heard, "heard", "what you heard")
    will_do = _text(will_do, "will_do", "what will be done")
    by_whom = " ".join((by_whom or "").split())
    if not 2 <= len(by_whom) <= 160:
        raise InvalidInput("Say who will do it (2 to 160 characters)", field="by_whom")
    if by_when is not None and not isinstance(by_when, date):
        raise InvalidInput("Enter a real date", field="by_when")
    outcome = db.session.scalar(sa.select(Outcome).where(Outcome.theme_id == theme.id))
    now = utcnow()
    if outcome is None:
        outcome = Outcome(theme_id=theme.id, conversation_id=theme.conversation_id, published_at=now)
        db.session.add(outcome)
    outcome.heard, outcome.will_do, outcome.by_whom, outcome.by_when = heard, will_do, by_whom, by_when
    outcome.updated_at = now
    theme.label_locked = True  # the outcome quotes this label: no later run may change it under the lead
    db.session.commit()
    return outcome


def add_progress_update(theme: Theme, body: str) -> OutcomeUpdate:
    """A later progress update on a published outcome; staff who took part are told at their next visit."""
    outcome = db.session.scalar(sa.select(Outcome).where(Outcome.theme_id == theme.id))
    if outcome is None:
        raise NotAllowedNow("Publish the outcome before adding progress updates.")
    update = OutcomeUpdate(outcome_id=outcome.id, body=_text(body, "body", "the progress update"))
    outcome.updated_at = utcnow()
    db.session.add(update)
    db.session.commit()
    return update


def conversation_items(conversation: Conversation) -> list[OutcomeItem]:
    outcomes = {o.theme_id: o for o in db.session.scalars(sa.select(Outcome).where(Outcome.conversation_id == conversation.id))}
    reasons = db.session.execute(
        sa.select(ThemePlan).join(Theme, Theme.id == ThemePlan.theme_id).where(
            Theme.conversation_id == conversation.id, ThemePlan.merged_into_id.is_(None))).scalars().all()
    plans = {p.theme_id: p for p in reasons}
    ids = set(outcomes) | {p.theme_id for p in reasons if p.status == ThemeStatus.NOT_TAKING_FORWARD}
    themes = db.session.scalars(sa.select(Theme).where(Theme.id.in_(ids)).order_by(Theme.label)).all() if ids else []
    items = []
    for theme in themes:
        plan = plans.get(theme.id)
        status = ThemeStatus(plan.status) if plan else ThemeStatus.NEW
        items.append(OutcomeItem(theme, status, outcomes.get(theme.id),
                                 plan.public_reason if plan is not None and status == ThemeStatus.NOT_TAKING_FORWARD else ""))
    items.sort(key=lambda i: (i.outcome is None, -(i.outcome.updated_at.timestamp() if i.outcome else 0)))
    return items


def conversation_outcomes(participant: Participant, conversation_id: int) -> OutcomesPage:
    """What leads heard and will do, per theme, for one conversation the person can see."""
    conversation = get_conversation(participant, conversation_id)
    return OutcomesPage(conversation.title, [(conversation, conversation_items(conversation))])


def organisation_outcomes(participant: Participant, organisation_id: int) -> OutcomesPage:
    """Outcomes across every conversation of one of the person's organisations."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation_id not in participant.organisation_ids:
        raise NotFound("We could not find that organisation.")
    conversations = db.session.scalars(
        sa.select(Conversation).join(audience, audience.c.conversation_id == Conversation.id)
        .where(audience.c.organisation_id == organisation_id, Conversation.status != ConversationStatus.DRAFT)
        .order_by(Conversation.created_at.desc())).all()
    sections = [(c, items) for c in conversations if (items := conversation_items(c))]
    return OutcomesPage(organisation.name, sections)


def seen_token(key: bytes, user_key: str, outcome: Outcome) -> str:
    """The token that marks this version of an outcome as seen by this person; a later update gets a new one."""
    return tag(key, "outcome-seen", user_key, str(outcome.id), outcome.updated_at.isoformat())[:SEEN_TOKEN_LENGTH]


def _took_part(participant: Participant, conversation: Conversation, key: bytes, theme_id: int) -> bool:
    """Whether this person wrote, commented on or voted on an idea of the theme—decided now, stored nowhere."""
    if conversation.current_theme_run_id is None:
        return False
    idea_ids = sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme_id)
    voter = voter_pseudonym(key, participant.user_key)
    if db.session.scalar(sa.select(sa.exists().where(Vote.voter == voter, Vote.idea_id.in_(idea_ids)))):
        return True
    # The person's own items, found by their author slots (work grows with what they wrote, not with the theme).
    return bool(own_ids(participant, key, Idea, conversation.id, Idea.id.in_(idea_ids))
                or own_ids(participant, key, Comment, conversation.id, Comment.idea_id.in_(idea_ids)))


def outcome_notices(participant: Participant, dismissed: Collection[str] = ()) -> list[Notice]:
    """Recently updated outcomes on themes the person contributed to or voted on, except those dismissed."""
    since = utcnow() - NOTICE_WINDOW
    conversations = {c.id: c for c in visible_conversations(participant)}
    if not conversations:
        return []
    fresh = db.session.scalars(sa.select(Outcome).where(
        Outcome.conversation_id.in_(conversations), Outcome.updated_at > since).order_by(Outcome.updated_at.desc())).all()
    notices = []
    for outcome in fresh:
        conversation = conversations[outcome.conversation_id]
        try:
            key = conversation_key(conversation)
        except NotAllowedNow:
            continue  # archived: nobody can be linked to anything in it any more
        token = seen_token(key, participant.user_key, outcome)
        if token not in dismissed and _took_part(participant, conversation, key, outcome.theme_id):
            theme = db.session.get_one(Theme, outcome.theme_id)
            notices.append(Notice(conversation, theme, outcome, outcome.updated_at > outcome.published_at, token))
    return notices
