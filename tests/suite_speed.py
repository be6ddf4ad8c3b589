"""What keeps the suite's fixed cost per test small, and lets it run on several workers (pytest -n, pytest-xdist).

- Names per worker: each xdist worker (gw0, gw1, ...) gets its own PostgreSQL database and Redis database number,
  so parallel tests never see each other's rows or keys.
- Emptying PostgreSQL between tests: DELETE from the tables a test wrote to, and restart the sequences it used,
  instead of TRUNCATE of every table (TRUNCATE makes new files for each table and syncs them at commit: about
  a second per test on a busy machine, against a hundredth for the DELETEs).
- Compiled once per process, not once per test: every test builds a fresh app, whose Jinja environment compiles
  each template it renders (the NHS.UK macros are large: over half of a typical web test's time) and whose URL map
  has werkzeug compile Python source for each of its ~190 routes. Templates share an in-memory bytecode cache
  (Jinja's own mechanism, checked against the template's source), and a route's compiled builder, which depends
  only on the rule, is reused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from types import CodeType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import Flask
from flask.templating import Environment as FlaskEnvironment
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import rules as werkzeug_rules

# Set by pytest-xdist in each worker process ("gw0", "gw1", ...); empty in a run without -n.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_DATABASES = 16  # Redis's default number of databases


def worker_number() -> int:
    return int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0


def per_worker_pg_url(url: str) -> str:
    """The worker's own database: chorus_test_gw1 for worker gw1; the URL unchanged without workers."""
    if not WORKER:
        return url
    parsed = sa.engine.make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def per_worker_redis_url(url: str) -> str:
    """Worker k uses database (n + k) mod 16 of the Redis URL's database n; the URL unchanged without workers."""
    if not WORKER:
        return url
    parts = urlsplit(url)
    number = parts.path.strip("/")
    base = int(number) if number.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(base + worker_number()) % REDIS_DATABASES}"))


def empty_pg_tables(connection: sa.Connection, tables: Sequence[sa.Table]) -> None:
    """Delete every row a test left and restart used sequences, as TRUNCATE ... RESTART IDENTITY would.

    Only tables holding rows are touched, children before parents (reverse dependency order). If a DELETE is
    refused (say a foreign-key cycle added later), the caller's transaction fails and `reset_pg` truncates instead.
    """
    names = [table.name for table in tables]
    if not names:
        return
    probe = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {_quoted(name)})" for i, name in enumerate(names)
    )
    used = {names[i] for i in connection.execute(sa.text(probe)).scalars()}
    for name in reversed(names):
        if name in used:
            connection.execute(sa.text(f"DELETE FROM {_quoted(name)}"))
    # A sequence advances even when its insert rolled back, so ask the sequences, not the tables.
    sequences = connection.execute(sa.text(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
        "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )).scalars().all()
    for sequence in sequences:
        connection.execute(sa.text(f"ALTER SEQUENCE {sequence} RESTART"))


def reset_pg(engine: sa.Engine, tables: Sequence[sa.Table]) -> None:
    """Empty the test database for the next test: cheap DELETEs, or TRUNCATE of every table if they fail."""
    try:
        with engine.begin() as connection:
            empty_pg_tables(connection, tables)
    except sa.exc.DBAPIError:
        with engine.begin() as connection:
            listed = ", ".join(_quoted(table.name) for table in tables)
            connection.execute(sa.text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_BuilderKey = tuple[Any, ...]
_original_compile_builder: Callable[..., Any] | None = None
_builders: dict[_BuilderKey, Callable[..., Any]] = {}


def builder_key(rule: werkzeug_rules.Rule, append_unknown: bool) -> _BuilderKey:
    """Everything werkzeug's generated builder depends on (it reads converters through the rule it is bound to)."""
    defaults = rule.defaults or {}
    trace = tuple(rule._trace)
    folded = tuple(  # a default for a value in the rule is folded into the source as a constant
        (data, rule._converters[data].to_url(defaults[data])) for dynamic, data in trace if dynamic and data in defaults
    ) if defaults else ()
    return (rule.rule, trace, append_unknown, tuple((k, repr(v)) for k, v in defaults.items()), folded)


def cache_url_builders() -> None:
    """Reuse werkzeug's compiled URL builders across the many apps a test run creates (tests only)."""
    global _original_compile_builder
    if _original_compile_builder is not None:
        return
    original = werkzeug_rules.Rule._compile_builder
    _original_compile_builder = original

    def compile_builder(self: werkzeug_rules.Rule, append_unknown: bool = True) -> Callable[..., Any]:
        key = builder_key(self, append_unknown)
        builder = _builders.get(key)
        if builder is None:
            builder = _builders[key] = original(self, append_unknown)
        return builder

    werkzeug_rules.Rule._compile_builder = compile_builder  # type: ignore[method-assign]


def uncached_builder(rule: werkzeug_rules.Rule, append_unknown: bool) -> Callable[..., Any]:
    """werkzeug's own compiler, for the test that checks the cache changes no URL."""
    compile_builder = _original_compile_builder or werkzeug_rules.Rule._compile_builder
    return compile_builder(rule, append_unknown)


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in this process as code objects (no marshalling), each with its source's checksum:
    a template whose source changed is compiled again, as with Jinja's own caches."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.codes.get(bucket.key, ("", None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self.codes[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATES = MemoryBytecodeCache()
_original_create_jinja_environment: Callable[[Flask], FlaskEnvironment] | None = None


def cache_templates() -> None:
    """Every app the tests create compiles each template once per process (tests only)."""
    global _original_create_jinja_environment
    if _original_create_jinja_environment is not None:
        return
    original = Flask.create_jinja_environment
    _original_create_jinja_environment = original

    def create_jinja_environment(self: Flask) -> FlaskEnvironment:
        environment = original(self)
        environment.bytecode_cache = TEMPLATES
        return environment

    Flask.create_jinja_environment = create_jinja_environment  # type: ignore[method-assign]
