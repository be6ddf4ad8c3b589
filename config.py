"""Configuration read from the environment with safe defaults; nothing here raises at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


# What each number, switch and choice read from the environment accepts. Reading never raises (a bad value
# falls back to the default at import); create_app() calls setting_errors() and refuses to start instead.
_SWITCH = ("1", "0", "true", "false", "yes", "no", "on", "off")
_NUMBERS: dict[str, tuple[type, float, float | None]] = {  # name: (int or float, least, most)
    "CHORUS_MIN_GROUP_SIZE": (int, 10, None),  # never below 10 (DESIGN.md, small groups)
    "CHORUS_SHRED_GRACE_DAYS": (int, 0, None),
    "CHORUS_SESSION_HOURS": (int, 1, None),
    "CHORUS_NOTICE_CACHE_SECONDS": (int, 0, None),
    "CHORUS_NOTICE_COOKIE_DAYS": (int, 1, None),
    "CHORUS_NOTICE_COOKIE_TOKENS": (int, 1, 150),
    "CHORUS_THEMES_INTERVAL_MINUTES": (int, 1, None),
    "CHORUS_THEMES_ON_DEMAND_MINUTES": (int, 0, None),
    "CHORUS_NOTES_INLINE_MAX": (int, 1, None),
    "CHORUS_OPINIONS_INTERVAL_MINUTES": (int, 0, None),
    "CHORUS_LIVE_RETENTION_HOURS": (int, 1, None),
    "CHORUS_PROXY_HOPS": (int, 0, None),
    "CHORUS_LIVE_HEARTBEAT_SECONDS": (float, 0.01, None),
    "CHORUS_LIVE_STREAM_SECONDS": (float, 0.01, None),
    "CHORUS_OIDC_TIMEOUT": (float, 0.01, None),
    "CHORUS_SMTP_PORT": (int, 1, 65535),
    "CHORUS_SMTP_TIMEOUT": (float, 1, 300),
    "CHORUS_MESSAGE_MAX_ATTEMPTS": (int, 1, 100),
    "CHORUS_POLIS_MAX_UPLOAD_MB": (int, 1, 100),  # the Pol.is files are checked up to 100 MB (app/services/polis)
    "CHORUS_POLIS_INLINE_VOTES": (int, 0, None),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "CHORUS_JOBS": ("thread", "rq", "inline"),
    "CHORUS_SCHEDULER": _SWITCH, "CHORUS_HSTS": _SWITCH, "CHORUS_SSO_ONLY": _SWITCH, "SESSION_COOKIE_SECURE": _SWITCH,
    "CHORUS_SMTP_STARTTLS": _SWITCH, "CHORUS_SMTP_SSL": _SWITCH, "CHORUS_TEAMS_ALLOW_LOCAL_HTTP": _SWITCH,
}


def _number_error(name: str, raw: str, kind: type, least: float, most: float | None) -> str | None:
    noun = "a whole number" if kind is int else "a number"
    bounds = f"from {least:g} to {most:g}" if most is not None else f"of at least {least:g}"
    try:
        value = kind(raw.strip())
    except ValueError:
        return f"{name}={raw!r} is not valid: use {noun} {bounds}, for example {kind(least)}."
    if value < least or (most is not None and value > most):
        return f"{name}={raw!r} is out of range: use {noun} {bounds}."
    return None


def setting_errors(environ: Mapping[str, str] | None = None) -> list[str]:
    """Every setting in the environment that is not one its variable accepts, each message naming both."""
    environ = os.environ if environ is None else environ
    errors = []
    for name, (kind, least, most) in _NUMBERS.items():
        if environ.get(name) is not None:
            error = _number_error(name, environ[name], kind, least, most)
            if error:
                errors.append(error)
    for name, accepted in _CHOICES.items():
        raw = environ.get(name)
        if raw is not None and raw.strip().lower() not in accepted:
            errors.append(f"{name}={raw!r} is not valid: use one of {', '.join(accepted)}.")
    return errors + _mail_errors(environ)


def _mail_errors(environ: Mapping[str, str]) -> list[str]:
    """Email and link settings that cannot work together (docs/operations.md, "Email and Microsoft Teams")."""
    errors = []
    host, sender = environ.get("CHORUS_SMTP_HOST", "").strip(), environ.get("CHORUS_MAIL_FROM", "").strip()
    if host and not sender:
        errors.append("CHORUS_SMTP_HOST is set but CHORUS_MAIL_FROM is not: set the address messages come from.")
    if sender and ("@" not in sender.rpartition("<")[2] or any(c in sender for c in "\r\n")):
        errors.append(f"CHORUS_MAIL_FROM={sender!r} is not an email address, like Chorus <chorus@nhs.net>.")
    if bool(environ.get("CHORUS_SMTP_USERNAME")) != bool(environ.get("CHORUS_SMTP_PASSWORD")):
        errors.append("CHORUS_SMTP_USERNAME and CHORUS_SMTP_PASSWORD must be set together (or neither, for a relay "
                      "that trusts this server's address).")
    if _truthy(environ.get("CHORUS_SMTP_SSL")) and _truthy(environ.get("CHORUS_SMTP_STARTTLS", "true")):
        errors.append("CHORUS_SMTP_SSL and CHORUS_SMTP_STARTTLS are both on: use STARTTLS on port 587 (NHSmail), or "
                      "set CHORUS_SMTP_STARTTLS=false with CHORUS_SMTP_SSL=true on port 465.")
    public = environ.get("CHORUS_PUBLIC_URL", "").strip()
    if public and not public.startswith(("https://", "http://")):
        errors.append(f"CHORUS_PUBLIC_URL={public!r} is not valid: use the address staff open, like "
                      "https://chorus.example.nhs.uk.")
    return errors


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class SettingsError(RuntimeError):
    """The environment holds settings Chorus cannot use; the message names each variable and what it accepts."""


def _optional_bool(name: str) -> bool | None:
    """True/False when the variable is set, else None (the app then picks a default for its environment)."""
    return _bool(name) if os.environ.get(name) is not None else None


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url and url.startswith("postgresql://"):
        # psycopg 3 is the only PostgreSQL driver we ship.
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _log_level() -> str:
    """LOG_LEVEL if it names a level, else info (a typo must not stop the app starting)."""
    level = (os.environ.get("LOG_LEVEL") or "info").strip().lower()
    return level if level in ("debug", "info", "warning", "error", "critical") else "info"


class Config:
    """Settings for every environment; production hardening is checked in create_app."""

    CHORUS_ENV: str = os.environ.get("CHORUS_ENV", "development")
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    CHORUS_PSEUDONYM_KEY: str | None = os.environ.get("CHORUS_PSEUDONYM_KEY")
    CHORUS_PSEUDONYM_KEY_FILE: str | None = os.environ.get("CHORUS_PSEUDONYM_KEY_FILE")
    # Key epochs (and the development master key): outside the database folder, shared by every host, writable
    # where keys are destroyed. Required in production; development defaults to ~/.config/chorus/<instance>.
    CHORUS_KEY_DIR: str | None = os.environ.get("CHORUS_KEY_DIR") or None

    SQLALCHEMY_DATABASE_URI: str | None = _database_url()
    # hide_parameters: a failed statement's error log must not carry what someone wrote (or an email) with a timestamp.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    # Faults (docs/operations.md, "Outages"): how long a request waits for a pooled connection before answering 503,
    # and PostgreSQL's limits on waiting for a lock and on an idle open transaction (milliseconds; 0 turns one off).
    CHORUS_DB_POOL_TIMEOUT: float = float(max(1, _int("CHORUS_DB_POOL_TIMEOUT", 5)))
    CHORUS_DB_CONNECT_TIMEOUT: int = max(1, _int("CHORUS_DB_CONNECT_TIMEOUT", 5))
    CHORUS_DB_LOCK_TIMEOUT_MS: int = max(0, _int("CHORUS_DB_LOCK_TIMEOUT_MS", 5000))
    CHORUS_DB_IDLE_IN_TRANSACTION_MS: int = max(0, _int("CHORUS_DB_IDLE_IN_TRANSACTION_MS", 60000))
    # Retry-After (seconds) on a 503 while the database or Redis is unavailable.
    CHORUS_RETRY_AFTER_SECONDS: int = max(1, _int("CHORUS_RETRY_AFTER_SECONDS", 5))
    # SQLite only (embedded default): how long a writer waits for another writer before "database is locked".
    CHORUS_SQLITE_BUSY_TIMEOUT_MS: int = max(1000, _int("CHORUS_SQLITE_BUSY_TIMEOUT_MS", 15000))
    REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
    # How long a call to Redis may take before it counts as unavailable.
    CHORUS_REDIS_TIMEOUT_SECONDS: float = float(max(1, _int("CHORUS_REDIS_TIMEOUT_SECONDS", 2)))
    # Prefixes every Redis key and channel, so instances sharing one Redis never see each other's data. Unset:
    # derived from this instance's database URL and SECRET_KEY (app/instance.py), never a shared constant.
    CHORUS_INSTANCE_ID: str | None = os.environ.get("CHORUS_INSTANCE_ID") or None
    # Level of every log Chorus writes (gunicorn reads the same variable); lines never carry ids or times.
    LOG_LEVEL: str = _log_level()

    # Anonymity thresholds: a breakdown cell needs at least this many distinct people.
    CHORUS_MIN_GROUP_SIZE: int = max(10, _int("CHORUS_MIN_GROUP_SIZE", 11))
    # Days after a conversation closes during which authors may still edit; then its key is destroyed.
    CHORUS_SHRED_GRACE_DAYS: int = _int("CHORUS_SHRED_GRACE_DAYS", 14)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Unset: Secure when CHORUS_ENV=production, else off (app/auth); SESSION_COOKIE_SECURE=false allows plain HTTP.
    SESSION_COOKIE_SECURE: bool | None = _optional_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_SECURE: bool | None = _optional_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("CHORUS_SESSION_HOURS", 12))
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    # Pol.is import (issue #16): only its upload page takes bodies this large; imports with more votes than this
    # run as a background job (a few seconds per 20,000 votes on 2 cores).
    CHORUS_POLIS_MAX_UPLOAD_MB: int = _int("CHORUS_POLIS_MAX_UPLOAD_MB", 100)
    CHORUS_POLIS_INLINE_VOTES: int = _int("CHORUS_POLIS_INLINE_VOTES", 20_000)

    # CSRF is enforced by a before_request hook so bearer-token API calls can be exempted.
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT: int | None = None

    RATELIMIT_STORAGE_URI: str | None = os.environ.get("RATELIMIT_STORAGE_URI")
    # No X-RateLimit-* headers on every answer: they cost two Redis round trips per request (issue #18). A refusal
    # (429) still says when to try again in Retry-After (app/errors.py).
    RATELIMIT_HEADERS_ENABLED = False
    # A fixed window that starts at a key's first hit: Redis holds a counter with an expiry, where a moving window
    # would hold the exact time of every post and vote (rule A7). A burst can reach twice the limit across two windows.
    RATELIMIT_STRATEGY = "fixed-window"
    # If Redis goes away, keep limiting per process in memory instead of failing every sign-in and post with a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Sign-in: every attempt at one account (guessing), and failed attempts per network address, sized so a whole
    # trust behind one address can arrive at 9 am (app/auth/limits.py).
    RATELIMIT_LOGIN: str = os.environ.get("CHORUS_RATELIMIT_LOGIN", "10 per minute;50 per hour")
    RATELIMIT_LOGIN_ADDRESS: str = os.environ.get("CHORUS_RATELIMIT_LOGIN_ADDRESS", "60 per minute;600 per hour")
    # Native threads per gevent worker that run password hashing off the event loop (each argon2 hash uses 64 MiB).
    CHORUS_KDF_THREADS: int = _int("CHORUS_KDF_THREADS", 2)
    RATELIMIT_POST: str = os.environ.get("CHORUS_RATELIMIT_POST", "30 per minute")
    # Facilitators sending or scheduling invitations, reminders and announcements (page and API), per client address.
    RATELIMIT_MESSAGES: str = os.environ.get("CHORUS_RATELIMIT_MESSAGES", "30 per hour")
    # Guessing join codes: per client address.
    RATELIMIT_JOIN: str = os.environ.get("CHORUS_RATELIMIT_JOIN", "10 per minute;30 per hour")
    # How long a "no moderation notices for you" result is reused within one session.
    CHORUS_NOTICE_CACHE_SECONDS: int = _int("CHORUS_NOTICE_CACHE_SECONDS", 120)
    # Dismissed notices are remembered by the browser (a cookie of opaque tokens), never on the server: how long
    # the cookie lasts, and how many dismissals it keeps (oldest dropped first; 120 fit well under 4 KB).
    CHORUS_NOTICE_COOKIE_DAYS: int = max(1, _int("CHORUS_NOTICE_COOKIE_DAYS", 365))
    CHORUS_NOTICE_COOKIE_TOKENS: int = min(150, max(1, _int("CHORUS_NOTICE_COOKIE_TOKENS", 120)))

    # How background work runs: "thread" (embedded) or "rq" (needs REDIS_URL).
    CHORUS_JOBS: str = os.environ.get("CHORUS_JOBS", "rq" if os.environ.get("REDIS_URL") else "thread")
    CHORUS_THEMES_INTERVAL_MINUTES: int = _int("CHORUS_THEMES_INTERVAL_MINUTES", 60)
    # At most one theme run asked for on demand per conversation per this many minutes (rule A5; 0: no limit).
    CHORUS_THEMES_ON_DEMAND_MINUTES: int = max(0, _int("CHORUS_THEMES_ON_DEMAND_MINUTES", 30))
    # Paper-note imports larger than this are checked and saved by a background job with progress.
    CHORUS_NOTES_INLINE_MAX: int = _int("CHORUS_NOTES_INLINE_MAX", 200)
    # Opinion groups are recomputed after votes change, at most once per this many minutes per conversation.
    CHORUS_OPINIONS_INTERVAL_MINUTES: int = max(0, _int("CHORUS_OPINIONS_INTERVAL_MINUTES", 2))
    CHORUS_SCHEDULER: bool = _bool("CHORUS_SCHEDULER", True)
    # Seconds between scheduler ticks (waiting jobs queued, dead workers' runs failed, due runs queued).
    CHORUS_SCHEDULER_SECONDS: float = float(max(1, _int("CHORUS_SCHEDULER_SECONDS", 60)))
    # A running job refreshes a Redis key this often; three missed beats mean its worker died (run marked failed).
    CHORUS_JOB_HEARTBEAT_SECONDS: float = float(max(1, _int("CHORUS_JOB_HEARTBEAT_SECONDS", 15)))
    # auto: sentence embeddings (cached per idea) when the optional packages are installed, else TF-IDF + LSA.
    CHORUS_THEMES_BACKEND: str = os.environ.get("CHORUS_THEMES_BACKEND", "auto")
    CHORUS_HSTS: bool = _bool("CHORUS_HSTS", False)
    # Live updates: SSE heartbeat, how long one stream lasts before the browser reconnects, event-log retention.
    CHORUS_LIVE_HEARTBEAT_SECONDS: float = _float("CHORUS_LIVE_HEARTBEAT_SECONDS", 15)
    CHORUS_LIVE_STREAM_SECONDS: float = _float("CHORUS_LIVE_STREAM_SECONDS", 1800)
    CHORUS_LIVE_RETENTION_HOURS: int = max(1, _int("CHORUS_LIVE_RETENTION_HOURS", 24))
    # Reverse proxies in front of the app (0 = none). With 1, the client address comes from the proxy's
    # X-Forwarded-For, so sign-in limits apply per person rather than to everyone behind the proxy at once.
    CHORUS_PROXY_HOPS: int = max(0, _int("CHORUS_PROXY_HOPS", 0))

    # Single sign-on (OpenID Connect). Off unless issuer, client id, secret and the allow list are all set;
    # app/auth/oidc.py refuses to start with only some of them. Parsed and explained in docs/operations.md.
    CHORUS_OIDC_ISSUER: str | None = os.environ.get("CHORUS_OIDC_ISSUER") or None
    CHORUS_OIDC_CLIENT_ID: str | None = os.environ.get("CHORUS_OIDC_CLIENT_ID") or None
    CHORUS_OIDC_CLIENT_SECRET: str | None = os.environ.get("CHORUS_OIDC_CLIENT_SECRET") or None
    # Tenant ids and email domains whose people may sign in, each optionally "=ORGCODE" for new accounts.
    CHORUS_OIDC_ALLOW: str = os.environ.get("CHORUS_OIDC_ALLOW", "")
    CHORUS_OIDC_BUTTON: str = os.environ.get("CHORUS_OIDC_BUTTON", "Sign in with your organisation's account")
    # Only needed when the app cannot work out its own public address (the callback URL registered at the provider).
    CHORUS_OIDC_REDIRECT_URI: str | None = os.environ.get("CHORUS_OIDC_REDIRECT_URI") or None
    CHORUS_OIDC_TIMEOUT: float = _float("CHORUS_OIDC_TIMEOUT", 10)
    # Hide the email-and-password form: everyone signs in through their organisation.
    CHORUS_SSO_ONLY: bool = _bool("CHORUS_SSO_ONLY", False)

    # Email (invitations, reminders, announcements) through an SMTP relay such as NHSmail (docs/operations.md,
    # "Email and Microsoft Teams"). Unset host: email is off and messages wait, with the reason on the page.
    CHORUS_SMTP_HOST: str | None = os.environ.get("CHORUS_SMTP_HOST") or None
    CHORUS_SMTP_PORT: int = _int("CHORUS_SMTP_PORT", 587)
    CHORUS_SMTP_STARTTLS: bool = _bool("CHORUS_SMTP_STARTTLS", True)
    CHORUS_SMTP_SSL: bool = _bool("CHORUS_SMTP_SSL", False)  # implicit TLS (port 465) instead of STARTTLS
    CHORUS_SMTP_USERNAME: str | None = os.environ.get("CHORUS_SMTP_USERNAME") or None
    CHORUS_SMTP_PASSWORD: str | None = os.environ.get("CHORUS_SMTP_PASSWORD") or None
    CHORUS_MAIL_FROM: str | None = os.environ.get("CHORUS_MAIL_FROM") or None
    CHORUS_SMTP_TIMEOUT: float = _float("CHORUS_SMTP_TIMEOUT", 30)
    # A CA bundle to trust for the relay's certificate (a relay with a private CA); unset: the system's CAs.
    CHORUS_SMTP_CA_FILE: str | None = os.environ.get("CHORUS_SMTP_CA_FILE") or None
    # Sending tries a message this many times over transient errors (backoff across scheduler ticks) before a
    # recipient the server keeps deferring counts as failed. Wrong settings never fail a message: it waits.
    CHORUS_MESSAGE_MAX_ATTEMPTS: int = max(1, _int("CHORUS_MESSAGE_MAX_ATTEMPTS", 8))
    # The address staff open, for links in emails and Teams cards (a background job has no request to ask).
    CHORUS_PUBLIC_URL: str | None = (os.environ.get("CHORUS_PUBLIC_URL") or "").rstrip("/") or None
    # Teams webhook hosts facilitators may set (suffixes): Teams incoming webhooks and Power Automate Workflows.
    CHORUS_TEAMS_HOSTS: str = os.environ.get(
        "CHORUS_TEAMS_HOSTS", "webhook.office.com,logic.azure.com,powerplatform.com,powerautomate.com")
    # Tests only: allow http://127.0.0.1 as a Teams webhook (a local stand-in server).
    CHORUS_TEAMS_ALLOW_LOCAL_HTTP: bool = _bool("CHORUS_TEAMS_ALLOW_LOCAL_HTTP", False)

    # Compress pages, JSON, CSS and JS (Flask-Compress: brotli, zstd or gzip as the browser asks). Off when the
    # reverse proxy compresses instead. Live streams (text/event-stream) and downloads are never compressed.
    CHORUS_COMPRESS: bool = _bool("CHORUS_COMPRESS", True)
    COMPRESS_MIMETYPES: list[str] = ["text/html", "text/css", "text/javascript", "application/javascript",
                                     "application/json", "image/svg+xml"] if CHORUS_COMPRESS else []
    COMPRESS_ALGORITHM: list[str] = ["br", "zstd", "gzip"]
    # Brotli quality 3, not 5: a question page (30 KB of HTML) compresses to 5.0 KB instead of 4.4 KB in 0.15 ms of
    # CPU instead of 0.49 ms (docs/benchmarks.md, "Pages: kept shells"); pages are CPU-bound, the bytes are few.
    COMPRESS_BR_LEVEL: int = 3


class TestConfig(Config):
    """Used by the test suite; the database URL comes from CHORUS_TEST_DATABASE_URL when set."""

    TESTING = True
    CHORUS_ENV = "testing"
    SECRET_KEY = "test-secret-key-not-for-production-000000"
    CHORUS_PSEUDONYM_KEY = "test-pseudonym-key-distinct-from-secret-key-0000"
    CHORUS_KEY_DIR = None  # key epochs in memory unless a test sets a directory
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = True
    CHORUS_JOBS = "inline"
    CHORUS_SCHEDULER = False
    CHORUS_THEMES_BACKEND = "tfidf-lsa"
    REDIS_URL = None
    CHORUS_OIDC_ISSUER = None  # single sign-on stays off unless a test turns it on
    CHORUS_SSO_ONLY = False
    CHORUS_SMTP_HOST = None  # email stays off unless a test starts its own SMTP server
    CHORUS_SMTP_USERNAME = None
    CHORUS_SMTP_PASSWORD = None
    CHORUS_MAIL_FROM = "Chorus <chorus@test.nhs.uk>"
    CHORUS_PUBLIC_URL = "http://chorus.test"
