"""Two Change Hub sessions, the second following the first, with topics that recur, grow, stop and start."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Theme, ThemeAssignment, ThemePlan
from app.services.content import ideas
from app.services.themes import runs

WHO = ["nurses", "porters", "midwives", "junior doctors", "healthcare assistants", "cleaners", "radiographers",
       "paramedics", "pharmacists", "physiotherapists", "ward clerks", "student nurses"]
PARKING = "Staff car parking is too expensive and full after 8am for {}"
FOOD = "Hot meals in the canteen for {} on the night shift"
ROTAS = "Rotas for {} must be published six weeks ahead for childcare"
LIFTS = "The broken lifts in block B keep {} waiting with patients"


def post(conversation, people, template: str, count: int, offset: int = 0) -> list[str]:
    """Post count ideas from a template; returns their ids."""
    posted = []
    for n in range(count):
        who = WHO[(n + offset) % len(WHO)] + ("", " again", " every day")[(n + offset) // len(WHO) % 3]
        idea, _ = ideas.post_idea(people[n % len(people)], conversation.questions[0].id, template.format(who),
                               allow_identifying=True)
        posted.append(idea.id)
    return posted


def theme_of(conversation, idea_ids: list[str]) -> Theme:
    """The theme holding most of these ideas in the conversation's current run."""
    found = Counter(db.session.scalars(sa.select(ThemeAssignment.theme_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.idea_id.in_(idea_ids),
        ThemeAssignment.theme_id.is_not(None))))
    assert found
    return db.session.get_one(Theme, found.most_common(1)[0][0])


def sessions(make_user, make_conversation, as_participant):
    people = [as_participant(make_user()) for _ in range(3)]
    first = make_conversation(title="Change Hub: November")
    parking = post(first, people, PARKING, 8)
    food = post(first, people, FOOD, 10)
    rotas = post(first, people, ROTAS, 10)
    runs.request_theme_run(first.id)
    db.session.refresh(first)
    second = make_conversation(title="Change Hub: December")
    second.previous_conversation_id = first.id
    db.session.commit()
    return people, first, second, {"parking": parking, "food": food, "rotas": rotas}




@pytest.fixture(name="two_sessions")
def two_sessions_fixture(make_user, make_conversation, as_participant):
    """November's themes (parking, food named by a lead, rotas marked done) and December's run (parking grown,
    food again, lifts new); returns people, both sessions, and December's and November's themes by topic."""
    people, first, second, before = sessions(make_user, make_conversation, as_participant)
    old = {name: theme_of(first, idea_ids) for name, idea_ids in before.items()}
    db.session.add(ThemePlan(theme_id=old["rotas"].id, status="done", owner="", public_reason=""))
    old["food"].label, old["food"].label_locked = "Food at night", True  # a lead named it last session
    db.session.commit()
    now = {"parking": post(second, people, PARKING, 33, offset=3), "food": post(second, people, FOOD, 10, offset=5),
           "lifts": post(second, people, LIFTS, 10)}
    runs.request_theme_run(second.id)
    db.session.refresh(second)
    return people, first, second, now, old
