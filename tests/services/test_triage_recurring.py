"""Change Hub themes that recur across sessions: one identity, and new / recurring / rising / resolved trends."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.models import Theme, ThemeAssignment, ThemePlan
from app.services.content import ideas
from app.services.themes import runs
from app.services.triage import board as triage
from app.services.triage.recurring import share_trend

WHO = ["nurses", "porters", "midwives", "junior doctors", "healthcare assistants", "cleaners", "radiographers",
       "paramedics", "pharmacists", "physiotherapists", "ward clerks", "student nurses"]
PARKING = "Staff car parking is too expensive and full after 8am for {}"
FOOD = "Hot meals in the canteen for {} on the night shift"
ROTAS = "Rotas for {} must be published six weeks ahead for childcare"
LIFTS = "The broken lifts in block B keep {} waiting with patients"


def _post(conversation, people, template: str, count: int, offset: int = 0) -> list[str]:
    """Post count ideas from a template; returns their ids."""
    posted = []
    for n in range(count):
        who = WHO[(n + offset) % len(WHO)] + ("", " again", " every day")[(n + offset) // len(WHO) % 3]
        idea, _ = ideas.post_idea(people[n % len(people)], conversation.questions[0].id, template.format(who),
                               allow_identifying=True)
        posted.append(idea.id)
    return posted


def _theme_of(conversation, idea_ids: list[str]) -> Theme:
    """The theme holding most of these ideas in the conversation's current run."""
    found = Counter(db.session.scalars(sa.select(ThemeAssignment.theme_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.idea_id.in_(idea_ids),
        ThemeAssignment.theme_id.is_not(None))))
    assert found
    return db.session.get_one(Theme, found.most_common(1)[0][0])


def _sessions(make_user, make_conversation, as_participant):
    people = [as_participant(make_user()) for _ in range(3)]
    first = make_conversation(title="Change Hub: November")
    parking = _post(first, people, PARKING, 8)
    food = _post(first, people, FOOD, 10)
    rotas = _post(first, people, ROTAS, 10)
    runs.request_theme_run(first.id)
    db.session.refresh(first)
    second = make_conversation(title="Change Hub: December")
    second.previous_conversation_id = first.id
    db.session.commit()
    return people, first, second, {"parking": parking, "food": food, "rotas": rotas}


def test_recurring_themes_keep_their_identity_and_get_trends(make_user, make_conversation, as_participant):
    people, first, second, before = _sessions(make_user, make_conversation, as_participant)
    old = {name: _theme_of(first, idea_id) for name, idea_id in before.items()}
    assert len({t.id for t in old.values()}) == 3
    db.session.add(ThemePlan(theme_id=old["rotas"].id, status="done", owner="", public_reason=""))
    old["food"].label, old["food"].label_locked = "Food at night", True  # a lead named it last session
    db.session.commit()

    now = {"parking": _post(second, people, PARKING, 33, offset=3), "food": _post(second, people, FOOD, 10, offset=5),
           "lifts": _post(second, people, LIFTS, 10)}
    runs.request_theme_run(second.id)
    db.session.refresh(second)
    new = {name: _theme_of(second, idea_id) for name, idea_id in now.items()}
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
    _post(second, people, LIFTS, 4, offset=14)
    runs.request_theme_run(second.id)
    db.session.refresh(second)
    again = _theme_of(second, now["parking"])
    assert again.id == new["parking"].id and again.previous_theme_id == old["parking"].id
    linked = list(db.session.scalars(sa.select(Theme.previous_theme_id).where(
        Theme.conversation_id == second.id, Theme.previous_theme_id.is_not(None))))
    assert len(linked) == len(set(linked))


def test_a_session_without_a_previous_one_keeps_run_to_run_trends(make_user, make_conversation, as_participant):
    people = [as_participant(make_user()) for _ in range(3)]
    conversation = make_conversation()
    _post(conversation, people, PARKING, 8)
    _post(conversation, people, FOOD, 8)
    runs.request_theme_run(conversation.id)
    board = triage.board(frozenset({conversation.organisation_id}), conversation.id)
    assert {c.trend for c in board.cards} == {"new"} and board.previous_session is None and not board.resolved
    assert all(t.previous_theme_id is None for t in db.session.scalars(sa.select(Theme)))


def test_rising_needs_a_share_that_grew_beyond_chance():
    assert share_trend(24, 44, 8, 28) == "rising"  # 29% -> 55%
    assert share_trend(5, 20, 4, 20) == "recurring"  # 20% -> 25% on small numbers: chance
    assert share_trend(10, 40, 10, 20) == "recurring"  # fell
    assert share_trend(3, 0, 1, 10) == "recurring"  # nothing to compare
