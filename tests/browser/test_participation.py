"""A member of staff takes part in the demo conversation in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import WAIT_MS, serious_violations, sign_in


def _follow(page, locator) -> None:  # type: ignore[no-untyped-def]
    """Click a link or button and wait for the page it leads to, so checks never see the old page."""
    with page.expect_navigation():
        locator.click()


def test_staff_member_posts_votes_and_finds_their_idea(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "staff03@demo.chorus.nhs.uk")
    _follow(page, page.get_by_role("link", name="Best place to work"))
    _follow(page, page.get_by_role("link", name="What would make this a better place to work?"))
    text = "Bike racks under cover by the staff entrance"
    page.get_by_label("Share an idea").fill(text)
    page.get_by_role("button", name="Post your idea anonymously").click()
    page.wait_for_url(re.compile(r"/ideas/"))
    expect(page.get_by_text("Your idea has been posted.")).to_be_visible()
    expect(page.get_by_text("This is your idea.")).to_be_visible()
    _follow(page, page.get_by_role("button", name=re.compile("^Support")))
    expect(page.get_by_text("1 supporter").first).to_be_visible()
    _follow(page, page.get_by_role("link", name="My ideas and comments"))
    expect(page.get_by_text(text)).to_be_visible()


def test_identifying_details_are_flagged_while_typing(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "staff04@demo.chorus.nhs.uk")
    _follow(page, page.get_by_role("link", name="Best place to work"))
    _follow(page, page.get_by_role("link", name="What gets in the way of you doing your best work?"))
    page.get_by_label("Share an idea").fill("Sister Jones on Ward 7 never lets us take breaks")
    warning = page.locator(".chorus-draft-warning")
    warning.wait_for(timeout=WAIT_MS)
    assert "Sister Jones" in warning.inner_text()


def test_key_pages_have_no_serious_accessibility_violations(live_server, new_page):
    page = new_page()
    page.goto(live_server + "/")
    assert serious_violations(page) == []
    sign_in(page, live_server, "staff05@demo.chorus.nhs.uk")
    assert serious_violations(page) == []
    _follow(page, page.get_by_role("link", name="Best place to work"))
    assert serious_violations(page) == []
    _follow(page, page.get_by_role("link", name="What would make this a better place to work?"))
    assert serious_violations(page) == []
    _follow(page, page.locator(".chorus-idea a[href*='/ideas/']").first)
    assert serious_violations(page) == []
    page.goto(page.url.split("/ideas/")[0] + "/conversations/1/themes")
    assert serious_violations(page) == []


def test_works_on_a_phone_sized_screen(live_server, new_page):
    page = new_page(390, 844)
    sign_in(page, live_server, "staff06@demo.chorus.nhs.uk")
    _follow(page, page.get_by_role("link", name="Best place to work"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
