"""The admin and facilitator consoles in a real browser: a facilitator's journey, and accessibility."""

from __future__ import annotations

import re

from tests.browser.conftest import serious_violations, sign_in


def test_facilitator_starts_an_ideas_lab_and_sees_participation(live_server, new_page):
    page = new_page(width=390, height=844)  # a phone
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    page.goto(live_server + "/facilitate/")
    page.get_by_role("link", name="Start a conversation").click()
    page.get_by_label("Ideas Lab").check()
    page.get_by_label("Title").fill("Ideas Lab: estates")
    page.get_by_role("button", name="Create conversation").click()
    page.wait_for_url(re.compile(r"/facilitate/conversations/\d+$"))
    assert page.get_by_text("The conversation has been created.").is_visible()
    page.get_by_role("button", name="Open now").click()
    assert page.get_by_text("The conversation is open.").is_visible()
    # Figures come from the hourly batch, so a conversation opened a moment ago says when they will appear.
    assert page.get_by_text("Updated hourly; not worked out yet").is_visible()
    assert serious_violations(page) == []


def test_console_pages_have_no_serious_accessibility_violations(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    for path in ["/facilitate/", "/facilitate/conversations/new", "/facilitate/conversations/1",
                 "/facilitate/conversations/1/edit", "/facilitate/conversations/1/questions",
                 "/facilitate/conversations/1/paper-notes", "/facilitate/conversations/2/stages"]:
        page.goto(live_server + path)
        assert serious_violations(page) == [], path
    admin = new_page()
    sign_in(admin, live_server, "admin@demo.chorus.nhs.uk")
    for path in ["/admin/", "/admin/organisations", "/admin/organisations/1", "/admin/partnerships",
                 "/admin/people", "/admin/people/new", "/admin/people/1", "/admin/people/upload"]:
        admin.goto(live_server + path)
        assert serious_violations(admin) == [], path
