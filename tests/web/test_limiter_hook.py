"""Flask-Limiter's per-request hook runs only when it has something to do: limits still count, fallback recovers.

Chorus sets no default, application or blueprint limits, so the limiter's before_request check found nothing on
every request; app/ratelimit.py skips it then, and keeps it while the storage is dead (the switch back from the
in-memory fallback) or once such a limit is set.
"""

from __future__ import annotations

import pytest

from app.extensions import limiter
from tests.conftest import idea_with_api_token, running_app


@pytest.fixture
def resolved(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times the limiter resolved the limits that apply to a request."""
    calls = [0]
    resolve = limiter.limit_manager.resolve_limits

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return resolve(*args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", counting)
    return calls


def test_an_ordinary_request_resolves_no_limits_and_the_posting_limit_still_counts(database_url, resolved) -> None:  # type: ignore[no-untyped-def]
    with running_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_POST="2 per minute") as app:
        _, _, idea, headers = idea_with_api_token()
        client = app.test_client()
        assert client.get(f"/api/v1/ideas/{idea.id}", headers=headers).status_code == 200
        statuses = [client.put(f"/api/v1/ideas/{idea.id}/vote", json={"choice": "support"}, headers=headers).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert resolved[0] == 0


def test_a_decorated_limit_is_still_checked(database_url, resolved) -> None:  # type: ignore[no-untyped-def]
    with running_app(database_url, RATELIMIT_ENABLED=True) as app:
        assert app.test_client().get("/auth/sign-in").status_code == 200
        assert resolved[0] >= 1  # the sign-in limits' own wrapper (POST only, but resolved on every call)


def test_a_default_limit_set_later_is_checked_on_every_request(database_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with running_app(database_url, RATELIMIT_ENABLED=True) as app:
        _, _, idea, headers = idea_with_api_token()
        monkeypatch.setattr(limiter.limit_manager, "_default_limits", [limiter.limit("2 per minute")])
        client = app.test_client()
        statuses = [client.get(f"/api/v1/ideas/{idea.id}", headers=headers).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


def test_after_a_storage_outage_the_hook_still_switches_back(database_url) -> None:  # type: ignore[no-untyped-def]
    with running_app(database_url, RATELIMIT_ENABLED=True) as app:
        _, _, idea, headers = idea_with_api_token()
        limiter._storage_dead = True  # as after a Redis error with the in-memory fallback on
        setattr(limiter, "_Limiter__last_check_backend", 0.0)  # the recovery check is due now
        assert app.test_client().get(f"/api/v1/ideas/{idea.id}", headers=headers).status_code == 200
        assert limiter._storage_dead is False  # memory:// answered the recovery check
