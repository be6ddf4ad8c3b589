"""Jinja set-up: app templates plus the NHS.UK frontend macros, CSP nonces and display filters."""

from __future__ import annotations

import secrets
from collections import ChainMap
from collections.abc import Callable, Hashable
from typing import Any, Protocol
from urllib.parse import quote
from datetime import datetime

from flask import Flask, g, url_for
from flask.globals import _cv_request
from markupsafe import Markup
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, Template
from jinja2.runtime import Context

from app.fragments import URL_SAFE, OncePerVote, card_parts, idea_cards, kept_form, shared_component
from app.csrf_mask import generate_csrf
from app.models.base import utcnow
from app.services.common.worker_memory import KeptValues, per_app

NHSUK_FRONTEND_VERSION = "10.6.1"


def csp_nonce() -> str:
    """A random nonce per request for the one inline script the NHS template needs."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def csrf_field() -> Markup:
    """A form's hidden CSRF field with this response's masked token, as WTForms renders `form.csrf_token`: a page of
    vote buttons needs only this, not a VoteForm built (fields bound, defaults processed) on every request."""
    return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="{}">').format(generate_csrf())


def asset_url(path: str) -> str:
    """URL of a file in the vendored NHS.UK frontend."""
    return template_url("static", filename=f"vendor/nhsuk-frontend-{NHSUK_FRONTEND_VERSION}/{path}")


# URLs built from these values alone name a file, a conversation or a question: anything any member sees, never a
# post, a comment or a person, so they may be kept between readers (docs/anonymity.md, "Pages: what a worker keeps").
_KEPT_URL_VALUES = frozenset({"filename", "conversation_id", "question_id"})
# Kept per app: a question page called url_for some 25 times (about 8% of its CPU), for the same static files,
# header, footer and conversation links on every page.
_KEPT_URLS = 1024
_URL_ROOT = "_chorus_url_root"  # where a request keeps its (host, root path) for template_url


def _url_store() -> KeptValues:
    return KeptValues(_KEPT_URLS)


def template_url(endpoint: str, **values: Any) -> str:
    """Templates' url_for: the same URL, kept per app when it is built only from the values above.

    The key holds everything the URL is built from: the endpoint, the values with the app's URL defaults (a static
    file's content hash, so an edited file still gets a new URL), and the request's host and root path.

    On every page some 20 times, so it reads the request and app contexts directly rather than through Flask's
    proxies (two or three lookups each), and takes the host and root once per request."""
    ctx = _cv_request.get(None)
    if ctx is None or endpoint[:1] == "." or not values.keys() <= _KEPT_URL_VALUES:
        return url_for(endpoint, **values)
    filled = values
    if endpoint == "static":  # the app's only URL defaults (static_files.py; a test fails if another is added)
        filled = dict(values)
        ctx.app.inject_url_defaults(endpoint, filled)
    current = ctx.request
    root = current.__dict__.get(_URL_ROOT)
    if root is None:
        root = current.__dict__[_URL_ROOT] = (current.host, current.root_path)
    try:
        key = (endpoint, tuple(sorted(filled.items())), root)
        hash(key)
    except TypeError:  # a value the key cannot hold exactly
        return url_for(endpoint, **values)
    return per_app("template_urls", _url_store).get(key, lambda: url_for(endpoint, **values))


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """Coarse plain-English time for hour-truncated UTC datetimes: never more precise than the data."""
    if value is None:
        return ""
    now = now or utcnow()
    hours = (now - value).total_seconds() / 3600
    if hours < 1:
        return "in the last hour"
    if value.date() == now.date():
        return "earlier today"
    days = (now.date() - value.date()).days
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    if days < 35:
        weeks = days // 7
        return "1 week ago" if weeks == 1 else f"{weeks} weeks ago"
    return value.strftime("in %B %Y")


def minutes_ago(value: datetime | None, now: datetime | None = None) -> str:
    """Coarse age of a computed result (never of content, whose times are hour-truncated): "5 minutes ago"."""
    if value is None:
        return ""
    now = now or utcnow()
    minutes = int((now - value).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    if minutes < 60:
        return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    if minutes < 24 * 60:
        return "1 hour ago" if minutes < 120 else f"{minutes // 60} hours ago"
    return relative_time(value, now)


def pluralise(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


class _Choice(Protocol):
    """What templates read from a WTForms SelectChoice."""

    value: object
    label: object


def choice_pair(choice: _Choice | tuple[object, object]) -> tuple[object, object]:
    """(value, label) of a WTForms choice, whether a SelectChoice or a legacy tuple."""
    if isinstance(choice, tuple):
        value, label = choice
        return value, label
    return choice.value, choice.label


_SLOT = "chorus-url-slot"


class UrlPattern:
    """One endpoint's URL for many ids, built once: a page of idea cards called url_for three times per card
    (measured: about 4% of the question page's CPU). Call it with an id to get what url_for would give."""

    def __init__(self, endpoint: str, name: str) -> None:
        values: dict[str, Any] = {name: _SLOT}
        self._prefix, self._suffix = url_for(endpoint, **values).split(_SLOT)

    def __call__(self, value: object) -> str:
        return self._prefix + quote(str(value), safe=URL_SAFE) + self._suffix


class ImportingTemplate(Template):
    """A template whose `{% from ... import ... %}` reuses the imported module without re-checking every global.

    Jinja decides whether an import may reuse its module by subtracting the template's globals from the context's
    through a ChainMap view, one Python-level lookup per global (about 40) on every import; each NHS.UK component
    imports its attribute macros, so a question page paid this some 34 times (measured: about 9% of its CPU).
    When every context global is an environment global (always, in Chorus) the answer is known: no new globals,
    so the module Jinja keeps is the one it would use. Anything else falls back to Jinja's own check.
    """

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        module = self._module
        if ctx is not None and module is not None and isinstance(self.globals, ChainMap) \
                and ctx.globals_keys.issubset(self.globals.maps[-1]):
            return module
        return super()._get_default_module(ctx)


def init_templating(app: Flask) -> None:
    """Let templates use both app/templates and nhsuk-frontend-jinja, with its required Undefined."""
    own = [app.jinja_loader] if app.jinja_loader is not None else []  # app/templates (always there)
    app.jinja_loader = ChoiceLoader([*own, PackageLoader("nhsuk_frontend_jinja")])
    app.jinja_env.template_class = ImportingTemplate
    # Flask only autoescapes .html files, so the NHS.UK macros (.jinja) printed `text` params raw: a conversation
    # title in a back link or a staff group in a tag ran as HTML. Escape in every template; `html` params stay
    # trusted (`| safe` in the macros), so pass only Markup there.
    app.jinja_env.autoescape = True
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(csp_nonce=csp_nonce, asset_url=asset_url, nhsuk_version=NHSUK_FRONTEND_VERSION)
    app.jinja_env.filters.update(relative_time=relative_time, minutes_ago=minutes_ago, pluralise=pluralise,
                                 _choice=choice_pair)
    app.jinja_env.globals["pluralise"] = pluralise
    app.jinja_env.globals["url_pattern"] = UrlPattern
    app.jinja_env.globals["url_for"] = template_url
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.globals["shared_component"] = shared_component
    app.jinja_env.globals["card_parts"] = card_parts
    app.jinja_env.globals["idea_cards"] = idea_cards
    app.jinja_env.globals["kept_form"] = kept_form
    app.jinja_env.globals["once_per_vote"] = OncePerVote
