"""Issue #10.8: a quote chosen to stand for a theme never carries a name or other identifying detail.

Ideas that name someone can be published after moderation where they were posted, but a theme card
(shown to all staff and copied into reports) must pick other ideas as its quotes, even for a run that
was computed before the detector learned that name.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Idea, ThemeSnapshot
from app.services.content import ideas
from app.services.themes import runs
from app.services.themes import reading
from nlp.identifying import find_identifying_details

NAMED = [
    "Sarah got back to me about free staff parking at night",
    "Jamie and Matt sorted free staff parking at night for us",
    "Free staff parking at night please, sister jones agrees",
    "Hot food in the canteen at night, Will said he would ask",
]
CLEAN = [f"Free staff parking at night please, for shift {n}" for n in range(8)] + \
        [f"Hot food in the canteen at night please, on rota {n}" for n in range(8)]


def _conversation(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    for n, text in enumerate(NAMED + CLEAN):
        ideas.post_idea(people[n % 3], conversation.questions[0].id, text, allow_identifying=True)
    # A moderator let the named ones through: they are published where they were posted.
    for idea in db.session.scalars(sa.select(Idea)):
        idea.status = ContentStatus.PUBLISHED
    db.session.commit()
    return conversation, people


def test_theme_quotes_carry_no_identifying_details(make_user, make_conversation, as_participant):
    conversation, people = _conversation(make_user, make_conversation, as_participant)
    runs.request_theme_run(conversation.id)
    view = reading.themes_for(people[0], conversation.id)
    # Themes with clean members still show quotes; a theme made only of named ideas shows none rather than a name.
    assert sum(bool(card.quotes) for card in view.cards) >= 2
    for card in view.cards:
        assert [q.body for q in card.quotes if find_identifying_details(q.body)] == []
    stored = {q for s in db.session.scalars(sa.select(ThemeSnapshot)) for q in s.quote_ids}
    named = {i.id for i in db.session.scalars(sa.select(Idea).where(Idea.body.in_(NAMED)))}
    assert len(named) == len(NAMED) and not stored & named  # the run itself picked other quotes


def test_quotes_stored_by_an_older_run_are_checked_again_when_shown(make_user, make_conversation, as_participant):
    conversation, people = _conversation(make_user, make_conversation, as_participant)
    runs.request_theme_run(conversation.id)
    named = db.session.scalar(sa.select(Idea).where(Idea.body == NAMED[0]))
    snapshot = db.session.scalars(sa.select(ThemeSnapshot)).first()
    snapshot.quote_ids = [named.id] + list(snapshot.quote_ids)[:2]  # as an older detector would have left it
    db.session.commit()
    for card in reading.themes_for(people[0], conversation.id).cards:
        assert named.id not in {q.id for q in card.quotes}
        assert all(not find_identifying_details(q.body) for q in card.quotes)


def test_opinion_group_statements_never_name_anyone(make_user, make_conversation, as_participant):
    from app.services.opinions import runs
    from app.services.opinions.groups import opinion_groups_for
    from tests.services.test_opinion_runs import seed_two_camps

    conversation, posted = seed_two_camps(make_user, make_conversation, as_participant)
    # Everyone agrees with it, so it would lead the consensus list; a moderator published it with the name in.
    posted[6].body = "Hot food at night, Sarah in the canteen said she would sort it"
    db.session.commit()
    runs.request_opinion_run(conversation.id)
    view = opinion_groups_for(as_participant(make_user()), conversation.id)
    assert view.groups and view.consensus
    shown = [s.idea for g in view.groups for s in g.statements] + [s.idea for s in view.consensus + view.divisive]
    assert posted[6].id not in {i.id for i in shown}
    assert all(not find_identifying_details(i.body) for i in shown)


def test_quotes_refilled_after_a_lead_edit_name_nobody(make_user, make_conversation, as_participant):
    from app.services.themes.edits import apply_lead_edits
    from app.models import ThemeRun

    conversation, people = _conversation(make_user, make_conversation, as_participant)
    runs.request_theme_run(conversation.id)
    run = db.session.scalars(sa.select(ThemeRun)).one()
    for snapshot in db.session.scalars(sa.select(ThemeSnapshot).where(ThemeSnapshot.run_id == run.id)):
        snapshot.quote_ids = []  # as after a merge or a move: the quotes are picked again from the members
    apply_lead_edits(run)
    db.session.commit()
    stored = [q for s in db.session.scalars(sa.select(ThemeSnapshot)) for q in s.quote_ids]
    assert stored and all(not find_identifying_details(db.session.get(Idea, q).body) for q in stored)
