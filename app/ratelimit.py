"""Rate-limit keys and shared limits: per conversation, under a key that is shredded with the conversation.

A posting limit is keyed by HMAC(conversation key, "ratelimit" ‖ user key): one person's counters in two
conversations are unrelated, Redis never holds a user id, user key or a SECRET_KEY-derived person hash, and
once a conversation's key is destroyed nobody can tell whose counter was whose (rules A6, A7).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user

from app.crypto import tag
from app.extensions import db, limiter
from app.models import Comment, Conversation, Idea, Question
from app.services.common.errors import NotAllowedNow
from app.services.common.keys import conversation_key

# What a posting route's URL names, and how to find the conversation it belongs to.
_OWNERS: dict[str, type[Question] | type[Idea] | type[Comment]] = {
    "question_id": Question, "idea_id": Idea, "comment_id": Comment,
}


def _conversation(view_args: dict[str, Any]) -> Conversation | None:
    if "conversation_id" in view_args:
        return db.session.get(Conversation, view_args["conversation_id"])
    for name, model in _OWNERS.items():
        if name in view_args:
            found = db.session.scalar(sa.select(model.conversation_id).where(model.id == view_args[name]))
            return db.session.get(Conversation, found) if found is not None else None
    return None


def actor_key() -> str:
    """This person's limiter pseudonym in the conversation the request is about.

    Requests that name no live conversation (not signed in, an item that does not exist, an archived
    conversation) share one bucket per kind: they are refused anyway, and a per-person key there would be
    a long-lived identifier in Redis.
    """
    if not current_user.is_authenticated:
        return "anonymous"
    conversation = _conversation(request.view_args or {})
    if conversation is None:
        return "unknown"
    try:
        key = conversation_key(conversation)
    except NotAllowedNow:
        return "archived"
    return "p:" + tag(key, "ratelimit", current_user.user_key)[:32]


# One budget per person per conversation shared by every posting route (ideas, comments, votes, edits,
# reports), web and API alike.
posting_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_POST"], scope="posting", key_func=actor_key,
    methods=["POST", "PUT", "PATCH", "DELETE"],
)
