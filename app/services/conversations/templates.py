"""Starting a conversation from a template: Online Conversation, Ideas Lab, Change Hub session, Live workshop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from app.models import Conversation, ConversationKind
from app.models.base import utcnow
from app.services import access
from app.services.conversations import lifecycle
from app.services.common.errors import InvalidInput, NotFound
from app.services.common.text import clean_text


@dataclass(frozen=True)
class Template:
    kind: ConversationKind
    summary: str
    questions: tuple[str, ...]
    description: str
    runs_for: timedelta | None  # None: always open


TEMPLATES: dict[str, Template] = {
    t.kind.value: t for t in (
        Template(ConversationKind.ONLINE, "Runs for 2 to 4 weeks under a few themed questions. Closes in 3 weeks unless you change it.",
                 ("What would make this a better place to work?", "What gets in the way of you doing your best work?"),
                 "Share your ideas anonymously, comment on other people's ideas and support the ones that matter to you.",
                 timedelta(weeks=3)),
        Template(ConversationKind.IDEAS_LAB, "Always open. Ideas move through review stages: submitted, under review, taken forward, done.",
                 ("What is your idea to make things better here?",),
                 "Send in an idea at any time. We review every idea and show where it has got to.", None),
        Template(ConversationKind.CHANGE_HUB, "A monthly session. Choose the previous session to copy its questions and audience; its themes carry over.",
                 ("What should we focus on this month?",),
                 "This month's Change Hub: share views on the themes so far and what we should do next.", timedelta(days=30)),
        Template(ConversationKind.WORKSHOP, "An hour on a shared screen. Opens as soon as you create it.",
                 ("What is working well?", "What could be better?"),
                 "Add your sticky notes anonymously during the workshop.", timedelta(hours=1)),
    )
}


def create_from_template(organisation_ids: frozenset[int], organisation_id: int | None, kind: str, title: str,
                         previous_id: int | None = None) -> Conversation:
    """Create a conversation with the template's questions and schedule; a workshop opens straight away."""
    template = TEMPLATES.get(kind)
    if template is None:
        raise InvalidInput("Choose a type of conversation", field="kind")
    if organisation_id not in organisation_ids:
        raise InvalidInput("Choose an organisation where you are a facilitator", field="organisation_id")
    title = clean_text(title, minimum=3, maximum=160, what="title", field="title")
    questions, audience_ids, description = list(template.questions), [organisation_id], template.description
    previous = None
    if template.kind == ConversationKind.CHANGE_HUB and previous_id:
        try:
            previous = access.get_managed_conversation(organisation_ids, previous_id)
        except NotFound:
            previous = None
        if previous is None or previous.kind != ConversationKind.CHANGE_HUB:
            raise InvalidInput("Choose a previous Change Hub session from the list", field="previous_id")
        questions = [q.text for q in previous.questions]
        audience_ids = [org.id for org in previous.audience]
    now = utcnow().replace(second=0, microsecond=0)
    details = lifecycle.ConversationDetails(
        title=title, description=description, kind=template.kind.value, questions=questions, audience_ids=audience_ids,
        closes_at=now + template.runs_for if template.runs_for else None,
    )
    conversation = lifecycle.create_conversation(organisation_id, details)
    if previous is not None:
        conversation.previous_conversation_id = previous.id
        db.session.commit()
    if template.kind == ConversationKind.WORKSHOP:
        conversation.opens_at = now
        lifecycle.open_conversation(conversation)
    return conversation


def previous_sessions(organisation_ids: frozenset[int]) -> list[Conversation]:
    """Change Hub sessions the person facilitates, newest first, to carry on from."""
    return [c for c in access.managed_conversations(organisation_ids) if c.kind == ConversationKind.CHANGE_HUB]
