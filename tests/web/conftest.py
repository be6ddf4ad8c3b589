"""Fixtures shared by the web tests."""

from __future__ import annotations

import secrets

import pytest

from app import create_app
from app.extensions import db
from tests import suite_speed


@pytest.fixture
def lone_app(database_url):  # type: ignore[no-untyped-def]
    """An app with one pooled connection and no app context kept open, so each request ends as in production.

    Its config's TEST_MARKER is a name no other test uses; a module adds the routes it needs (overriding this fixture
    and asking for it) before its first request."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                      **({"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}}
                         if database_url.startswith("postgresql") else {})})
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
    app.config["TEST_MARKER"] = f"lone-app {secrets.token_hex(4)}"
    yield app
    with app.app_context():
        if database_url.startswith("postgresql"):
            suite_speed.reset_pg(db.engine, db.metadata.sorted_tables)
        db.engine.dispose()
