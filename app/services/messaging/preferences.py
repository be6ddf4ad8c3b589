"""Unsubscribing from reminders or announcements with a signed link, per person and per kind.

A preference row is written only when the person asks through their own link, never because of anything they
wrote or voted (rule A2), and every email of a kind carries the same kind of link to everyone. Invitations and
service messages (such as set-password links) never look at it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.models import MessageKind, MessagePreference, User
from app.services.common.errors import NotFound
from app.services.common.transaction import transaction

_SALT = "chorus.messages.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user_id: int, kind: MessageKind) -> str:
    """The signed token of one person's unsubscribe link for one kind of message (it does not expire)."""
    return str(_serializer().dumps({"u": user_id, "k": kind.value}))


@dataclass(frozen=True)
class Subscription:
    user_id: int
    kind: MessageKind
    unsubscribed: bool

    @property
    def what(self) -> str:
        return "reminders" if self.kind is MessageKind.REMINDER else "“You said, we did” announcements"


def read_token(token: str) -> Subscription:
    """Who and which kind a link is for, or NotFound for a link that was not made here."""
    try:
        data = _serializer().loads(token)
        user_id, kind = int(data["u"]), MessageKind(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("That unsubscribe link is not valid. Use the link in your most recent email.") from None
    if not kind.can_unsubscribe or db.session.get(User, user_id) is None:
        raise NotFound("That unsubscribe link is not valid. Use the link in your most recent email.")
    found = db.session.get(MessagePreference, (user_id, kind.value)) is not None
    return Subscription(user_id, kind, found)


@transaction
def set_unsubscribed(token: str, unsubscribed: bool) -> Subscription:
    """Stop (or start again) one kind of message for the person the link was sent to."""
    current = read_token(token)
    if unsubscribed and not current.unsubscribed:
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        db.session.execute(insert(MessagePreference).values(user_id=current.user_id, kind=current.kind.value)
                           .on_conflict_do_nothing())  # the same link followed twice at once
    elif not unsubscribed:
        db.session.execute(sa.delete(MessagePreference).where(MessagePreference.user_id == current.user_id,
                                                              MessagePreference.kind == current.kind.value))
    return Subscription(current.user_id, current.kind, unsubscribed)
