"""Page furniture rendered once and reused (app/fragments.py) and the template class that imports macros once."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from app.extensions import db
from app.services.common.worker_memory import KeptValues
from app.templating import ImportingTemplate

HEADER = '{% from "nhsuk/components/header/macro.jinja" import header %}'


def _header_params(name: str) -> dict:
    return {"service": {"text": "Chorus", "href": "/"}, "account": {"items": [{"text": name, "icon": True}]}}


def test_kept_header_is_the_macros_own_output_with_each_readers_name_escaped(app: Flask) -> None:
    with app.test_request_context():
        for name in ("Ann O'Neil <b>", "Bob & Co"):
            direct = render_template_string(HEADER + "{{ header(params) }}", params=_header_params(name))
            kept = render_template_string(
                HEADER + '{{ shared_component(header, params, {"chorus-slot-account": name}) }}',
                params=_header_params("chorus-slot-account"), name=name)
            assert kept == direct
            assert "Ann O&#39;Neil &lt;b&gt;" in kept or "Bob &amp; Co" in kept
        memo: KeptValues = app.extensions["chorus.components"]
        kept_html = "".join(memo._kept.values())
        assert "Ann" not in kept_html and "Bob" not in kept_html  # the names were never kept
        assert len(memo._kept) == 1  # one header for both readers


def test_markup_and_text_with_the_same_characters_are_kept_apart(app: Flask) -> None:
    """Escaped text and trusted HTML must never share an entry: that would print a person's text as HTML."""
    button = '{% from "nhsuk/components/back-link/macro.jinja" import backLink %}'
    with app.test_request_context():
        as_text = render_template_string(button + "{{ shared_component(backLink, {'href': '/', 'text': t}) }}",
                                         t="<i>x</i>")
        as_html = render_template_string(button + "{{ shared_component(backLink, {'href': '/', 'text': t}) }}",
                                         t=Markup("<i>x</i>"))
    assert "&lt;i&gt;x&lt;/i&gt;" in as_text and "<i>" not in as_text
    assert "<i>x</i>" in as_html


def test_a_draft_in_the_idea_form_is_never_kept(app: Flask, client, login, make_user, make_conversation) -> None:  # type: ignore[no-untyped-def]
    conversation = make_conversation()
    token = login(make_user())
    question = conversation.questions[0].id
    assert client.get(f"/questions/{question}").status_code == 200  # the empty form, kept for everyone alike
    draft = "Hi"  # too short: the page comes back with the draft in the form and an error beside it
    response = client.post(f"/questions/{question}/ideas", data={"csrf_token": token, "body": draft})
    assert response.status_code == 400 and ">Hi</textarea>" in response.get_data(as_text=True)
    kept = app.extensions["chorus.components"]._kept.values()
    assert not any(">Hi</textarea>" in html for html in kept)
    assert any('id="body"' in html and "</textarea>" in html for html in kept)


def test_each_reader_sees_their_own_name_in_the_kept_header(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token, PASSWORD

    first, second = make_user(), make_user()
    first.display_name, second.display_name = "Ann <first>", "Bob & second"
    db.session.commit()
    pages = []
    for person in (first, second):
        browser = app.test_client()
        browser.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token(browser)})
        pages.append(browser.get("/").get_data(as_text=True))
    assert "Ann &lt;first&gt;" in pages[0] and "Bob" not in pages[0]
    assert "Bob &amp; second" in pages[1] and "Ann" not in pages[1]


def test_imports_reuse_the_module_unless_the_importer_brings_globals_of_its_own() -> None:
    """The template class skips Jinja's per-import globals check only when that check would find nothing new."""
    env = Environment(loader=DictLoader({"m.html": "{% macro shout() %}{{ word }}{% endmacro %}"}))
    env.template_class = ImportingTemplate
    source = '{% from "m.html" import shout %}[{{ shout() }}]'
    assert env.from_string(source).render() == "[]"
    module = env.get_template("m.html")._module
    assert env.from_string(source).render() == "[]" and env.get_template("m.html")._module is module  # reused
    # A template with a global of its own gets a module that sees it (Jinja's own path), as without the class.
    assert env.from_string(source, globals={"word": "hello"}).render() == "[hello]"
    assert env.from_string(source).render() == "[]"


def test_kept_idea_text_is_escaped_for_every_reader_and_ends_with_an_edit(app: Flask, make_user, make_conversation,  # type: ignore[no-untyped-def]
                                                                          as_participant) -> None:
    from tests.conftest import csrf_token, PASSWORD
    from app.services.content import ideas

    conversation = make_conversation()
    question = conversation.questions[0].id
    author = make_user()
    idea = ideas.post_idea(as_participant(author), question, "Lockers <script>alert(1)</script> **now**")[0]
    readers = []
    for person in (make_user(), make_user()):
        browser = app.test_client()
        browser.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token(browser)})
        readers.append(browser)
    for browser in readers:  # the first reader renders the text, the second is served what was kept
        page = browser.get(f"/questions/{question}?sort=newest").get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
        assert "<strong>now</strong>" in page
    assert app.extensions["chorus.card_parts"]._cache  # it was kept
    ideas.edit_idea(as_participant(author), idea.id, "Lockers for the night staff, please")
    for browser in readers:
        page = browser.get(f"/questions/{question}?sort=newest").get_data(as_text=True)
        assert "Lockers for the night staff, please" in page and "alert(1)" not in page


def _reader(app: Flask, person) -> object:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token, PASSWORD

    browser = app.test_client()
    browser.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token(browser)})
    return browser


def test_kept_card_parts_hold_no_readers_mark_and_no_counts_while_some_are_hidden(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation, as_participant) -> None:
    """Card parts (fragments.card_parts) are kept per event; "your idea", own votes and counts hidden until one
    votes stay per reader, and while counts are hidden from some, no counts are kept at all."""
    from app.services.content import ideas, voting
    from app.services.workshops import session as live_session

    conversation = make_conversation()
    question = conversation.questions[0].id
    author, voter, other = make_user(), make_user(), make_user()
    idea = ideas.post_idea(as_participant(author), question, "Lockers for the night staff")[0]
    live_session.set_votes_hidden(conversation, True)
    live_session.set_phase(conversation, "vote")
    voting.cast_vote(as_participant(voter), idea.id, "support")
    pages = {name: _reader(app, person).get(f"/questions/{question}?sort=newest").get_data(as_text=True)  # type: ignore[attr-defined]
             for name, person in (("voter", voter), ("author", author), ("other", other))}
    assert "<strong>1</strong> supporter" in pages["voter"] and 'aria-pressed="true"' in pages["voter"]
    for name in ("author", "other"):
        assert "Votes hidden until you vote" in pages[name] and "supporter" not in pages[name]
    assert "your idea" in pages["author"] and "your idea" not in pages["voter"] + pages["other"]
    kept = repr(app.extensions["chorus.card_parts"]._cache)
    assert "Lockers for the night staff" in kept  # the shared parts were kept...
    assert "supporter" not in kept and "Votes hidden" not in kept and "your idea" not in kept  # ...nothing else
    assert "aria-pressed" not in kept


def test_a_page_built_from_kept_parts_reads_as_one_rendered_whole(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation, as_participant) -> None:
    """The first reading renders every part, the second takes them from the worker: the pages are the same."""
    from app.services.content import ideas, voting

    conversation = make_conversation(voting_mode="agree")
    question = conversation.questions[0].id
    author, reader = make_user(), make_user()
    for n in range(3):
        ideas.post_idea(as_participant(author), question, f"Idea {n}: *quiet* rooms & <b>lockers</b>")
    voting.cast_vote(as_participant(reader), ideas.post_idea(as_participant(author), question, "Rota planning")[0].id, "disagree")
    browser = _reader(app, reader)
    first = browser.get(f"/questions/{question}?sort=newest").get_data(as_text=True)  # type: ignore[attr-defined]
    assert app.extensions["chorus.card_parts"]._cache
    second = browser.get(f"/questions/{question}?sort=newest").get_data(as_text=True)  # type: ignore[attr-defined]

    def cards(page: str) -> str:  # (the CSRF field is masked afresh on every page)
        found = page[page.index('<ul class="nhsuk-list chorus-ideas">'):page.index("</ul>", page.index("chorus-ideas"))]
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", found)

    assert cards(first) == cards(second)
    assert cards(first).count('class="nhsuk-card chorus-idea"') == 4
    assert "<em>quiet</em> rooms &amp; &lt;b&gt;lockers&lt;/b&gt;" in cards(first)
    assert "0 agree · 1 disagree · 0 pass" in cards(first) and 'value="disagree" aria-pressed="true"' in cards(first)
    # Each card's buttons (rendered once per vote a reader can have cast) post to that card's own idea.
    for card in cards(first).split('<li class="nhsuk-card chorus-idea" id="idea-')[1:]:
        idea_id = card.split('"', 1)[0]
        assert re.findall(r'action="([^"]+)"', card) == [f"/ideas/{idea_id}/vote"]
    assert cards(first).count('aria-pressed="true"') == 1


def test_the_pages_own_url_cannot_put_an_idea_id_into_the_vote_forms(app: Flask, make_user, make_conversation,  # type: ignore[no-untyped-def]
                                                                     as_participant) -> None:
    """The vote buttons' placeholder for the idea id is random per page: a query string naming a guessable one
    stays as typed in the forms' 'next' field."""
    from app.services.content import ideas

    conversation = make_conversation()
    question = conversation.questions[0].id
    idea = ideas.post_idea(as_participant(make_user()), question, "Lockers for the night staff")[0]
    page = _reader(app, make_user()).get(  # type: ignore[attr-defined]
        f"/questions/{question}?sort=newest&x=chorus-idea-slot").get_data(as_text=True)
    assert f'action="/ideas/{idea.id}/vote"' in page
    assert 'name="next" value="/questions/%d?sort=newest&amp;x=chorus-idea-slot"' % question in page


# The card loop as question.html rendered it before fragments.idea_cards: one macro call per part of every card.
_CARD_LOOP = """{% from "participate/_vote_macros.html" import votes, vote_buttons %}
{% set vote_csrf = vote_form.csrf_token() %}
{% set idea_url, vote_url, withdraw_url = url_pattern('participate.idea', 'idea_id'), url_pattern('participate.vote', 'idea_id'), url_pattern('participate.withdraw_vote', 'idea_id') %}
{% set next_url, voting_mode, lab = request.full_path, conversation.voting_mode, conversation.kind == "ideas_lab" %}
{% set buttons = once_per_vote(vote_buttons, voting_mode, vote_csrf, vote_url, withdraw_url, next_url) %}
<ul>
  {% for card in cards %}
  {% set idea, (head, edited, link, counts) = card.idea, card_parts(card, idea_url, lab) %}
{{ head }}{{ idea.created_hour | relative_time }}{{ edited }}{% if card.mine %} · <strong>your idea</strong>{% endif %}{% if facilitator and idea.flagged_identifying %}{% with flagged = True %}{% include "participate/_flag.html" %}{% endwith %}{% endif %}
{{ link }}
      {{ votes(card, voting_mode, may_vote, vote_csrf, vote_url, withdraw_url, next_url, counts,
               buttons(idea.id, card.my_vote) if may_vote else none) }}
    </div>
  </li>
  {% endfor %}
</ul>"""

_ASSEMBLED = """{% from "participate/_vote_macros.html" import vote_buttons %}
{% set vote_csrf = vote_form.csrf_token() %}
{% set idea_url, vote_url, withdraw_url = url_pattern('participate.idea', 'idea_id'), url_pattern('participate.vote', 'idea_id'), url_pattern('participate.withdraw_vote', 'idea_id') %}
{% set next_url, voting_mode, lab = request.full_path, conversation.voting_mode, conversation.kind == "ideas_lab" %}
{% set buttons = once_per_vote(vote_buttons, voting_mode, vote_csrf, vote_url, withdraw_url, next_url) %}
<ul>
  {{ idea_cards(cards, idea_url, lab, facilitator, voting_mode, may_vote, buttons) }}
</ul>"""


def test_cards_assembled_from_kept_shells_are_the_card_loop_in_every_state(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation, as_participant) -> None:
    """fragments.idea_cards gives byte for byte what rendering every card through the macros gave: own ideas,
    the facilitator's flag, pressed votes, counts hidden from this reader, agree/disagree voting, no voting."""
    import dataclasses

    from app.participate.forms import VoteForm
    from app.services.content import ideas, voting
    from app.services.content.listing import list_ideas

    for mode in ("support", "agree"):
        conversation = make_conversation(voting_mode=mode)
        question = conversation.questions[0].id
        author, reader = make_user(), make_user()
        for n in range(4):
            idea = ideas.post_idea(as_participant(author), question, f"Idea {n}: *quiet* rooms & <b>lockers</b>")[0]
        voting.cast_vote(as_participant(reader), idea.id, "support" if mode == "support" else "pass")
        with app.test_request_context(f"/questions/{question}?sort=newest"):
            page = list_ideas(as_participant(reader), question, "newest")
            cards = page.cards
            cards[0] = dataclasses.replace(cards[0], mine=True)
            cards[1].idea.flagged_identifying = True
            cards[2] = dataclasses.replace(cards[2], counts_hidden=True, support=0, agree=0, disagree=0, passes=0)
            assert any(card.my_vote for card in cards)
            for facilitator in (False, True):
                for may_vote in (True, False):
                    values = {"cards": cards, "conversation": page.question.conversation, "vote_form": VoteForm(),
                              "facilitator": facilitator, "may_vote": may_vote}
                    loop = render_template_string(_CARD_LOOP, **values)
                    assembled = render_template_string(_ASSEMBLED, **values)

                    def plain(html: str) -> str:  # the CSRF field is masked afresh for each form; spacing aside
                        html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
                        return html[html.index("<ul>") + 4:html.index("</ul>")].strip()

                    assert plain(assembled) == plain(loop), (mode, facilitator, may_vote)
                    assert ("May identify someone" in assembled) is facilitator
                    assert ("your idea" in assembled) and ("Votes hidden until you vote" in assembled)


def test_templates_keep_only_urls_that_name_no_post_and_follow_an_edited_static_file(app: Flask, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """templating.template_url keeps URLs of files, conversations and questions; one naming an idea (say an edit
    link only its author sees) is built afresh and never kept. A static file's new content gives a new URL."""
    import os
    import shutil

    from app.templating import template_url

    folder = app.static_folder
    assert folder
    path = os.path.join(folder, "css", "kept-url-test.css")
    shutil.copyfile(os.path.join(folder, "css", "chorus.css"), path)
    try:
        with app.test_request_context("/"):
            first = template_url("static", filename="css/kept-url-test.css")
            assert template_url("static", filename="css/kept-url-test.css") == first
            with open(path, "a") as file:
                file.write("/* edited */\n")
            os.utime(path, ns=(1, 1))  # a different change time even on a coarse clock
            edited = template_url("static", filename="css/kept-url-test.css")
            assert edited != first and edited.startswith("/static/css/kept-url-test.css?v=")
            assert template_url("participate.conversation", conversation_id=7) == "/conversations/7"
            assert template_url("participate.edit_idea", idea_id="secret-idea") == "/ideas/secret-idea/edit"
            kept = repr(app.extensions["chorus.template_urls"]._kept)
            assert "/conversations/7" in kept and "secret-idea" not in kept
        with app.test_request_context("/", base_url="http://example.org/chorus/"):
            assert template_url("participate.conversation", conversation_id=7) == "/chorus/conversations/7"
        # template_url adds URL defaults only for static files: the app must have no others.
        defaults = app.url_default_functions
        assert list(defaults) == [None] and [f.__name__ for f in defaults[None]] == ["_fingerprint"]
    finally:
        os.remove(path)


def test_card_parts_of_unchanged_ideas_are_carried_across_an_event(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation, as_participant, monkeypatch) -> None:
    """A vote records an event; the next reader's page renders again only the card that changed (its counts), and
    the others' parts (the text as HTML above all) are carried over: kept by what they show, never by who read."""
    from app.services.content import ideas, voting

    conversation = make_conversation()
    question = conversation.questions[0].id
    author, reader, voter = make_user(), make_user(), make_user()
    posted = [ideas.post_idea(as_participant(author), question, f"Idea {n}: *quiet* rooms")[0] for n in range(4)]
    browser = _reader(app, reader)
    first = browser.get(f"/questions/{question}?sort=newest").get_data(as_text=True)  # type: ignore[attr-defined]
    macros = app.jinja_env.get_template("participate/_idea_card.html").module
    rendered: list[str] = []
    for name in ("card_head", "card_counts"):
        def spy(card, *args, _macro=getattr(macros, name), _name=name):  # type: ignore[no-untyped-def]
            rendered.append(f"{_name} {card.idea.id}")
            return _macro(card, *args)
        monkeypatch.setattr(macros, name, spy)
    voting.cast_vote(as_participant(voter), posted[1].id, "support")
    second = _reader(app, make_user()).get(f"/questions/{question}?sort=newest").get_data(as_text=True)  # type: ignore[attr-defined]
    assert rendered == [f"card_counts {posted[1].id}"]  # one new count; no text rendered again
    assert second.count("<strong>1</strong> supporter") == 1 and first.count("<strong>1</strong> supporter") == 0
    assert second.count("<em>quiet</em> rooms") == 4
    ideas.edit_idea(as_participant(author), posted[2].id, "Idea 2: lockers for the night staff")
    third = browser.get(f"/questions/{question}?sort=newest").get_data(as_text=True)  # type: ignore[attr-defined]
    assert rendered[1:] == [f"card_head {posted[2].id}"]  # an edit is a new key: rendered afresh
    assert "lockers for the night staff" in third and third.count("<em>quiet</em> rooms") == 3


def test_a_question_page_builds_its_empty_idea_form_only_to_render_its_kept_copy(  # type: ignore[no-untyped-def]
        app: Flask, client, login, make_user, make_conversation, monkeypatch) -> None:
    """Once the empty form is kept, a page fills in its tokens without building an IdeaForm; each page still gets
    its own duplicate-post token and a CSRF token that posts."""
    from app.participate import forms

    built = []
    real_init = forms.IdeaForm.__init__

    def counting_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(forms.IdeaForm, "__init__", counting_init)
    conversation = make_conversation()
    login(make_user())
    question = conversation.questions[0].id
    tokens = []
    for _ in range(3):
        page = client.get(f"/questions/{question}").get_data(as_text=True)
        client_token = re.search(r'id="client_token" name="client_token" type="hidden" value="([^"]+)"', page)
        csrf = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert client_token and csrf
        tokens.append((client_token.group(1), csrf.group(1)))
    assert len(built) == 1  # the first page rendered the form to keep; the next two only filled in their tokens
    assert len({client for client, _ in tokens}) == 3 and len({csrf for _, csrf in tokens}) == 3
    client_token, csrf = tokens[-1]
    response = client.post(f"/questions/{question}/ideas", data={
        "csrf_token": csrf, "client_token": client_token, "body": "Lockers for the night staff on every ward",
        "similar_checked": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_kept_conversation_navigation_follows_each_readers_role_and_page(  # type: ignore[no-untyped-def]
        app: Flask, make_user, make_conversation) -> None:
    """navigation.kept_nav keeps a conversation's links by the page and the reader's role there: a participant
    served after a facilitator gets no facilitator's link, and each page marks itself; nothing kept names anyone."""
    from tests.conftest import PASSWORD, csrf_token

    conversation = make_conversation()
    question = conversation.questions[0].id
    facilitator, participant = make_user("facilitator"), make_user()
    pages = {}
    for person in (facilitator, participant):
        browser = app.test_client()
        browser.post("/auth/sign-in", data={"email": person.email, "password": PASSWORD,
                                            "csrf_token": csrf_token(browser)})
        for path in (f"/questions/{question}", f"/conversations/{conversation.id}/mine"):
            pages[person.email, path] = browser.get(path).get_data(as_text=True)
    for (who, path), page in pages.items():
        running = "Facilitate this conversation" in page
        assert running is (who == facilitator.email), (who, path)
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', page)
        expected = (f"/conversations/{conversation.id}" if path.startswith("/questions/")
                    else f"/conversations/{conversation.id}/mine")
        assert current == [expected], (who, path, current)
    kept = repr(app.extensions["chorus.navs"]._kept)
    assert "Facilitate this conversation" in kept  # (the facilitator's links were kept, by role)
    for person in (facilitator, participant):
        assert person.email not in kept and person.display_name not in kept and person.user_key not in kept
