"""Chorus: anonymous staff engagement. The application factory."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from flask import Flask

import config

from app.extensions import compress, csrf, db, limiter, login_manager, migrate


def _engine_options(app: Flask) -> None:
    """PostgreSQL fails fast: a short pool wait (then 503), connect timeout, lock and idle-transaction limits."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # A connection dropped by a database restart is replaced, not used: with psycopg checked at checkout without a
    # round trip while in use (app/pool_check.py), with any other driver by pinging it.
    driver = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_driver_name()
    options.setdefault("pool_pre_ping", driver != "psycopg")
    options.setdefault("pool_timeout", app.config.get("CHORUS_DB_POOL_TIMEOUT", 5))
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", app.config.get("CHORUS_DB_CONNECT_TIMEOUT", 5))
    settings = (f"-c lock_timeout={int(app.config.get('CHORUS_DB_LOCK_TIMEOUT_MS', 5000))} "
                f"-c idle_in_transaction_session_timeout={int(app.config.get('CHORUS_DB_IDLE_IN_TRANSACTION_MS', 60000))}")
    connect_args.setdefault("options", settings)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: load config and keys, bind extensions, register blueprints. No network I/O."""
    problems = config.setting_errors()
    if problems:  # refuse to start rather than run with a setting silently replaced by its default
        raise config.SettingsError("Chorus cannot start: " + " ".join(problems))
    from app.chorus_flask import ChorusFlask

    app = ChorusFlask(__name__, instance_relative_config=True)
    app.config.from_object("config.TestConfig" if test_config and test_config.get("TESTING") else "config.Config")
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "chorus.sqlite")
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"

    from app.instance import configure_instance
    from app.keys_setup import check_stored_keys, check_workers, load_keys

    configure_instance(app)

    load_keys(app)
    if not app.testing:
        check_workers(app)

    _engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    from app.csrf_mask import install as mask_csrf_tokens
    from app.static_files import init_static

    mask_csrf_tokens(app)  # compressed pages must not carry a constant secret (BREACH)
    # Registered first, so its after_request runs last: it compresses the finished response.
    compress.init_app(app)
    init_static(app)
    limiter.init_app(app)
    # The limiter is module-wide and init_app gives it this app's storage, but keeps the "storage is dead, use
    # the in-memory fallback" flag of the previous app: a Redis outage in one app must not follow into the next.
    limiter._storage_dead = False
    from app.ratelimit import lean_limiter_hook

    lean_limiter_hook(app)
    login_manager.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from app.sqlite import init_sqlite

            init_sqlite(app)
        elif db.engine.dialect.driver == "psycopg":
            from app import lazy_begin, pool_check, read_only_commit

            lazy_begin.install(db.engine)  # a request that only reads sends no BEGIN and no COMMIT
            read_only_commit.install(db.engine)  # psycopg keeps what it prepared across read-only requests
            if not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping"):
                pool_check.install(db.engine)

    # Modules that define background jobs register them with @jobs.job when imported (app/jobs imports no service).
    from app.services.content import note_imports as _note_imports  # noqa: F401
    from app.services.conversations import participation_batch as _participation  # noqa: F401
    from app.services.opinions import runs as _opinion_runs  # noqa: F401
    from app.services.polis import importing as _polis_import  # noqa: F401
    from app.services.themes import embeddings as _embeddings, runs as _theme_runs  # noqa: F401
    from app.services.messaging import sending as _messages  # noqa: F401
    from app.services.frameworks import mapping as _framework_mapping  # noqa: F401
    from app.jobs.scheduler import SCHEDULED_WORK
    from app.services.schedule import run_scheduled_work

    app.extensions[SCHEDULED_WORK] = run_scheduled_work

    from app import models  # noqa: F401  (register every table)
    from app.auth import init_login
    from app.auth.oidc import init_oidc
    from app.errors import init_errors
    from app.live import init_live
    from app.security import init_security
    from app.navigation import init_navigation
    from app.templating import init_templating

    init_templating(app)
    init_navigation(app)
    init_security(app)
    init_errors(app)
    init_live(app)
    init_login(app)
    init_oidc(app)
    # A wrong master key or a missing key directory must not be silent (docs/operations.md, 'Key custody').
    check_stored_keys(app)

    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.auth.routes import bp as auth_bp
    from app.cli import bp as cli_bp
    from app.facilitate import bp as facilitate_bp
    from app.guardian import bp as guardian_bp
    from app.join import bp as join_bp
    from app.manage import bp as manage_bp
    from app.messages import bp as messages_bp
    from app.pages import bp as pages_bp
    from app.participate import bp as participate_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(participate_bp)
    app.register_blueprint(join_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(facilitate_bp, url_prefix="/facilitate")
    app.register_blueprint(manage_bp, url_prefix="/manage")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(guardian_bp, url_prefix="/guardian")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(cli_bp)
    from app.polis_cli import bp as polis_cli_bp

    app.register_blueprint(polis_cli_bp)

    if app.config.get("CHORUS_JOBS") == "thread" and app.config.get("CHORUS_SCHEDULER", True):
        # Embedded mode: scheduled work runs on a thread, started with the first request (not at import).
        @app.before_request
        def _start_scheduler() -> None:
            from app.jobs.scheduler import start_ticker

            start_ticker(app)
    return app
