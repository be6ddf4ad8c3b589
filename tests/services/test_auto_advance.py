"""Moving a live session on by itself when the phase timer runs out (opt-in), tested with adjusted times."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs.scheduler import tick
from app.models import LiveEvent
from app.models.base import utcnow
from app.services.workshops import auto_advance
from app.services.content import ideas
from app.services.workshops import session as live_session
from app.services.content import voting
from app.services.common.errors import NotAllowedNow


@pytest.fixture
def session(make_conversation, make_user, as_participant):
    conversation = make_conversation(questions=("What would make this a better place to work?",))
    live_session.set_phase(conversation, "collect")
    live_session.start_timer(conversation, 5)
    return conversation, as_participant(make_user())


def _time_is_up(conversation) -> None:  # type: ignore[no-untyped-def]
    """Move the timer's end into the past, as if five minutes had gone by."""
    conversation.phase_ends_at = utcnow().replace(microsecond=0) - timedelta(seconds=1)
    db.session.commit()


def test_without_opting_in_time_up_changes_nothing(session):
    conversation, person = session
    _time_is_up(conversation)
    assert auto_advance.catch_up(conversation) is False and conversation.phase == "collect"
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Still collecting after time is up")
    assert idea.id


def test_opted_in_collect_moves_to_vote_then_review(session, make_user, as_participant):
    conversation, person = session
    auto_advance.set_auto_advance(conversation, True)
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Posted in time")
    _time_is_up(conversation)
    # The server is the authority at once, even before the move is recorded.
    with pytest.raises(NotAllowedNow):
        ideas.post_idea(person, conversation.questions[0].id, "Too late for this one")
    voting.cast_vote(as_participant(make_user()), idea.id, "support")
    before = conversation.live_seq
    assert auto_advance.catch_up(conversation) is True
    assert (conversation.phase, conversation.phase_ends_at) == ("vote", None)
    assert auto_advance.catch_up(conversation) is False  # only once
    event = db.session.scalar(sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation.id,
                                                         LiveEvent.id > before))
    assert event.type == "phase" and '"phase":"vote"' in event.payload and '"automatic":true' in event.payload
    # No timer in the vote phase: it waits for the facilitator (or a timer) before moving on.
    assert auto_advance.advance_due(utcnow() + timedelta(hours=1)) == 0
    live_session.start_timer(conversation, 3)
    assert auto_advance.advance_due(utcnow() + timedelta(minutes=2)) == 0  # not yet
    assert auto_advance.advance_due(utcnow() + timedelta(minutes=4)) == 1
    db.session.refresh(conversation)
    assert conversation.phase == "review"
    assert auto_advance.advance_due(utcnow() + timedelta(hours=1)) == 0  # review never moves on by itself


def test_the_scheduler_tick_moves_due_sessions(app, session):
    conversation, _ = session
    auto_advance.set_auto_advance(conversation, True)
    _time_is_up(conversation)
    tick(app)
    db.session.expire_all()
    assert conversation.phase == "vote"


def test_a_closed_conversation_never_moves(session):
    conversation, _ = session
    auto_advance.set_auto_advance(conversation, True)
    _time_is_up(conversation)
    live_session.set_phase(conversation, "closed")
    assert auto_advance.advance_due(utcnow() + timedelta(hours=1)) == 0
    assert conversation.phase == "closed"
