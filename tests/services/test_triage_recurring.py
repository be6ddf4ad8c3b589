"""Change Hub themes that recur across sessions: one identity, and new / recurring / rising / resolved trends."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Theme
from app.services.themes import runs
from app.services.triage import board as triage
from app.services.triage.recurring import share_trend
from tests.services.recurring_fixtures import FOOD, LIFTS, PARKING, post, theme_of, two_sessions_fixture  # noqa: F401  (fixture)


def test_recurring_themes_keep_their_identity_and_get_trends(two_sessions):
    people, first, second, now, old = two_sessions
    assert len({t.id for t in old.values()}) == 3
    new = {name: theme_of(second, idea_id) for name, idea_id in now.items()}
    assert new["parking"].previous_theme_id == old["parking"].id
    assert new["food"].previous_theme_id == old["food"].id
    assert new["lifts"].previous_theme_id is None
    assert new["food"].label == "Food at night" and new["food"].label_locked  # the lead's name carried over

    lead_orgs = frozenset({second.organisation_id})
    board = triage.board(lead_orgs, second.id)
    trend = {c.theme.id: c.trend for c in board.cards}
    # Parking grew from about 29% of the ideas to about 60%; food fell from about 36% to under 20%.
    assert trend[new["parking"].id] == "rising"
    assert trend[new["food"].id] == "recurring"
    assert trend[new["lifts"].id] == "new"
    card = next(c for c in board.cards if c.theme.id == new["parking"].id)
    assert card.earlier is not None and card.earlier.theme_id == old["parking"].id
    assert board.previous_session is not None and board.previous_session.id == first.id
    assert [r.theme.id for r in board.resolved] == [old["rotas"].id]  # done last session, not raised again

    # A later run of the same session keeps the links (no theme is matched twice).
    post(second, people, LIFTS, 4, offset=14)
    runs.request_theme_run(second.id)
    db.session.refresh(second)
    again = theme_of(second, now["parking"])
    assert again.id == new["parking"].id and again.previous_theme_id == old["parking"].id
    linked = list(db.session.scalars(sa.select(Theme.previous_theme_id).where(
        Theme.conversation_id == second.id, Theme.previous_theme_id.is_not(None))))
    assert len(linked) == len(set(linked))


def test_a_session_without_a_previous_one_keeps_run_to_run_trends(make_user, make_conversation, as_participant):
    people = [as_participant(make_user()) for _ in range(3)]
    conversation = make_conversation()
    post(conversation, people, PARKING, 8)
    post(conversation, people, FOOD, 8)
    runs.request_theme_run(conversation.id)
    board = triage.board(frozenset({conversation.organisation_id}), conversation.id)
    assert {c.trend for c in board.cards} == {"new"} and board.previous_session is None and not board.resolved
    assert all(t.previous_theme_id is None for t in db.session.scalars(sa.select(Theme)))


def test_rising_needs_a_share_that_grew_beyond_chance():
    assert share_trend(24, 44, 8, 28) == "rising"  # 29% -> 55%
    assert share_trend(5, 20, 4, 20) == "recurring"  # 20% -> 25% on small numbers: chance
    assert share_trend(10, 40, 10, 20) == "recurring"  # fell
    assert share_trend(3, 0, 1, 10) == "recurring"  # nothing to compare
