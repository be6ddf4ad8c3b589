"""Redis round trips per write: a vote or a comment costs one for the posting limit and one for the live event.

Rate-limit headers on every answer cost two more (the window's count and expiry), so they are off; a refusal still
carries Retry-After.
"""

from __future__ import annotations

import uuid

import pytest
import redis.connection

from tests.conftest import idea_with_api_token, running_app

WRITE = 2  # the posting limit's counter (one script call), the live event's PUBLISH


@pytest.fixture
def redis_app(database_url, redis_url):  # type: ignore[no-untyped-def]
    with running_app(database_url, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_ENABLED=True,
                     RATELIMIT_POST="3 per minute", CHORUS_INSTANCE_ID="t" + uuid.uuid4().hex[:10]) as app:
        yield app


def test_a_write_costs_two_redis_round_trips_and_a_refusal_says_when(redis_app, monkeypatch):  # type: ignore[no-untyped-def]
    _, _, idea, headers = idea_with_api_token("RB01")
    client = redis_app.test_client()
    # The first request opens the connections (HELLO, SELECT, ...): count a worker's steady state.
    assert client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=headers).status_code == 200
    sent: list[bytes] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(connection, command, check_health=True):  # type: ignore[no-untyped-def]
        sent.append(b"".join(command) if isinstance(command, list) else command)
        return original(connection, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    answers = []
    for request in ({"method": "PUT", "path": f"/api/v1/ideas/{idea.id}/vote", "json": {"choice": "support"}},
                    {"method": "POST", "path": f"/api/v1/ideas/{idea.id}/comments", "json": {"body": "Yes please"}}):
        sent.clear()
        response = client.open(request["path"], method=request["method"], json=request["json"], headers=headers)
        answers.append(response.status_code)
        assert len(sent) <= WRITE, f"{len(sent)} Redis round trips: {sent}"
        assert "X-RateLimit-Remaining" not in response.headers
    assert answers == [200, 201]
    monkeypatch.undo()
    refused = client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=headers)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
