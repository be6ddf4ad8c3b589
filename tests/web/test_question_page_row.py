"""The question page and the API idea list, rendered with the question and its conversation as the page loads them
and as ORM objects (every column there is), must be byte for byte the same in every state the page shows.

Jinja renders a missing attribute as nothing, so a column the page's loader left out would blank part of the page
without an error: only comparing against a rendering from the whole objects catches it. Each rendering starts
from empty kept page parts (navigation, idea form, cards), so neither is served what the other rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Comment, Conversation, Idea, Question
from app.models.base import utcnow
from app.services.accounts.users import create_api_token
from app.services.common.keys import conversation_key
from app.services.common.participants import Participant
from app.services.content import ideas, listing, voting
from app.services.speakup import settings as speakup_settings
from tests.conftest import PASSWORD, csrf_token

IDEAS = 23  # two pages of 20


class WholeConversation:
    """The ORM Conversation as the page's loader hands it on: every attribute, and its key unwrapped by key()."""

    def __init__(self, conversation: Conversation) -> None:
        self._conversation = conversation

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conversation, name)

    def key(self) -> bytes:
        return conversation_key(self._conversation)


class WholeQuestion:
    def __init__(self, question: Question) -> None:
        self._question = question
        self.conversation = WholeConversation(question.conversation)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._question, name)


def _whole_question(participant: Participant, question_id: int, guardian: bool = False) -> tuple[Any, bool | None]:
    """The reference loader: the question and its conversation as ORM objects, freshly read, with every column."""
    db.session.expire_all()
    question = db.session.get_one(Question, question_id)
    speak_up = speakup_settings.has_guardian(question.conversation.organisation_id) if guardian else None
    return WholeQuestion(question), speak_up


def _reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "listed_question", _whole_question)


_TOKENS = [
    (re.compile(r'(name="csrf-token" content=")[^"]+'), r"\1CSRF"),
    (re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+'), r"\1CSRF"),
    (re.compile(r'(name="client_token" type="hidden" value=")[^"]*'), r"\1CLIENT"),
    (re.compile(r'(nonce=")[^"]+'), r"\1NONCE"),
]


def _plain(html: str) -> str:
    """The page without what differs on every request (CSRF and duplicate-post tokens, the CSP nonce)."""
    for pattern, replacement in _TOKENS:
        html = pattern.sub(replacement, html)
    return html


def test_the_question_page_shows_the_same_with_the_narrow_row_as_with_the_whole_objects(  # type: ignore[no-untyped-def]
        app: Flask, make_org, make_user, make_conversation, monkeypatch) -> None:
    fresh = set(app.extensions)  # kept page parts are made on first use: forgotten before each rendering

    def forget_kept() -> None:
        for name in set(app.extensions) - fresh:
            del app.extensions[name]

    conversation = make_conversation(title="Best <place> to work")
    question = conversation.questions[0]
    org_id = conversation.organisation_id
    db.session.execute(sa.update(Conversation).where(Conversation.id == conversation.id)
                       .values(allow_guests=True, join_code="K7QX3M"))
    db.session.commit()

    author = make_user()
    readers: dict[str, tuple[FlaskClient, dict[str, str]]] = {}
    people = {"participant": make_user(), "facilitator": make_user("facilitator"), "lead": make_user("lead")}
    for n in range(IDEAS):
        ideas.post_idea(Participant.from_user(author), question.id, f"Idea {n}: *quiet* rooms & <b>lockers</b> {n}")
    listed = db.session.scalars(sa.select(Idea).order_by(Idea.id)).all()
    own, _ = ideas.post_idea(Participant.from_user(people["participant"]), question.id, "My own idea about rotas")
    for n, idea in enumerate(listed[:6]):
        for who in people.values():
            voting.cast_vote(Participant.from_user(who), idea.id, "support")
    db.session.execute(sa.update(Idea).where(Idea.id == listed[1].id).values(flagged_identifying=True))
    db.session.execute(sa.update(Idea).where(Idea.id == listed[2].id).values(author_name="Named Person", edited=True))
    db.session.add(Comment(idea_id=listed[0].id, conversation_id=conversation.id, body="A comment", author_tag="x" * 64,
                           nonce="n" * 32, status="published", created_hour=utcnow().replace(minute=0, second=0,
                                                                                             microsecond=0)))
    db.session.commit()
    for role, person in people.items():
        browser = app.test_client()
        signed = browser.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD,
                                                     "csrf_token": csrf_token(browser)})
        assert signed.status_code == 302
        readers[role] = (browser, {"Authorization": f"Bearer {create_api_token(person)}"})
    guest = app.test_client()
    joined = guest.post("/join", data={"csrf_token": csrf_token(guest, "/join"), "code": "K7QX3M"})
    assert joined.status_code == 302
    readers["guest"] = (guest, {})
    for browser, _ in readers.values():
        browser.get(f"/conversations/{conversation.id}")  # the sign-in's or join's message shown once, here

    def change(**values: object) -> None:
        db.session.execute(sa.update(Conversation).where(Conversation.id == conversation.id).values(**values))
        db.session.commit()

    plain = dict(voting_mode="support", named_mode=False, moderation_mode="post", phase=None, phase_ends_at=None,
                 auto_advance=False, votes_hidden=False, kind="online", status="open", opens_at=None,
                 closes_at=utcnow() + timedelta(days=14), comments_enabled=True)
    past = utcnow() - timedelta(minutes=5)
    states: list[tuple[str, dict[str, object], tuple[str, ...]]] = [
        ("open", {}, ("?sort=random", "?sort=random&page=2", "?sort=supported", "?sort=newest&page=2",
                      "?sort=discussed", "?sort=nonsense&page=9")),
        ("agree", {"voting_mode": "agree"}, ("?sort=random", "?sort=supported&page=2")),
        ("named", {"named_mode": True}, ("?sort=random", "?sort=newest")),
        ("pre-moderation", {"moderation_mode": "pre"}, ("?sort=random",)),
        ("comments off", {"comments_enabled": False}, ("?sort=random",)),
        ("collect", {"phase": "collect", "phase_ends_at": utcnow() + timedelta(minutes=10)}, ("?sort=random",)),
        ("vote, hidden counts", {"phase": "vote", "votes_hidden": True}, ("?sort=random", "?sort=supported")),
        ("vote, agree", {"phase": "vote", "voting_mode": "agree"}, ("?sort=random&page=2",)),
        ("review", {"phase": "review", "votes_hidden": True}, ("?sort=supported",)),
        ("collect, due to move on", {"phase": "collect", "phase_ends_at": past, "auto_advance": True},
         ("?sort=random",)),
        ("ideas lab", {"kind": "ideas_lab"}, ("?sort=newest", "?sort=random&stage=submitted", "?stage=done")),
        ("not open yet", {"opens_at": utcnow() + timedelta(days=1)}, ("?sort=random",)),
        ("past its closing time", {"closes_at": past}, ("?sort=random", "?sort=newest&page=2")),
        ("closed", {"status": "closed", "closed_at": past}, ("?sort=random", "?sort=supported", "?sort=random&page=2")),
    ]

    def both(get: Callable[[], Any], read: Callable[[Any], Any]) -> tuple[Any, Any]:
        forget_kept()
        as_loaded = read(get())
        forget_kept()
        with monkeypatch.context() as patch:
            _reference(patch)
            whole = read(get())
        return as_loaded, whole

    def page_of(response: Any) -> str:
        assert response.status_code in (200, 400), response.status_code
        return _plain(response.get_data(as_text=True))

    seen: dict[str, str] = {}
    for guardian in (False, True):
        if guardian:
            speakup_settings.appoint_guardian(frozenset({org_id}), org_id, make_user("lead").email)
        # A Guardian changes only the idea form ("also send"): a few states again with one.
        for name, values, paths in [s for s in states if not guardian or s[0] in ("open", "named", "collect")]:
            change(**(plain | values))
            for role, (browser, api_headers) in readers.items():
                # Every reader reads every path of the open conversation (its fair random pages 1 and 2 list
                # every idea, so the facilitator meets the flagged one), the participant every path of each state.
                for path in paths if role == "participant" or name == "open" else paths[:1]:
                    url = f"/questions/{question.id}{path}"
                    as_loaded, whole = both(lambda: browser.get(url), page_of)
                    assert as_loaded == whole, (name, role, path, guardian)
                    seen[f"{name} {role} {path} {guardian}"] = as_loaded
                if api_headers and role != "lead":
                    for sort in ("random", "supported"):
                        api = f"/api/v1/questions/{question.id}/ideas?sort={sort}&page=2"
                        as_loaded, whole = both(lambda: app.test_client().get(api, headers=api_headers),
                                                lambda response: (response.status_code, response.get_json()))
                        assert as_loaded == whole and as_loaded[0] == 200, (name, role, sort)
            browser = readers["participant"][0]
            # A refused draft: the form rendered afresh (never kept) with the conversation.
            url = f"/questions/{question.id}?sort=newest"
            token = re.search(r'name="csrf-token" content="([^"]+)"', browser.get(url).get_data(as_text=True))
            assert token is not None
            as_loaded, whole = both(lambda: browser.post(f"/questions/{question.id}/ideas",
                                                         data={"csrf_token": token.group(1), "body": "Hi"}), page_of)
            assert as_loaded == whole, (name, "refused draft", guardian)
            seen[f"{name} refused {guardian}"] = as_loaded

    # The states were what they say: each shows what only it shows (so the comparison above compared something).
    def shown(where: str, *texts: str) -> None:
        pages = [html for key, html in seen.items() if key.startswith(where)]
        assert pages, where
        for text in texts:
            assert any(text in html for html in pages), (where, text)

    shown("open participant ?sort=random False", "Best &lt;place&gt; to work", "What would make work better?",
          "Fair random order", "Post your idea anonymously", "Support<span")
    shown("open participant", "Page 1 of 2", "Page 2 of 2", "your idea", "My own idea about rotas", "1 comment",
          "Named Person")
    shown("open facilitator", "Facilitate this conversation", "May identify someone")
    shown("open lead", "Theme board")
    shown("open guest", "Leave the workshop")
    shown("agree participant", "Most agreed", "Opinion groups", "Disagree")
    shown("named participant", "Names are shown in this conversation")
    shown("collect participant ?sort=random False", "Live board", "Post your idea anonymously")
    shown("vote, hidden counts participant ?sort=random False", "Votes hidden until you vote")
    shown("ideas lab participant", "All stages")
    shown("open participant ?sort=random True", "Also send")
    shown("open refused True", "Also send", ">Hi</textarea>")
    for key in ("closed participant ?sort=random False", "not open yet participant ?sort=random False",
                "vote, hidden counts participant ?sort=random False", "review participant ?sort=supported False",
                "collect, due to move on participant ?sort=random False"):  # the last: voting by now
        assert "Post your idea" not in seen[key], key
    for key in ("closed participant ?sort=random False", "review participant ?sort=supported False",
                "collect participant ?sort=random False"):
        assert 'aria-pressed="false">Support' not in seen[key], key
