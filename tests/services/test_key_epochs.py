"""Key epochs: shredding starts a new epoch, moves live keys to it and destroys the old one in the key directory."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.crypto import Keyring, KeyError_
from app.extensions import db
from app.key_store import FileEpochStore
from app.models import Conversation, ConversationKey
from app.models.base import utcnow
from app.models.conversation import KeyEpoch
from app.services.conversations import lifecycle
from app.services.content import ideas, voting
from app.services.common import keys
from app.services.common.keys import conversation_key, keyring, shred_expired_keys, shred_key
from app.services.content.listing import my_posts
from config import TestConfig
from tests.conftest import BACKEND


@pytest.fixture
def key_dir(app, tmp_path):
    """Key epochs in a real directory instead of the suite's in-memory store."""
    ring = keyring()
    ring.store = FileEpochStore(tmp_path / "keys")
    ring.reload()
    return tmp_path / "keys"


def _close_long_ago(app, conversation):
    lifecycle.close_conversation(conversation)
    conversation.closed_at = utcnow() - timedelta(days=app.config["CHORUS_SHRED_GRACE_DAYS"] + 1)
    db.session.commit()


def _current():
    return db.session.scalars(sa.select(KeyEpoch).where(KeyEpoch.is_current.is_(True))).one()


def test_shredding_replaces_the_epoch_and_overwrites_the_old_secret(app, key_dir, make_user, make_conversation,
                                                                     as_participant):
    closing, staying = make_conversation(), make_conversation(title="Stays open")
    person = as_participant(make_user())
    idea, _ = ideas.post_idea(person, staying.questions[0].id, "Keep the rota app")
    first = _current().id
    old_secret = FileEpochStore(key_dir).load()[first]
    staying_key = conversation_key(staying)
    _close_long_ago(app, closing)

    assert shred_expired_keys() == [closing.id]

    db.session.expire_all()
    current = _current()
    assert current.id != first
    assert set(FileEpochStore(key_dir).load()) == {current.id}
    for path in key_dir.iterdir():
        assert old_secret not in path.read_bytes() and first.encode() not in path.read_bytes()
    retired = db.session.get(KeyEpoch, first)
    assert retired.destroyed_hour is not None and retired.check is None and retired.is_current is None
    assert retired.destroyed_hour.minute == 0 and retired.destroyed_hour.second == 0
    assert staying.key.epoch_id == current.id and conversation_key(staying) == staying_key
    assert [card.idea.id for card in my_posts(person, staying.id).ideas] == [idea.id]
    assert closing.key.wrapped is None


def test_an_interrupted_shredding_destroys_the_old_epoch_at_the_next_tick(app, key_dir, make_conversation, monkeypatch):
    closing = make_conversation()
    first = _current().id
    _close_long_ago(app, closing)
    monkeypatch.setattr(keys, "destroy_retired_epochs", lambda: [])  # the process dies after the commit
    shred_key(closing)
    assert first in FileEpochStore(key_dir).load()
    monkeypatch.undo()

    assert shred_expired_keys() == []  # nothing due, but the scheduler tick tidies the key directory

    assert first not in FileEpochStore(key_dir).load()
    assert _current().id in FileEpochStore(key_dir).load()


def test_keys_from_before_epochs_still_open_and_move_to_an_epoch_at_the_next_shredding(app, key_dir,
                                                                                     make_conversation):
    legacy, closing = make_conversation(), make_conversation(title="Closing")
    context = f"conversation:{legacy.id}".encode()
    master_only = Keyring(TestConfig.CHORUS_PSEUDONYM_KEY.encode())
    legacy.key.wrapped = master_only.new_wrapped_key(context, None)
    legacy.key.epoch_id = None
    db.session.commit()
    key = master_only.unwrap(legacy.key.wrapped, context)
    assert conversation_key(legacy) == key
    _close_long_ago(app, closing)

    shred_expired_keys()

    db.session.expire_all()
    assert legacy.key.epoch_id == _current().id and conversation_key(legacy) == key
    with pytest.raises(KeyError_):
        master_only.unwrap(legacy.key.wrapped, context)  # the master key alone no longer opens it


def test_new_conversations_after_a_shredding_use_the_new_epoch(app, key_dir, make_conversation, runner):
    closing = make_conversation()
    _close_long_ago(app, closing)
    shred_expired_keys()
    later = make_conversation(title="Later")
    assert later.key.epoch_id == _current().id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KeyEpoch).where(KeyEpoch.is_current.is_(True))) == 1

    result = runner.invoke(args=["keys", "new-epoch"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert later.key.epoch_id == _current().id and len(FileEpochStore(key_dir).load()) == 1
    status = runner.invoke(args=["keys", "status"])
    assert "Key directory" in status.output
    assert f"epoch {_current().id}\tcurrent\t1 live key(s)" in status.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConversationKey)
                             .where(ConversationKey.wrapped.is_not(None))) == 1


def test_only_one_epoch_can_be_current(app, key_dir, make_conversation):
    make_conversation()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(KeyEpoch(id="0123456789abcdef", is_current=True, master_fingerprint=keyring().fingerprint))
        db.session.flush()
    db.session.rollback()


def test_a_conversation_created_during_a_shredding_waits_and_gets_the_new_epoch(app, key_dir, make_conversation, org,
                                                                               monkeypatch):
    if BACKEND != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite has a single writer, so the two cannot overlap there")
    closing = make_conversation()
    _close_long_ago(app, closing)
    closing_id = closing.id
    store = keyring().store
    add, holding, go = store.add, threading.Event(), threading.Event()

    def add_while_holding_the_lock():  # called by the shredding after it has locked the current epoch
        holding.set()
        assert go.wait(60)
        return add()

    monkeypatch.setattr(store, "add", add_while_holding_the_lock)
    results: dict[str, object] = {}

    def in_thread(name, work):
        def run():
            with app.app_context():
                try:
                    results[name] = work()
                except Exception as error:  # reported by the assertions below
                    results[name] = error
                finally:
                    db.session.remove()
        return threading.Thread(target=run)

    shredding = in_thread("shred", lambda: shred_key(db.session.get(Conversation, closing_id)))
    creating = in_thread("create", lambda: lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
        title="Made meanwhile", voting_mode="support", comments_enabled=True, audience_ids=[org.id],
        questions=["What would help?"], closes_at=utcnow() + timedelta(days=3))).id)
    shredding.start()
    assert holding.wait(60)
    creating.start()
    try:
        with db.engine.connect() as connection:  # the creation is waiting for the shredding's lock
            for _ in range(3000):  # up to 5 minutes: a busy machine only makes the wait longer
                waiting = connection.scalar(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"))
                if waiting:
                    break
                connection.rollback()
                time.sleep(0.1)
            assert waiting, "creating a conversation did not wait for the shredding"
    finally:
        go.set()
        shredding.join(120)
        creating.join(120)
    assert not isinstance(results["shred"], Exception), results["shred"]
    assert isinstance(results["create"], int), results["create"]
    db.session.expire_all()
    made = db.session.get(Conversation, results["create"])
    assert made.key.epoch_id == _current().id and len(conversation_key(made)) == 32
    assert set(FileEpochStore(key_dir).load()) == {_current().id}


def test_a_remembered_rate_limit_key_is_forgotten_when_its_conversation_is_shredded(app, key_dir, make_conversation):
    """purpose_key keeps a derived key in memory for a minute; shredding in this process ends it at once."""
    from app.services.common.errors import NotAllowedNow

    closing, staying = make_conversation(), make_conversation(title="Stays open")
    remembered = keys.purpose_key(closing.id, "ratelimit")
    assert remembered is not None and keys.purpose_key(closing.id, "ratelimit") == remembered
    assert keys.purpose_key(closing.id, "other") != remembered  # one key per purpose
    assert remembered not in (conversation_key(closing), conversation_key(staying))
    staying_limit = keys.purpose_key(staying.id, "ratelimit")
    _close_long_ago(app, closing)

    assert shred_expired_keys() == [closing.id]

    with pytest.raises(NotAllowedNow):
        keys.purpose_key(closing.id, "ratelimit")
    db.session.expire_all()
    assert keys.purpose_key(staying.id, "ratelimit") == staying_limit  # re-wrapped, the same key underneath
    assert keys.purpose_key(10**9, "ratelimit") is None


def test_a_key_read_as_columns_before_a_shredding_still_opens_or_is_archived(app, key_dir, make_user, make_conversation,
                                                                               as_participant):
    """A vote reads the wrapped key as columns (keys.stored_key): read before another host's shredding, the old
    epoch is gone by the time it is unwrapped; the live key is read again under the new epoch, the shredded one is not."""
    closing, staying = make_conversation(), make_conversation(title="Stays open")
    staying_key = conversation_key(staying)
    read_before = {c.id: (c.key.wrapped, c.key.epoch_id) for c in (closing, staying)}
    _close_long_ago(app, closing)
    assert shred_expired_keys() == [closing.id]
    db.session.expire_all()
    assert keys.stored_key(staying.id, *read_before[staying.id]) == staying_key
    with pytest.raises(keys.NotAllowedNow):
        keys.stored_key(closing.id, *read_before[closing.id])
    with pytest.raises(keys.NotAllowedNow):
        keys.stored_key(closing.id, None, None)
    # Votes on the staying conversation go on.
    person = make_user()
    idea, _ = ideas.post_idea(as_participant(person), staying.questions[0].id, "Keep the rota app")
    assert voting.cast_vote(as_participant(person), idea.id, "support").votes == {"support": 1}
