"""Quick polls and review refresh in real browsers: a poll opens on a board and its answers count on the presenter
view without reloading; a finished theme run redraws the review themes; the presenter view passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS, serious_violations, sign_in

BOARD = "/conversations/1/live"
CONSOLE = "/facilitate/conversations/1/live"
PRESENTER = "/facilitate/conversations/1/present"


def _facilitator(new_page, base: str, path: str):  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, base, "facilitator@demo.chorus.nhs.uk")
    page.goto(base + path)
    page.locator("[data-live-ready]").wait_for(state="attached")
    page.evaluate("window.chorusNotReloaded = true")
    return page


def test_a_quick_poll_opens_on_boards_and_counts_live_on_the_presenter_view(live_server, new_page):
    console = _facilitator(new_page, live_server, CONSOLE)
    presenter = _facilitator(new_page, live_server, PRESENTER)
    board = new_page()
    sign_in(board, live_server, "staff07@demo.chorus.nhs.uk")
    board.goto(live_server + BOARD)
    board.locator("[data-live-ready]").wait_for(state="attached")
    board.evaluate("window.chorusNotReloaded = true")

    console.get_by_label("Question").fill("Which change should come first?")
    console.get_by_label("Single choice: people pick one of your choices").check()
    console.get_by_label("Choices, one on each line").fill("Rotas six weeks ahead\nFree night parking\nHot food at night")
    console.get_by_role("button", name="Add the poll").click()
    expect(console.get_by_text("is ready. Open it when you want people to answer.")).to_be_visible()
    console.get_by_role("button", name="Open this poll").click()
    expect(console.get_by_text("The poll is open on every screen.")).to_be_visible()

    # The board and the projector show the poll without reloading.
    expect(board.get_by_label("Free night parking")).to_be_visible(timeout=WAIT_MS)
    expect(presenter.get_by_text("Which change should come first?", exact=True)).to_be_visible(timeout=WAIT_MS)
    board.get_by_label("Free night parking").check()
    board.get_by_role("button", name="Send your answer").click()
    expect(board.get_by_text("Your answer has been counted")).to_be_visible()

    row = presenter.locator("[data-poll-option='1']")
    expect(row.locator("[data-poll-count]")).to_have_text("1", timeout=WAIT_MS)
    expect(row.locator("[data-poll-percent]")).to_have_text("100%")
    expect(presenter.locator("[data-poll-total]")).to_have_text("1")
    assert presenter.evaluate("window.chorusNotReloaded") is True
    assert serious_violations(presenter) == []
    assert serious_violations(board) == []


def test_the_review_phase_redraws_its_themes_when_a_run_finishes(live_server, new_page):
    console = _facilitator(new_page, live_server, CONSOLE)
    console.get_by_role("button", name=re.compile("^Review")).click()
    presenter = _facilitator(new_page, live_server, PRESENTER)
    themes = presenter.locator("[data-live-themes]")
    expect(themes.locator("li").first).to_be_visible()
    # Take the themes off the screen, so only the run's live event can bring them back.
    presenter.evaluate("document.querySelector('[data-live-themes]').replaceChildren()")
    expect(themes.locator("li")).to_have_count(0)

    lead = new_page()
    sign_in(lead, live_server, "facilitator@demo.chorus.nhs.uk")
    lead.goto(live_server + "/conversations/1/themes")
    lead.get_by_role("button", name="Update themes now").click()
    expect(themes.locator("li").first).to_be_visible(timeout=WAIT_MS)
    expect(themes.locator("li").first).to_contain_text(re.compile(r"\d+ ideas?$"))
    expect(presenter.locator("[data-live-status]")).to_have_text("The themes have been updated", timeout=WAIT_MS)
    assert presenter.evaluate("window.chorusNotReloaded") is True
