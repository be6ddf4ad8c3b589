"""Votes: one per person per idea, even under concurrent double clicks."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Vote
from app.services.content import ideas
from app.services.content import voting
from app.services.common.errors import InvalidInput, NotAllowedNow, NotFound
from app.services.content.listing import idea_detail
from tests.conftest import BACKEND


def test_support_vote_is_idempotent_and_withdrawable(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    author, voter = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Better rotas please")
    for _ in range(3):
        voting.cast_vote(voter, idea.id, "support")
    assert idea_detail(voter, idea.id).card.support == 1
    with pytest.raises(InvalidInput):
        voting.cast_vote(voter, idea.id, "disagree")
    voting.withdraw_vote(voter, idea.id)
    card = idea_detail(voter, idea.id).card
    assert card.support == 0 and card.my_vote is None


def test_agree_mode_votes_can_change(make_user, make_conversation, as_participant):
    conversation = make_conversation(voting_mode="agree")
    author, voter = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Four day week")
    voting.cast_vote(voter, idea.id, "agree")
    voting.cast_vote(voter, idea.id, "disagree")
    card = idea_detail(voter, idea.id).card
    assert (card.agree, card.disagree, card.passes, card.my_vote) == (0, 1, 0, "disagree")
    voting.cast_vote(author, idea.id, "pass")
    assert idea_detail(voter, idea.id).card.passes == 1
    with pytest.raises(InvalidInput):
        voting.cast_vote(voter, idea.id, "support")


def test_a_vote_answers_the_ideas_counts_with_everyone_elses_votes_and_its_own(make_user, make_conversation,
                                                                              as_participant):
    """The counts a vote answers: others' votes once each, and this person's vote once, whether new, changed or
    repeated (PostgreSQL counts the others and adds the caster's own vote in the upsert's statement)."""
    conversation = make_conversation(voting_mode="agree")
    author = as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "Rest rooms on every ward")
    a, b, c = (as_participant(make_user()) for _ in range(3))
    assert voting.cast_vote(a, idea.id, "agree").votes == {"agree": 1, "disagree": 0, "pass": 0}
    assert voting.cast_vote(b, idea.id, "disagree").votes == {"agree": 1, "disagree": 1, "pass": 0}
    assert voting.cast_vote(c, idea.id, "agree").votes == {"agree": 2, "disagree": 1, "pass": 0}
    changed = voting.cast_vote(c, idea.id, "disagree")
    assert (changed.votes, changed.my_vote) == ({"agree": 1, "disagree": 2, "pass": 0}, "disagree")
    assert voting.cast_vote(c, idea.id, "disagree").votes == {"agree": 1, "disagree": 2, "pass": 0}
    assert voting.cast_vote(a, idea.id, "pass").votes == {"agree": 0, "disagree": 2, "pass": 1}
    assert voting.withdraw_vote(b, idea.id).votes == {"agree": 0, "disagree": 1, "pass": 1}

    supported = make_conversation()
    idea, _ = ideas.post_idea(author, supported.questions[0].id, "Free parking at night")
    assert voting.cast_vote(a, idea.id, "support").votes == {"support": 1}
    assert voting.cast_vote(a, idea.id, "support").votes == {"support": 1}
    assert voting.cast_vote(b, idea.id, "support").votes == {"support": 2}


def test_votes_refused_when_closed_or_unknown(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Some idea text")
    from app.services.conversations.lifecycle import close_conversation

    close_conversation(conversation)
    with pytest.raises(NotAllowedNow):
        voting.cast_vote(person, idea.id, "support")
    with pytest.raises(NotFound):
        voting.cast_vote(person, "no-such-idea", "support")


def test_concurrent_double_clicks_make_one_vote(app, make_user, make_conversation, as_participant):
    """Many threads vote at once; the primary key and upsert leave exactly one row."""
    conversation = make_conversation()
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, conversation.questions[0].id, "Concurrency test idea")
    idea_id = idea.id
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def click() -> None:
        with app.app_context():
            try:
                barrier.wait()
                voting.cast_vote(person, idea_id, "support")
            except BaseException as error:  # collected and asserted below
                errors.append(error)
            finally:
                db.session.remove()

    if BACKEND != "postgresql":
        # In-memory SQLite is one shared connection; threads would only serialise, so run them in turn.
        for _ in range(8):
            voting.cast_vote(person, idea_id, "support")
    else:
        threads = [threading.Thread(target=click) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(Vote.idea_id == idea_id)) == 1


def test_votes_and_comments_reach_only_published_ideas_the_person_may_see(make_user, make_org, make_conversation,
                                                                         as_participant):
    """The conversation-only lookup keeps visible_idea's checks: someone else's trust's idea and a hidden idea are 404."""
    from app.models import ContentStatus, Idea
    from app.services.content import comments

    conversation = make_conversation()
    author = as_participant(make_user())
    idea, _ = ideas.post_idea(author, conversation.questions[0].id, "An idea for this trust only")
    outsider = as_participant(make_user(organisation=make_org()))
    with pytest.raises(NotFound):
        voting.cast_vote(outsider, idea.id, "support")
    with pytest.raises(NotFound):
        voting.withdraw_vote(outsider, idea.id)
    with pytest.raises(NotFound):
        comments.add_comment(outsider, idea.id, "A comment from outside")
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id).values(status=ContentStatus.HIDDEN))
    db.session.commit()
    with pytest.raises(NotFound):
        voting.cast_vote(author, idea.id, "support")
    with pytest.raises(NotFound):
        comments.add_comment(author, idea.id, "A comment on a hidden idea")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0
