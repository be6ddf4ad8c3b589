"""Attack: read Redis after people post and vote, and listen across instances sharing one Redis server.

Rule A7: Redis keys and channels are scoped per instance and per conversation, never keyed by a long-lived
person identifier, and rate limits keep no finer time than they need (a counter with an expiry).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from flask import Flask

from app import create_app
from app.extensions import db
from app.live.bus import LiveMessage
from app.services.accounts import users
from app.services.conversations import lifecycle
from app.services.accounts import organisations
from app.services.accounts.users import create_api_token
from tests.conftest import PASSWORD, running_app

HEX_RUN = re.compile(r"[0-9a-f]{16,}")


@contextmanager
def _redis_app(database_url: str, redis_url: str, **settings: object) -> Iterator[Flask]:
    """An app whose rate limits, live bus and jobs all use the test Redis, with posting limits on."""
    with running_app(database_url, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_ENABLED=True,
                     RATELIMIT_POST="30 per minute", **settings) as app:
        yield app


def _state(client: redis.Redis) -> dict[str, tuple[str, bytes | None]]:
    """Every key with its type and, for plain strings, its value."""
    state = {}
    for raw in client.scan_iter(count=1000):
        key = raw.decode()
        kind = client.type(raw).decode()
        state[key] = (kind, client.get(raw) if kind == "string" else None)
    return state


def _touched(before: dict, after: dict) -> set[str]:
    return {k for k, v in after.items() if before.get(k) != v}


def test_posting_and_voting_leave_only_per_conversation_counters(database_url, redis_url):
    instance = "t" + uuid.uuid4().hex[:10]
    store = redis.Redis.from_url(redis_url)
    with _redis_app(database_url, redis_url, CHORUS_INSTANCE_ID=instance) as app:
        org = organisations.create_organisation("Redis Trust", "R001")
        alice, bob = (users.create_user(f"{name}@trust.nhs.uk", organisation=org, password=PASSWORD)
                      for name in ("alice", "bob"))
        talks = []
        for title in ("Rotas", "Parking"):
            conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
                title=title, audience_ids=[org.id], questions=["What would help?"]))
            lifecycle.open_conversation(conversation)
            talks.append(conversation.questions[0].id)
        headers = {u.id: {"Authorization": f"Bearer {create_api_token(u)}"} for u in (alice, bob)}
        client = app.test_client()

        def session(user, question_id: int, other_idea: str | None) -> str:  # type: ignore[no-untyped-def]
            made = client.post(f"/api/v1/questions/{question_id}/ideas", headers=headers[user.id],
                               json={"body": f"Publish rotas six weeks ahead {uuid.uuid4().hex[:6]}"})
            assert made.status_code == 201, made.get_data(as_text=True)
            if other_idea:
                assert client.put(f"/api/v1/ideas/{other_idea}/vote", json={"choice": "support"},
                                  headers=headers[user.id]).status_code in (200, 201)
                assert client.post(f"/api/v1/ideas/{other_idea}/comments", json={"body": "Yes, and swaps by app"},
                                   headers=headers[user.id]).status_code == 201
            return made.get_json()["id"]

        start = _state(store)
        touched: dict[tuple[str, int], set[str]] = {}
        ideas_of = {}
        for n, question_id in enumerate(talks):
            for user in (alice, bob):
                before = _state(store)
                ideas_of[(user.id, n)] = session(user, question_id, ideas_of.get((alice.id, n)) if user is bob else None)
                touched[(user.email, n)] = _touched(before, _state(store))
        # Alice votes in the first conversation again, after her posts in the second.
        before = _state(store)
        assert client.put(f"/api/v1/ideas/{ideas_of[(bob.id, 0)]}/vote", json={"choice": "support"},
                          headers=headers[alice.id]).status_code in (200, 201)
        touched[(alice.email, 0)] |= _touched(before, _state(store))
        end = _state(store)
        new = _touched(start, end)

        assert new, "the posting limit should have left counters in Redis"
        for key in new:
            assert key.startswith(f"chorus:{instance}:"), key
        secret = app.config["SECRET_KEY"].encode()
        for user in (alice, bob):
            old_style = hmac.new(secret, user.user_key.encode(), hashlib.sha256).hexdigest()[:24]
            for key in new:
                for identifier in (old_style, user.user_key, user.user_key.split(":")[-1][:24], user.email):
                    assert identifier not in key, (identifier, key)
            first, second = touched[(user.email, 0)], touched[(user.email, 1)]
            assert first and second
            assert not first & second, "one person's limiter key is shared between conversations"
            hashes = {h for k in first for h in HEX_RUN.findall(k)}
            assert not {h for k in second for h in HEX_RUN.findall(k)} & hashes
        # Counters with an expiry no longer than the window, never a list of each hit's time.
        for key in new:
            kind, value = end[key]
            assert kind == "string", (key, kind)
            assert int(value) < 1000, (key, value)
            ttl = store.ttl(key)
            assert 0 < ttl <= 60, (key, ttl)
        store.delete(*new)


def test_a_live_event_never_reaches_another_instance_on_the_same_redis(database_url, redis_url):
    prod, staging = (create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url,
                                 "CHORUS_INSTANCE_ID": f"{name}{uuid.uuid4().hex[:8]}"}) for name in ("prod", "staging"))
    buses = [app.extensions["chorus.live"] for app in (prod, staging)]
    subscriptions = [bus.subscribe(1) for bus in buses]
    try:
        first = LiveMessage(1, 101, "idea", {"text": "from prod"})
        buses[0].publish(first)
        assert subscriptions[0].get(timeout=120) == first
        # Redis delivers in the order it received: had prod's event leaked, staging would see it before its own.
        second = LiveMessage(1, 202, "idea", {"text": "from staging"})
        buses[1].publish(second)
        assert subscriptions[1].get(timeout=120) == second
        third = LiveMessage(1, 303, "idea", {"text": "from prod again"})
        buses[0].publish(third)
        assert subscriptions[0].get(timeout=120) == third
    finally:
        for subscription in subscriptions:
            subscription.close()
        for bus in buses:
            bus.close()


def test_the_instance_id_defaults_to_something_of_this_instance(database_url, tmp_path):
    def instance(**settings: object) -> str:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
        return app.config["CHORUS_INSTANCE_ID"]

    here = instance()
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,}", here)
    assert instance() == here  # stable across restarts and workers of one instance
    assert instance(SECRET_KEY="another-secret-key-for-a-staging-copy-0000") != here
    assert instance(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'staging.sqlite'}") != here
    assert instance(CHORUS_INSTANCE_ID="staging-2") == "staging-2"
    assert db is not None


def test_jobs_queue_per_instance(app, redis_url):
    """A worker of one instance never takes another instance's jobs, and a job's keys name its instance."""
    from app.jobs import enqueue, queue

    store = redis.Redis.from_url(redis_url)
    ours, theirs = (f"{name}{uuid.uuid4().hex[:8]}" for name in ("prod", "staging"))
    app.config.update(CHORUS_JOBS="rq", REDIS_URL=redis_url, CHORUS_INSTANCE_ID=ours)
    before = {k.decode() for k in store.scan_iter(count=1000)}
    enqueue("themes.run", 424242)
    jobs = queue(redis_url)
    try:
        [job] = jobs.jobs
        assert job.id.startswith(ours + "-") and job.args == ("themes.run", 424242)
        new = {k.decode() for k in store.scan_iter(count=1000)} - before
        assert new and all(ours in key for key in new if key != "rq:queues"), new
        app.config["CHORUS_INSTANCE_ID"] = theirs
        assert queue(redis_url).count == 0
    finally:
        jobs.empty()
        jobs.delete(delete_jobs=True)
