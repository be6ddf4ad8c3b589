"""In-app notices to authors about moderation, computed at their visit from their own author tags.

A notice lives on the item (what was done and why), never against a person. To show someone their
notices, the service looks only at conversations that have notices and recomputes the person's author
tag for each noticed item there; nobody else can tell whose item it is.

Dismissing writes nothing: only the author can dismiss, so a write would tell a dump diff that the
author was active then (rule A2). Each notice has a seen token, HMAC(conversation key, "notice-seen" ‖
user key ‖ item ‖ notice), which the browser keeps and hands back; it means nothing without the key.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from app.crypto import tag
from app.extensions import db
from app.models import Comment, Conversation, Idea, ReportReason
from app.services.content.authorship import Content, is_author, require_author
from app.services.access import visible_conversations
from app.services.common.errors import NotFound
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant

REASON_TEXT = {
    "identifying": "it could identify someone",
    "abusive": "it was abusive or offensive",
    "off_topic": "it was off topic",
    "duplicate": "it repeated another post",
    "other": "of the reason given below",
}


@dataclass
class Notice:
    """What a moderator did to one of this person's posts, and why."""

    kind: str
    item: Idea | Comment
    conversation: Conversation
    action: str
    reason: str
    note: str
    token: str

    @property
    def message(self) -> str:
        what = f"Your {self.kind} in “{self.conversation.title}”"
        if self.action == "redact":
            return f"{what} was edited by a moderator to remove details that could identify someone."
        return f"{what} was hidden by a moderator because {REASON_TEXT.get(self.reason, 'of a problem with it')}."


def _conversations_with_notices(ids: list[int]) -> list[int]:
    found: set[int] = set()
    for model in (Idea, Comment):
        found.update(db.session.scalars(
            sa.select(model.conversation_id).where(model.notice_unseen.is_(True), model.conversation_id.in_(ids)).distinct()
        ))
    return sorted(found)


SEEN_TOKEN_LENGTH = 24  # hex characters: 96 bits, short enough for a browser cookie to hold many


def seen_token(key: bytes, user_key: str, kind: str, item: Idea | Comment) -> str:
    """The token that marks this notice as dismissed by its author; a new moderation decision gets a new one."""
    return tag(key, "notice-seen", user_key, kind, item.id, item.notice_action or "", item.notice_reason or "",
               item.notice_note or "")[:SEEN_TOKEN_LENGTH]


def notices_for(participant: Participant, dismissed: Collection[str] = ()) -> list[Notice]:
    """Moderation notices on this person's own items, in conversations they can see, except those dismissed."""
    conversations = {c.id: c for c in visible_conversations(participant)}
    notices: list[Notice] = []
    for conversation_id in _conversations_with_notices(list(conversations)):
        conversation = conversations[conversation_id]
        if conversation.key is None or conversation.key.wrapped is None:
            continue
        key = conversation_key(conversation)
        unseen: list[tuple[str, Sequence[Idea | Comment]]] = [
            ("idea", _unseen(Idea, conversation_id)), ("comment", _unseen(Comment, conversation_id))]
        for kind, items in unseen:
            for item in items:
                if not is_author(participant, key, item):
                    continue
                token = seen_token(key, participant.user_key, kind, item)
                if token not in dismissed:
                    notices.append(Notice(kind, item, conversation, item.notice_action or "hide",
                                          item.notice_reason or "", item.notice_note or "", token))
    return notices


def _unseen(model: type[Content], conversation_id: int) -> Sequence[Content]:
    return db.session.scalars(
        sa.select(model).where(model.conversation_id == conversation_id, model.notice_unseen.is_(True))).all()


def dismiss_notice(participant: Participant, kind: str, item_id: str) -> str:
    """The seen token for the notice on one of this person's items; nothing is written (see the module note)."""
    item: Idea | Comment
    if kind == "idea":
        item = require_author(participant, db.session.get(Idea, item_id))
    elif kind == "comment":
        item = require_author(participant, db.session.get(Comment, item_id))
    else:
        raise NotFound()
    conversation = db.session.get_one(Conversation, item.conversation_id)
    return seen_token(conversation_key(conversation), participant.user_key, kind, item)


def reason_label(reason: str | None) -> str:
    try:
        return ReportReason(reason or "").label
    except ValueError:
        return "Reported by several people" if reason == "reports" else ""
