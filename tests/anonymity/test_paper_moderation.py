"""Issue #10.6: imported paper notes that may identify someone go to the moderation queue, not the boards."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentStatus, Idea
from app.services.moderation import decisions
from app.services.content import paper_notes
from app.services.accounts.users import create_api_token
from app.services.content.listing import list_ideas
from app.services.common.participants import Participant

NOTES = "Better rota planning please\nIf the rota is wrong ask Sister Jones on ward 7B\nMore water coolers\n"


def _by_body(text: str) -> Idea:
    return db.session.scalars(sa.select(Idea).where(Idea.body.contains(text))).one()


def test_service_holds_flagged_notes_for_moderators(make_conversation, make_user):
    conversation = make_conversation()
    added = paper_notes.import_notes(conversation, NOTES, conversation.questions[0].id)
    assert len(added) == 3
    flagged = _by_body("Sister Jones")
    assert flagged.flagged_identifying and flagged.status == ContentStatus.PENDING and flagged.queued
    plain = _by_body("water coolers")
    assert plain.status == ContentStatus.PUBLISHED and not plain.queued
    queue = decisions.moderation_queue(conversation)
    assert [q.item.id for q in queue] == [flagged.id]
    assert any("paper" in reason.lower() and "identif" in reason.lower() for reason in queue[0].reasons)
    staff = Participant.from_user(make_user())
    shown = [card.idea.body for card in list_ideas(staff, conversation.questions[0].id).cards]
    assert not any("Sister Jones" in body for body in shown) and len(shown) == 2


def test_abusive_paper_notes_are_held_too(make_conversation):
    conversation = make_conversation()
    paper_notes.import_notes(conversation, "The manager is a useless idiot\n", conversation.questions[0].id)
    held = db.session.scalars(sa.select(Idea)).one()
    assert held.status == ContentStatus.PENDING and held.queued and held.flagged_abusive


def test_approving_a_held_note_publishes_it(make_conversation, make_user):
    conversation = make_conversation()
    moderator = make_user("facilitator")
    paper_notes.import_notes(conversation, NOTES, conversation.questions[0].id)
    flagged = _by_body("Sister Jones")
    decisions.approve_item(conversation, moderator.id, "idea", flagged.id)
    assert flagged.status == ContentStatus.PUBLISHED and not flagged.queued


def test_web_import_sends_flagged_notes_to_the_queue(client, login, make_user, make_conversation):
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    done = client.post(f"/facilitate/conversations/{conversation.id}/paper-notes", data={
        "csrf_token": token, "notes": NOTES, "question_id": conversation.questions[0].id, "action": "import"},
        content_type="multipart/form-data")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 is waiting in the moderation queue" in page
    queue = client.get(f"/facilitate/conversations/{conversation.id}/moderation").get_data(as_text=True)
    assert "Sister Jones" in queue and "paper" in queue.lower()
    client.post("/auth/sign-out", data={"csrf_token": token})
    login(make_user())
    board = client.get(f"/questions/{conversation.questions[0].id}").get_data(as_text=True)
    assert "water coolers" in board and "Sister Jones" not in board


def test_api_import_reports_held_notes_and_hides_them(client, make_user, make_conversation):
    conversation = make_conversation()
    facilitator = {"Authorization": f"Bearer {create_api_token(make_user('facilitator'))}"}
    staff = {"Authorization": f"Bearer {create_api_token(make_user())}"}
    done = client.post(f"/api/v1/conversations/{conversation.id}/paper-notes", headers=facilitator,
                       json={"notes": NOTES, "question_id": conversation.questions[0].id})
    assert done.status_code == 201 and done.json["imported"] == 3
    assert done.json["flagged_identifying"] == 1 and done.json["held_for_moderation"] == 1
    queue = client.get(f"/api/v1/conversations/{conversation.id}/moderation", headers=facilitator).json
    assert len(queue["items"]) == 1 and "Sister Jones" in str(queue["items"][0])
    listed = client.get(f"/api/v1/questions/{conversation.questions[0].id}/ideas", headers=staff).json
    assert len(listed["ideas"]) == 2 and "Sister Jones" not in str(listed)
    flagged = _by_body("Sister Jones")
    assert client.get(f"/api/v1/ideas/{flagged.id}", headers=staff).status_code == 404
