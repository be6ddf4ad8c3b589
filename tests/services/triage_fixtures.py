"""A themed conversation with a change-hub lead, shared by the triage tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db
from app.services.content import ideas
from app.services.themes import runs

PARKING = ["nurses", "porters", "midwives", "junior doctors", "healthcare assistants", "cleaners", "radiographers", "paramedics"]
FOOD = ["even soup", "with vegetarian choices", "not just vending machines", "after midnight", "like pasta bakes",
        "served warm", "at weekends too", "with halal options"]
SAMPLE = Path(__file__).resolve().parents[2] / "app" / "demo" / "staff_ideas.txt"


@pytest.fixture
def themed(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    texts = [line for line in SAMPLE.read_text().splitlines() if line.strip()]
    # Distinct texts: exact duplicates make k-means warn (an error under filterwarnings=error).
    extra = [f"Free staff parking at night please, especially for {who}" for who in PARKING] + \
            [f"Hot food in the canteen on night shifts, {what}" for what in FOOD]
    for n, text in enumerate(texts + extra):
        ideas.post_idea(people[n % 3], conversation.questions[n % 2].id, text, allow_identifying=True)
    runs.request_theme_run(conversation.id)
    db.session.refresh(conversation)
    lead = make_user("lead")
    return conversation, people, frozenset({conversation.organisation_id}), lead


