"""The suite's speed-ups change nothing a test sees (tests/suite_speed.py)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule

from app import create_app
from tests import suite_speed


def _sample_values(rule: Rule) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(rule.arguments - set(rule.defaults or {})):
        converter = type(rule._converters.get(name)).__name__
        values[name] = 7 if "Int" in converter or "Number" in converter else f"x-{name}"
    return values


def test_cached_url_builders_build_exactly_what_werkzeug_builds() -> None:
    first = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = list(second.url_map.iter_rules())
    assert len(rules) > 100
    checked = 0
    for rule in rules:
        values = _sample_values(rule)
        for append_unknown in (False, True):
            expected = suite_speed.uncached_builder(rule, append_unknown)(rule, **values, **(
                {"page": 2, "q": "a b&c"} if append_unknown else {}))
            built = (rule._build_unknown if append_unknown else rule._build)(**values, **(
                {"page": 2, "q": "a b&c"} if append_unknown else {}))
            assert built == expected, rule.rule
            checked += 1
    assert checked == 2 * len(rules)
    # The same endpoint gives the same URL in two apps that share compiled builders.
    from flask import url_for

    built_by = []
    for app in (first, second):
        with app.test_request_context():
            built_by.append(url_for("auth.login", next="/x y"))
    assert built_by == ["/auth/sign-in?next=/x+y"] * 2


def test_workers_get_their_own_databases(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(suite_speed, "WORKER", "")
    assert suite_speed.per_worker_pg_url("postgresql+psycopg://postgres@h:5432/chorus_test").endswith("/chorus_test")
    assert suite_speed.per_worker_redis_url("redis://h:6379/15") == "redis://h:6379/15"
    monkeypatch.setattr(suite_speed, "WORKER", "gw1")
    assert suite_speed.per_worker_pg_url("postgresql+psycopg://postgres@h:5432/chorus_test").endswith(
        "/chorus_test_gw1")
    assert suite_speed.per_worker_redis_url("redis://h:6379/15") == "redis://h:6379/0"
    assert suite_speed.per_worker_redis_url("redis://h:6379/8") == "redis://h:6379/9"
    assert suite_speed.per_worker_redis_url("redis://h:6379") == "redis://h:6379/1"


def test_shared_template_cache_renders_what_jinja_renders_and_follows_source_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jinja2 import Environment, FileSystemLoader

    template = tmp_path / "page.html"
    template.write_text("Hello {{ name }}")
    cache = suite_speed.MemoryBytecodeCache()

    def render(name: str) -> str:
        return Environment(loader=FileSystemLoader(tmp_path), bytecode_cache=cache).get_template("page.html").render(
            name=name)

    assert render("Ada") == "Hello Ada"
    assert len(cache.codes) == 1
    assert render("Bea") == "Hello Bea"  # a second environment, from the cached code
    template.write_text("Goodbye {{ name }}")
    assert render("Cal") == "Goodbye Cal"  # the source changed: compiled again, not the stale code


def test_every_test_app_shares_the_template_cache() -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.jinja_env.bytecode_cache is suite_speed.TEMPLATES
    with app.app_context():
        from app.extensions import db

        db.create_all()
        page = app.test_client().get("/auth/sign-in")
        db.engine.dispose()
    assert page.status_code == 200 and "Sign in" in page.get_data(as_text=True)
    assert suite_speed.TEMPLATES.codes  # the page's templates were compiled into the shared cache
