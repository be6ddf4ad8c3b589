"""Script injection through every text a person can enter: ideas, comments, titles, descriptions, questions,
names and imports all come back escaped or sanitised."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.services.accounts import users
from app.services.content import comments
from app.services.conversations import lifecycle
from app.services.content import ideas
from app.services.accounts import organisations
from app.services.conversations.lifecycle import ConversationDetails

PAYLOADS = [
    "<script>alert('x')</script> is a long enough idea",
    "<img src=x onerror=alert(1)> about rota planning",
    "[click me](javascript:alert(1)) for better parking",
    "<a href=\"javascript:alert(1)\">link</a> more staff",
    "\"><svg/onload=alert(1)> staff room upgrades",
    "**bold** <iframe src=//evil.example></iframe> rest",
    "<style>body{display:none}</style> canteen hours",
]


class _LiveMarkup(HTMLParser):
    """Collects anything in a page that could run script or restyle it, other than our own nonce'd/static assets."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("iframe", "object", "embed", "style", "base", "form") and tag != "form" or tag == "svg" and "onload" in values:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not (values.get("nonce") or (values.get("src") or "").startswith("/static/")):
            self.problems.append("<script> without nonce")
        if tag == "img" and not (values.get("src") or "").startswith(("/static/", "data:")):
            self.problems.append(f"<img src={values.get('src')}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}=javascript:")


def _assert_clean(html: str, where: str) -> None:
    parser = _LiveMarkup()
    parser.feed(html)
    assert parser.problems == [], f"live markup on {where}: {parser.problems}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rich_text_and_plain_fields_never_carry_live_markup(client, login, make_user, org, payload) -> None:  # type: ignore[no-untyped-def]
    facilitator = make_user("facilitator")
    conversation = lifecycle.create_conversation(org.id, ConversationDetails(
        title=payload[:150], description=payload, audience_ids=[org.id], questions=[payload[:290]]))
    lifecycle.open_conversation(conversation)
    question = conversation.questions[0]
    from app.services.common.participants import Participant

    idea, _ = ideas.post_idea(Participant.from_user(facilitator), question.id, payload, allow_identifying=True)
    comments.add_comment(Participant.from_user(facilitator), idea.id, payload[:490], allow_identifying=True)
    login(facilitator)
    for path in ("/", f"/conversations/{conversation.id}", f"/questions/{question.id}", f"/ideas/{idea.id}",
                 f"/conversations/{conversation.id}/mine", f"/facilitate/conversations/{conversation.id}",
                 f"/facilitate/conversations/{conversation.id}/questions"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_clean(response.get_data(as_text=True), path)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_names_shown_to_admins_are_escaped(client, login, make_user, org, payload) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("admin")
    organisations.add_staff_group(org, payload[:60])
    users.create_user("xss@trust.nhs.uk", organisation=org, display_name=payload)
    login(admin)
    for path in ("/admin/people", f"/admin/organisations/{org.id}", "/admin/people?q=xss"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_clean(response.get_data(as_text=True), path)
