"""A wrong master key or key directory is never silent: production refuses to start, development says why on every page."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.keys_setup import ConfigurationError, key_directory, _move_old_dev_key
from app.models.base import utcnow
from app.services.conversations import lifecycle
from app.services.accounts import organisations

SECRET = "s" * 40
MASTER = "right-master-key-" + "m" * 32


def _settings(tmp_path: Path, **overrides: object) -> dict:
    return {"TESTING": True, "CHORUS_ENV": "production", "SECRET_KEY": SECRET, "CHORUS_PSEUDONYM_KEY": MASTER,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'chorus.sqlite'}", "CHORUS_KEY_DIR": str(tmp_path / "keys"),
            **overrides}


def _store_a_conversation(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    with app.app_context():
        db.create_all()
        org = organisations.create_organisation("Startup Trust", "STA")
        lifecycle.create_conversation(org.id, lifecycle.ConversationDetails(
            title="Keys", voting_mode="support", comments_enabled=True, audience_ids=[org.id],
            questions=["What would help?"], closes_at=utcnow() + timedelta(days=3)))
        db.session.remove()
        db.engine.dispose()


def test_production_starts_with_the_right_keys(tmp_path):
    _store_a_conversation(tmp_path)
    app = create_app(_settings(tmp_path))
    assert "chorus.key_problem" not in app.extensions


def test_production_refuses_a_wrong_master_key(tmp_path):
    _store_a_conversation(tmp_path)
    with pytest.raises(ConfigurationError, match="does not open the stored conversation keys") as refused:
        create_app(_settings(tmp_path, CHORUS_PSEUDONYM_KEY="a-different-master-key-" + "x" * 32))
    assert MASTER not in str(refused.value)


def test_production_refuses_a_key_directory_without_the_epoch(tmp_path):
    _store_a_conversation(tmp_path)
    with pytest.raises(ConfigurationError, match="is not in the key directory"):
        create_app(_settings(tmp_path, CHORUS_KEY_DIR=str(tmp_path / "another-host")))


def test_production_refuses_to_start_without_a_key_directory(tmp_path):
    settings = _settings(tmp_path, CHORUS_KEY_DIR=None)
    del settings["TESTING"]
    with pytest.raises(ConfigurationError, match="CHORUS_KEY_DIR must be set in production"):
        create_app(settings)


def test_development_with_a_wrong_key_says_so_on_every_page(tmp_path, caplog):
    _store_a_conversation(tmp_path)
    app = create_app(_settings(tmp_path, CHORUS_ENV="development", CHORUS_PSEUDONYM_KEY="another-key-" + "y" * 32))
    assert "does not open the stored conversation keys" in caplog.text
    client = app.test_client()
    for path in ("/", "/healthz", "/auth/sign-in"):
        response = client.get(path)
        assert response.status_code == 503
        assert "wrong pseudonym key" in response.get_data(as_text=True)
    api = client.get("/api/v1/conversations")
    assert api.status_code == 503 and "wrong pseudonym key" in api.get_json()["error"]["message"]


def test_development_keys_live_outside_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    instance = tmp_path / "project" / "instance"
    app = Flask("chorus_test", instance_path=str(instance))
    app.config["CHORUS_KEY_DIR"] = None
    directory = key_directory(app)
    assert directory is not None and directory.is_relative_to(tmp_path / "config" / "chorus")
    assert not directory.is_relative_to(instance)
    # An older install's key is moved out of instance/ (same key, so its conversations still open).
    instance.mkdir(parents=True)
    old_key = secrets.token_urlsafe(48)
    (instance / "pseudonym.key").write_text(old_key)
    _move_old_dev_key(app, directory)
    assert not (instance / "pseudonym.key").exists()
    assert (directory / "pseudonym.key").read_text() == old_key
    assert (directory / "pseudonym.key").stat().st_mode & 0o077 == 0
