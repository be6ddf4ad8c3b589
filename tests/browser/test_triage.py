"""A change-hub lead merges themes, prioritises and publishes an outcome; a member of staff sees the notice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in



def test_lead_triages_and_staff_hear_back(live_server, new_page):
    lead = new_page()
    sign_in(lead, live_server, "lead@demo.chorus.nhs.uk")
    lead.get_by_role("link", name="Themes and actions").first.click()
    lead.wait_for_url(re.compile(r"/manage/$"))
    assert serious_violations(lead) == []
    lead.get_by_role("link", name="Best place to work").click()
    lead.wait_for_url(re.compile(r"/manage/conversations/\d+$"))
    board_url = lead.url
    expect(lead.locator(".chorus-board dt", has_text="Priority score").first).to_be_visible()
    lead.screenshot(path="/tmp/triage-board.png", full_page=True)
    assert serious_violations(lead) == []

    # Merge the second theme on the board into the first.
    cards = lead.locator(".chorus-board .nhsuk-card__heading a")
    first_label = cards.nth(0).inner_text()
    cards.nth(1).click()
    lead.wait_for_url(re.compile(r"/manage/themes/\d+$"))
    assert serious_violations(lead) == []
    lead.screenshot(path="/tmp/triage-theme.png", full_page=True)
    lead.get_by_label("Merge this theme into").select_option(label=first_label)
    lead.get_by_role("button", name="Merge themes").click()
    lead.screenshot(path="/tmp/triage-merged.png", full_page=True)
    expect(lead.get_by_text("The themes have been merged.")).to_be_visible()
    expect(lead.get_by_role("heading", level=1)).to_have_text(first_label)

    # Prioritise: answer one pair and see the ranking with intervals.
    lead.goto(board_url)
    lead.get_by_role("link", name="Compare in pairs").click()
    lead.get_by_role("button", name=re.compile("^Choose ")).first.click()
    expect(lead.get_by_text(re.compile(r"You have answered [1-9]\d* pair"))).to_be_visible()
    expect(lead.get_by_text("Ranking from comparisons in pairs")).to_be_visible()
    assert serious_violations(lead) == []
    lead.get_by_role("link", name="Impact and effort").click()
    expect(lead.locator("svg.chorus-chart")).to_be_visible()
    assert serious_violations(lead) == []
    lead.get_by_role("link", name="Printable report").click()
    expect(lead.get_by_role("heading", name="Themes in detail: status and outcomes")).to_be_visible()
    assert serious_violations(lead) == []

    # A member of staff supports an idea in the merged theme.
    staff = new_page()
    sign_in(staff, live_server, "staff45@demo.chorus.nhs.uk")  # answered no pairs in the seed
    staff.goto(board_url.replace("/manage/conversations/", "/conversations/") + "/themes")
    staff.get_by_role("link", name=first_label, exact=True).click()
    support = staff.get_by_role("button", name=re.compile("^Support"))
    if support.count():
        support.first.click()
        expect(staff.get_by_role("button", name=re.compile("^Supported")).first).to_be_visible()

    # The lead publishes the outcome of that theme.
    lead.goto(board_url)
    lead.get_by_role("link", name=first_label, exact=True).click()
    lead.get_by_label("What we heard").fill("Staff told us this gets in the way every week.")
    lead.get_by_label("What we will do").fill("We will fix it by the spring and report back monthly.")
    lead.get_by_label("By whom").fill("Director of Workforce")
    lead.get_by_role("button", name=re.compile("the outcome$")).click()
    expect(lead.get_by_text("The outcome has been published.")).to_be_visible()

    # At their next visit the member of staff sees a notice, worked out from their own pseudonyms.
    staff.goto(live_server + "/")
    banner = staff.locator(".nhsuk-notification-banner", has_text="you contributed to or voted on")
    expect(banner).to_contain_text(first_label)
    assert serious_violations(staff) == []
    banner.get_by_role("link", name=first_label).click()
    expect(staff.get_by_text("We will fix it by the spring")).to_be_visible()
    assert serious_violations(staff) == []
    staff.goto(board_url.replace("/manage/conversations/", "/conversations/") + "/prioritise")
    expect(staff.get_by_role("heading", name="Which matters more to act on?")).to_be_visible()
    assert serious_violations(staff) == []
    staff.get_by_role("button", name="I can't decide").click()
    expect(staff.get_by_text(re.compile(r"You have answered [1-9]\d* pair|no more pairs for you"))).to_be_visible()
    staff.goto(live_server + "/")
    staff.get_by_role("button", name="Dismiss these updates").click()
    expect(staff.get_by_text("Thank you. We will tell you when there is another update.")).to_be_visible()
    expect(staff.locator(".nhsuk-notification-banner", has_text="you contributed to or voted on")).to_have_count(0)
