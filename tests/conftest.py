"""Shared fixtures: an app per test on SQLite (default) or PostgreSQL (CHORUS_TEST_DB=postgresql).

Runs on one process or several (pytest -n 2, pytest-xdist): each worker has its own PostgreSQL database and Redis
database number (tests/suite_speed.py).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import flask
import pytest
from argon2 import PasswordHasher
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from app.models import Conversation, Organisation, User
from app.models.base import utcnow
from app.services.accounts import users
from app.services.conversations import lifecycle
from app.services.accounts import organisations
from app.services.common.participants import Participant
from tests import suite_speed

pytest_plugins = ("tests.messaging_servers",)  # the SMTP server and Teams stand-in fixtures

PASSWORD = "correct-horse-battery"
# Real argon2id, with cheap parameters so the suite does not spend minutes hashing test passwords.
users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKEND = os.environ.get("CHORUS_TEST_DB", "sqlite")
PG_URL = suite_speed.per_worker_pg_url(
    os.environ.get("CHORUS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/chorus_test"))
REDIS_URL = suite_speed.per_worker_redis_url(os.environ.get("CHORUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
suite_speed.cache_url_builders()  # werkzeug compiles each route's URL builder once per process, not once per test
suite_speed.cache_templates()  # and Jinja each template


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `pytest -n N --dist loadgroup`, keep a module's tests on one worker when they share a module fixture
    (a browser with a seeded server, a fitted model): it is then built once, not once per worker."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        definitions = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope in ("module", "package", "class") for defs in definitions for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def _ensure_pg_database(url: str) -> None:
    """Create the test database if it does not exist (trust auth on the local server)."""
    admin_url = sa.engine.make_url(url).set(database="postgres")
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> str:
    if BACKEND != "postgresql":
        return "sqlite://"
    try:
        _ensure_pg_database(PG_URL)
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL was requested (CHORUS_TEST_DB=postgresql) but is not reachable: {error}")
    engine = sa.create_engine(PG_URL)
    from app.extensions import Base
    import app.models  # noqa: F401

    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()
    return PG_URL


class FreshRequestClient(FlaskClient):
    """A test client whose requests do not see each other's `g`.

    The app fixture keeps an app context open for factories and services, and Flask reuses an active
    app context for requests, so `g` (which caches the signed-in user) would leak between requests.
    """

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        vars(flask.g).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with running_app(database_url) as app:
        yield app


@contextmanager
def running_app(database_url: str, **settings: object) -> Iterator[Flask]:
    """A test app with extra settings inside its app context, its tables emptied afterwards (PostgreSQL).

    SQLite: a new in-memory database per app. PostgreSQL: the schema is made once per session (database_url)
    and the rows each test wrote are deleted after it.
    """
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app.test_client_class = FreshRequestClient
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        yield app
        db.session.remove()
        if database_url.startswith("postgresql"):
            suite_speed.reset_pg(db.engine, db.metadata.sorted_tables)
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    counter = itertools.count(1)

    def make(name: str | None = None, *, groups: tuple[str, ...] = ("Nursing", "Medical")) -> Organisation:
        n = next(counter)
        org = organisations.create_organisation(name or f"Test Trust {n}", f"T{n:03d}")
        for group in groups:
            organisations.add_staff_group(org, group)
        return org

    return make


@pytest.fixture
def org(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org("Riverside Test Trust")


@pytest.fixture
def make_user(app: Flask, org: Organisation) -> Callable[..., User]:
    counter = itertools.count(1)

    def make(role: str = "participant", *, organisation: Organisation | None = None, email: str | None = None,
             staff_group: str | None = "Nursing") -> User:
        n = next(counter)
        return users.create_user(
            email or f"{role}{n}@trust.nhs.uk", organisation=organisation or org, role=role,
            staff_group=staff_group, password=PASSWORD, display_name=f"{role.title()} {n}",
        )

    return make


@pytest.fixture
def make_conversation(app: Flask, org: Organisation) -> Callable[..., Conversation]:
    def make(*, status: str = "open", voting_mode: str = "support", organisation: Organisation | None = None,
             audience: list[Organisation] | None = None, questions: tuple[str, ...] = ("What would make work better?", "What gets in the way?"),
             comments_enabled: bool = True, title: str = "Best place to work") -> Conversation:
        owner = organisation or org
        conversation = lifecycle.create_conversation(
            owner.id,
            lifecycle.ConversationDetails(
                title=title, voting_mode=voting_mode, comments_enabled=comments_enabled,
                audience_ids=[o.id for o in (audience or [owner])], questions=list(questions),
                closes_at=utcnow() + timedelta(days=14),
            ),
        )
        if status in ("open", "closed"):
            lifecycle.open_conversation(conversation)
        if status == "closed":
            lifecycle.close_conversation(conversation)
        return conversation

    return make


@pytest.fixture
def as_participant() -> Callable[[User], Participant]:
    return Participant.from_user


def csrf_token(client: FlaskClient, path: str = "/auth/sign-in") -> str:
    """Fetch a page and read the CSRF token from its meta tag or hidden field."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    ) or re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on " + path
    return match.group(1)


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], str]:
    """Sign a user in through the real form; returns a CSRF token for later requests."""

    def sign_in(user: User, password: str = PASSWORD) -> str:
        token = csrf_token(client)
        response = client.post("/auth/sign-in", data={"email": user.email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return csrf_token(client, "/")

    return sign_in


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis for live and rate-limit tests; in CI its absence is a failure, not a skip."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=30).ping()  # a busy machine is slow, not down
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"CI expects Redis at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


def idea_with_api_token(code: str = "LT01"):  # type: ignore[no-untyped-def]
    """An open conversation with one idea, its author, and API headers carrying the author's token (for tests that
    drive the write API outside the usual fixtures)."""
    from app.services.accounts.users import create_api_token
    from app.services.content import ideas

    org = organisations.create_organisation(f"Trust {code}", code)
    user = users.create_user(f"writer-{code.lower()}@trust.nhs.uk", organisation=org, password=PASSWORD)
    conversation = lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
        title="Writes", audience_ids=[org.id], questions=["What would help?"]))
    lifecycle.open_conversation(conversation)
    idea, _ = ideas.post_idea(Participant.from_user(user), conversation.questions[0].id, "Lockers for night staff")
    return user, conversation, idea, {"Authorization": f"Bearer {create_api_token(user)}"}
