"""In-app notices to authors about moderation, computed at their visit from their own author tags.

A notice lives on the item (what was done and why), never against a person. To show someone their
notices, the service looks only at conversations that have unseen notices and recomputes the
person's author tag for each noticed item there; nobody else can tell whose item it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, Conversation, Idea, ReportReason
from app.services.authorship import is_author, require_author
from app.services.conversations import visible_conversations
from app.services.errors import NotFound
from app.services.keys import conversation_key
from app.services.participants import Participant

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


def notices_for(participant: Participant) -> list[Notice]:
    """Unseen moderation notices on this person's own items, in conversations they can see."""
    conversations = {c.id: c for c in visible_conversations(participant)}
    notices: list[Notice] = []
    for conversation_id in _conversations_with_notices(list(conversations)):
        conversation = conversations[conversation_id]
        if conversation.key is None or conversation.key.wrapped is None:
            continue
        key = conversation_key(conversation)
        for kind, model in (("idea", Idea), ("comment", Comment)):
            items = db.session.scalars(
                sa.select(model).where(model.conversation_id == conversation_id, model.notice_unseen.is_(True))
            ).all()
            notices.extend(
                Notice(kind, item, conversation, item.notice_action or "hide", item.notice_reason or "", item.notice_note or "")
                for item in items if is_author(participant, key, item)
            )
    return notices


def dismiss_notice(participant: Participant, kind: str, item_id: str) -> None:
    """Mark the notice on one of this person's items as seen (the item has only one author)."""
    model = {"idea": Idea, "comment": Comment}.get(kind)
    if model is None:
        raise NotFound()
    item = require_author(participant, db.session.get(model, item_id))
    item.notice_unseen = False
    db.session.commit()


def reason_label(reason: str | None) -> str:
    try:
        return ReportReason(reason or "").label
    except ValueError:
        return "Reported by several people" if reason == "reports" else ""
