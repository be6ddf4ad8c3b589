"""A live workshop in real browsers: the facilitator moves phases and two participants' boards follow
without reloading; the board and presenter view have no serious accessibility violations."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS, serious_violations, sign_in

BOARD = "/conversations/1/live"
CONSOLE = "/facilitate/conversations/1/live"


def _open_board(page, base: str, email: str):  # type: ignore[no-untyped-def]
    sign_in(page, base, email)
    page.goto(base + BOARD)
    page.locator("[data-live-ready]").wait_for(state="attached")
    page.evaluate("window.chorusNotReloaded = true")
    return page


def test_facilitator_moves_phases_and_two_boards_follow_without_reloading(live_server, new_page):
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    facilitator.goto(live_server + CONSOLE)
    facilitator.get_by_role("button", name="Sharing ideas").click()
    expect(facilitator.get_by_text("The phase has changed on every screen.")).to_be_visible()

    first = _open_board(new_page(), live_server, "staff07@demo.chorus.nhs.uk")
    second = _open_board(new_page(), live_server, "staff08@demo.chorus.nhs.uk")
    for page in (first, second):
        expect(page.locator("[data-live-phase]")).to_have_text("Sharing ideas")
        expect(page.get_by_role("button", name="Post your idea anonymously")).to_be_visible()

    # A third person posts: both boards show the idea and a polite summary, without reloading.
    poster = new_page()
    sign_in(poster, live_server, "staff09@demo.chorus.nhs.uk")
    poster.goto(live_server + BOARD)
    poster.get_by_label("Share an idea").fill("Standing desks in the education centre")
    poster.get_by_role("button", name="Post your idea anonymously").click()
    for page in (first, second):
        expect(page.get_by_text("Standing desks in the education centre")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("[data-live-status]")).to_have_text("1 new idea", timeout=WAIT_MS)

    facilitator.get_by_role("button", name="Voting").click()
    facilitator.get_by_label("Minutes").fill("3")
    facilitator.get_by_role("button", name="Start timer").click()
    for page in (first, second):
        expect(page.locator("[data-live-phase]")).to_have_text("Voting", timeout=WAIT_MS)
        expect(page.get_by_role("button", name="Post your idea anonymously")).to_be_hidden()
        expect(page.locator("[data-live-timer]")).to_have_text(__import__("re").compile(r"^[0-3]:\d\d left$"), timeout=WAIT_MS)
        assert page.evaluate("window.chorusNotReloaded") is True

    # Paused boards hold updates back until resumed.
    second.get_by_role("button", name="Pause live updates").click()
    facilitator.get_by_role("button", name="Review").click()
    expect(first.locator("[data-live-phase]")).to_have_text("Review", timeout=WAIT_MS)
    second.wait_for_timeout(500)
    expect(second.locator("[data-live-phase]")).to_have_text("Voting")
    second.get_by_role("button", name="Resume live updates").click()
    expect(second.locator("[data-live-phase]")).to_have_text("Review")
    assert second.evaluate("window.chorusNotReloaded") is True


def test_board_console_and_presenter_have_no_serious_accessibility_violations(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    page.goto(live_server + CONSOLE)
    assert serious_violations(page) == []
    page.goto(live_server + "/facilitate/conversations/1/present")
    expect(page.get_by_text("Join at")).to_be_visible()
    assert serious_violations(page) == []
    board = new_page(390, 844)
    sign_in(board, live_server, "staff10@demo.chorus.nhs.uk")
    board.goto(live_server + BOARD)
    assert serious_violations(board) == []
    assert board.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_board_without_event_streams_falls_back_to_polling(live_server, new_page):
    """Where a proxy blocks streams (here: no EventSource at all), the board polls and still follows."""
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    facilitator.goto(live_server + CONSOLE)
    facilitator.get_by_role("button", name="Sharing ideas").click()
    board = new_page()
    board.add_init_script("delete window.EventSource;")
    _open_board(board, live_server, "staff11@demo.chorus.nhs.uk")
    assert board.evaluate("typeof window.EventSource") == "undefined"
    expect(board.locator("[data-live-phase]")).to_have_text("Sharing ideas")
    facilitator.get_by_role("button", name="Voting").click()
    expect(board.locator("[data-live-phase]")).to_have_text("Voting", timeout=WAIT_MS)
    assert board.evaluate("window.chorusNotReloaded") is True
