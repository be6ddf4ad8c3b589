"""API for facilitators: participation figures, paper notes import and Ideas Lab stages."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea
from app.services.content import ideas
from app.services.conversations import templates
from app.services.content import voting
from app.services.accounts.users import create_api_token
from app.services.common.participants import Participant
from app.services.conversations.participation_batch import refresh_snapshot


def _api(client, user):
    token = create_api_token(user)

    def call(method, path, **kwargs):  # type: ignore[no-untyped-def]
        return getattr(client, method)("/api/v1" + path, headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


def test_participation_figures(client, make_user, make_conversation, make_org, org):
    conversation = make_conversation()
    people = [make_user(staff_group="Medical") for _ in range(12)]
    idea, _ = ideas.post_idea(Participant.from_user(people[0]), conversation.questions[0].id, "Cover for training days")
    for person in people:
        voting.cast_vote(Participant.from_user(person), idea.id, "support")
    call = _api(client, make_user("facilitator"))
    before = call("get", f"/conversations/{conversation.id}/participation").json
    assert before["updated_at"] is None and before["votes"] is None and before["by_staff_group"] == []
    refresh_snapshot(conversation.id)
    body = call("get", f"/conversations/{conversation.id}/participation").json
    assert body["participants"] == 10 and body["votes"] == 12 and body["min_group_size"] == 11
    assert body["updated_at"].endswith(":00:00Z")
    assert body["by_staff_group"] == [{"group": "Medical", "participants": 10, "hidden": False}]
    assert "author" not in str(body) and people[0].email not in str(body)
    assert _api(client, make_user())("get", f"/conversations/{conversation.id}/participation").status_code == 404
    outsider = _api(client, make_user("facilitator", organisation=make_org("Far Trust")))
    assert outsider("get", f"/conversations/{conversation.id}/participation").status_code == 404


def test_paper_notes_import(client, make_user, make_conversation):
    conversation = make_conversation()
    call = _api(client, make_user("facilitator"))
    path = f"/conversations/{conversation.id}/paper-notes"
    bad = call("post", path, json={"notes": "question,text\n1,Good note here\n9,Wrong question\n"})
    assert bad.status_code == 422 and bad.json["error"]["rows"] == [
        {"row": 3, "message": bad.json["error"]["rows"][0]["message"]}]
    assert "not a question number" in bad.json["error"]["rows"][0]["message"]
    assert call("post", path, json={"notes": 5}).status_code == 400
    assert call("post", path, data="notes").status_code == 415
    preview = call("post", path, json={"notes": "Lovely team\nMore parking", "question_id": conversation.questions[1].id, "dry_run": True})
    assert preview.status_code == 200 and len(preview.json["notes"]) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    done = call("post", path, json={"notes": "Lovely team\nMore parking", "question_id": conversation.questions[1].id})
    assert done.status_code == 201 and done.json["imported"] == 2
    assert {i.source for i in db.session.scalars(sa.select(Idea))} == {"paper"}
    assert _api(client, make_user())("post", path, json={"notes": "x"}).status_code == 404


def test_idea_stage(client, make_user, org):
    facilitator = make_user("facilitator")
    lab = templates.create_from_template(frozenset({org.id}), org.id, "ideas_lab", "Ideas Lab")
    from app.services.conversations.lifecycle import open_conversation

    open_conversation(lab)
    idea, _ = ideas.post_idea(Participant.from_user(make_user()), lab.questions[0].id, "Hydration stations on wards")
    call = _api(client, facilitator)
    ok = call("put", f"/ideas/{idea.id}/stage", json={"stage": "under_review"})
    assert ok.status_code == 200 and ok.json["stage"] == "under_review"
    no_reason = call("put", f"/ideas/{idea.id}/stage", json={"stage": "not_taken_forward"})
    assert no_reason.status_code == 422 and no_reason.json["error"]["field"] == "reason"
    assert call("put", f"/ideas/{idea.id}/stage", json={"stage": "finished"}).status_code == 422
    assert call("put", "/ideas/nope/stage", json={"stage": "done"}).status_code == 404
    staff = _api(client, make_user())
    assert staff("put", f"/ideas/{idea.id}/stage", json={"stage": "done"}).status_code == 404
    listed = staff("get", f"/questions/{lab.questions[0].id}/ideas?stage=under_review").json
    assert [i["stage"] for i in listed["ideas"]] == ["under_review"]
    assert staff("get", f"/questions/{lab.questions[0].id}/ideas?stage=done").json["total"] == 0


def test_large_paper_notes_import_runs_as_a_job(app, client, make_user, make_conversation):
    """Issue #18: 202 with the import's state, then its progress and result under its own address."""
    app.config["CHORUS_NOTES_INLINE_MAX"] = 5
    conversation = make_conversation()
    call = _api(client, make_user("facilitator"))
    path = f"/conversations/{conversation.id}/paper-notes"
    notes = "\n".join(f"Note {n}: a quiet room for breaks" for n in range(8))
    started = call("post", path, json={"notes": notes, "question_id": conversation.questions[0].id})
    assert started.status_code == 202 and started.json["total"] == 8
    state = call("get", f"{path}/imports/{started.json['id']}")
    assert state.status_code == 200 and state.json["status"] == "succeeded" and state.json["imported"] == 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 8
    bad = call("post", path, json={"notes": "question,text\n" + "1,A fine note\n" * 6 + "9,Wrong question\n"})
    assert bad.status_code == 202
    failed = call("get", f"{path}/imports/{bad.json['id']}").json
    assert failed["status"] == "failed" and failed["rows"][0]["row"] == 8 and failed["imported"] == 0
    assert _api(client, make_user())("get", f"{path}/imports/{started.json['id']}").status_code == 404
