"""Journeys that must keep people's place: a guest joins a live workshop from the projector's QR address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.seed import WORKSHOP_TITLE
from tests.browser.conftest import WAIT_MS, serious_violations, sign_in

# Generous bounds: these wait for the page, never measure its speed (the machine is shared and can be slow).
PATIENCE_MS = WAIT_MS
SIZES = [pytest.param((1280, 900), id="desktop"), pytest.param((390, 844), id="phone")]


@pytest.fixture(autouse=True)
def _patient_expectations():  # type: ignore[no-untyped-def]
    expect.set_options(timeout=PATIENCE_MS)
    yield
    expect.set_options(timeout=WAIT_MS)  # what the browser fixture sets for every other test


@pytest.fixture
def open_page(new_page):  # type: ignore[no-untyped-def]
    def make(width: int = 1280, height: int = 900):  # type: ignore[no-untyped-def]
        page = new_page(width, height)
        page.set_default_timeout(PATIENCE_MS)
        page.set_default_navigation_timeout(PATIENCE_MS)
        return page
    return make


def _workshop_id(page, base: str) -> int:  # type: ignore[no-untyped-def]
    page.goto(base + "/facilitate")
    href = page.get_by_role("link", name=WORKSHOP_TITLE).first.get_attribute("href")
    return int(re.search(r"/conversations/(\d+)", href).group(1))  # type: ignore[union-attr, arg-type]


@pytest.mark.parametrize("size", SIZES)
def test_a_guest_joins_from_the_projector_and_lands_on_the_live_board(live_server, open_page, size):
    projector = open_page(1920, 1080)
    sign_in(projector, live_server, "facilitator@demo.chorus.nhs.uk")
    workshop = _workshop_id(projector, live_server)
    projector.goto(f"{live_server}/facilitate/conversations/{workshop}/present")
    expect(projector.locator(".chorus-presenter__url")).to_have_text(f"{live_server}/join")
    qr = projector.locator(".chorus-presenter__qr svg")
    expect(qr).to_be_visible()
    assert serious_violations(projector) == []
    address = qr.get_attribute("aria-label").removeprefix("QR code that opens ")  # type: ignore[union-attr]
    code = projector.locator(".chorus-presenter__code").inner_text()
    assert address == f"{live_server}/join?code={code}"

    guest = open_page(*size)
    guest.goto(address)  # what a phone camera opens from the QR code
    expect(guest.get_by_label("Join code")).to_have_value(code)
    assert serious_violations(guest) == []
    assert guest.evaluate("document.documentElement.scrollWidth") <= size[0]
    with guest.expect_navigation():
        guest.get_by_role("button", name="Join").click()
    assert guest.url == f"{live_server}/conversations/{workshop}/live"
    expect(guest.get_by_role("heading", level=1)).to_have_text("Live board")
    expect(guest.get_by_text(WORKSHOP_TITLE).first).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_a_signed_out_visitor_to_a_live_board_can_enter_the_code_or_sign_in(live_server, open_page, size):
    facilitator = open_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    workshop = _workshop_id(facilitator, live_server)
    visitor = open_page(*size)
    visitor.goto(f"{live_server}/conversations/{workshop}/live")
    expect(visitor.get_by_label("Join code")).to_be_visible()
    assert serious_violations(visitor) == []
    with visitor.expect_navigation():
        visitor.get_by_role("link", name="Sign in to take part with your account").click()
    visitor.get_by_label("Email address").fill("staff10@demo.chorus.nhs.uk")
    visitor.get_by_label("Password").fill("chorus-demo-2026")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Sign in").click()
    assert visitor.url == f"{live_server}/conversations/{workshop}/live"


@pytest.mark.parametrize("size", SIZES)
def test_a_phase_change_keeps_an_unsent_note_and_says_why(live_server, open_page, size):
    facilitator = open_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    workshop = _workshop_id(facilitator, live_server)
    facilitator.goto(f"{live_server}/facilitate/conversations/{workshop}/live")
    board = open_page(*size)
    sign_in(board, live_server, "staff11@demo.chorus.nhs.uk")
    board.goto(f"{live_server}/conversations/{workshop}/live")
    draft = "Sister Jones on Ward 7 should get a proper break room"
    board.get_by_label("Share an idea").fill(draft)
    with board.expect_navigation():
        board.get_by_role("button", name="Post your idea anonymously").click()
    expect(board.locator(".chorus-draft-warning")).to_be_visible()  # pending "post anyway"
    board.locator("[data-live-ready]").wait_for(state="attached")
    kept = board.locator("[data-live-draft-kept]")
    expect(kept).to_be_hidden()

    facilitator.locator("button[name=phase][value=vote]").click()
    expect(board.locator("[data-live-phase]")).to_have_text("Voting")
    expect(board.get_by_label("Share an idea")).to_be_visible()
    expect(board.get_by_label("Share an idea")).to_have_value(draft)
    expect(kept).to_be_visible()
    expect(kept).to_contain_text("moved on to Voting")

    facilitator.locator("button[name=phase][value=collect]").click()  # back again: the note can be posted
    expect(board.locator("[data-live-phase]")).to_have_text("Sharing ideas")
    expect(kept).to_be_hidden()
    expect(board.get_by_label("Share an idea")).to_have_value(draft)


@pytest.mark.parametrize("size", SIZES)
def test_voting_on_a_long_list_keeps_the_place(live_server, open_page, size):
    page = open_page(*size)
    sign_in(page, live_server, "staff12@demo.chorus.nhs.uk")
    page.goto(live_server + "/conversations/1")
    with page.expect_navigation():
        page.get_by_role("link", name="What would make this a better place to work?").click()
    cards = page.locator(".chorus-idea")
    assert cards.count() >= 6
    card = cards.last  # far down the page
    button = card.locator(".chorus-votes button").first
    button.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 0
    count = card.locator(".chorus-votes__count")
    old = count.inner_text()
    page.evaluate("window.chorusNotReloaded = true")
    label = button.inner_text()
    button.click()
    expect(card.locator(".chorus-votes button").first).not_to_have_text(label)  # Support <-> Supported
    expect(count).not_to_have_text(old)
    expect(page.locator("[data-vote-status]")).to_contain_text("Vote saved")
    assert page.evaluate("window.chorusNotReloaded") is True  # updated in place, not reloaded
    assert abs(page.evaluate("window.scrollY") - before) < 200


def _summary(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    keys = page.locator(".nhsuk-summary-list__key").all_inner_texts()
    values = page.locator(".nhsuk-summary-list__value").all_inner_texts()
    return {k.strip(): v.strip() for k, v in zip(keys, values, strict=True)}


@pytest.mark.parametrize("size", SIZES)
def test_the_facilitator_overview_dates_follow_the_state(live_server, open_page, size):
    page = open_page(*size)
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    page.goto(live_server + "/facilitate/conversations/1")
    rows = _summary(page)
    assert "Opens" not in rows and "Opened" in rows and "Closes" in rows
    assert "When you open it" not in rows.values()
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]

    page.goto(live_server + "/facilitate/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ward huddle: names shown").click()
    if page.get_by_role("link", name="Close now").count():
        with page.expect_navigation():
            page.get_by_role("link", name="Close now").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Close the conversation").click()
        page.goto(live_server + "/facilitate/")
        with page.expect_navigation():
            page.get_by_role("link", name="Ward huddle: names shown").click()
    rows = _summary(page)
    assert rows["Status"] == "Closed" and "Closed" in rows and "Closes" not in rows


def test_pages_with_a_back_link_have_no_content_outside_landmarks(live_server, open_page):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page()
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    for path in ("/facilitate/conversations/1", "/facilitate/conversations/1/questions", "/conversations/1/live"):
        page.goto(live_server + path)
        expect(page.locator(".nhsuk-back-link").first).to_be_visible()
        results = Axe().run(page, options={"runOnly": ["region"]})
        assert results.response["violations"] == [], path


@pytest.mark.parametrize("size", [pytest.param((1280, 720), id="720p"), pytest.param((1920, 1080), id="1080p")])
def test_the_presenter_view_uses_the_whole_projector_and_keeps_join_details_in_view(live_server, open_page, size):
    width, height = size
    page = open_page(width, height)
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    workshop = _workshop_id(page, live_server)
    page.goto(f"{live_server}/facilitate/conversations/{workshop}/present")
    expect(page.locator(".chorus-live-card").first).to_be_visible()
    columns = page.locator(".chorus-live__columns").bounding_box()
    assert columns and columns["width"] >= 0.6 * width  # not a ~730 px column in the middle
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    note = page.locator(".chorus-live-card__body").first
    assert float(note.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 30  # read from the back
    assert serious_violations(page) == []

    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    for part in (".chorus-presenter__url", ".chorus-presenter__code", "[data-live-phase]", ".chorus-presenter__qr svg"):
        box = page.locator(part).bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= height and box["x"] + box["width"] <= width, part
    # The live-status sentence is in the side panel, not above the headings of the notes.
    assert page.locator(".chorus-presenter__side [data-live-status]").count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_opening_a_similar_idea_keeps_the_draft(live_server, open_page, size):
    page = open_page(*size)
    sign_in(page, live_server, "staff13@demo.chorus.nhs.uk")
    page.goto(live_server + "/conversations/1")
    with page.expect_navigation():
        page.get_by_role("link", name="What would make this a better place to work?").click()
    here = page.url
    # Another person's idea: one's own are never offered as similar (the fair random order may put one first).
    others = page.locator(".chorus-idea").filter(has_not=page.get_by_text("your idea", exact=True))
    existing = others.first.locator(".chorus-idea__body").inner_text().strip()
    draft = existing + " Please"
    page.get_by_label("Share an idea").fill(draft)
    suggestion = page.locator(".chorus-similar__idea").first
    expect(suggestion).to_be_visible()
    suggestion.locator("summary").click()
    expect(suggestion.locator(".chorus-similar__body")).to_be_visible()
    expect(suggestion.get_by_role("link", name="Open this idea in a new tab to support it")).to_have_attribute("target", "_blank")
    assert page.url == here
    expect(page.get_by_label("Share an idea")).to_have_value(draft)
