"""Comparing ideas (not only themes) in pairs: what a lead chooses, anonymous answers, ranking with intervals."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import PairwiseChoice, PairwiseIdea, PairwiseItems, PairwiseSetup
from app.services.content import ideas
from app.services.moderation import decisions
from app.services.triage import pairs
from app.services.triage import pairwise
from app.services.common.errors import InvalidInput
from nlp.pairwise import spearman


TEXTS = ["Publish rotas six weeks ahead", "Fix the broken lockers in the changing rooms",
         "Protected time for training every month", "Quiet rest space on every floor",
         "Cheaper parking for night staff", "Hot food available after midnight",
         "Simpler expenses claims", "Mentors for newly qualified staff"]


@pytest.fixture
def recommendations(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    first, second = conversation.questions
    posted = [ideas.post_idea(people[n % 3], first.id, text, allow_identifying=True)[0]
              for n, text in enumerate(TEXTS)]
    other = ideas.post_idea(people[0], second.id, "A very different idea about the staff canteen menu")[0]
    return conversation, people, posted, other


def test_themes_are_the_default_and_a_question_switches_to_its_ideas(recommendations):
    conversation, people, posted, other = recommendations
    assert pairs.setup(conversation).items == PairwiseItems.THEMES
    assert pairwise.items(conversation) == []  # no theme run yet
    pairs.choose_items(conversation, "question", conversation.questions[0].id)
    compared = pairwise.items(conversation)
    assert {i.id for i in compared} == {i.id for i in posted} and all(i.kind == "idea" for i in compared)
    pair = pairwise.next_comparison(people[0], conversation.id)
    assert pair is not None and pair.left.kind == "idea" and pair.left.id != pair.right.id
    assert other.id not in {pair.left.id, pair.right.id}


def test_bad_setup_is_refused_and_changes_nothing(recommendations, make_conversation):
    conversation, _, posted, other = recommendations
    stranger = make_conversation(title="Another")
    with pytest.raises(InvalidInput):
        pairs.choose_items(conversation, "everything")
    with pytest.raises(InvalidInput):
        pairs.choose_items(conversation, "question", stranger.questions[0].id)
    with pytest.raises(InvalidInput):
        pairs.choose_items(conversation, "question", None)
    # One idea from another question makes the whole pick fail; nothing is half-saved.
    with pytest.raises(InvalidInput):
        pairs.configure(conversation, "picked", conversation.questions[0].id, [posted[0].id, other.id])
    assert db.session.get(PairwiseSetup, conversation.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseIdea)) == 0


def test_picked_ideas_are_compared_and_hidden_ones_drop_out(recommendations, make_user):
    conversation, people, posted, _ = recommendations
    question = conversation.questions[0]
    assert pairs.set_picks(conversation, question.id, [posted[0].id, posted[1].id, posted[2].id]) == 3
    pairs.choose_items(conversation, "picked")
    assert {i.id for i in pairwise.items(conversation)} == {posted[0].id, posted[1].id, posted[2].id}
    # Re-picking one question replaces its picks.
    assert pairs.set_picks(conversation, question.id, [posted[0].id, posted[1].id]) == 2
    decisions.hide_item(conversation, make_user("facilitator").id, "idea", posted[1].id, "off_topic")
    assert [i.id for i in pairwise.items(conversation)] == [posted[0].id]


def test_idea_answers_are_anonymous_kept_apart_from_themes_and_ranked(recommendations):
    conversation, people, posted, _ = recommendations
    pairs.choose_items(conversation, "question", conversation.questions[0].id)
    pair = pairwise.next_comparison(people[0], conversation.id)
    pairwise.record_choice(people[0], conversation.id, pair.left.id, pair.right.id, "left")
    nxt = pairwise.next_comparison(people[0], conversation.id)
    assert {nxt.left.id, nxt.right.id} != {pair.left.id, pair.right.id}
    with pytest.raises(InvalidInput):
        pairwise.record_choice(people[0], conversation.id, pair.left.id, "not-an-idea", "left")
    with pytest.raises(InvalidInput):
        pairwise.record_choice(people[0], conversation.id, pair.left.id, pair.right.id, "maybe")
    row = db.session.scalar(sa.select(PairwiseChoice))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PairwiseChoice)) == 1
    assert (row.left_idea_id, row.right_idea_id, row.left_theme_id) == (pair.left.id, pair.right.id, None)
    assert people[0].user_key not in (row.chooser or "") and not hasattr(row, "user_id") and not hasattr(row, "created_at")
    ranked = pairwise.ranking(conversation)
    assert ranked[0].item.id == pair.left.id and ranked[0].lower <= ranked[0].score <= ranked[0].upper
    # Switching back to themes ignores idea answers (and vice versa).
    pairs.choose_items(conversation, "themes")
    assert pairwise.ranking(conversation) == []


def test_simulated_answers_recover_a_known_order_of_ideas(recommendations, make_user, as_participant):
    """Answers drawn from a known true order through the service rank the ideas nearly in that order."""
    conversation, people, posted, _ = recommendations
    pairs.choose_items(conversation, "question", conversation.questions[0].id)
    truth = {idea.id: float(n) for n, idea in enumerate(posted)}  # later ideas matter more
    rng = np.random.default_rng(4)
    staff = people + [as_participant(make_user()) for _ in range(5)]
    for person in staff:
        for _ in range(10):
            pair = pairwise.next_comparison(person, conversation.id)
            if pair is None:
                break
            p_left = 1.0 / (1.0 + np.exp(-(truth[pair.left.id] - truth[pair.right.id])))
            pairwise.record_choice(person, conversation.id, pair.left.id, pair.right.id,
                                     "left" if rng.random() < p_left else "right")
    ranked = pairwise.ranking(conversation)
    assert len(ranked) == len(posted)
    rho = spearman([truth[r.item.id] for r in ranked], [r.score for r in ranked])
    assert rho >= 0.8, rho
