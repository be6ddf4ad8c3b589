"""The demo is a staff conversation: 400+ staff ideas, 150+ comments, a few held for naming people, real labels."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, ContentStatus, Conversation, Idea, ThemeAssignment, ThemeSnapshot
from app.seed import demo_texts, seed
from nlp.preprocess import stem

PATIENT_WORDS = re.compile(r"\b(happy with the service|the staff were (lovely|very|so)|was seen (quickly|promptly)|"
                           r"my (daughter|son|husband|wife|mum|dad)'?s? (care|treatment|appointment|stay))\b", re.I)


def _occurs(label: str, text: str) -> bool:
    want = [stem(w) for w in re.findall(r"[a-z0-9]+", label.lower())]
    have = [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def test_demo_data_is_staff_ideas_on_many_topics() -> None:
    ideas = demo_texts("staff_demo_ideas.txt")
    notes = demo_texts("staff_demo_comments.txt")
    topics = {t for t, _ in ideas} - {"off topic", "identifying"}
    assert len(ideas) >= 400 and len(notes) >= 150 and len(topics) == 15
    assert len({text for _, text in ideas}) == len(ideas)  # near-duplicates yes, exact copies no
    assert not [text for _, text in ideas + notes if PATIENT_WORDS.search(text)]


def test_seeded_demo_holds_identifying_ideas_and_labels_themes_from_their_ideas(app) -> None:
    seed()
    conversation = db.session.scalar(sa.select(Conversation).where(Conversation.title == "Best place to work"))
    statuses = [s for s in db.session.scalars(sa.select(Idea.status).where(Idea.conversation_id == conversation.id))]
    assert len(statuses) >= 400
    held = [s for s in statuses if s != ContentStatus.PUBLISHED]
    assert 1 <= len(held) <= 10  # the few naming people wait for a moderator
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) >= 150
    snaps = list(db.session.scalars(sa.select(ThemeSnapshot).where(
        ThemeSnapshot.run_id == conversation.current_theme_run_id)))
    assert len(snaps) >= 5
    for snap in snaps:
        if snap.theme.label_locked:
            continue
        members = db.session.scalars(sa.select(Idea.body).join(ThemeAssignment, ThemeAssignment.idea_id == Idea.id)
                                     .where(ThemeAssignment.run_id == snap.run_id, ThemeAssignment.theme_id == snap.theme_id))
        assert any(_occurs(snap.label, body) for body in members), snap.label
