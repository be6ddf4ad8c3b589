"""Moderation pages and API: roles, notices reaching only the author, and no author in any response."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Comment, ContentReport, ContentStatus, Idea
from app.services.content import comments
from app.services.content import ideas
from app.services.moderation import decisions
from app.services.accounts.users import create_api_token
from tests.conftest import PASSWORD, csrf_token


def _sign_in(client, user) -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return csrf_token(client, "/")


@pytest.fixture
def world(app, make_user, make_conversation, as_participant):
    """A conversation with a queued idea, a reported comment and a hidden idea, and who wrote them."""
    app.config["CHORUS_NOTICE_CACHE_SECONDS"] = 0
    conversation = make_conversation()
    facilitator, author, reader = make_user("facilitator"), make_user(), make_user()
    me = as_participant(author)
    question = conversation.questions[0].id
    flagged, _ = ideas.post_idea(me, question, "Dr Patel on Ward 7 shouts at the nurses", allow_identifying=True)
    clean, _ = ideas.post_idea(me, question, "Rotas six weeks ahead please")
    new, _ = comments.add_comment(me, clean.id, "And swaps by app")
    comment = db.session.get(Comment, new.id)
    from app.services.moderation import reports

    reports.report_item(as_participant(reader), "comment", comment.id, "other", "Seems like an advert")
    return {"conversation": conversation, "facilitator": facilitator, "author": author, "reader": reader,
            "flagged": flagged, "clean": clean, "comment": comment}


def _secrets(world) -> list[str]:  # type: ignore[no-untyped-def]
    author = world["author"]
    items = db.session.scalars(sa.select(Idea)).all() + [world["comment"]]
    found = [author.email, author.display_name, author.user_key, author.user_key.split(":", 1)[1]]
    return found + [i.author_tag for i in items] + [i.nonce for i in items]


def _assert_no_author(text: str, world) -> None:  # type: ignore[no-untyped-def]
    leaked = [s for s in _secrets(world) if s in text]
    assert leaked == []


def test_participants_and_other_organisations_get_404(app, client, world, make_user, make_org):
    conversation = world["conversation"]
    base = f"/facilitate/conversations/{conversation.id}/moderation"
    _sign_in(client, world["reader"])
    for path in (base, base + "/log", base + "/settings", f"{base}/idea/{world['flagged'].id}/hide"):
        assert client.get(path).status_code == 404, path
    token = create_api_token(world["reader"])
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()  # bearer calls without the signed-in cookie
    assert client.get(f"/api/v1/conversations/{conversation.id}/moderation", headers=headers).status_code == 404
    assert client.get(f"/api/v1/conversations/{conversation.id}/moderation/log", headers=headers).status_code == 404
    approve = client.post(f"/api/v1/conversations/{conversation.id}/moderation/idea/{world['flagged'].id}",
                          json={"action": "approve"}, headers=headers)
    assert approve.status_code == 404 and world["flagged"].status == ContentStatus.PENDING
    outsider = make_user("facilitator", organisation=make_org("Elsewhere Trust"))
    other = app.test_client()
    _sign_in(other, outsider)
    assert other.get(base).status_code == 404


def test_queue_shows_why_and_never_the_author(client, world):
    conversation = world["conversation"]
    _sign_in(client, world["facilitator"])
    html = client.get(f"/facilitate/conversations/{conversation.id}/moderation").get_data(as_text=True)
    assert "Dr Patel on Ward 7" in html and "And swaps by app" in html
    assert "May contain identifying details" in html and "Reported by 1 person" in html and "Seems like an advert" in html
    _assert_no_author(html, world)
    for suffix in ("/log", "/settings", f"/idea/{world['flagged'].id}/hide", f"/idea/{world['flagged'].id}/redact",
                   f"/comment/{world['comment'].id}/hide"):
        page = client.get(f"/facilitate/conversations/{conversation.id}/moderation{suffix}")
        assert page.status_code == 200, suffix
        _assert_no_author(page.get_data(as_text=True), world)


def test_moderating_through_the_pages(app, client, world):
    conversation, flagged, comment = world["conversation"], world["flagged"], world["comment"]
    token = _sign_in(client, world["facilitator"])
    base = f"/facilitate/conversations/{conversation.id}/moderation"
    missing = client.post(f"{base}/idea/{flagged.id}/hide", data={"csrf_token": token, "note": ""})
    assert missing.status_code == 400 and "Choose why you are hiding it" in missing.get_data(as_text=True)
    other = client.post(f"{base}/idea/{flagged.id}/hide", data={"csrf_token": token, "reason": "other", "note": ""})
    assert other.status_code == 400 and "Explain why, for the author" in other.get_data(as_text=True)
    assert flagged.status == ContentStatus.PENDING
    redacted = client.post(f"{base}/idea/{flagged.id}/redact", data={"csrf_token": token, "body": "A doctor shouts at the nurses"})
    assert redacted.status_code == 302 and redacted.headers["Location"] == base
    assert flagged.moderator_edited and flagged.status == ContentStatus.PUBLISHED
    approved = client.post(f"{base}/comment/{comment.id}/approve", data={"csrf_token": token})
    assert approved.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentReport).where(ContentReport.cleared.is_(False))) == 0
    assert client.post(f"{base}/comment/{comment.id}/approve", data={}).status_code == 400  # no CSRF token
    log = client.get(base + "/log").get_data(as_text=True)
    assert "Edited to remove details" in log and "Approved" in log and world["facilitator"].display_name in log
    _assert_no_author(log, world)


def test_notice_reaches_the_author_only_and_can_be_dismissed(app, client, world):
    conversation, clean = world["conversation"], world["clean"]
    decisions.hide_item(conversation, world["facilitator"].id, "idea", clean.id, "off_topic", "Say how it helps")
    reader = app.test_client()
    _sign_in(reader, world["reader"])
    page = reader.get(f"/conversations/{conversation.id}").get_data(as_text=True)
    assert "Message from the moderators" not in page
    token = _sign_in(client, world["author"])  # its first page of the visit ("/") shows the notice at the top...
    page = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)  # ...and "mine" always
    assert "Message from the moderators" in page and "because it was off topic" in page and "Say how it helps" in page
    assert f"/ideas/{clean.id}/edit" in page
    mine = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert "Rotas six weeks ahead please" in mine and "Hidden" in mine
    with client.session_transaction() as session:  # no item ids are kept in the cookie session
        assert not any(clean.id in str(value) for value in session.values())
    assert reader.post(f"/notices/idea/{clean.id}/dismiss", data={"csrf_token": csrf_token(reader, "/")}).status_code == 404
    dismissed = client.post(f"/notices/idea/{clean.id}/dismiss", data={"csrf_token": token, "next": f"/conversations/{conversation.id}"})
    assert dismissed.status_code == 302 and dismissed.headers["Location"] == f"/conversations/{conversation.id}"
    assert "Message from the moderators" not in client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)


def test_rewrite_after_hiding_goes_back_to_the_queue(client, world):
    conversation, clean = world["conversation"], world["clean"]
    decisions.hide_item(conversation, world["facilitator"].id, "idea", clean.id, "duplicate")
    token = _sign_in(client, world["author"])
    form = client.get(f"/ideas/{clean.id}/edit").get_data(as_text=True)
    assert "goes back to the moderators" in form
    response = client.post(f"/ideas/{clean.id}/edit", data={"csrf_token": token, "body": "Rotas published six weeks ahead"})
    assert response.status_code == 302 and response.headers["Location"] == f"/conversations/{conversation.id}/mine"
    assert clean.status == ContentStatus.PENDING and clean.queued and not clean.notice_unseen


def test_no_notice_cache_hides_new_notices_longer_than_configured(app, client, world):
    """A "no notices" result is reused within the session only for the configured time."""
    app.config["CHORUS_NOTICE_CACHE_SECONDS"] = 3600
    conversation, clean = world["conversation"], world["clean"]
    _sign_in(client, world["author"])
    assert "Message from the moderators" not in client.get("/").get_data(as_text=True)
    decisions.hide_item(conversation, world["facilitator"].id, "idea", clean.id, "duplicate")
    assert "Message from the moderators" not in client.get("/").get_data(as_text=True)  # cached "none"
    with client.session_transaction() as session:
        assert set(session) >= {"notices_none_until"}
        session["notices_none_until"] = 0  # the cache time has passed
    assert "Message from the moderators" in client.get("/").get_data(as_text=True)


def test_reporting_through_the_page(app, client, world):
    clean = world["clean"]
    token = _sign_in(client, world["reader"])
    page = client.get(f"/ideas/{clean.id}").get_data(as_text=True)
    assert f"/ideas/{clean.id}/report" in page
    bad = client.post(f"/ideas/{clean.id}/report", data={"csrf_token": token})
    assert bad.status_code == 400 and "Choose why you are reporting this" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentReport).where(ContentReport.idea_id == clean.id)) == 0
    done = client.post(f"/ideas/{clean.id}/report", data={"csrf_token": token, "reason": "duplicate"})
    assert done.status_code == 302 and done.headers["Location"] == f"/ideas/{clean.id}"
    assert clean.queued


def test_moderation_api(app, client, world, make_user):
    conversation, flagged, clean, comment = world["conversation"], world["flagged"], world["clean"], world["comment"]
    mod = {"Authorization": f"Bearer {create_api_token(world['facilitator'])}"}
    reader = {"Authorization": f"Bearer {create_api_token(world['reader'])}"}
    base = f"/api/v1/conversations/{conversation.id}/moderation"
    assert client.post(f"/api/v1/ideas/{clean.id}/report", json={"reason": "duplicate"}, headers=reader).status_code == 201
    again = client.post(f"/api/v1/ideas/{clean.id}/report", json={"reason": "duplicate"}, headers=reader)
    assert again.status_code == 200 and again.json["already_reported"] is True
    bad = client.post(f"/api/v1/comments/{comment.id}/report", json={"reason": "nope"}, headers=mod)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "reason"
    queue = client.get(base, headers=mod)
    assert queue.status_code == 200
    assert {i["id"] for i in queue.json["items"]} == {flagged.id, clean.id, comment.id}
    _assert_no_author(queue.get_data(as_text=True), world)
    hidden = client.post(f"{base}/idea/{clean.id}", json={"action": "hide", "reason": "duplicate"}, headers=mod)
    assert hidden.status_code == 200 and hidden.json["status"] == "hidden"
    no_reason = client.post(f"{base}/idea/{flagged.id}", json={"action": "hide"}, headers=mod)
    assert no_reason.status_code == 422 and flagged.status == ContentStatus.PENDING
    assert client.post(f"{base}/idea/{flagged.id}", json={"action": "redact"}, headers=mod).status_code == 400
    assert client.post(f"{base}/idea/{flagged.id}", json={"action": "delete"}, headers=mod).status_code == 400
    assert client.post(f"{base}/vote/{flagged.id}", json={"action": "approve"}, headers=mod).status_code == 404
    redacted = client.post(f"{base}/idea/{flagged.id}", json={"action": "redact", "body": "A doctor shouts"}, headers=mod)
    assert redacted.status_code == 200 and redacted.json["moderator_edited"] is True
    approved = client.post(f"{base}/comment/{comment.id}", json={"action": "approve"}, headers=mod)
    assert approved.status_code == 200 and approved.json["status"] == "published"
    log = client.get(base + "/log", headers=mod)
    assert [e["action"] for e in log.json["entries"]] == ["approve", "redact", "hide"]
    assert {e["moderator_id"] for e in log.json["entries"]} == {world["facilitator"].id}
    _assert_no_author(log.get_data(as_text=True), world)
    # The author's own API view shows the state of their post.
    author = {"Authorization": f"Bearer {create_api_token(world['author'])}"}
    mine = client.get(f"/api/v1/conversations/{conversation.id}/mine", headers=author).json
    assert {i["id"]: i["status"] for i in mine["ideas"]}[clean.id] == "hidden"


def test_api_post_in_pre_moderation_returns_the_held_idea(client, world):
    conversation = world["conversation"]
    decisions.update_settings(conversation, moderation_mode="pre", report_threshold=3, allow_guests=False)
    author = {"Authorization": f"Bearer {create_api_token(world['author'])}"}
    created = client.post(f"/api/v1/questions/{conversation.questions[0].id}/ideas", json={"body": "Bike racks"}, headers=author)
    assert created.status_code == 201 and created.json["status"] == "pending" and created.json["mine"] is True
    assert re.search(rf"/conversations/{conversation.id}/mine$", created.headers["Location"])


def test_settings_page_changes_mode_and_guests(client, world):
    conversation = world["conversation"]
    token = _sign_in(client, world["facilitator"])
    url = f"/facilitate/conversations/{conversation.id}/moderation/settings"
    bad = client.post(url, data={"csrf_token": token, "moderation_mode": "pre", "report_threshold": "0"})
    assert bad.status_code == 400 and "between 1 and 50" in bad.get_data(as_text=True)
    assert conversation.moderation_mode == "post"
    ok = client.post(url, data={"csrf_token": token, "moderation_mode": "pre", "report_threshold": "5", "allow_guests": "y"})
    assert ok.status_code == 302
    assert (conversation.moderation_mode, conversation.report_threshold, conversation.allow_guests) == ("pre", 5, True)
    code = conversation.join_code
    assert code and len(code) == 6 and code in client.get(url).get_data(as_text=True)
    client.post(f"/facilitate/conversations/{conversation.id}/moderation/join-code", data={"csrf_token": token})
    assert conversation.join_code != code


def test_comment_notice_links_to_rewriting_the_comment(client, world):
    conversation, comment = world["conversation"], world["comment"]
    decisions.hide_item(conversation, world["facilitator"].id, "comment", comment.id, "other", "Please rephrase")
    _sign_in(client, world["author"])
    page = client.get(f"/conversations/{conversation.id}/mine").get_data(as_text=True)
    assert "Message from the moderators" in page and "Your comment in" in page
    assert page.count(f"/comments/{comment.id}/edit") == 2  # in the notice and beside the hidden comment
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_leads_and_admins_of_the_organisation_read_the_log(app, world, make_user, role):
    decisions.hide_item(world["conversation"], world["facilitator"].id, "idea", world["clean"].id, "duplicate")
    reader = app.test_client()
    _sign_in(reader, make_user(role))
    page = reader.get(f"/facilitate/conversations/{world['conversation'].id}/moderation/log")
    assert page.status_code == 200 and "It repeats another post" in page.get_data(as_text=True)
    _assert_no_author(page.get_data(as_text=True), world)


def test_notices_api_for_the_author_only(app, world):
    conversation, clean = world["conversation"], world["clean"]
    decisions.hide_item(conversation, world["facilitator"].id, "idea", clean.id, "off_topic", "Say how it helps")
    client = app.test_client()
    author = {"Authorization": f"Bearer {create_api_token(world['author'])}"}
    reader = {"Authorization": f"Bearer {create_api_token(world['reader'])}"}
    assert client.get("/api/v1/notices", headers=reader).json == {"notices": []}
    [notice] = client.get("/api/v1/notices", headers=author).json["notices"]
    assert (notice["item_id"], notice["action"], notice["reason"], notice["note"]) == (clean.id, "hide", "off_topic", "Say how it helps")
    assert client.post(f"/api/v1/notices/idea/{clean.id}/dismiss", headers=reader).status_code == 404
    assert client.post(f"/api/v1/notices/idea/{clean.id}/dismiss", headers=author).status_code == 204
    assert client.get("/api/v1/notices", headers=author).json == {"notices": []}
