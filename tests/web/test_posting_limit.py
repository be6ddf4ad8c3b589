"""The posting limit counts what Flask-Limiter's shared limit counted, under the same Redis keys, with its refusal
and its in-memory fallback while Redis is away (app/ratelimit.py checks it without the limiter's per-request work)."""

from __future__ import annotations

import uuid

import pytest
import redis
from limits import parse

from app.crypto import tag
from app.services.common.keys import purpose_key
from tests.conftest import idea_with_api_token, running_app


def _vote(client, idea, headers):  # type: ignore[no-untyped-def]
    return client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=headers)


def test_the_counter_is_the_shared_limits_key_and_the_refusal_is_unchanged(database_url, redis_url) -> None:  # type: ignore[no-untyped-def]
    instance = "t" + uuid.uuid4().hex[:10]
    with running_app(database_url, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_ENABLED=True,
                     RATELIMIT_POST="2 per minute", CHORUS_INSTANCE_ID=instance) as app:
        user, conversation, idea, headers = idea_with_api_token()
        client = app.test_client()
        assert [_vote(client, idea, headers).status_code for _ in range(2)] == [200, 200]
        refused = _vote(client, idea, headers)
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.json["error"]["message"] == "You have done that too many times. Wait a minute and try again."
        # The key Flask-Limiter's shared_limit(scope="posting") used: the limit's key for (pseudonym, scope), under
        # the instance's prefix; the pseudonym is keyed by the conversation's rate-limit key (rule A7).
        key = purpose_key(conversation.id, "ratelimit")
        assert key is not None
        actor = "p:" + tag(key, "ratelimit", user.user_key)[:32]
        expected = f"chorus:{instance}:limits:" + parse("2 per minute").key_for(actor, "posting")
        store = redis.Redis.from_url(redis_url)
        assert int(store.get(expected) or 0) == 3  # the refused hit counts too, as the limiter's did
        assert not [k for k in store.scan_iter(f"chorus:{instance}:*") if user.user_key.encode() in k]
        store.delete(expected)


@pytest.mark.parametrize("limit_on", [True, False])
def test_while_redis_is_away_the_limit_falls_back_to_memory(database_url, limit_on) -> None:  # type: ignore[no-untyped-def]
    # Nothing listens on port 1: every storage call fails at once (no wait).
    with running_app(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=limit_on,
                     RATELIMIT_POST="2 per minute") as app:
        _, _, idea, headers = idea_with_api_token()
        client = app.test_client()
        statuses = [_vote(client, idea, headers).status_code for _ in range(3)]
        assert statuses == ([200, 200, 429] if limit_on else [200, 200, 200])
