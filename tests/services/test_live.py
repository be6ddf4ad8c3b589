"""Live sessions in the services: phase rules, timer, spotlight, hidden counts, and the event log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import live
from app.extensions import db
from app.live.store import replay
from app.models import Conversation, LiveEvent
from app.models.base import utcnow
from app.services.content import comments
from app.services.content import ideas
from app.services.workshops import session as live_session
from app.services.content import voting
from app.services.common.errors import InvalidInput, NotAllowedNow
from app.services.content.listing import idea_detail, list_ideas


@pytest.fixture
def session(make_conversation, make_user, as_participant):  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    people = [as_participant(make_user()) for _ in range(3)]
    return conversation, people


def _events(conversation_id: int) -> list[LiveEvent]:
    return list(db.session.scalars(sa.select(LiveEvent).where(LiveEvent.conversation_id == conversation_id).order_by(LiveEvent.id)))


def test_collect_phase_takes_ideas_and_comments_but_not_votes(session):
    conversation, (alice, bob, _) = session
    live_session.set_phase(conversation, "collect")
    question = conversation.questions[0].id
    idea, _ = ideas.post_idea(alice, question, "More quiet rooms for breaks")
    comments.add_comment(bob, idea.id, "Yes please")
    ideas.edit_idea(alice, idea.id, "More quiet rooms for proper breaks")
    with pytest.raises(NotAllowedNow, match="Voting has not started"):
        voting.cast_vote(bob, idea.id, "support")
    with pytest.raises(NotAllowedNow, match="Voting has not started"):
        voting.withdraw_vote(bob, idea.id)


def test_vote_phase_takes_votes_only(session):
    conversation, (alice, bob, _) = session
    question = conversation.questions[0].id
    idea, _ = ideas.post_idea(alice, question, "Free parking on night shifts")
    live_session.set_phase(conversation, "vote")
    assert voting.cast_vote(bob, idea.id, "support").my_vote == "support"
    with pytest.raises(NotAllowedNow, match="not taking new ideas"):
        ideas.post_idea(bob, question, "Another idea during voting")
    with pytest.raises(NotAllowedNow, match="not taking new comments"):
        comments.add_comment(bob, idea.id, "A comment")
    with pytest.raises(NotAllowedNow, match="cannot be changed while people are voting"):
        ideas.edit_idea(alice, idea.id, "Changed while people vote")
    ideas.withdraw_idea(alice, idea.id)  # withdrawing one's own idea stays possible


def test_review_and_closed_phases_are_read_only(session):
    conversation, (alice, bob, _) = session
    question = conversation.questions[0].id
    idea, _ = ideas.post_idea(alice, question, "Hot food for the night shift")
    live_session.set_phase(conversation, "review")
    for action in (lambda: ideas.post_idea(bob, question, "Too late for this"),
                   lambda: comments.add_comment(bob, idea.id, "Too late"),
                   lambda: voting.cast_vote(bob, idea.id, "support"),
                   lambda: ideas.edit_idea(alice, idea.id, "Edited in review")):
        with pytest.raises(NotAllowedNow, match="in review"):
            action()
    ideas.withdraw_idea(alice, idea.id)  # one's own post can still be withdrawn
    live_session.set_phase(conversation, "closed")
    assert conversation.status == "closed" and conversation.phase == "closed"
    with pytest.raises(NotAllowedNow, match="closed"):
        ideas.post_idea(bob, question, "After the close")
    with pytest.raises(NotAllowedNow, match="closed"):
        live_session.set_phase(conversation, "collect")


def test_starting_a_session_opens_a_draft_and_bad_phases_are_refused(make_conversation):
    conversation = make_conversation(status="draft")
    with pytest.raises(InvalidInput, match="Choose a phase"):
        live_session.set_phase(conversation, "brainstorm")
    assert conversation.phase is None and conversation.status == "draft"
    live_session.set_phase(conversation, "collect")
    assert conversation.status == "open" and conversation.phase == "collect"


def test_timer_start_add_stop(session):
    conversation, _ = session
    with pytest.raises(NotAllowedNow, match="Start the live session"):
        live_session.start_timer(conversation, 5)
    live_session.set_phase(conversation, "collect")
    before = utcnow()
    live_session.start_timer(conversation, 5)
    ends = conversation.phase_ends_at
    assert before + timedelta(minutes=4) < ends <= utcnow() + timedelta(minutes=5)
    live_session.add_time(conversation, 2)
    assert conversation.phase_ends_at == ends + timedelta(minutes=2)
    for bad in (0, 181, "5", None, True):
        with pytest.raises(InvalidInput, match="number of minutes"):
            live_session.start_timer(conversation, bad)  # type: ignore[arg-type]
    assert conversation.phase_ends_at == ends + timedelta(minutes=2)
    live_session.stop_timer(conversation)
    assert conversation.phase_ends_at is None
    with pytest.raises(NotAllowedNow, match="not running"):
        live_session.stop_timer(conversation)
    live_session.start_timer(conversation, 3)
    live_session.set_phase(conversation, "vote")
    assert conversation.phase_ends_at is None  # a new phase starts without a timer


def test_spotlight_an_idea_or_theme_of_this_conversation_only(session, make_conversation, make_user, as_participant):
    conversation, (alice, _, _) = session
    other = make_conversation(title="Another conversation")
    elsewhere, _ = ideas.post_idea(alice, other.questions[0].id, "An idea somewhere else")
    idea, _ = ideas.post_idea(alice, conversation.questions[0].id, "Lockers that work")
    live_session.set_phase(conversation, "collect")
    with pytest.raises(InvalidInput, match="from this conversation"):
        live_session.set_spotlight(conversation, idea_id=elsewhere.id)
    with pytest.raises(InvalidInput, match="theme from this conversation"):
        live_session.set_spotlight(conversation, theme_id=999)
    live_session.set_spotlight(conversation, idea_id=idea.id)
    assert live_session.spotlight_payload(conversation) == {"kind": "idea", "id": idea.id, "text": "Lockers that work"}
    live_session.set_spotlight(conversation)
    assert live_session.spotlight_payload(conversation) == {"kind": None}


def test_hidden_counts_until_you_vote_or_voting_ends(session):
    conversation, (alice, bob, carol) = session
    question = conversation.questions[0].id
    idea, _ = ideas.post_idea(alice, question, "Flexible rotas agreed a month ahead")
    live_session.set_votes_hidden(conversation, True)
    live_session.set_phase(conversation, "vote")
    voting.cast_vote(bob, idea.id, "support")
    assert idea_detail(carol, idea.id).card.counts_hidden
    assert idea_detail(carol, idea.id).card.support == 0
    mine = idea_detail(bob, idea.id).card
    assert not mine.counts_hidden and mine.support == 1
    # "Most supported" would reveal the order, so it falls back to the fair random order.
    assert list_ideas(carol, question, "supported").sort == "random"
    live_session.set_phase(conversation, "review")
    card = idea_detail(carol, idea.id).card
    assert not card.counts_hidden and card.support == 1


def test_events_carry_no_author_and_only_an_hour(session):
    conversation, (alice, bob, _) = session
    idea, _ = ideas.post_idea(alice, conversation.questions[0].id, "Better coffee in the staff room")
    comments.add_comment(bob, idea.id, "Agreed")
    voting.cast_vote(bob, idea.id, "support")
    rows = _events(conversation.id)
    assert [r.type for r in rows] == ["idea", "comment", "votes"]
    assert [r.id for r in rows] == [1, 2, 3]
    for row in rows:
        assert row.created_hour.minute == 0 and row.created_hour.second == 0
        payload = json.loads(row.payload)
        text = row.payload
        assert "author" not in text and "tag" not in text and "user" not in text and "voter" not in text
        assert idea.author_tag not in text and alice.user_key not in text and bob.user_key not in text
        assert set(payload) <= {"idea_id", "question_id", "body", "comment_id", "votes", "hidden"}
    assert json.loads(rows[2].payload) == {"idea_id": idea.id, "votes": {"support": 1}}


def test_a_refused_action_records_no_event(session):
    conversation, (alice, bob, _) = session
    live_session.set_phase(conversation, "collect")
    count = len(_events(conversation.id))
    with pytest.raises(InvalidInput):
        ideas.post_idea(alice, conversation.questions[0].id, "no")  # too short
    idea, _ = ideas.post_idea(alice, conversation.questions[0].id, "A long enough idea")
    with pytest.raises(NotAllowedNow):
        voting.cast_vote(bob, idea.id, "support")
    assert [e.type for e in _events(conversation.id)[count:]] == ["idea"]


def test_closing_deletes_the_log(session):
    conversation, (alice, _, _) = session
    ideas.post_idea(alice, conversation.questions[0].id, "Shorter handovers")
    ideas.post_idea(alice, conversation.questions[1].id, "Fewer emails")
    live_session.set_phase(conversation, "collect")
    live_session.set_phase(conversation, "closed")
    rows = _events(conversation.id)
    assert [(r.type, json.loads(r.payload)["phase"]) for r in rows] == [("phase", "closed")]
    messages, complete = replay(db.engine, conversation.id, 1)
    assert not complete  # a browser that missed events is told to reload the state


def test_old_events_are_pruned(session):
    conversation, (alice, _, _) = session
    ideas.post_idea(alice, conversation.questions[0].id, "An idea from long ago")
    db.session.execute(sa.update(LiveEvent).values(created_hour=utcnow() - timedelta(days=3)))
    db.session.commit()
    assert live.prune(24) == 1
    db.session.commit()
    assert _events(conversation.id) == []


def test_replay_returns_events_after_a_cursor_in_order(session):
    conversation, (alice, bob, _) = session
    idea, _ = ideas.post_idea(alice, conversation.questions[0].id, "Water fountains on every floor")
    voting.cast_vote(bob, idea.id, "support")
    voting.withdraw_vote(bob, idea.id)
    messages, complete = replay(db.engine, conversation.id, 1)
    assert complete and [(m.id, m.type) for m in messages] == [(2, "votes"), (3, "votes")]
    assert messages[1].data == {"idea_id": idea.id, "votes": {"support": 0}}
    assert db.session.get(Conversation, conversation.id).live_seq == 3


def test_published_events_reach_subscribers(app, session):
    conversation, (alice, _, _) = session
    subscription = live.bus().subscribe(conversation.id)
    try:
        idea, _ = ideas.post_idea(alice, conversation.questions[0].id, "Rest areas for porters")
        message = subscription.get(timeout=120)
        assert message is not None and message.type == "idea" and message.data["idea_id"] == idea.id
    finally:
        subscription.close()
    assert live.bus().subscriber_count(conversation.id) == 0


def test_redis_bus_delivers_across_bus_instances(app, redis_url, session):
    """Two RedisBus instances stand for two workers: what one publishes, the other's stream receives."""
    from app.live.bus import LiveMessage
    from app.instance import redis_prefix
    from app.live.redis_bus import RedisBus

    conversation, _ = session
    prefix = redis_prefix()
    sender, receiver = RedisBus(redis_url, prefix), RedisBus(redis_url, prefix)
    subscription = receiver.subscribe(conversation.id)
    try:
        sender.publish(LiveMessage(conversation.id, 7, "timer", {"ends_at": None}))
        message = subscription.get(timeout=120)
        assert message == LiveMessage(conversation.id, 7, "timer", {"ends_at": None})
    finally:
        subscription.close()
        sender.close()
        receiver.close()


def test_closing_by_date_also_deletes_the_log(session):
    from app.services.conversations.lifecycle import close_due_conversations

    conversation, (alice, _, _) = session
    ideas.post_idea(alice, conversation.questions[0].id, "Idea before the closing date")
    conversation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert close_due_conversations() == [conversation.id]
    assert [r.type for r in _events(conversation.id)] == ["phase"]


def test_a_stream_fills_a_gap_from_the_log_and_skips_duplicates(app, session):
    """Two writers may publish in the other order than they committed: the stream reads the gap."""
    from app.live.bus import InProcessBus, LiveMessage
    from app.live.sse import stream

    conversation, (alice, bob, _) = session
    bus = InProcessBus()
    chunks = stream(bus, db.engine, conversation.id, 0, heartbeat=0.01, max_seconds=2)
    assert next(chunks).startswith("retry:")
    assert next(chunks).startswith(": ")  # past the first replay: nothing yet, a heartbeat
    first, _ = ideas.post_idea(alice, conversation.questions[0].id, "First idea committed")
    second, _ = ideas.post_idea(bob, conversation.questions[0].id, "Second idea committed")
    # Only the second reaches this process's bus (the first writer has not published yet).
    bus.publish(LiveMessage(conversation.id, 2, "idea", {"idea_id": second.id}))
    received = [next(chunks), next(chunks)]
    assert received[0].startswith("id: 1\nevent: idea\n") and first.id in received[0]
    assert received[1].startswith("id: 2\nevent: idea\n") and second.id in received[1]
    bus.publish(LiveMessage(conversation.id, 1, "idea", {"idea_id": first.id}))  # late duplicate
    rest = "".join(chunk for chunk, _ in zip(chunks, range(3)))
    assert "id: 1\n" not in rest and "event: clock" in rest
    chunks.close()
    assert bus.subscriber_count() == 0


def test_a_stream_catches_up_after_the_bus_reconnects(app, session):
    from app.live.bus import InProcessBus
    from app.live.sse import stream

    conversation, (alice, _, _) = session
    bus = InProcessBus()
    chunks = stream(bus, db.engine, conversation.id, 0, heartbeat=0.01, max_seconds=2)
    assert next(chunks).startswith("retry:")
    assert next(chunks).startswith(": ")  # past the first replay: nothing yet, a heartbeat
    idea, _ = ideas.post_idea(alice, conversation.questions[0].id, "Published while Redis was away")
    assert next(chunks).startswith(": ")  # nothing arrived: a heartbeat
    bus.generation += 1  # what RedisBus does when its listener reconnects
    assert idea.id in next(chunks)
    chunks.close()


def test_moderation_decisions_update_the_boards(make_conversation, make_user, as_participant):
    """Hiding takes a post off every board, approving a held post puts it on, redacting sends the new text."""
    from app.services.moderation import decisions

    conversation = make_conversation()
    moderator = make_user("facilitator")
    author = as_participant(make_user())
    question = conversation.questions[0].id
    shown, _ = ideas.post_idea(author, question, "Fix the broken lift by the car park")
    held, _ = ideas.post_idea(author, question, "You lot are idiots about the rota", allow_identifying=True)
    # By event id, not position: hiding also deletes the hidden post's own replayable event (nothing keeps its text).
    start = max(e.id for e in _events(conversation.id))

    decisions.hide_item(conversation, moderator.id, "idea", shown.id, "off_topic")
    decisions.approve_item(conversation, moderator.id, "idea", held.id)
    decisions.redact_item(conversation, moderator.id, "idea", held.id, "The rota needs fixing")

    new = [e for e in _events(conversation.id) if e.id > start]
    assert [(e.type, json.loads(e.payload)["idea_id"]) for e in new] == [
        ("idea_withdrawn", shown.id), ("idea", held.id), ("idea_edited", held.id)]
    assert not any(json.loads(e.payload).get("idea_id") == shown.id and e.type == "idea" for e in _events(conversation.id))


def test_events_of_one_transaction_are_numbered_in_order_and_forgotten_ones_are_not_stored(make_conversation):
    """Numbering and storing (one statement on PostgreSQL): consecutive ids, the log's payloads, forget() honoured."""
    conversation = make_conversation()
    start = db.session.get(Conversation, conversation.id).live_seq
    first = live.record(conversation.id, "phase", {"phase": "collect"})
    second = live.record(conversation.id, "timer", {"seconds": 60})
    db.session.commit()
    assert (first.id, second.id) == (start + 1, start + 2)
    stored = _events(conversation.id)
    assert [(e.id, e.type, json.loads(e.payload)) for e in stored][-2:] == [
        (start + 1, "phase", {"phase": "collect"}), (start + 2, "timer", {"seconds": 60})]
    assert all(e.created_hour.minute == 0 and e.created_hour.second == 0 for e in stored)

    gone = live.record(conversation.id, "idea", {"idea_id": "x"})
    live.forget(conversation.id)  # as at closing: the log goes, and so does what this transaction recorded so far
    kept = live.record(conversation.id, "phase", {"phase": "closed"})
    db.session.commit()
    assert (gone.id, kept.id) == (start + 3, start + 4)  # still numbered (and published), in order
    assert [(e.id, e.type) for e in _events(conversation.id)] == [(start + 4, "phase")]
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).live_seq == start + 4
