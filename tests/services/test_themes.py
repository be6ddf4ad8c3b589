"""Theme runs through the app: one-transaction switch, failures, lead edits surviving, drafting help."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, RunStatus, Theme, ThemeAssignment, ThemeRun
from app.services.content import ideas
from app.services.themes import runs
from app.services.themes import reading
from app.services.common.errors import IdentifyingDetails

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "demo" / "staff_ideas.txt"


@pytest.fixture
def themed_conversation(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    texts = [line for line in SAMPLE.read_text().splitlines() if line.strip()]
    extra = [f"Free staff parking at night please, variant {n}" for n in range(8)] + \
            [f"Hot food in the canteen on night shifts, option {n}" for n in range(8)]
    for n, text in enumerate(texts + extra):
        ideas.post_idea(people[n % 3], conversation.questions[n % 2].id, text, allow_identifying=True)
    return conversation, people


def test_run_switches_the_conversation_in_one_go(themed_conversation):
    conversation, people = themed_conversation
    run = runs.request_theme_run(conversation.id)  # inline runner in tests
    db.session.refresh(run)
    assert run.status == RunStatus.SUCCEEDED and run.theme_count >= 2
    db.session.refresh(conversation)
    assert conversation.current_theme_run_id == run.id
    assigned = db.session.scalar(sa.select(sa.func.count()).select_from(ThemeAssignment).where(ThemeAssignment.run_id == run.id))
    assert assigned == run.idea_count == db.session.scalar(sa.select(sa.func.count()).select_from(Idea))
    view = reading.themes_for(people[0], conversation.id)
    assert len(view.cards) == run.theme_count
    assert all(card.snapshot.label and card.quotes for card in view.cards)
    labels = " ".join(card.snapshot.label.lower() for card in view.cards)
    assert "parking" in labels or "food" in labels or "canteen" in labels


def test_a_failed_run_keeps_the_previous_themes(themed_conversation, monkeypatch):
    conversation, people = themed_conversation
    first = runs.request_theme_run(conversation.id)
    import nlp.themes

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise MemoryError("simulated")

    monkeypatch.setattr(nlp.themes, "find_themes", broken)
    second = runs.request_theme_run(conversation.id)
    db.session.refresh(second)
    db.session.refresh(conversation)
    assert second.status == RunStatus.FAILED and "previous themes are still shown" in second.error
    assert conversation.current_theme_run_id == first.id
    view = reading.themes_for(people[0], conversation.id)
    assert view.run.id == first.id and view.latest_failed.id == second.id and view.cards


def test_lead_edits_survive_a_rerun(themed_conversation, make_user, as_participant):
    conversation, people = themed_conversation
    runs.request_theme_run(conversation.id)
    view = reading.themes_for(people[0], conversation.id)
    renamed, dropped = (db.session.get(Theme, c.snapshot.theme_id) for c in view.cards[:2])
    renamed.label, renamed.label_locked = "Night shift welfare", True
    dropped.not_a_theme = True
    db.session.commit()
    ideas.post_idea(people[0], conversation.questions[0].id, "Another idea about free parking at night", allow_identifying=True)
    run = runs.request_theme_run(conversation.id)
    db.session.refresh(run)
    after = {c.snapshot.theme_id: c.snapshot.label for c in reading.themes_for(people[0], conversation.id).cards}
    assert after.get(renamed.id) == "Night shift welfare"
    assert dropped.id not in after


def test_only_one_run_is_queued_at_a_time(app, themed_conversation):
    conversation, _ = themed_conversation
    app.config["CHORUS_JOBS"] = "rq-disabled-for-test"
    queued = ThemeRun(conversation_id=conversation.id)
    db.session.add(queued)
    db.session.commit()
    assert runs.request_theme_run(conversation.id).id == queued.id


def test_schedule_picks_open_conversations_with_new_ideas(themed_conversation):
    conversation, people = themed_conversation
    assert runs.due_conversations() == [conversation.id]
    runs.run_scheduled()
    assert runs.due_conversations() == []  # just ran, nothing new


def test_similar_ideas_while_typing(themed_conversation):
    conversation, people = themed_conversation
    matches = reading.similar_ideas(people[1], conversation.id, "free parking for night staff")
    assert matches and "parking" in matches[0][0].body.lower()
    assert reading.similar_ideas(people[1], conversation.id, "hi") == []


def test_identifying_details_need_confirmation(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    with pytest.raises(IdentifyingDetails, match="Dr Patel"):
        ideas.post_idea(person, conversation.questions[0].id, "Dr Patel on Ward 7 shouts at the nurses")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Dr Patel on Ward 7 shouts at the nurses",
                              allow_identifying=True)
    assert idea.flagged_identifying and idea.sentiment is not None


@pytest.mark.parametrize(("text", "shown"), [
    ("Sarah got back to me about the rota late again", "Sarah"),
    ("sister jones refuses every swap on nights", "sister jones"),
    ("I am the only band 7 on nights and never get training", "the only band 7 on nights"),
])
def test_ordinary_names_and_roles_are_shown_to_the_author_before_posting(make_user, make_conversation, as_participant,
                                                                         text, shown):
    conversation = make_conversation()
    person = as_participant(make_user())
    with pytest.raises(IdentifyingDetails, match=shown) as refused:
        ideas.post_idea(person, conversation.questions[0].id, text)
    assert [text[s.start:s.end] for s in refused.value.spans] == [shown]
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, text, allow_identifying=True)
    assert idea.flagged_identifying  # kept by the author: held for a moderator, as before
