"""Downgrades refuse, with a clear message, when they would lose data or publish held posts (issue #17.7).

Each test upgrades an empty database to one revision, adds rows the way that revision's schema holds them, asks for
the downgrade below it, and checks it is refused with the data intact; with the rows gone the downgrade runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from app import create_app
from tests.conftest import BACKEND, PG_URL, _ensure_pg_database


def _empty_database_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    if BACKEND != "postgresql":
        return f"sqlite:///{tmp_path / 'downgrades.sqlite'}"
    base = sa.engine.make_url(PG_URL)
    url = base.set(database=f"{base.database}_downgrades")  # per engineer's database: never a shared name
    _ensure_pg_database(url.render_as_string(hide_password=False))
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture
def migrated(tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _empty_database_url(tmp_path)})
    with app.app_context():
        try:
            yield app
        finally:
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()


def _engine() -> sa.Engine:
    from app.extensions import db

    return db.engine


def _insert(connection: sa.Connection, table: str, **values: Any) -> int:
    """Insert a row, filling every required column the caller left out with a plain value of its type."""
    found = sa.Table(table, sa.MetaData(), autoload_with=connection)
    row = dict(values)
    for column in found.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        if column.primary_key and isinstance(column.type, sa.Integer) and len(found.primary_key.columns) == 1:
            continue  # the database numbers it
        python = column.type.python_type
        row[column.name] = (
            False if python is bool else 1 if python is int else datetime(2026, 1, 5, 9) if python is datetime
            else b"\x00" * 16 if python is bytes else f"{table[:3]}-{column.name}"[: getattr(column.type, "length", None) or 40]
        )
    result = connection.execute(found.insert().values(**row))
    return result.inserted_primary_key[0] if result.inserted_primary_key else 0


def _conversation(connection: sa.Connection) -> tuple[int, int]:
    org = _insert(connection, "organisation", name="Downgrade Trust", code="DGT")
    conversation = _insert(connection, "conversation", organisation_id=org, title="Before the rollback",
                           status="open")
    question = _insert(connection, "question", conversation_id=conversation, text="What would help?", position=0)
    return conversation, question


def _idea(connection: sa.Connection, conversation: int, question: int, idea_id: str, **values: Any) -> None:
    _insert(connection, "idea", **{"id": idea_id, "conversation_id": conversation, "question_id": question,
                                   "body": "Water fountains on every ward", "status": "published"} | values)


def _version() -> str:
    with _engine().connect() as connection:
        return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _refused(target: str) -> str:
    """Ask for the downgrade and return its refusal (`flask db downgrade` prints it and exits with status 1)."""
    with pytest.raises(RuntimeError) as refused:
        downgrade.__wrapped__(revision=target)  # the command without Flask-Migrate's log-and-exit wrapper
    message = str(refused.value)
    assert "Refusing to downgrade" in message and "restore the backup" in message, message
    return message


def test_the_moderation_downgrade_keeps_the_log_reports_and_held_posts(migrated) -> None:
    upgrade(revision="a6db5443eecf")
    with _engine().begin() as connection:
        conversation, question = _conversation(connection)
        _idea(connection, conversation, question, "held-idea-1", queued=True)
        _insert(connection, "moderation_entry", conversation_id=conversation, item_kind="idea",
                item_id="held-idea-1", action="hide", reason="abuse", note="")
        _insert(connection, "content_report", id="report-1", conversation_id=conversation, idea_id="held-idea-1",
                reporter="a" * 64, reason="abuse", note="", cleared=False)
    message = _refused("0cd8bbb40091")
    assert "moderation log" in message and "report" in message and "held" in message
    assert _version() == "a6db5443eecf"
    with _engine().connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM moderation_entry")) == 1
        assert connection.scalar(sa.text("SELECT count(*) FROM content_report")) == 1
        assert connection.scalar(sa.text("SELECT queued FROM idea WHERE id = 'held-idea-1'"))
    with _engine().begin() as connection:  # once the operator has dealt with them, the downgrade runs
        for table in ("moderation_entry", "content_report", "idea"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    downgrade(revision="0cd8bbb40091")
    assert _version() == "0cd8bbb40091"


def test_the_batch_release_downgrade_never_publishes_waiting_posts(migrated) -> None:
    upgrade(revision="b47c2e9a1d05")
    with _engine().begin() as connection:
        conversation, question = _conversation(connection)
        _idea(connection, conversation, question, "waiting-idea-1", status="waiting")
    message = _refused("e2e1faff44d8")
    assert "waiting" in message
    assert _version() == "b47c2e9a1d05"
    with _engine().connect() as connection:
        assert connection.scalar(sa.text("SELECT status FROM idea WHERE id = 'waiting-idea-1'")) == "waiting"


def test_the_pairwise_downgrade_keeps_choices_between_ideas(migrated) -> None:
    upgrade(revision="8412a6db2de1")
    with _engine().begin() as connection:
        conversation, _ = _conversation(connection)
        _insert(connection, "pairwise_setup", conversation_id=conversation, items="picked")
    assert "pairwise setup" in _refused("fe880f8c55d4")
    assert _version() == "8412a6db2de1"


def test_the_first_downgrade_keeps_every_organisation(migrated) -> None:
    upgrade(revision="afc4d6e468ad")
    with _engine().begin() as connection:
        _conversation(connection)
    assert "organisation" in _refused("base")
    assert _version() == "afc4d6e468ad"


def test_an_empty_database_still_downgrades_all_the_way(migrated) -> None:
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(_engine()).get_table_names()) <= {"alembic_version"}


def test_the_quick_poll_downgrade_keeps_polls_and_answers(migrated) -> None:
    upgrade(revision="19a63ec9e3d7")
    with _engine().begin() as connection:
        conversation, _ = _conversation(connection)
        poll = _insert(connection, "poll", conversation_id=conversation, question="Which change first?",
                       kind="choice", options=["Rotas", "Parking"], status="closed")
        _insert(connection, "poll_answer", poll_id=poll, answerer="b" * 64, choice=1)
    message = _refused("d7a4c9e1f203")
    assert "quick poll" in message and "poll answer" in message
    assert _version() == "19a63ec9e3d7"
    with _engine().begin() as connection:  # without polls, only a run's progress goes, which nothing needs later
        connection.execute(sa.text("DELETE FROM poll"))
        connection.execute(sa.text("DELETE FROM poll_answer"))
    downgrade(revision="d7a4c9e1f203")
    assert _version() == "d7a4c9e1f203"
