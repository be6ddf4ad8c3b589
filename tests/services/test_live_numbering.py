"""Numbering live events at COMMIT: the conversation row is locked only while the server numbers and commits, and a
write whose COMMIT fails stores, numbers and publishes nothing and is answered 503 (app/live/numbering.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import live
from app.extensions import db
from app.models import Conversation, LiveEvent, Vote
from app.models.base import utcnow
from app.services.accounts.users import create_api_token
from app.services.common.participants import Participant
from app.services.content import ideas, voting
from tests.conftest import BACKEND

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL's row locks and COMMIT")


@pytest.fixture
def app(database_url):  # type: ignore[no-untyped-def]
    """A short lock timeout, so a write that cannot number its event is refused quickly (as in production, 503);
    Flask-SQLAlchemy's query recording on, as a developer may turn it on."""
    from tests.conftest import running_app

    with running_app(database_url, CHORUS_DB_LOCK_TIMEOUT_MS=300, SQLALCHEMY_RECORD_QUERIES=True) as app:
        yield app


@dataclass(frozen=True)
class World:
    conversation: int
    idea: str
    voter: Participant
    token: str  # the voter's API token


@pytest.fixture
def world(make_conversation, make_user, as_participant) -> World:  # type: ignore[no-untyped-def]
    """Plain ids and values only: the tests end the app's session (and so detach its objects) before DDL."""
    conversation = make_conversation()
    author, voter = make_user(), make_user()
    idea, _ = ideas.post_idea(as_participant(author), conversation.questions[0].id, "Water fountains on every floor")
    return World(conversation.id, idea.id, as_participant(voter), create_api_token(voter))


def _vote(client, world: World):  # type: ignore[no-untyped-def]
    return client.put(f"/api/v1/ideas/{world.idea}/vote", json={"choice": "support"},
                      headers={"Authorization": f"Bearer {world.token}"})


def _state(conversation_id: int) -> tuple[int, int, int]:
    """The conversation's last event number, its stored events and its votes, read afresh (no transaction left
    open: it would hold locks that the triggers' DROP waits for)."""
    db.session.rollback()
    state = (db.session.scalar(sa.select(Conversation.live_seq).where(Conversation.id == conversation_id)) or 0,
             db.session.scalar(sa.select(sa.func.count()).select_from(LiveEvent)
                               .where(LiveEvent.conversation_id == conversation_id)) or 0,
             db.session.scalar(sa.select(sa.func.count()).select_from(Vote)
                               .where(Vote.conversation_id == conversation_id)) or 0)
    db.session.rollback()
    return state


@pytest.fixture
def failing_commit(app) -> Iterator:  # type: ignore[no-untyped-def]
    """install(sql): a deferred trigger on vote that runs `sql` at COMMIT (a failure the statements did not see)."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])

    def install(sql: str) -> None:
        db.session.remove()
        with engine.begin() as connection:
            connection.execute(sa.text(
                f"CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {sql}; "
                "RETURN NULL; END $$"))
            connection.execute(sa.text(
                "CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON vote DEFERRABLE INITIALLY DEFERRED "
                "FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit()"))

    yield install
    db.session.remove()
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TRIGGER IF EXISTS test_fail_at_commit ON vote"))
        connection.execute(sa.text("DROP FUNCTION IF EXISTS test_fail_at_commit()"))
    engine.dispose()


@postgresql_only
def test_the_conversation_row_is_free_when_the_app_gets_control_back(app, world):
    """When SQLAlchemy's COMMIT step runs, the numbering statement and COMMIT have already been answered: no Python
    (and no wait for other greenlets) between them while every other write to the conversation queues on the row."""
    probe = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    seen: list[tuple[bool, int]] = []

    def at_commit(connection):  # type: ignore[no-untyped-def]
        with probe.connect() as other:
            try:
                other.execute(sa.text("SELECT 1 FROM conversation WHERE id = :c FOR UPDATE NOWAIT"),
                              {"c": world.conversation})
                free = True
            except sa.exc.OperationalError:  # LockNotAvailable: the write still holds the row
                free = False
            other.rollback()
            stored = other.scalar(sa.select(sa.func.count()).select_from(LiveEvent)
                                  .where(LiveEvent.conversation_id == world.conversation))
        seen.append((free, stored or 0))

    before = _state(world.conversation)
    sa.event.listen(db.engine, "commit", at_commit)  # after the app's own commit listener
    try:
        result = voting.cast_vote(world.voter, world.idea, "support")
    finally:
        sa.event.remove(db.engine, "commit", at_commit)
        probe.dispose()
    assert result.votes == {"support": 1}
    assert seen == [(True, before[1] + 1)]  # the row is free and the event already committed
    assert _state(world.conversation) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_statement_listeners_see_the_numbering_statement(world):
    """Query recording, statement counters and tracing hook SQLAlchemy's cursor events: the statement sent with
    COMMIT goes through them too (with a stand-in for the execution context they keep their timings on)."""
    from flask_sqlalchemy.record_queries import get_recorded_queries

    voting.cast_vote(world.voter, world.idea, "support")
    statements = [" ".join(query.statement.split()) for query in get_recorded_queries()]
    assert any(s.startswith(("WITH numbered AS (UPDATE conversation", "UPDATE conversation SET live_seq"))
               for s in statements), statements


@postgresql_only
def test_a_serialization_failure_at_commit_stores_numbers_and_publishes_nothing(app, world, failing_commit):
    failing_commit("RAISE EXCEPTION 'test' USING ERRCODE = 'serialization_failure'")
    before = _state(world.conversation)
    subscription = live.bus().subscribe(world.conversation)
    try:
        with pytest.raises(sa.exc.OperationalError):
            voting.cast_vote(world.voter, world.idea, "support")
        db.session.rollback()
        assert _state(world.conversation) == before
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TRIGGER test_fail_at_commit ON vote"))
        voting.cast_vote(world.voter, world.idea, "support")  # the same vote again, now committed
        # The first message the subscriber gets is the committed vote's, numbered next after `before`: the failed
        # one was never published (waiting on an event, not on a short timeout).
        message = subscription.get(timeout=120)
        assert message is not None and message.id == before[0] + 1
        assert _state(world.conversation) == (before[0] + 1, before[1] + 1, before[2] + 1)
    finally:
        subscription.close()


@postgresql_only
def test_a_failed_commit_is_a_503_and_the_next_write_goes_through(app, client, world, failing_commit):
    failing_commit("RAISE EXCEPTION 'test' USING ERRCODE = 'serialization_failure'")
    before = _state(world.conversation)
    response = _vote(client, world)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert _state(world.conversation) == before
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TRIGGER test_fail_at_commit ON vote"))
    response = _vote(client, world)
    assert response.status_code == 200 and response.json["votes"] == {"support": 1}
    assert _state(world.conversation) == (before[0] + 1, before[1] + 1, before[2] + 1)


@postgresql_only
def test_a_connection_lost_at_commit_is_a_503_and_is_not_reused(app, client, world, failing_commit):
    failing_commit("PERFORM pg_terminate_backend(pg_backend_pid())")
    before = _state(world.conversation)
    response = _vote(client, world)
    assert response.status_code == 503
    assert _state(world.conversation) == before
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TRIGGER test_fail_at_commit ON vote"))
    response = _vote(client, world)
    assert response.status_code == 200
    assert _state(world.conversation) == (before[0] + 1, before[1] + 1, before[2] + 1)


@postgresql_only
def test_a_write_that_cannot_lock_the_conversation_row_is_a_503_and_leaves_nothing(app, client, world):
    """The numbering statement fails (lock timeout): the COMMIT queued behind it is skipped, the write rolled back."""
    before = _state(world.conversation)
    holder = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with holder.connect() as other:
        other.execute(sa.text("SELECT 1 FROM conversation WHERE id = :c FOR NO KEY UPDATE"), {"c": world.conversation})
        response = _vote(client, world)
        other.rollback()
    holder.dispose()
    assert response.status_code == 503
    assert _state(world.conversation) == before
    response = _vote(client, world)
    assert response.status_code == 200
    assert _state(world.conversation) == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_passing_a_multiple_of_the_prune_interval_deletes_old_events(world):
    """Pruning comes with numbering (on PostgreSQL inside the statement sent with COMMIT)."""
    db.session.execute(sa.update(LiveEvent).values(created_hour=utcnow() - timedelta(days=3)))
    db.session.execute(sa.update(Conversation).where(Conversation.id == world.conversation)
                       .values(live_seq=2 * live.store.PRUNE_EVERY - 1))
    db.session.commit()
    old = _state(world.conversation)[1]
    assert old >= 1
    voting.cast_vote(world.voter, world.idea, "support")  # number 2 * PRUNE_EVERY: prunes
    events = db.session.scalars(sa.select(LiveEvent.id).where(LiveEvent.conversation_id == world.conversation)).all()
    assert events == [2 * live.store.PRUNE_EVERY]


def test_an_event_number_not_reaching_a_multiple_prunes_nothing(world):
    db.session.execute(sa.update(LiveEvent).values(created_hour=utcnow() - timedelta(days=3)))
    db.session.commit()
    old = _state(world.conversation)[1]
    voting.cast_vote(world.voter, world.idea, "support")
    assert _state(world.conversation)[1] == old + 1


def test_a_savepoint_released_with_events_pending_numbers_them_only_at_the_real_commit(world):
    """Releasing a savepoint commits nothing: numbering then would lock the row until the real COMMIT."""
    start = _state(world.conversation)[0]
    message = live.record(world.conversation, "phase", {"phase": "collect"})
    with db.session.begin_nested():
        db.session.execute(sa.select(1))
    assert message.id == 0
    db.session.commit()
    assert message.id == start + 1


@postgresql_only
def test_a_connection_lost_mid_transaction_with_events_pending_rolls_back_cleanly(app, world):
    """The connection is invalidated (its info dict cleared) before the rollback: forgetting the planned numbering
    must not fail the rollback, and the next write numbers from where the log stands."""
    before = _state(world.conversation)
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    live.record(world.conversation, "phase", {"phase": "collect"})
    killer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with killer.connect() as other:
        other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    with pytest.raises(sa.exc.OperationalError):
        db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()
    voting.cast_vote(world.voter, world.idea, "support")
    assert _state(world.conversation) == (before[0] + 1, before[1] + 1, before[2] + 1)
