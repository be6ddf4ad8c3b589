"""The guest join path of a live workshop: /join and a QR code on the projector, landing on the live board."""

from __future__ import annotations

import re
from html import unescape

import pytest
import segno

from app.services.moderation import decisions
from tests.conftest import csrf_token


@pytest.fixture
def workshop(make_conversation):
    conversation = make_conversation(title="Live workshop")
    decisions.update_settings(conversation, moderation_mode="post", report_threshold=3, allow_guests=True)
    return conversation


def _qr_path(html: str) -> str:
    svg = re.search(r'<div class="chorus-presenter__qr">(.*?)</div>', html, re.S)
    assert svg, "the presenter view has no QR code"
    return re.search(r'<path[^>]* d="([^"]+)"', svg.group(1)).group(1)


def _expected_path(address: str) -> str:
    svg = segno.make(address, error="m").svg_inline(scale=1, border=2, omitsize=True, light="#fff")
    return re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)


def test_the_projector_shows_the_join_address_code_and_a_qr_code_for_it(client, login, make_user, workshop):
    login(make_user("facilitator"))
    html = client.get(f"/facilitate/conversations/{workshop.id}/present").get_data(as_text=True)
    assert "http://localhost/join</strong>" in html
    assert workshop.join_code in html
    assert f"/conversations/{workshop.id}/live</strong>" not in html  # not the sign-in dead end
    # The QR code is the /join address with the code filled in, drawn as SVG and named for screen readers.
    assert _qr_path(html) == _expected_path(f"http://localhost/join?code={workshop.join_code}")
    assert 'role="img" aria-label="QR code that opens http://localhost/join?code=' in unescape(html)


def test_without_guests_the_projector_points_staff_to_the_live_board(client, login, make_user, make_conversation):
    conversation = make_conversation(title="Staff workshop")
    login(make_user("facilitator"))
    html = client.get(f"/facilitate/conversations/{conversation.id}/present").get_data(as_text=True)
    board = f"http://localhost/conversations/{conversation.id}/live"
    assert f"{board}</strong>" in html and "Join code" not in html
    assert _qr_path(html) == _expected_path(board)


def test_the_qr_address_fills_in_the_code_and_the_guest_lands_on_the_live_board(client, workshop):
    page = client.get(f"/join?code={workshop.join_code}").get_data(as_text=True)
    assert re.search(rf'name="code"[^>]*value="{workshop.join_code}"', page)
    joined = client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": workshop.join_code})
    assert joined.status_code == 302 and joined.headers["Location"] == f"/conversations/{workshop.id}/live"
    assert client.get(joined.headers["Location"]).status_code == 200
    # A code that is too long is cut, not an error page.
    assert client.get("/join?code=" + "X" * 500).status_code == 200


def test_a_signed_out_visitor_to_a_live_board_is_offered_the_code_form_beside_sign_in(client, workshop):
    response = client.get(f"/conversations/{workshop.id}/live")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/join"' in page and 'name="code"' in page
    assert f'href="/auth/sign-in?next=/conversations/{workshop.id}/live"' in page
    # Other participation pages still send a signed-out visitor to sign in.
    other = client.get(f"/conversations/{workshop.id}")
    assert other.status_code == 302 and "/auth/sign-in" in other.headers["Location"]
    # The code typed on that page lands on the live board.
    joined = client.post("/join", data={"csrf_token": csrf_token(client, f"/conversations/{workshop.id}/live"),
                                        "code": workshop.join_code})
    assert joined.headers["Location"] == f"/conversations/{workshop.id}/live"


def test_a_note_sent_after_the_phase_moved_on_comes_back_with_the_reason(client, login, make_user, workshop):
    from app.services.workshops import session

    session.set_phase(workshop, "vote")
    login(make_user())
    token = csrf_token(client, f"/conversations/{workshop.id}/live")
    response = client.post(f"/conversations/{workshop.id}/live/ideas", data={
        "csrf_token": token, "question_id": workshop.questions[0].id, "body": "A quiet room for breaks",
        "client_token": "late-note-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"<textarea[^>]*>\s*A quiet room for breaks</textarea>", page)
    kept = re.search(r'<div class="nhsuk-inset-text chorus-draft-kept" data-live-draft-kept ?([^>]*)>', page)
    assert kept and "hidden" not in kept.group(1)
    assert "moved on to <strong data-live-draft-phase>Voting</strong>" in page
    # A board loaded without a draft shows neither the form nor the notice while voting.
    board = client.get(f"/conversations/{workshop.id}/live").get_data(as_text=True)
    assert re.search(r'<div data-live-phases="collect none"\s+hidden>', board)


def test_a_vote_from_a_list_returns_to_the_idea_s_anchor(client, login, make_user, make_conversation, as_participant):
    from app.services.content import ideas

    question = make_conversation().questions[0]
    idea, _ = ideas.post_idea(as_participant(make_user()), question.id, "Lockers that work")
    token = login(make_user())
    listing = f"/questions/{question.id}?sort=newest&page=1"
    voted = client.post(f"/ideas/{idea.id}/vote", data={"choice": "support", "next": listing, "csrf_token": token})
    assert voted.headers["Location"] == f"{listing}#idea-{idea.id}"
    page = client.get(listing).get_data(as_text=True)
    assert f'id="idea-{idea.id}"' in page  # the anchor the redirect points at exists
    withdrawn = client.post(f"/ideas/{idea.id}/vote/withdraw", data={"next": listing + "#top", "csrf_token": token})
    assert withdrawn.headers["Location"] == f"{listing}#idea-{idea.id}"
    # From the idea's own page (no next) it stays there; a refused next still goes home with no anchor.
    assert client.post(f"/ideas/{idea.id}/vote", data={"choice": "support", "csrf_token": token}).headers["Location"] == f"/ideas/{idea.id}"
    assert client.post(f"/ideas/{idea.id}/vote", data={"choice": "support", "next": "//evil.example/", "csrf_token": token}).headers["Location"] == "/"
