"""What a broadcast says: subject, plain text and HTML from Jinja templates (app/templates/email/), and the Teams
card. Every recipient of one message gets the same words; only their own unsubscribe link differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from app.models import Conversation, MessageKind, OutreachMessage
from app.services.messaging import teams
from app.services.triage.outcomes import conversation_items


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link to a page, built from CHORUS_PUBLIC_URL (a background job has no request to ask)."""
    base = urlsplit(current_app.config.get("CHORUS_PUBLIC_URL") or "http://localhost:5000")
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def day(value: datetime | None) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""


def subject(kind: MessageKind, conversation: Conversation) -> str:
    if kind is MessageKind.INVITATION:
        return f"Have your say: {conversation.title}"
    if kind is MessageKind.REMINDER:
        closes = f" – closes {day(conversation.closes_at)}" if conversation.closes_at else ""
        return f"Reminder: {conversation.title}{closes}"
    return f"You said, we did: {conversation.title}"


def _outcomes(conversation: Conversation) -> list[dict[str, str]]:
    return [{"theme": item.theme.label, "heard": item.outcome.heard, "will_do": item.outcome.will_do,
             "by_whom": item.outcome.by_whom, "by_when": day(datetime.combine(item.outcome.by_when, datetime.min.time()))
             if item.outcome.by_when else ""}
            for item in conversation_items(conversation) if item.outcome is not None]


@dataclass
class Body:
    """A message's shared words, rendered once per message; `for_person` adds the person's unsubscribe link."""

    kind: MessageKind
    subject: str
    context: dict[str, Any]

    def render(self, unsubscribe_url: str | None) -> tuple[str, str]:
        env = current_app.jinja_env
        context = {**self.context, "unsubscribe_url": unsubscribe_url}
        return (env.get_template(f"email/{self.kind.value}.txt").render(context),
                env.get_template(f"email/{self.kind.value}.html").render(context))


def body(message: OutreachMessage, conversation: Conversation) -> Body:
    kind = MessageKind(message.kind)
    link = (public_url("participate.conversation_outcomes", conversation_id=conversation.id)
            if kind is MessageKind.ANNOUNCEMENT else public_url("participate.conversation", conversation_id=conversation.id))
    return Body(kind, subject(kind, conversation), {
        "kind": kind.value, "title": conversation.title, "description": conversation.description,
        "organisation": conversation.organisation.name, "opens": day(conversation.opens_at),
        "closes": day(conversation.closes_at), "link": link, "note": message.note,
        "anonymity_link": public_url("pages.anonymity"),
        "outcomes": _outcomes(conversation) if kind is MessageKind.ANNOUNCEMENT else [],
    })


def teams_card(message: OutreachMessage, conversation: Conversation) -> dict[str, Any]:
    shared = body(message, conversation)
    facts = [(name, value) for name, value in (("Opens", shared.context["opens"]), ("Closes", shared.context["closes"]),
                                               ("Run by", shared.context["organisation"])) if value]
    words = {
        MessageKind.INVITATION: "Share your ideas for making this a better place to work. Posts are anonymous.",
        MessageKind.REMINDER: "There is still time to share your ideas and vote on others'. Posts are anonymous.",
        MessageKind.ANNOUNCEMENT: f"Read what we heard and what we are doing about it: "
                                  f"{len(shared.context['outcomes'])} outcome(s) published.",
    }[shared.kind]
    text = f"{words}\n\n{message.note}" if message.note else words
    link_text = "Read the outcomes" if shared.kind is MessageKind.ANNOUNCEMENT else "Take part"
    return teams.card(shared.subject, facts, text, shared.context["link"], link_text)
