"""Real browsers: leads choose to compare ideas in pairs; the console spotlights an idea that arrived live
without reloading; closing a live session asks for confirmation first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS, serious_violations, sign_in

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

BOARD = "/conversations/1/live"
CONSOLE = "/facilitate/conversations/1/live"


def test_lead_switches_pairs_to_ideas_and_staff_compare_ideas(live_server, new_page):
    lead = new_page()
    sign_in(lead, live_server, "lead@demo.chorus.nhs.uk")
    lead.get_by_role("link", name="Themes and actions").first.click()
    lead.wait_for_url(re.compile(r"/manage/$"))
    lead.get_by_role("link", name="Best place to work").click()
    lead.wait_for_url(re.compile(r"/manage/conversations/\d+$"))
    board_url = lead.url
    lead.goto(board_url + "/prioritise")
    lead.get_by_text("Change what staff compare").click()
    lead.get_by_label("The ideas posted under one question").check()
    with lead.expect_navigation():
        lead.get_by_role("button", name="Save what staff compare").click()
    expect(lead.get_by_text("Staff now compare: the ideas posted under one question.")).to_be_visible()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Compare ideas in pairs")
    assert serious_violations(lead) == []
    lead.get_by_role("link", name="Pick the ideas to compare (recommendations)").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Pick ideas to compare in pairs")
    assert serious_violations(lead) == []

    staff = new_page(390, 844)
    sign_in(staff, live_server, "staff05@demo.chorus.nhs.uk")
    staff.goto(board_url.replace("/manage/conversations/", "/conversations/") + "/prioritise")
    expect(staff.get_by_text("We show you two ideas at a time.")).to_be_visible()
    expect(staff.get_by_role("heading", name="Which matters more to act on?")).to_be_visible()
    assert serious_violations(staff) == []
    before = int(re.search(r"You have answered (\d+)", staff.locator("main").inner_text()).group(1))
    with staff.expect_navigation():
        staff.get_by_role("button", name=re.compile(r"^Choose ")).first.click()
    expect(staff.get_by_text(f"You have answered {before + 1} pair")).to_be_visible()
    lead.goto(board_url + "/prioritise")
    expect(lead.get_by_role("columnheader", name="Idea")).to_be_visible()


def test_console_spotlights_an_idea_that_arrived_live_without_reloading(live_server, new_page):
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    facilitator.goto(live_server + CONSOLE)
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Sharing ideas").click()
    facilitator.locator("[data-live-ready]").wait_for(state="attached")
    facilitator.evaluate("window.chorusNotReloaded = true")

    board = new_page()
    sign_in(board, live_server, "staff11@demo.chorus.nhs.uk")
    board.goto(live_server + BOARD)
    board.locator("[data-live-ready]").wait_for(state="attached")
    board.get_by_label("Share an idea").fill("Water fountains on every ward corridor")
    with board.expect_navigation():
        board.get_by_role("button", name="Post your idea anonymously").click()

    arrived = facilitator.locator(".chorus-live-card", has_text="Water fountains on every ward corridor")
    expect(arrived).to_be_visible(timeout=WAIT_MS)
    arrived.get_by_role("button", name="Spotlight this idea").click()
    spotlight = facilitator.locator("[data-live-spotlight]")
    expect(spotlight).to_be_visible(timeout=WAIT_MS)
    expect(spotlight.locator("[data-live-spotlight-text]")).to_have_text("Water fountains on every ward corridor")
    assert facilitator.evaluate("window.chorusNotReloaded") is True
    expect(board.locator("[data-live-spotlight-text]")).to_have_text("Water fountains on every ward corridor", timeout=WAIT_MS)


def test_closing_the_session_asks_first(live_server, new_page):
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    facilitator.goto(live_server + CONSOLE)
    with facilitator.expect_navigation():
        facilitator.get_by_role("link", name="Close the session").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Are you sure you want to close the session?")
    assert serious_violations(facilitator) == []
    with facilitator.expect_navigation():
        facilitator.get_by_role("link", name="No, go back to the live console").click()
    expect(facilitator.get_by_role("heading", level=1)).to_have_text("Live console")
    with facilitator.expect_navigation():
        facilitator.get_by_role("link", name="Close the session").click()
    with facilitator.expect_navigation():
        facilitator.get_by_role("button", name="Yes, close the session").click()
    expect(facilitator.get_by_text("The session has closed.")).to_be_visible()
