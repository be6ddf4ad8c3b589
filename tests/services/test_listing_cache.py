"""Sorted idea lists and totals are kept per conversation until its next live event (listing_cache)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.services.content import ideas, voting
from app.services.content.listing import list_ideas
from app.services.moderation import decisions


def _statements(run):  # type: ignore[no-untyped-def]
    """What run() returns, and the SQL it sent."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        return run(), seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [card.idea.id for card in page.cards]


def _world(make_user, make_conversation, as_participant, n: int = 3):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    question = conversation.questions[0].id
    author = as_participant(make_user())
    posted = [ideas.post_idea(author, question, f"Idea number {k}: lockers for the night staff")[0].id
              for k in range(n)]
    return conversation, question, posted, [as_participant(make_user()) for _ in range(3)]


def test_a_second_reading_neither_counts_nor_sorts_again(make_user, make_conversation, as_participant):
    _, question, posted, (reader, other, _) = _world(make_user, make_conversation, as_participant)
    voting.cast_vote(other, posted[1], "support")
    first, cold = _statements(lambda: list_ideas(reader, question, "supported"))
    second, warm = _statements(lambda: list_ideas(other, question, "supported"))  # another reader: kept for everyone
    assert _ids(second) == _ids(first) and _ids(first)[0] == posted[1]
    assert second.total == first.total == 3
    def totals(statements: list[str]) -> list[str]:
        return [s for s in statements if s.lower().startswith("select count(*)")]

    # The question's whole order is read once, and gives the total (no count of its own); neither is read again.
    assert totals(cold) == [] and totals(warm) == []
    assert len([s for s in cold if "ORDER BY" in s]) == 1 and not any("ORDER BY" in s for s in warm)
    assert len(warm) < len(cold)


def test_a_vote_reorders_the_list_at_once(make_user, make_conversation, as_participant):
    _, question, posted, (reader, voter, _) = _world(make_user, make_conversation, as_participant)
    voting.cast_vote(voter, posted[0], "support")
    assert _ids(list_ideas(reader, question, "supported"))[0] == posted[0]
    voting.cast_vote(voter, posted[2], "support")
    voting.cast_vote(reader, posted[2], "support")
    page = list_ideas(reader, question, "supported")
    assert _ids(page)[0] == posted[2]
    assert page.cards[0].support == 2 and page.cards[0].my_vote == "support"  # counts and own vote read afresh


def test_a_new_idea_and_a_hidden_one_change_the_total_and_the_list(make_user, make_conversation, as_participant):
    conversation, question, posted, (reader, _, _) = _world(make_user, make_conversation, as_participant)
    assert list_ideas(reader, question, "newest").total == 3
    newer, _ = ideas.post_idea(reader, question, "A water fountain on every floor, please")
    page = list_ideas(reader, question, "newest")
    assert page.total == 4 and newer.id in _ids(page)
    moderator = make_user("facilitator")
    decisions.hide_item(conversation, moderator.id, "idea", posted[0], "abusive")
    page = list_ideas(reader, question, "newest")
    assert page.total == 3 and posted[0] not in _ids(page)


def test_imported_paper_notes_show_at_once_and_reach_live_boards(make_user, make_conversation, as_participant):
    """A paper-note import moves the lists like a post does: kept pages are not served after it (and live boards,
    told by an event, reload their state)."""
    from app.live import store
    from app.services.content import paper_notes

    conversation, question, posted, (reader, _, _) = _world(make_user, make_conversation, as_participant)
    before = list_ideas(reader, question, "newest")
    assert before.total == 3
    seq = conversation.live_seq
    paper_notes.import_notes(conversation, "question,text\n1,Better lighting in the staff car park at night\n"
                                           "1,A second microwave in the staff room\n", question)
    after = list_ideas(reader, question, "newest")
    assert after.total == 5 and len(set(_ids(after)) - set(posted)) == 2
    events, complete = store.replay(db.engine, conversation.id, seq)
    assert complete and [e.type for e in events] == ["ideas_added"]
    assert events[0].data == {"count": 2}


def test_cards_are_read_once_per_event_and_each_reader_gets_their_own_marks(make_user, make_conversation, as_participant):
    """Card rows (columns and counts) are kept per event for every reader; own votes and own ideas are per reader."""
    conversation, question, posted, (reader, other, _) = _world(make_user, make_conversation, as_participant)
    author = as_participant(make_user())
    own = ideas.post_idea(author, question, "My own idea: a rest room on every ward")[0].id
    voting.cast_vote(reader, posted[0], "support")
    list_ideas(other, question, "newest")
    _, seen = _statements(lambda: list_ideas(reader, question, "newest"))
    assert not any("count(*)" in s.lower() for s in seen)  # neither the total nor a card's counts were read again
    for sort in ("newest", "random"):  # the random page reads own votes with its ids; the others on their own
        cards = {card.idea.id: card for card in list_ideas(reader, question, sort).cards}
        assert cards[posted[0]].support == 1 and cards[posted[0]].my_vote == "support"
        assert [i for i, card in cards.items() if card.my_vote] == [posted[0]]
        assert not any(card.mine for card in cards.values())
        theirs = {card.idea.id: card for card in list_ideas(author, question, sort).cards}
        assert theirs[own].mine and [i for i, card in theirs.items() if card.mine] == [own]
        assert theirs[posted[0]].my_vote is None and theirs[posted[0]].support == 1


def test_in_the_grace_period_a_withdrawn_idea_leaves_the_list_at_once(make_user, make_conversation, as_participant):
    """After closing, an author's withdrawal records no live event: card rows are then never kept, so its text goes."""
    from datetime import timedelta

    from app.models.base import utcnow

    conversation, question, _, (reader, _, _) = _world(make_user, make_conversation, as_participant)
    author = as_participant(make_user())
    mine = ideas.post_idea(author, question, "Withdraw me later: a quiet room")[0].id
    conversation.closes_at = utcnow() - timedelta(minutes=1)  # closed, within the authors' grace period
    db.session.commit()
    for sort in ("random", "newest"):
        assert mine in _ids(list_ideas(reader, question, sort))
    seq = conversation.live_seq
    ideas.withdraw_idea(author, mine)
    assert conversation.live_seq == seq  # no event: what a kept card would still have shown
    for sort in ("random", "newest"):
        page = list_ideas(reader, question, sort)
        assert mine not in _ids(page) and "Withdraw me later" not in repr(page.cards)


def test_the_order_is_computed_once_for_all_pages_of_an_event(make_user, make_conversation, as_participant):
    """A sorted list's pages are slices of the question's one order, kept per event: reading the second page after
    the first neither sorts nor counts the question's ideas again."""
    from app.services.content.fair_order import PER_PAGE

    _, question, posted, (reader, other, _) = _world(make_user, make_conversation, as_participant, n=PER_PAGE + 3)
    voting.cast_vote(other, posted[-1], "support")
    for sort in ("supported", "discussed", "newest"):
        first = list_ideas(reader, question, sort, page=1)
        second, seen = _statements(lambda: list_ideas(reader, question, sort, page=2))
        # (the 3 cards of page 2 are read with their own counts, by id: no statement orders or counts the question)
        assert not any("ORDER BY" in s or s.lower().startswith("select count(*)") for s in seen), (sort, seen)
        assert second.total == first.total == PER_PAGE + 3 and second.pages == 2
        assert len(first.cards) == PER_PAGE and len(second.cards) == 3
        assert set(_ids(first)) | set(_ids(second)) == set(posted)  # the two pages share nothing and miss nothing
    assert _ids(list_ideas(reader, question, "supported"))[0] == posted[-1]


def test_an_open_conversations_order_lasts_until_its_next_event(make_user, make_conversation, as_participant,
                                                                monkeypatch):
    """Every change to an open conversation's list records an event, so its kept order is not computed again after
    REUSES readings (that only recomputed the same answer); the next event still ends it."""
    from app.services.content import listing_cache

    monkeypatch.setattr(listing_cache, "REUSES", 3)
    _, question, posted, (reader, voter, _) = _world(make_user, make_conversation, as_participant)
    list_ideas(reader, question, "supported")
    for _ in range(6):
        _, seen = _statements(lambda: list_ideas(reader, question, "supported"))
        assert not any("ORDER BY" in s for s in seen)
    voting.cast_vote(voter, posted[0], "support")
    page, seen = _statements(lambda: list_ideas(reader, question, "supported"))
    assert any("ORDER BY" in s for s in seen) and _ids(page)[0] == posted[0]


def test_in_the_grace_period_a_withdrawal_without_an_event_corrects_the_total_at_once(
        make_user, make_conversation, as_participant, monkeypatch):
    """After closing, a withdrawal records no event: the reader who finds a kept id gone forgets the kept order and
    total at once (not after REUSES readings), and entries there still last only REUSES readings."""
    from datetime import timedelta

    from app.models.base import utcnow
    from app.services.content import listing_cache

    monkeypatch.setattr(listing_cache, "REUSES", 3)
    conversation, question, posted, (reader, _, _) = _world(make_user, make_conversation, as_participant)
    author = as_participant(make_user())
    mine = ideas.post_idea(author, question, "Withdraw me later: a quiet room")[0].id
    conversation.closes_at = utcnow() - timedelta(minutes=1)  # closed, within the authors' grace period
    db.session.commit()
    for sort in ("newest", "supported", "random"):
        assert list_ideas(reader, question, sort).total == 4
    ideas.withdraw_idea(author, mine)
    for sort in ("newest", "supported", "random"):
        page = list_ideas(reader, question, sort)
        assert page.total == 3 and set(_ids(page)) == set(posted), sort
    for _ in range(3):  # the safety net where a change can come without an event: computed again after REUSES
        list_ideas(reader, question, "newest")
    _, seen = _statements(lambda: list_ideas(reader, question, "newest"))
    assert any("ORDER BY" in s for s in seen)
