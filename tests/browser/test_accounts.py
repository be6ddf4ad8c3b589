"""A8 in a real browser: an admin's reset is one-time and shown; a new starter signs in with their link."""

from __future__ import annotations

import re

from tests.browser.conftest import WAIT_MS, serious_violations, sign_in

ADMIN = "admin@demo.chorus.nhs.uk"
STAFF = "staff05@demo.chorus.nhs.uk"
ADMIN_CHOSEN = "admin-chose-this-1"
OWN = "only-the-nurse-knows-7"


def _sign_out(page, base: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/auth/sign-out")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def test_an_admin_reset_is_replaced_by_the_person(live_server, new_page):
    admin = new_page()
    sign_in(admin, live_server, ADMIN)
    admin.goto(live_server + "/admin/people?q=staff05")
    admin.get_by_role("link", name=re.compile("staff05|Staff member 5")).first.click()
    admin.get_by_label("One-time password").fill(ADMIN_CHOSEN)
    admin.get_by_label("Confirm the new password").fill(ADMIN_CHOSEN)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Reset password").click()
    admin.get_by_text("Their password has been reset and they have been signed out").wait_for(timeout=WAIT_MS)

    nurse = new_page(width=390, height=844)
    sign_in(nurse, live_server, STAFF, ADMIN_CHOSEN)
    nurse.wait_for_url(re.compile(r"/auth/password$"))
    assert nurse.get_by_text("Your password was reset by an admin").first.is_visible()
    assert serious_violations(nurse) == []
    nurse.goto(live_server + "/")  # nothing else opens until they choose their own
    assert nurse.url.endswith("/auth/password")
    nurse.get_by_label("New password", exact=True).fill(OWN)
    nurse.get_by_label("Confirm the new password").fill(OWN)
    with nurse.expect_navigation():
        nurse.get_by_role("button", name="Save password").click()
    nurse.get_by_text("Your password has been changed").wait_for(timeout=WAIT_MS)
    _sign_out(nurse, live_server)

    sign_in(nurse, live_server, STAFF, ADMIN_CHOSEN)  # the admin's password no longer works
    assert nurse.get_by_text("Enter a correct email address and password").first.is_visible()
    sign_in(nurse, live_server, STAFF, OWN)
    assert "/auth/sign-in" not in nurse.url and "/auth/password" not in nurse.url


def test_a_new_starter_signs_in_with_their_link(live_server, new_page):
    admin = new_page()
    sign_in(admin, live_server, ADMIN)
    admin.goto(live_server + "/admin/people/upload")
    rows = "email,display name,organisation code,staff group,role\nnew.starter@demo.chorus.nhs.uk,New Starter,RVH,Nursing and Midwifery,participant\n"
    admin.get_by_label("CSV file").set_input_files(files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": rows.encode()}])
    with admin.expect_navigation():
        admin.get_by_role("button", name=re.compile("Upload")).click()
    link = admin.locator("code", has_text="/auth/set-password/").first.inner_text().strip()
    assert "7 days" in admin.content()

    starter = new_page()
    starter.goto(link)
    assert starter.get_by_role("heading", name="Choose your password").is_visible()
    starter.get_by_label("New password", exact=True).fill(OWN)
    starter.get_by_label("Confirm the new password").fill(OWN)
    with starter.expect_navigation():
        starter.get_by_role("button", name="Save password and sign in").click()
    starter.get_by_text("Your password has been set").wait_for(timeout=WAIT_MS)
    _sign_out(starter, live_server)
    sign_in(starter, live_server, "new.starter@demo.chorus.nhs.uk", OWN)
    assert "/auth/sign-in" not in starter.url
    starter.goto(link)  # the link worked once
    assert starter.get_by_role("heading", name="This link does not work").is_visible()
