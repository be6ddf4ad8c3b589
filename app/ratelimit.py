"""Rate-limit keys and shared limits: per conversation, under a key that is shredded with the conversation.

A posting limit is keyed by HMAC(K, "ratelimit" ‖ user key), where K is derived from the conversation's key
(services/common/keys.purpose_key): one person's counters in two conversations are unrelated, Redis never holds a
user id, user key or a SECRET_KEY-derived person hash, and once a conversation's key is destroyed nobody can tell
whose counter was whose (rules A6, A7).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user

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
# reports), web and API alike.
posting_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_POST"], scope="posting", key_func=actor_key,
    methods=["POST", "PUT", "PATCH", "DELETE"],
)
