"""Every lead edit to themes survives the next automatic theme run."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import IdeaPlacement, Theme, ThemeAssignment, ThemePlan, ThemeSnapshot
from app.services import access
from app.services.content import ideas
from app.services.themes import edits
from app.services.themes import runs
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

# k-means in nlp/cluster.py warns when a conversation holds duplicate texts; the run is still correct.

def members(conversation, theme_id: int) -> set[str]:
    db.session.refresh(conversation)
    return set(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id == theme_id)))


def current(conversation) -> dict[int, ThemeSnapshot]:
    db.session.refresh(conversation)
    return {s.theme_id: s for s in db.session.scalars(
        sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == conversation.current_theme_run_id))}


def biggest(conversation, n: int = 2) -> list[Theme]:
    snaps = sorted(current(conversation).values(), key=lambda s: -s.size)
    return [db.session.get(Theme, s.theme_id) for s in snaps[:n]]


def rerun(conversation, people, text: str = "Another idea about free parking at night for staff") -> None:
    ideas.post_idea(people[0], conversation.questions[0].id, text, allow_identifying=True)
    before = conversation.current_theme_run_id
    run = runs.request_theme_run(conversation.id)
    db.session.refresh(conversation)
    assert conversation.current_theme_run_id == run.id != before


def test_rename_and_summary_survive_a_rerun(themed):
    conversation, people, orgs, _ = themed
    theme = access.get_led_theme(orgs, biggest(conversation, 1)[0].id)
    edits.rename_theme(theme, "  Night   shift welfare ")
    edits.set_summary(theme, "Staff on nights want parking and hot food.")
    assert current(conversation)[theme.id].label == "Night shift welfare"
    rerun(conversation, people)
    db.session.refresh(theme)
    assert current(conversation)[theme.id].label == "Night shift welfare"
    assert theme.summary == "Staff on nights want parking and hot food."
    with pytest.raises(InvalidInput):
        edits.rename_theme(theme, "x")


def test_merge_survives_a_rerun_and_redirects(themed):
    conversation, people, orgs, _ = themed
    first, second = biggest(conversation)
    moved = members(conversation, second.id)
    kept = members(conversation, first.id)
    edits.merge_themes(second, first)
    assert members(conversation, first.id) == kept | moved
    assert second.id not in current(conversation)
    rerun(conversation, people)
    after = members(conversation, first.id)
    assert kept | moved <= after
    assert second.id not in current(conversation)
    assert db.session.get(ThemePlan, second.id).merged_into_id == first.id
    with pytest.raises(NotAllowedNow):
        edits.rename_theme(second, "A merged theme cannot be renamed")
    with pytest.raises(InvalidInput):
        edits.merge_themes(first, first)


def test_split_by_choosing_ideas_survives_a_rerun(themed):
    conversation, people, orgs, _ = themed
    theme = biggest(conversation, 1)[0]
    ids = sorted(members(conversation, theme.id))
    chosen = ids[:2]
    new = edits.split_theme(theme, chosen, "Parking at night")
    assert members(conversation, new.id) == set(chosen)
    rerun(conversation, people)
    assert members(conversation, new.id) >= set(chosen)
    assert current(conversation)[new.id].label == "Parking at night"
    assert not members(conversation, theme.id) & set(chosen)
    with pytest.raises(InvalidInput):
        edits.split_theme(theme, [], "Nothing chosen")
    with pytest.raises(InvalidInput):
        edits.split_theme(theme, ["not-an-idea-of-this-theme"], "Wrong ideas")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Theme))
    with pytest.raises(InvalidInput):  # all of them: refused, and nothing half-written
        edits.split_theme(theme, sorted(members(conversation, theme.id)), "Everything")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == count


def test_recluster_one_theme_survives_a_rerun(themed):
    conversation, people, orgs, _ = themed
    first, second = biggest(conversation)
    edits.merge_themes(second, first)  # a mixed theme that has two clear parts
    before = members(conversation, first.id)
    created = edits.recluster_theme(first)
    assert created
    parts = {t.id: members(conversation, t.id) for t in [first, *created]}
    assert set().union(*parts.values()) == before
    rerun(conversation, people)
    for theme_id, ids in parts.items():
        assert members(conversation, theme_id) >= ids


def test_moving_one_idea_survives_a_rerun(themed):
    conversation, people, orgs, _ = themed
    first, second = biggest(conversation)
    idea_id = sorted(members(conversation, first.id))[0]
    edits.move_idea(conversation, idea_id, second)
    assert idea_id in members(conversation, second.id)
    rerun(conversation, people)
    assert idea_id in members(conversation, second.id)
    assert db.session.get(IdeaPlacement, idea_id).theme_id == second.id
    with pytest.raises(NotFound):
        edits.move_idea(conversation, "no-such-idea", second)


def test_pinned_theme_keeps_its_ideas_through_a_rerun(themed):
    conversation, people, orgs, _ = themed
    theme = biggest(conversation, 1)[0]
    before = members(conversation, theme.id)
    edits.set_pinned(theme, True)
    rerun(conversation, people)
    assert members(conversation, theme.id) >= before


def test_not_a_theme_survives_a_rerun(themed):
    conversation, people, orgs, _ = themed
    theme = biggest(conversation, 1)[0]
    ids = members(conversation, theme.id)
    edits.set_not_a_theme(theme, True)
    assert theme.id not in current(conversation) and not members(conversation, theme.id)
    rerun(conversation, people)
    assert theme.id not in current(conversation)
    db.session.refresh(conversation)
    unthemed = set(db.session.scalars(sa.select(ThemeAssignment.idea_id).where(
        ThemeAssignment.run_id == conversation.current_theme_run_id, ThemeAssignment.theme_id.is_(None))))
    assert ids <= unthemed  # not regrouped into a look-alike theme either
    never_shown = db.session.scalars(sa.select(Theme.id).where(
        ~sa.exists().where(ThemeSnapshot.theme_id == Theme.id), Theme.not_a_theme.is_(False))).all()
    assert never_shown == []  # no clutter of empty themes left behind by runs
    edits.set_not_a_theme(theme, False)
    assert members(conversation, theme.id) == ids  # unmarking brings them straight back


def test_only_leads_of_the_owning_organisation_reach_a_theme(themed, make_org):
    conversation, _, orgs, _ = themed
    theme = biggest(conversation, 1)[0]
    other = make_org("Elsewhere Trust")
    with pytest.raises(NotFound):
        access.get_led_theme(frozenset({other.id}), theme.id)
    with pytest.raises(NotFound):
        access.get_led_conversation(frozenset(), conversation.id)
    assert access.get_led_theme(orgs, theme.id).id == theme.id
