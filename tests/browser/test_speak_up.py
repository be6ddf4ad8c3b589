"""Issue #15 in a real browser: send a post to the Freedom to Speak Up Guardian, the Guardian replies, the author
reads the reply; and the outreach monitor. Every page passes axe-core."""

from __future__ import annotations

import re

from tests.browser.conftest import serious_violations, sign_in

TEXT = "Our night manager bullies the healthcare assistants and we are scared to raise it with anyone."


def test_send_to_the_guardian_guardian_replies_author_reads(live_server, new_page):
    admin = new_page()
    sign_in(admin, live_server, "admin@demo.chorus.nhs.uk")
    admin.goto(live_server + "/admin/organisations")
    admin.get_by_role("link", name=re.compile("Riverside")).first.click()
    admin.get_by_role("link", name="Freedom to Speak Up").click()
    admin.wait_for_url(re.compile(r"/speak-up$"))
    assert serious_violations(admin) == []
    admin.get_by_label("Email address of the person to appoint").fill("lead@demo.chorus.nhs.uk")
    admin.get_by_role("button", name="Appoint as Guardian").click()
    admin.get_by_text("is now a Freedom to Speak Up Guardian").wait_for()

    author = new_page()
    sign_in(author, live_server, "staff07@demo.chorus.nhs.uk")
    author.get_by_role("link", name="Best place to work").click()
    author.get_by_role("link", name="What would make this a better place to work?").click()
    author.get_by_label("Share an idea").fill(TEXT)
    author.get_by_label("Also send this to the Freedom to Speak Up Guardian").check()
    assert serious_violations(author) == []
    author.get_by_role("button", name="Post your idea anonymously").click()
    author.wait_for_load_state()
    if "/questions/" in author.url:  # similar ideas were shown first: post it anyway
        author.get_by_role("button", name="Post your idea anyway").click()
    author.get_by_text("also been sent to the Freedom to Speak Up Guardian").wait_for()

    keeper = new_page()
    sign_in(keeper, live_server, "lead@demo.chorus.nhs.uk")
    keeper.get_by_role("link", name="Speak Up queue").click()
    keeper.wait_for_url(re.compile(r"/guardian/$"))
    assert serious_violations(keeper) == []
    keeper.get_by_role("link", name=re.compile("An idea in")).first.click()
    keeper.wait_for_url(re.compile(r"/guardian/threads/"))
    keeper.get_by_text(TEXT).wait_for()
    assert "staff07" not in keeper.content() and "Staff member 7" not in keeper.content()
    assert serious_violations(keeper) == []
    keeper.get_by_label("Reply to the author").fill("Thank you for telling me. I can meet you in confidence.")
    keeper.get_by_role("button", name="Send reply").click()
    keeper.get_by_text("Your reply has been sent").wait_for()

    reader = new_page()  # the author's next visit
    sign_in(reader, live_server, "staff07@demo.chorus.nhs.uk")
    reader.goto(live_server + "/conversations/1/mine")
    reader.get_by_text("I can meet you in confidence").first.wait_for()
    assert serious_violations(reader) == []
    reader.get_by_role("link", name=re.compile("^Read and reply")).first.click()
    reader.wait_for_url(re.compile(r"/speak-up/"))
    reader.get_by_text("I can meet you in confidence").wait_for()
    assert serious_violations(reader) == []
    reader.get_by_role("link", name="What the Guardian can and cannot do").click()
    reader.get_by_text("Chorus is not an emergency service").wait_for()
    assert serious_violations(reader) == []


def test_outreach_monitor_is_accessible(live_server, new_page):
    admin = new_page()
    sign_in(admin, live_server, "admin@demo.chorus.nhs.uk")
    admin.goto(live_server + "/admin/baseline")
    assert serious_violations(admin) == []
    admin.get_by_role("button", name=re.compile("^Count the people of Riverside")).click()
    admin.get_by_text("now counts its").wait_for()
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator@demo.chorus.nhs.uk")
    facilitator.goto(live_server + "/facilitate/conversations/1")
    facilitator.get_by_role("link", name="Outreach").click()
    facilitator.wait_for_url(re.compile(r"/outreach$"))
    facilitator.get_by_role("heading", name="Outreach").wait_for()
    assert serious_violations(facilitator) == []
