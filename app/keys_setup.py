"""Loading SECRET_KEY and the pseudonym master key at start-up, and refusing unsafe production settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from app.crypto import MIN_MASTER_KEY_BYTES, Keyring


class ConfigurationError(RuntimeError):
    """The app must not start with these settings."""


def _dev_secret(app: Flask, filename: str) -> str:
    """Read or create a random secret in instance/, so development needs no configuration."""
    path = Path(app.instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _dev_secret(app, "secret.key")
    if not master:
        master = _dev_secret(app, "pseudonym.key")
    raw = master.encode()
    if len(raw) < MIN_MASTER_KEY_BYTES:
        raise ConfigurationError(f"CHORUS_PSEUDONYM_KEY must be at least {MIN_MASTER_KEY_BYTES} bytes long.")
    if master == app.config["SECRET_KEY"]:
        raise ConfigurationError("CHORUS_PSEUDONYM_KEY must be different from SECRET_KEY.")
    app.extensions["chorus.keyring"] = Keyring(raw)
    app.config["CHORUS_PSEUDONYM_KEY"] = None  # keep the key out of config dumps and error pages


def check_workers(app: Flask) -> None:
    """Refuse more than one worker process without Redis: live events would not reach the others."""
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    if workers > 1 and not app.config.get("REDIS_URL"):
        raise ConfigurationError(
            f"{workers} workers were requested but REDIS_URL is not set. Without Redis, live updates and rate "
            "limits only work in one worker: set REDIS_URL or run a single worker."
        )
