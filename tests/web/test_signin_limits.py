"""Sign-in at 9 am (issue #17.8): a whole trust behind one address gets in, guessing one account is still held
back, Redis holds no person identifier, and the password KDF runs off the gevent event loop."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

from app.models import User
from app.services.accounts import users
from tests.conftest import PASSWORD, csrf_token, running_app

ROOT = Path(__file__).resolve().parents[2]


def _people(org, count: int) -> list[User]:  # type: ignore[no-untyped-def]
    return [users.create_user(f"nurse{n}@trust.nhs.uk", organisation=org, password=PASSWORD) for n in range(count)]


def _sign_in(client, email: str, password: str = PASSWORD) -> int:  # type: ignore[no-untyped-def]
    response = client.post("/auth/sign-in", data={"email": email, "password": password,
                                                  "csrf_token": csrf_token(client)})
    return response.status_code


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps with extra settings, inside their app context, emptied afterwards like the `app` fixture."""
    with ExitStack() as stack:
        yield lambda **settings: stack.enter_context(running_app(database_url, **settings))


@pytest.fixture
def limited(make_app):  # type: ignore[no-untyped-def]
    """An app with the production limits switched on (the test config turns them off)."""
    from config import Config

    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN=Config.RATELIMIT_LOGIN,
                    RATELIMIT_LOGIN_ADDRESS=Config.RATELIMIT_LOGIN_ADDRESS)


def test_hundreds_of_people_behind_one_address_all_get_in(limited) -> None:  # type: ignore[no-untyped-def]
    from app.services.accounts import organisations

    org = organisations.create_organisation("Morning Trust", "MT1")
    people = _people(org, 150)
    codes = []
    for person in people:
        client = limited.test_client()  # each person has their own browser, all from 127.0.0.1
        codes.append(_sign_in(client, person.email))
    assert codes == [302] * len(people)


def test_guessing_one_account_is_still_limited_from_any_address(limited) -> None:  # type: ignore[no-untyped-def]
    from config import Config
    from limits import parse_many

    per_minute = min(item.amount for item in parse_many(Config.RATELIMIT_LOGIN))
    client = limited.test_client()
    codes = [client.post("/auth/sign-in", environ_base={"REMOTE_ADDR": f"10.1.{n // 250}.{n % 250 + 1}"},
                         data={"email": "Ward.Manager@trust.nhs.uk ", "password": f"guess-{n}-guess",
                               "csrf_token": csrf_token(client)}).status_code for n in range(per_minute + 1)]
    assert codes == [400] * per_minute + [429]  # each guess from a new address; the account's budget is spent
    # The same account typed differently is the same account.
    again = client.post("/auth/sign-in", data={"email": "ward.manager@trust.nhs.uk", "password": "guess",
                                               "csrf_token": csrf_token(client)})
    assert again.status_code == 429


def test_failed_sign_ins_from_one_address_are_limited(make_app) -> None:  # type: ignore[no-untyped-def]
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ADDRESS="3 per minute").test_client()
    codes = [_sign_in(client, f"person{n}@trust.nhs.uk", "wrong-password") for n in range(4)]
    assert codes == [400, 400, 400, 429]  # password spraying across accounts from one address


def test_sign_in_limit_keys_in_redis_hold_no_person_identifier(make_app, redis_url) -> None:  # type: ignore[no-untyped-def]
    import redis

    from app.instance import redis_prefix
    from app.services.accounts import organisations

    app = make_app(RATELIMIT_ENABLED=True, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    person = users.create_user("theatre.nurse@trust.nhs.uk", password=PASSWORD,
                               organisation=organisations.create_organisation("Key Trust", "KT1"))
    client = app.test_client()
    assert _sign_in(client, person.email, "wrong-password") == 400
    assert _sign_in(client, person.email) == 302
    server = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in server.scan_iter(match=redis_prefix(app) + "*")]
    try:
        assert any("signin-account" in key for key in keys), keys
        for key in keys:
            assert "theatre" not in key and "trust.nhs.uk" not in key and person.user_key not in key, key
    finally:
        for key in keys:
            server.delete(key)


OFF_LOOP = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import gevent
    from app.services.common.offload import off_loop

    # A native Event (not gevent's): the "KDF" below waits for it in whatever thread runs it.
    Event = monkey.get_original("threading", "Event")
    loop_ran = Event()

    def kdf():
        # Set only by a greenlet on the event loop: if the KDF ran on the loop, the loop could not run it.
        return loop_ran.wait(120)

    gevent.spawn(loop_ran.set)
    print("loop kept running" if off_loop(kdf) else "loop was blocked")
""")


def test_the_kdf_runs_off_the_gevent_event_loop() -> None:
    result = subprocess.run([sys.executable, "-c", OFF_LOOP], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loop kept running", result.stdout + result.stderr


def test_sign_in_and_password_hashing_go_through_off_loop(monkeypatch, make_user) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def recording(function, *args):  # type: ignore[no-untyped-def]
        calls.append(getattr(function, "__name__", "?"))
        return function(*args)

    monkeypatch.setattr(users, "off_loop", recording)
    person = make_user()
    assert users.authenticate(person.email, PASSWORD) is not None
    assert "verify" in calls
    calls.clear()
    users.hash_password("a-new-long-password")
    assert calls == ["hash"]
