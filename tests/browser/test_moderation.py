"""Moderation in a real browser: a held post reaches the queue, and the pages pass axe-core."""

from __future__ import annotations

import re

from tests.browser.conftest import serious_violations, sign_in


def test_moderation_queue_and_author_notice_are_accessible(live_server, new_page):
    author = new_page()
    sign_in(author, live_server, "staff07@demo.chorus.nhs.uk")
    author.get_by_role("link", name="Best place to work").click()
    author.get_by_role("link", name="What would make this a better place to work?").click()
    text = "The rota manager is an idiot who never answers emails"
    author.get_by_label("Share an idea").fill(text)
    author.get_by_role("button", name="Post your idea anonymously").click()
    author.wait_for_url(re.compile(r"/mine$"))
    assert author.get_by_text("Waiting for a moderator").is_visible()
    assert serious_violations(author) == []

    moderator = new_page()
    sign_in(moderator, live_server, "facilitator@demo.chorus.nhs.uk")
    moderator.goto(live_server + "/facilitate/conversations/1/moderation")
    card = moderator.locator(".nhsuk-card", has_text=text)
    assert card.get_by_text("May contain abusive language").is_visible()
    assert serious_violations(moderator) == []
    card.get_by_role("link", name=re.compile("^Hide")).click()
    moderator.wait_for_url(re.compile(r"/hide$"))
    assert serious_violations(moderator) == []
    moderator.get_by_label("It is abusive or offensive").check()
    moderator.get_by_label("Note for the author").fill("Please say what the problem is without insults.")
    moderator.get_by_role("button", name="Hide idea").click()
    moderator.wait_for_url(re.compile(r"/moderation$"))
    assert moderator.get_by_text("has been hidden").is_visible()
    moderator.get_by_role("link", name="Moderation log").click()
    moderator.wait_for_url(re.compile(r"/moderation/log$"))
    moderator.get_by_role("cell", name="Hidden", exact=True).wait_for()
    assert serious_violations(moderator) == []
    moderator.get_by_role("link", name="Moderation and guest settings").click()
    moderator.wait_for_url(re.compile(r"/moderation/settings$"))
    assert serious_violations(moderator) == []

    # The author's next visit (a new sign-in, so no cached "no notices" result) shows the notice on its first page,
    # and "My ideas and comments" keeps it until it is dismissed.
    author = new_page()
    sign_in(author, live_server, "staff07@demo.chorus.nhs.uk")
    author.goto(live_server + "/conversations/1/mine")
    banner = author.locator(".nhsuk-notification-banner", has_text="Message from the moderators")
    assert banner.get_by_text("abusive or offensive").is_visible()
    assert serious_violations(author) == []
    banner.get_by_role("button", name=re.compile("^Dismiss")).click()
    banner.wait_for(state="detached")
    author.wait_for_load_state()
    assert author.locator(".nhsuk-notification-banner", has_text="Message from the moderators").count() == 0


def test_join_page_is_accessible_and_explains_a_wrong_code(live_server, new_page):
    page = new_page()
    page.goto(live_server + "/join")
    assert serious_violations(page) == []
    page.get_by_label("Join code").fill("ZZZZZZ")
    page.get_by_role("button", name="Join").click()
    page.locator(".nhsuk-error-summary").wait_for()
    assert "That code is not right" in page.locator(".nhsuk-error-summary").inner_text()
    assert serious_violations(page) == []
