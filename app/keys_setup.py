"""Loading SECRET_KEY, the pseudonym master key and key epochs at start-up, and refusing unsafe production settings."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.typing import ResponseReturnValue

from app.crypto import MIN_MASTER_KEY_BYTES, Keyring
from app.key_store import MASTER_FILE, EpochStore, FileEpochStore, MemoryEpochStore

log = logging.getLogger("chorus.keys")


class ConfigurationError(RuntimeError):
    """The app must not start with these settings."""


def _dev_secret(app: Flask, filename: str, directory: Path | None = None) -> str:
    """Read or create a random secret (in instance/ unless told otherwise), so development needs no configuration."""
    path = (directory or Path(app.instance_path)) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def key_directory(app: Flask) -> Path | None:
    """Where the key epochs (and the development master key) live: never inside instance/, beside the database.

    CHORUS_KEY_DIR when set; in development a per-instance folder under ~/.config/chorus; the test suite keeps
    epochs in memory unless a test sets CHORUS_KEY_DIR.
    """
    configured = app.config.get("CHORUS_KEY_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    if app.testing:
        return None
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    instance = os.path.realpath(app.instance_path)
    digest = hashlib.sha256(instance.encode()).hexdigest()[:10]
    return base / "chorus" / f"{Path(instance).parent.name}-{digest}"


def _move_old_dev_key(app: Flask, directory: Path) -> None:
    """Earlier versions kept the development master key in instance/, next to the database: move it out."""
    old = Path(app.instance_path) / MASTER_FILE
    new = directory / MASTER_FILE
    if old.exists() and not new.exists():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(old, new)
        new.chmod(0o600)
        old.unlink()
        log.warning("Moved the development pseudonym key from %s to %s (keys never sit beside the database).", old, new)


def load_keys(app: Flask) -> None:
    """Set SECRET_KEY and the keyring; in production both must come from the environment or a key file."""
    production = app.config["CHORUS_ENV"] == "production"
    key_file = app.config.get("CHORUS_PSEUDONYM_KEY_FILE")
    master = app.config.get("CHORUS_PSEUDONYM_KEY")
    if not master and key_file:
        try:
            master = Path(key_file).read_text().strip()
        except OSError as exc:
            raise ConfigurationError(f"CHORUS_PSEUDONYM_KEY_FILE {key_file} cannot be read: {exc}") from exc
    if production:
        if not app.config.get("SECRET_KEY") or len(app.config["SECRET_KEY"]) < 32:
            raise ConfigurationError("SECRET_KEY must be set to at least 32 characters in production.")
        if not master:
            raise ConfigurationError(
                "CHORUS_PSEUDONYM_KEY (or CHORUS_PSEUDONYM_KEY_FILE) must be set in production. "
                "See docs/operations.md, 'Key custody'."
            )
        if not app.testing and not app.config.get("CHORUS_KEY_DIR"):
            raise ConfigurationError(
                "CHORUS_KEY_DIR must be set in production: a directory outside the database and its backups, shared "
                "by every Chorus host and writable by the process that destroys keys. See docs/operations.md, 'Key custody'."
            )
    directory = key_directory(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _dev_secret(app, "secret.key")
    if not master and directory is None:
        master = secrets.token_urlsafe(48)  # a test without a key: one for this app only
    elif not master:
        assert directory is not None
        _move_old_dev_key(app, directory)
        master = _dev_secret(app, MASTER_FILE, directory)
    raw = master.encode()
    if len(raw) < MIN_MASTER_KEY_BYTES:
        raise ConfigurationError(f"CHORUS_PSEUDONYM_KEY must be at least {MIN_MASTER_KEY_BYTES} bytes long.")
    if master == app.config["SECRET_KEY"]:
        raise ConfigurationError("CHORUS_PSEUDONYM_KEY must be different from SECRET_KEY.")
    store: EpochStore = FileEpochStore(directory) if directory is not None else MemoryEpochStore()
    ring = Keyring(raw, store)
    ring.reload()
    app.extensions["chorus.keyring"] = ring
    app.config["CHORUS_KEY_DIR_IN_USE"] = str(directory) if directory is not None else store.location
    app.config["CHORUS_PSEUDONYM_KEY"] = None  # keep the key out of config dumps and error pages


def check_workers(app: Flask) -> None:
    """Refuse more than one worker process without Redis: live events would not reach the others."""
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    if workers > 1 and not app.config.get("REDIS_URL"):
        raise ConfigurationError(
            f"{workers} workers were requested but REDIS_URL is not set. Without Redis, live updates and rate "
            "limits only work in one worker: set REDIS_URL or run a single worker."
        )


def check_stored_keys(app: Flask) -> None:
    """Check the keys against the stored conversation keys: production refuses to start, development says why.

    In development and tests a mismatch is logged and every request answers 503 with the reason, so a wrong key is
    never silent; a database that is unreachable or not migrated yet is not checked (the next start checks it).
    """
    from app.extensions import db
    from app.services.common.keys import verify_keys

    with app.app_context():
        try:
            if not sa.inspect(db.engine).has_table("key_epoch"):
                return
            problem = verify_keys()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("The pseudonym keys could not be checked against the database at start-up (%s).",
                        type(exc).__name__)
            return
        finally:
            db.session.remove()
            if db.engine.url.database not in (None, "", ":memory:"):
                db.engine.dispose()  # no connection opened here is inherited by forked workers
    if problem is None:
        return
    if app.config["CHORUS_ENV"] == "production":
        raise ConfigurationError(problem)
    log.error(problem)
    app.extensions["chorus.key_problem"] = problem

    @app.before_request
    def _refuse_with_the_wrong_key() -> ResponseReturnValue:
        from app.errors import error_response

        return error_response(503, "Chorus was started with the wrong pseudonym key. " + problem)
