"""Leads see the unthemed ideas and place each in a theme; placements survive re-runs; outcomes lock labels."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Theme, ThemeAssignment, ThemeSnapshot
from app.services.common.errors import NotFound
from app.services.content import ideas
from app.services.themes import runs, unthemed
from app.services.triage import outcomes
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)


def _snapshots(conversation) -> dict[int, ThemeSnapshot]:
    db.session.refresh(conversation)
    return {s.theme_id: s for s in db.session.scalars(
        sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id))}


def _leave_unthemed(conversation, idea_id: str) -> None:
    """As a run does for an outlier: the idea is in the run with no theme."""
    db.session.execute(sa.update(ThemeAssignment).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.idea_id == idea_id)
        .values(theme_id=None))
    db.session.commit()


def _rerun(conversation, people) -> None:
    ideas.post_idea(people[0], conversation.questions[0].id, "Free parking at night for staff please", allow_identifying=True)
    runs.request_theme_run(conversation.id)
    db.session.refresh(conversation)


def test_unthemed_ideas_are_listed_and_placed_for_good(themed):
    conversation, people, orgs, _ = themed
    snaps = sorted(_snapshots(conversation).values(), key=lambda s: -s.size)
    idea_id = db.session.scalar(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == snaps[0].theme_id))
    _leave_unthemed(conversation, idea_id)
    view = unthemed.unthemed_ideas(orgs, conversation.id)
    assert idea_id in [i.id for i in view.ideas]
    assert {t for t, _ in view.themes} == set(_snapshots(conversation))
    target = snaps[-1].theme_id
    unthemed.place_unthemed_idea(orgs, conversation.id, idea_id, target)
    assert idea_id not in [i.id for i in unthemed.unthemed_ideas(orgs, conversation.id).ideas]
    _rerun(conversation, people)
    placed = db.session.scalar(sa.select(ThemeAssignment.theme_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.idea_id == idea_id))
    assert placed == target


def test_only_leads_of_the_conversation_see_or_place(themed, make_org, make_conversation):
    conversation, _, orgs, _ = themed
    other = make_org("Elsewhere Trust")
    with pytest.raises(NotFound):
        unthemed.unthemed_ideas(frozenset({other.id}), conversation.id)
    theme_id = next(iter(_snapshots(conversation)))
    idea_id = db.session.scalar(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id))
    with pytest.raises(NotFound):
        unthemed.place_unthemed_idea(frozenset({other.id}), conversation.id, idea_id, theme_id)
    with pytest.raises(NotFound):
        unthemed.place_unthemed_idea(orgs, conversation.id, "no-such-idea", theme_id)


def test_a_published_outcome_locks_the_label(themed):
    conversation, people, _, _ = themed
    snap = max(_snapshots(conversation).values(), key=lambda s: s.size)
    theme = db.session.get(Theme, snap.theme_id)
    outcomes.publish_outcome(theme, "You told us parking is hard", "We will open the staff car park", "Estates", None)
    db.session.refresh(theme)
    assert theme.label_locked
    label = theme.label
    for n in range(6):  # many new ideas: an unlocked label could be rebuilt from them
        ideas.post_idea(people[n % 3], conversation.questions[0].id, f"Staff canteen hot meals at night {n}",
                        allow_identifying=True)
    runs.request_theme_run(conversation.id)
    db.session.refresh(theme)
    assert theme.label == label
    assert _snapshots(conversation)[theme.id].label == label
