"""Rules A2, A3: what a worker keeps to build question pages (shells, the empty idea form, template URLs, card
parts, the conversation's navigation) holds nothing of the reader who happened to make it, and no reader's marks
reach another reader's page."""

from __future__ import annotations

import re

from flask import Flask

from app.extensions import db
from app.models import User
from app.services.content import ideas, voting
from tests.conftest import PASSWORD, csrf_token


def _reader(app: Flask, person: User):  # type: ignore[no-untyped-def]
    browser = app.test_client()
    browser.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token(browser)})
    return browser


YOURS = "<strong>your idea</strong>"


def _kept(app: Flask, shells: bool = True) -> str:
    """Everything the page-building stores of this app hold, as text."""
    stores = ("chorus.shells",) * shells + ("chorus.template_urls", "chorus.card_parts", "chorus.components",
                                            "chorus.navs")
    found = [app.extensions[name] for name in stores if name in app.extensions]
    assert len(found) == len(stores), "a store was never made: the test would prove nothing"
    text = []
    for store in found:
        entries = getattr(store, "_kept", None) or getattr(store, "_html", None) or getattr(store, "_cache", None)
        assert entries, f"{store!r} kept nothing: the test would prove nothing"
        text.append(repr(entries))
        for value in getattr(store, "_kept", {}).values():
            text.append(repr(getattr(value, "segments", value)))
    return "\n".join(text)


def _marks(page: str) -> dict[str, str]:
    """A reader's per-request values on their page: the masked CSRF token and the idea form's duplicate-post token."""
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
    client = re.search(r'id="client_token" name="client_token" type="hidden" value="([^"]+)"', page)
    assert csrf and client
    return {"csrf": csrf.group(1), "client": client.group(1)}


def test_a_readers_marks_name_and_tokens_never_reach_the_next_reader_or_what_is_kept(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation, as_participant) -> None:
    conversation = make_conversation()
    question = conversation.questions[0].id
    alice, bob = make_user(), make_user()
    alice.display_name = "Alice Zanzibar-Quill"
    db.session.commit()
    mine = ideas.post_idea(as_participant(alice), question, "Lockers for the night staff")[0]
    other = ideas.post_idea(as_participant(make_user()), question, "A quiet room for breaks")[0]
    voting.cast_vote(as_participant(alice), other.id, "support")
    first = _reader(app, alice).get(f"/questions/{question}?sort=newest").get_data(as_text=True)
    # Alice's page has her marks: her name, "your idea" on her card, her pressed vote.
    assert "Alice Zanzibar-Quill" in first and YOURS in first and 'aria-pressed="true"' in first
    alice_marks = _marks(first)
    second = _reader(app, bob).get(f"/questions/{question}?sort=newest").get_data(as_text=True)
    bob_marks = _marks(second)
    # Bob is served what Alice's reading kept: none of her marks, her name or her tokens are on his page...
    assert "Alice" not in second and YOURS not in second and 'aria-pressed="true"' not in second
    assert not [v for v in alice_marks.values() if v in second]
    assert f'id="idea-{mine.id}"' in second and "Lockers for the night staff" in second  # (the same cards)
    # ...and nothing kept holds either reader's name, email, tokens or marks (the shells hold the template's own
    # text for each pair of marks, "your idea" among it, below).
    kept = _kept(app)
    for value in ("Alice", alice.email, bob.email, 'aria-pressed="true"', *alice_marks.values(), *bob_marks.values()):
        assert value not in kept, value
    assert YOURS not in _kept(app, shells=False)
    # Which shells exist does not depend on who read first: all four pairs of marks were made on the first page.
    shells = app.extensions["chorus.shells"]._kept
    assert {key[1:] for key in shells if key[0] == "listed"} == {(False, False), (False, True), (True, False),
                                                                 (True, True)}


def test_card_parts_carried_across_events_hold_no_reader_and_no_voter(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation, as_participant) -> None:
    """Card parts are keyed by what the card shows and carried into the next event's entries (fragments._shown,
    _counted): neither the keys nor the parts, in this event's entries or the last one's, name who read or voted."""
    conversation = make_conversation()
    question = conversation.questions[0].id
    alice, bob = make_user(), make_user()
    alice.display_name = "Alice Zanzibar-Quill"
    db.session.commit()
    posted = [ideas.post_idea(as_participant(make_user()), question, f"Idea {n}: lockers")[0] for n in range(3)]
    first = _reader(app, alice).get(f"/questions/{question}?sort=supported").get_data(as_text=True)
    voting.cast_vote(as_participant(alice), posted[1].id, "support")  # an event: the parts are carried over
    second = _reader(app, bob).get(f"/questions/{question}?sort=supported").get_data(as_text=True)
    assert "<strong>1</strong> supporter" in second and first.index(posted[0].id) > 0
    store = app.extensions["chorus.card_parts"]
    generations = list(store._cache.values())
    assert generations and len(generations[0].entries) >= 4, "nothing was kept: the test would prove nothing"
    kept = repr([(g.entries, g.previous) for g in generations])
    for value in ("Alice", alice.email, bob.email, alice.user_key, bob.user_key, 'aria-pressed="true"', YOURS):
        assert value not in kept, value
    for generation in generations:
        for key in [*generation.entries, *generation.previous]:
            assert key[0] in {"card", "counts"}  # what the card shows, never a reader
