"""Rate-limit keys and shared limits: per conversation, under a key that is shredded with the conversation.

A posting limit is keyed by HMAC(K, "ratelimit" ‖ user key), where K is derived from the conversation's key
(services/common/keys.purpose_key): one person's counters in two conversations are unrelated, Redis never holds a
user id, user key or a SECRET_KEY-derived person hash, and once a conversation's key is destroyed nobody can tell
whose counter was whose (rules A6, A7).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import Flask, current_app, request
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_limiter._limits import RuntimeLimit
from flask_login import current_user
from limits import RateLimitItem, parse_many

from app.crypto import tag
from app.extensions import db, limiter
from app.models import Comment, Idea, Question
from app.services.common.errors import NotAllowedNow
from app.services.common.keys import purpose_key

# What a posting route's URL names, and how to find the conversation it belongs to.
_OWNERS: dict[str, type[Question] | type[Idea] | type[Comment]] = {
    "question_id": Question, "idea_id": Idea, "comment_id": Comment,
}
_HOME = "chorus.ratelimit_home"  # app.extensions: (URL part, id) -> conversation id, which never changes
_HOME_MAX = 100_000
View = TypeVar("View", bound=Callable[..., Any])


def _conversation_id(view_args: dict[str, Any]) -> int | None:
    """The conversation a posting URL is about, remembered per process: a question, idea or comment never moves."""
    if "conversation_id" in view_args:
        return int(view_args["conversation_id"])
    homes: dict[tuple[str, object], int] = current_app.extensions.setdefault(_HOME, {})
    for name, model in _OWNERS.items():
        if name in view_args:
            found = homes.get((name, view_args[name]))
            if found is None:
                found = db.session.scalar(sa.select(model.conversation_id).where(model.id == view_args[name]))
                if found is None:
                    return None
                if len(homes) >= _HOME_MAX:  # a bound, not an eviction policy: the next misses refill it
                    homes.clear()
                homes[(name, view_args[name])] = found
            return found
    return None


def actor_key() -> str:
    """This person's limiter pseudonym in the conversation the request is about.

    Requests that name no live conversation (not signed in, an item that does not exist, an archived
    conversation) share one bucket per kind: they are refused anyway, and a per-person key there would be
    a long-lived identifier in Redis. On a hot route this reads nothing from the database: where each item lives
    and the conversation's rate-limit key are remembered per process (the key for a minute at most).
    """
    if not current_user.is_authenticated:
        return "anonymous"
    conversation_id = _conversation_id(request.view_args or {})
    if conversation_id is None:
        return "unknown"
    try:
        key = purpose_key(conversation_id, "ratelimit")
    except NotAllowedNow:
        return "archived"
    if key is None:
        return "unknown"
    return "p:" + tag(key, "ratelimit", current_user.user_key)[:32]


# One budget per person per conversation shared by every posting route (ideas, comments, votes, edits,
# reports), web and API alike: the counters Flask-Limiter's shared_limit(scope="posting") keeps, under the same keys
# in the same storage, counted here without its per-request machinery (limit resolution, exemption scopes, context
# lookups: about a tenth of a vote's CPU). Only the decorator is ours; storage, strategy, the in-memory fallback
# while Redis is away (and the recovery check, which the limiter's own before_request hook still runs) are the
# limiter's, and a refusal is its RateLimitExceeded, which Retry-After (app/errors.py) reads as before.
_SCOPE = "posting"
_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARSED: dict[str, list[RateLimitItem]] = {}
log = logging.getLogger("chorus.ratelimit")


def _posting_items() -> list[RateLimitItem]:
    text = current_app.config["RATELIMIT_POST"]
    items = _PARSED.get(text)
    if items is None:
        items = _PARSED[text] = sorted(parse_many(text))  # the order the limiter checks them in
    return items


def _hit(args: list[str]) -> None:
    for item in _posting_items():
        if not limiter.limiter.hit(item, *args):
            # Retry-After reads the breached limit's window from here (limiter.current_limit).
            limiter.context.view_rate_limit = RequestLimit(limiter, item, args, True, True)
            raise RateLimitExceeded(RuntimeLimit(item, actor_key, _SCOPE, methods=tuple(_METHODS), shared=True))


def check_posting_limit() -> None:
    """Count this request against the person's posting budget in its conversation; RateLimitExceeded when spent."""
    if not (limiter.enabled and limiter.initialized) or request.method not in _METHODS:
        return
    prefix = limiter._key_prefix  # RATELIMIT_KEY_PREFIX, which the limiter puts before every key
    args = [prefix, actor_key(), _SCOPE] if prefix else [actor_key(), _SCOPE]
    try:
        _hit(args)
    except RateLimitExceeded:
        raise
    except Exception:
        # As the limiter does: with the in-memory fallback on, a storage error switches to it (and its own
        # before_request hook switches back once Redis answers again); without it, the error propagates.
        if not limiter._in_memory_fallback_enabled or limiter._storage_dead:
            raise
        log.warning("Rate limit storage unreachable - falling back to in-memory storage")
        limiter._storage_dead = True
        _hit(args)


def posting_limit(view: View) -> View:
    """Mark a posting view: each call counts against the shared posting budget first."""

    @functools.wraps(view)
    def limited(*args: Any, **kwargs: Any) -> Any:
        check_posting_limit()
        return current_app.ensure_sync(view)(*args, **kwargs)

    return cast(View, limited)


def _limits_for_every_request() -> bool:
    """Whether Flask-Limiter's own before_request check has anything to do on an ordinary request.

    Chorus sets no default, application, blueprint or meta limits: its limits are decorators (checked by their
    own wrappers) and the posting limit above. The limiter's hook still resolves limits, exemption scopes and
    request context on every request (about 4% of a vote's CPU) to find none; it matters only while the storage is
    dead (its recovery check, which switches back from the in-memory fallback) or once such a limit exists.
    """
    manager = limiter.limit_manager
    return bool(limiter._storage_dead or limiter._meta_limits or manager._application_limits
                or manager._default_limits or manager._blueprint_limits)


def _check_request_limits() -> None:
    if _limits_for_every_request():
        limiter._check_request_limit()


def lean_limiter_hook(app: Flask) -> None:
    """Put `_check_request_limits` in place of the limiter's before_request hook on this app (same place in order)."""
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [_check_request_limits if hook == limiter._check_request_limit else hook for hook in hooks]
