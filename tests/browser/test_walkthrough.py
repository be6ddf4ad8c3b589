"""A walk through every surface of the seeded demo as each role: headings, the current header item,
the named-mode banner, a page that fits a phone, and no serious accessibility violations (axe-core)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serious_violations, sign_in

# Demo ids: 1 "Best place to work" (themes, outcomes), 2 Ideas Lab, 3 draft Change Hub, 4 live workshop with
# guests, 5 named-mode ward huddle.
WALKS = {
    "staff01": ("Conversations", [
        "/", "/conversations/1", "/questions/1", "/conversations/1/themes", "/conversations/1/prioritise",
        "/conversations/1/outcomes", "/conversations/1/mine", "/organisations/1/outcomes", "/conversations/2",
        "/conversations/4/live", "/conversations/5",
    ]),
    "facilitator": ("Facilitate", [
        "/facilitate/", "/facilitate/conversations/new", "/facilitate/conversations/1",
        "/facilitate/conversations/1/edit", "/facilitate/conversations/1/questions",
        "/facilitate/conversations/1/paper-notes", "/facilitate/conversations/2/stages",
        "/facilitate/conversations/1/moderation", "/facilitate/conversations/1/moderation/log",
        "/facilitate/conversations/4/moderation/settings", "/facilitate/conversations/4/live",
        "/facilitate/conversations/3", "/facilitate/conversations/5",
    ]),
    "lead": ("Themes and actions", [
        "/manage/", "/manage/conversations/1", "/manage/themes/1", "/manage/conversations/1/matrix",
        "/manage/conversations/1/prioritise", "/manage/conversations/5",
    ]),
    "admin": ("Admin", [
        "/admin/", "/admin/organisations", "/admin/organisations/1", "/admin/partnerships", "/admin/people",
        "/admin/people/1", "/admin/people/upload",
    ]),
}
NAMED = re.compile(r"/(conversations|facilitate/conversations|manage/conversations)/5(/|$)")


def walk(page, base: str, current_item: str | None, paths: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
        expect(page.locator("main h1")).to_have_count(1)
        assert page.title().endswith("– Chorus"), f"{path} has the title {page.title()!r}"
        if current_item:
            current = page.locator('header nav [aria-current="page"]')
            expect(current).to_have_count(1)
            expect(current).to_have_text(current_item)
        banner = page.get_by_text("Names are shown in this conversation")
        expect(banner).to_have_count(1 if NAMED.search(path) else 0)
        problems += [f"{path}: {v}" for v in serious_violations(page)]
    return problems


@pytest.mark.parametrize("who", list(WALKS))
def test_every_surface_is_labelled_and_accessible(live_server, new_page, who):
    current_item, paths = WALKS[who]
    page = new_page()
    sign_in(page, live_server, f"{who}@demo.chorus.nhs.uk")
    assert walk(page, live_server, current_item, paths) == []


def test_a_guest_joins_with_the_code_and_walks_the_workshop(live_server, new_page):
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    facilitator.goto(live_server + "/facilitate/conversations/4/present")
    code = facilitator.locator(".chorus-presenter__code").inner_text().strip()

    guest = new_page(width=390, height=844)  # a phone
    guest.goto(live_server + "/join")
    guest.get_by_label("Join code").fill(code)
    with guest.expect_navigation():
        guest.get_by_role("button", name="Join").click()
    # A guest lands on the live board (issue #14), inside the workshop's own menu.
    expect(guest.get_by_role("heading", level=1)).to_have_text("Live board")
    expect(guest.get_by_text("Live workshop: our staff room").first).to_be_visible()
    nav = guest.get_by_role("navigation", name="This conversation")
    for item in ["Questions", "Themes", "Live board", "You said, we did", "Leave the workshop"]:
        expect(nav.get_by_role("link", name=item, exact=True)).to_be_visible()
    assert walk(guest, live_server, None, ["/conversations/4", "/conversations/4/live", "/conversations/4/themes"]) == []


def test_pages_fit_a_phone(live_server, new_page):
    page = new_page(width=390, height=844)
    sign_in(page, live_server, "lead@demo.chorus.nhs.uk")
    for path in ["/conversations/1", "/questions/1", "/conversations/1/themes", "/conversations/1/outcomes",
                 "/facilitate/conversations/1", "/facilitate/conversations/1/moderation", "/manage/conversations/1",
                 "/manage/themes/1", "/manage/conversations/1/prioritise", "/manage/conversations/1/report"]:
        page.goto(live_server + path)
        expect(page.locator("main h1")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} is wider than a phone"
    admin = new_page(width=390, height=844)
    sign_in(admin, live_server, "admin@demo.chorus.nhs.uk")
    for path in ["/admin/", "/admin/organisations", "/admin/organisations/1", "/admin/people", "/admin/people/1"]:
        admin.goto(live_server + path)
        expect(admin.locator("main h1")).to_have_count(1)
        assert admin.evaluate("document.documentElement.scrollWidth") <= 390, f"{path} is wider than a phone"


def test_named_conversations_are_marked_in_lists(live_server, new_page):
    page = new_page()
    sign_in(page, live_server, "facilitator@demo.chorus.nhs.uk")
    for path, container in [("/", "li, .nhsuk-card"), ("/facilitate/", "tr")]:
        page.goto(live_server + path)
        named = page.locator(container).filter(has=page.get_by_role("link", name="Ward huddle: names shown"))
        expect(named.first).to_contain_text("Names shown")
        anonymous = page.locator(container).filter(has=page.get_by_role("link", name="Best place to work", exact=True))
        expect(anonymous.first).not_to_contain_text("Names shown")
