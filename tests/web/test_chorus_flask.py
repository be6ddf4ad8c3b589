"""The Flask class Chorus runs on skips two repeated checks per request, and behaves as Flask does otherwise."""

from __future__ import annotations

import flask.app
import pytest
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import idea_with_api_token


@pytest.fixture
def counted(monkeypatch):  # type: ignore[no-untyped-def]
    """How often Flask asked whether a function is a coroutine function, and built a session cookie signer."""
    calls = {"coroutine": 0, "signer": 0}
    ask, build = flask.app.iscoroutinefunction, SecureCookieSessionInterface.get_signing_serializer

    def asking(func):  # type: ignore[no-untyped-def]
        calls["coroutine"] += 1
        return ask(func)

    def building(self, app):  # type: ignore[no-untyped-def]
        calls["signer"] += 1
        return build(self, app)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", asking)
    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", building)
    return calls


def test_a_repeated_api_vote_asks_nothing_again_and_builds_no_cookie_signer(app, counted) -> None:  # type: ignore[no-untyped-def]
    _, _, idea, headers = idea_with_api_token()
    client = app.test_client()
    vote = f"/api/v1/ideas/{idea.id}/vote"
    assert client.put(vote, json={"choice": "support"}, headers=headers).status_code == 200
    counted["coroutine"] = counted["signer"] = 0
    response = client.put(vote, json={"choice": "support"}, headers=headers)
    assert response.status_code == 200 and response.json["votes"] == {"support": 1}
    assert counted == {"coroutine": 0, "signer": 0}
    assert "Set-Cookie" not in response.headers


def test_a_signed_in_session_still_reads_and_writes_its_cookie(client, make_user, login, counted) -> None:  # type: ignore[no-untyped-def]
    login(make_user())
    counted["signer"] = 0
    assert client.get("/auth/sign-in").status_code in (200, 302)
    assert counted["signer"] >= 1  # the cookie is read (and refreshed) with the signer, as before
    assert client.get("/").status_code == 200


def test_an_async_view_is_still_handed_to_flask(app) -> None:  # type: ignore[no-untyped-def]
    async def later() -> str:
        return "done"

    wrapped = []
    app.async_to_sync = lambda func: wrapped.append(func) or (lambda *a, **k: "done")  # type: ignore[method-assign]
    assert app.ensure_sync(later)() == "done"
    assert app.ensure_sync(later)() == "done" and wrapped == [later, later]
