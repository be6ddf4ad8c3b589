""""My ideas and comments" finds a person's posts by recomputing tags over (id, nonce, tag) only, storing nothing."""

from __future__ import annotations

import secrets
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.crypto import author_tag, author_tagger
from app.extensions import db
from app.models import Comment, ContentStatus, Idea
from app.services.content import comments, ideas
from app.services.content.listing import my_posts
from tests.conftest import BACKEND


def test_the_fast_tagger_gives_exactly_the_author_tag() -> None:
    key = secrets.token_bytes(32)
    for user_key in ("tid:oid-1", "local:" + secrets.token_hex(16), "ü-ñ"):
        tag_for = author_tagger(key, user_key)
        for nonce in (secrets.token_hex(16), "x", ""):
            assert tag_for(nonce) == author_tag(key, user_key, nonce)


def test_my_posts_lists_own_posts_in_any_state_and_loads_nobody_elses(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    me, other = as_participant(make_user()), as_participant(make_user())
    question = conversation.questions[0].id
    theirs = [ideas.post_idea(other, question, f"Other person's idea number {n} about rotas")[0].id for n in range(30)]
    first, _ = ideas.post_idea(me, question, "Lockers that work for the night shift")
    held, _ = ideas.post_idea(me, question, "A second idea of mine about the canteen hours")
    gone, _ = ideas.post_idea(me, question, "An idea I will take back about parking")
    note, _ = comments.add_comment(me, theirs[0], "My comment on their idea")
    comments.add_comment(other, first.id, "Their comment on my idea")
    held.status = ContentStatus.HIDDEN  # as a moderator's hiding leaves it
    db.session.commit()
    ideas.withdraw_idea(me, gone.id)
    expected_ideas, note_id, gone_id, conversation_id = {first.id, held.id}, note.id, gone.id, conversation.id
    db.session.expunge_all()

    loaded: list[str] = []

    def record(target: Idea | Comment, _context: object) -> None:
        loaded.append(target.id)

    for model in (Idea, Comment):
        sa.event.listen(model, "load", record)
    try:
        posts = my_posts(me, conversation_id)
    finally:
        for model in (Idea, Comment):
            sa.event.remove(model, "load", record)
    assert {card.idea.id for card in posts.ideas} == expected_ideas
    assert all(card.mine for card in posts.ideas)
    assert [c.id for c in posts.comments] == [note_id]
    # Only the person's own posts became objects: other people's ideas and comments were never loaded.
    assert set(loaded) == expected_ideas | {note_id}
    assert db.session.scalar(sa.select(Idea.status).where(Idea.id == gone_id)) == ContentStatus.WITHDRAWN


def _counting_tags(monkeypatch) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Count every author tag tested and every slot tag computed while "My ideas" runs."""
    import app.services.content.authorship as authorship

    counts = {"author tags tested": 0, "slot tags computed": 0}

    def counted(name: str, make):  # type: ignore[no-untyped-def]
        def wrapper(*args):  # type: ignore[no-untyped-def]
            inner = make(*args)

            def call(value):  # type: ignore[no-untyped-def]
                counts[name] += 1
                return inner(value)
            return call
        return wrapper

    monkeypatch.setattr(authorship, "author_tagger", counted("author tags tested", authorship.author_tagger))
    monkeypatch.setattr(authorship, "author_slots", counted("slot tags computed", getattr(authorship, "author_slots", None)),
                        raising=False)
    return counts


def test_my_posts_work_grows_with_the_persons_posts_not_the_conversation(make_user, make_conversation, as_participant,
                                                                        monkeypatch):
    """Finding one's posts must not test every idea and comment of the conversation (issue #18)."""
    conversation = make_conversation()
    me, other = as_participant(make_user()), as_participant(make_user())
    question = conversation.questions[0].id
    mine, _ = ideas.post_idea(me, question, "Water fountains on every floor please")
    theirs = [ideas.post_idea(other, question, f"Another person's idea {n} about the rota")[0].id for n in range(5)]
    comments.add_comment(me, theirs[0], "Agree, the rota needs fixing")

    counts = _counting_tags(monkeypatch)
    small = my_posts(me, conversation.id)
    at_small = dict(counts)
    for n in range(60):  # the conversation grows; my posts do not
        theirs.append(ideas.post_idea(other, question, f"More from someone else, number {n}, about parking")[0].id)
        comments.add_comment(other, theirs[-1], f"A comment from someone else, number {n}")
    counts.update({name: 0 for name in counts})
    large = my_posts(me, conversation.id)

    assert [card.idea.id for card in small.ideas] == [card.idea.id for card in large.ideas] == [mine.id]
    assert len(large.comments) == 1
    assert counts == at_small, f"small conversation: {at_small}, after 120 more posts by others: {counts}"
    assert counts["author tags tested"] == 0  # no post of this conversation predates author slots


def test_more_posts_than_one_batch_of_slots_are_all_found_in_the_order_written(make_user, make_conversation,
                                                                             as_participant):
    from app.services.content.authorship import SLOTS

    conversation = make_conversation()
    me = as_participant(make_user())
    question = conversation.questions[0].id
    written = [ideas.post_idea(me, question, f"Idea number {n} from the same person about lockers")[0].id
               for n in range(2 * SLOTS + 3)]  # the INSERT's offered slots run out twice
    found = own_ids_in(me, conversation.id)
    assert found == written
    assert len(set(db.session.scalars(sa.select(Idea.slot_tag).where(Idea.id.in_(written))))) == len(written)


def own_ids_in(participant, conversation_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    from app.models import Conversation
    from app.services.common.keys import conversation_key
    from app.services.content.authorship import own_ids

    key = conversation_key(db.session.get(Conversation, conversation_id))
    return own_ids(participant, key, Idea, conversation_id, Idea.status != ContentStatus.WITHDRAWN)


def test_a_repeated_submission_takes_no_second_slot(make_user, make_conversation, as_participant):
    conversation = make_conversation()
    me = as_participant(make_user())
    question = conversation.questions[0].id
    token = secrets.token_hex(16)
    first, created = ideas.post_idea(me, question, "Better signage to the staff room", client_token=token)
    again, created_again = ideas.post_idea(me, question, "Better signage to the staff room", client_token=token)
    later, _ = ideas.post_idea(me, question, "A quiet room for breaks on nights")
    assert created and not created_again and again.id == first.id
    assert own_ids_in(me, conversation.id) == [first.id, later.id]


def test_posts_from_before_author_slots_are_still_found(make_user, make_conversation, as_participant):
    """Items written before the slots migration have no slot tag: they are found by testing their author tags."""
    conversation = make_conversation()
    me, other = as_participant(make_user()), as_participant(make_user())
    question = conversation.questions[0].id
    old_mine, _ = ideas.post_idea(me, question, "An older idea about the car park barrier")
    old_theirs, _ = ideas.post_idea(other, question, "An older idea about the canteen")
    new, _ = comments.add_comment(me, old_theirs.id, "An older comment of mine")
    old_comment = db.session.get(Comment, new.id)
    for item in (old_mine, old_theirs, old_comment):
        item.slot_tag = None  # as the migration leaves rows written before it
    db.session.commit()
    new_mine, _ = ideas.post_idea(me, question, "A newer idea about lockers")  # takes slot 0: nothing holds it
    posts = my_posts(me, conversation.id)
    assert {card.idea.id for card in posts.ideas} == {old_mine.id, new_mine.id}
    assert [c.id for c in posts.comments] == [old_comment.id]


@pytest.mark.skipif(BACKEND != "postgresql", reason="a second transaction holding a slot needs PostgreSQL's row locks")
def test_a_post_whose_free_slot_is_taken_meanwhile_takes_the_next(app, make_user, make_conversation, as_participant):
    """Two posts of one person at the same moment (two tabs): the INSERT that finds its slot being taken waits, does
    nothing, and tries the next free slot; both posts are kept, each in its own slot, nothing is logged as an error."""
    from app.crypto import author_slots, author_tag
    from app.services.common.keys import conversation_key

    conversation = make_conversation()
    me = as_participant(make_user())
    conversation_id, question = conversation.id, conversation.questions[0].id
    key = conversation_key(conversation)
    slot = author_slots(key, me.user_key, "idea")
    results: dict[str, object] = {}
    with Session(db.engine) as other_tab:  # holds slot 0, uncommitted, as a post still being written does
        other_tab.add(Idea(conversation_id=conversation_id, question_id=question, body="The other tab's idea",
                           nonce="n0", author_tag=author_tag(key, me.user_key, "n0"), slot_tag=slot(0)))
        other_tab.flush()

        def post() -> None:
            with app.app_context():
                try:
                    results["idea"] = ideas.post_idea(me, question, "Posted from the first tab at the same time")[0].id
                except Exception as error:  # noqa: BLE001  (reported below)
                    results["idea"] = error
                finally:
                    db.session.remove()

        posting = threading.Thread(target=post)
        posting.start()
        try:
            with db.engine.connect() as connection:
                for _ in range(3000):  # up to 5 minutes: a busy machine only makes the wait longer
                    waiting = connection.scalar(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"))
                    if waiting:
                        break
                    connection.rollback()
                    time.sleep(0.1)
                assert waiting, "the post did not wait for the other tab's slot"
        finally:
            other_tab.commit()
            posting.join(120)
    assert isinstance(results.get("idea"), str), results
    db.session.expire_all()
    assert db.session.get(Idea, results["idea"]).slot_tag == slot(1)
    assert len(own_ids_in(me, conversation_id)) == 2


def test_a_persons_two_hundredth_post_costs_a_lookup_more_than_their_twentieth_at_most(make_user, make_conversation,
                                                                              as_participant):
    """Finding a person's next free slot must not look through every slot they hold, 16 at a time (issue #18: in
    the write benchmark each client's comments took one more lookup per 16 it had posted, so a write cost more the
    longer the run). Slots stay taken in order, the first free one each time, so "My ideas" still finds them all."""
    from app.crypto import author_slots
    from app.services.common.keys import conversation_key
    from tests.perf.test_query_budget import statements

    conversation = make_conversation()
    me, other = as_participant(make_user()), as_participant(make_user())
    idea, _ = ideas.post_idea(other, conversation.questions[0].id, "Someone else's idea about the rota")
    cost: dict[int, int] = {}
    written = []
    for n in range(200):
        with statements() as seen:
            written.append(comments.add_comment(me, idea.id, f"My comment number {n} on the rota")[0].id)
        cost[n] = len(seen)
    listed = [c.id for c in my_posts(me, conversation.id).comments]
    assert sorted(listed) == sorted(written) and len(listed) == len(written)
    slot = author_slots(conversation_key(conversation), me.user_key, "comment")
    held = set(db.session.scalars(sa.select(Comment.slot_tag).where(Comment.id.in_(written))))
    assert held == {slot(n) for n in range(200)}  # slots 0-199: none skipped
    # One lookup past the first 16 slots; one more for the interval found by doubling (16 times narrower each);
    # the old way took one more per 16 posts (21 statements for the 200th comment against 9 for the 20th).
    assert max(cost[n] for n in range(100, 200)) <= max(cost[n] for n in range(16, 32)) + 1 + 1, cost
