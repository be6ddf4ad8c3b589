"""Rules A2, A3: what pages keep per conversation (listing_cache) never names who read, wrote or voted."""

from __future__ import annotations

import sqlalchemy as sa

from app.crypto import voter_pseudonym
from app.extensions import db
from app.models import Idea
from app.services.common.keys import conversation_key
from app.services.content import ideas, voting
from app.services.content.fair_order import order_seed
from app.services.content.listing import SORTS, list_ideas
from app.services.content.listing_cache import listing_cache


def _every_page_read(make_user, make_conversation, as_participant):  # type: ignore[no-untyped-def]
    """An author's four ideas, one voted on, every sort read by the author, the voter and a reader: the
    conversation, its first question's id, the ideas' ids, and each person's identifying values (email, key,
    pseudonym, fair-order seed; numeric user ids are checked through the keys' shape)."""
    conversation = make_conversation()
    question = conversation.questions[0].id
    people = [make_user() for _ in range(3)]
    author, voter, reader = (as_participant(p) for p in people)
    posted = [ideas.post_idea(author, question, f"Idea number {n}: a quiet room for breaks")[0].id for n in range(4)]
    voting.cast_vote(voter, posted[2], "support")
    for person in (author, voter, reader):
        for sort in SORTS:
            list_ideas(person, question, sort)
    key = conversation_key(conversation)
    personal = {p.email for p in people}
    personal |= {p.user_key for p in (author, voter, reader)}
    personal |= {voter_pseudonym(key, p.user_key) for p in (author, voter, reader)}
    personal |= {order_seed(key, p.user_key).hex() for p in (author, voter, reader)}
    return conversation, question, posted, personal


def test_kept_lists_carry_no_person(make_user, make_conversation, as_participant):
    conversation, question, posted, personal = _every_page_read(make_user, make_conversation, as_participant)
    personal |= set(db.session.scalars(sa.select(Idea.author_tag)))
    kept = listing_cache()._cache
    assert kept, "nothing was kept: the test would prove nothing"
    text = repr(kept)
    assert not [value for value in personal if value in text]
    for entry in kept.values():
        for entry_key, (value, _) in entry.entries.items():
            # (question, "total") or (question, "order", sort): the same for every reader; values are a count, or
            # the question's idea ids in the sort's order.
            assert entry_key[0] == question and entry_key[1:] in {("total",), *(("order", s) for s in SORTS)}
            assert entry_key[1:] != ("order", "random"), "a person's fair random order must never be kept (A3)"
            assert isinstance(value, int) or set(value) <= set(posted)


def test_kept_cards_carry_no_reader_and_nothing_the_idea_row_does_not(make_user, make_conversation, as_participant):
    """Cards kept per event (content/cards.py) hold each idea's own columns and counts, keyed by the idea's id:
    no reader's key, pseudonym, seed or own-vote mark, whoever read the page and whatever they voted."""
    from app.services.content.cards import card_cache

    conversation, question, posted, personal = _every_page_read(make_user, make_conversation, as_participant)
    kept = card_cache()._cache
    assert kept, "nothing was kept: the test would prove nothing"
    assert not [value for value in personal if value in repr(kept)]
    stored = {row.id: tuple(row) for row in db.session.execute(
        sa.select(Idea.id, Idea.author_tag, Idea.nonce, Idea.body).where(Idea.id.in_(posted)))}
    for conversation_id, entry in kept.items():
        assert conversation_id == conversation.id
        for idea_id, (row, _) in entry.entries.items():
            assert idea_id in stored and row[0] == idea_id
            assert {stored[idea_id][1], stored[idea_id][2], stored[idea_id][3]} <= set(row)  # the row's own values
            assert all(isinstance(v, (str, int, bool, type(None))) or hasattr(v, "year") for v in row)
