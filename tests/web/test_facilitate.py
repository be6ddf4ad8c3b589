"""Facilitator console: access rules, templates, settings, questions, open/close, overview, stages, paper notes."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Conversation, Idea, Question, Vote
from app.models.base import utcnow
from app.services.content import ideas
from app.services.content import voting
from app.services.conversations.participation_batch import refresh_snapshot
from tests.conftest import PASSWORD, csrf_token

ROUTES = [
    ("get", "/facilitate/"), ("get", "/facilitate/conversations/new"), ("post", "/facilitate/conversations/new"),
    ("get", "/facilitate/conversations/{c}"), ("get", "/facilitate/conversations/{c}/edit"),
    ("post", "/facilitate/conversations/{c}/edit"), ("post", "/facilitate/conversations/{c}/open"),
    ("get", "/facilitate/conversations/{c}/close"), ("post", "/facilitate/conversations/{c}/close"),
    ("get", "/facilitate/conversations/{c}/questions"), ("post", "/facilitate/conversations/{c}/questions"),
    ("post", "/facilitate/conversations/{c}/questions/{q}"), ("post", "/facilitate/conversations/{c}/questions/{q}/remove"),
    ("post", "/facilitate/conversations/{c}/questions/{q}/move"), ("get", "/facilitate/conversations/{c}/stages"),
    ("post", "/facilitate/conversations/{c}/ideas/{i}/stage"), ("get", "/facilitate/conversations/{c}/paper-notes"),
    ("post", "/facilitate/conversations/{c}/paper-notes"),
]


def _path(path, conversation, idea_id="x"):
    return path.format(c=conversation.id, q=conversation.questions[0].id, i=idea_id)


def _new(client, token, kind, title="Spring conversation", **extra):
    return client.post("/facilitate/conversations/new", data={"csrf_token": token, "kind": kind, "title": title} | extra)


def _latest() -> Conversation:
    return db.session.scalars(sa.select(Conversation).order_by(Conversation.id.desc())).first()


def test_anonymous_redirected_participant_404_other_organisation_404(client, login, make_user, make_org, make_conversation):
    conversation = make_conversation()
    for method, path in ROUTES:
        response = getattr(client, method)(_path(path, conversation))
        if method == "get":
            assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in"), path
        else:  # without a session there is no CSRF token, so the form is refused before anything else
            assert response.status_code == 400, path
    token = login(make_user("participant"))
    for method, path in ROUTES:
        assert getattr(client, method)(_path(path, conversation), data={"csrf_token": token}).status_code == 404, path
    with client.session_transaction() as session:
        session.clear()
    other = make_org("Elsewhere Trust")
    token = login(make_user("facilitator", organisation=other))
    for method, path in ROUTES:
        if "{c}" in path:
            assert getattr(client, method)(_path(path, conversation), data={"csrf_token": token}).status_code == 404, path
    assert "Best place to work" not in client.get("/facilitate/").get_data(as_text=True)


def test_index_lists_conversations_by_status_with_counts(client, login, make_user, make_conversation, as_participant):
    open_one = make_conversation(title="Open talk")
    make_conversation(status="draft", title="Draft talk")
    make_conversation(status="closed", title="Closed talk")
    ideas.post_idea(as_participant(make_user()), open_one.questions[0].id, "Better coffee in the staff room")
    login(make_user("facilitator"))
    html = client.get("/facilitate/").get_data(as_text=True)
    assert html.index("Open talk") < html.index("Draft talk") < html.index("Closed talk")
    assert "Online Conversation" in html and '<span class="nhsuk-table-responsive__heading">Ideas </span>1<' in html


def test_create_from_each_template(client, login, make_user):
    token = login(make_user("facilitator"))
    assert _new(client, token, "online").status_code == 302
    online = _latest()
    assert online.status == "draft" and online.kind == "online" and len(online.questions) == 2
    assert timedelta(days=20) < online.closes_at - utcnow() <= timedelta(days=21)
    assert _new(client, token, "ideas_lab", "Ideas Lab").status_code == 302
    lab = _latest()
    assert lab.closes_at is None and lab.kind == "ideas_lab"
    assert _new(client, token, "workshop", "Team away day").status_code == 302
    workshop = _latest()
    assert workshop.status == "open" and workshop.is_accepting()
    assert timedelta(minutes=59) <= workshop.closes_at - workshop.opens_at <= timedelta(hours=1)
    assert _new(client, token, "change_hub", "Change Hub: January").status_code == 302
    january = _latest()
    client.post(f"/facilitate/conversations/{january.id}/questions", data={"csrf_token": token, "new-text": "What about parking?"})
    response = _new(client, token, "change_hub", "Change Hub: February", previous_id=january.id)
    assert response.status_code == 302
    february = _latest()
    assert february.previous_conversation_id == january.id
    assert [q.text for q in february.questions] == ["What should we focus on this month?", "What about parking?"]
    wrong = _new(client, token, "change_hub", "Change Hub: March", previous_id=online.id)
    assert wrong.status_code == 400 and "previous Change Hub session" in wrong.get_data(as_text=True)
    for data, message in [({"kind": "nope"}, "Choose a type"), ({"title": ""}, "Enter a title"), ({"title": "x" * 161}, "160 characters")]:
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Conversation))
        response = client.post("/facilitate/conversations/new", data={"csrf_token": token, "kind": "online", "title": "Fine title"} | data)
        assert response.status_code == 400 and message in response.get_data(as_text=True), data
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Conversation)) == before


def _settings(conversation, **changes):
    data = {"title": conversation.title, "description": "About it", "voting_mode": conversation.voting_mode,
            "comments_enabled": "y", "audience_ids": [o.id for o in conversation.audience],
            "opens_at": "", "closes_at": (utcnow() + timedelta(days=10)).strftime("%Y-%m-%d %H:%M")}
    return {k: v for k, v in (data | changes).items() if v is not None}


def test_edit_settings_and_bad_input(client, login, make_user, make_conversation, make_org, as_participant):
    conversation = make_conversation(status="draft")
    token = login(make_user("facilitator"))
    page = client.get(f"/facilitate/conversations/{conversation.id}/edit").get_data(as_text=True)
    assert 'value="Best place to work"' in page
    ok = client.post(f"/facilitate/conversations/{conversation.id}/edit",
                     data={"csrf_token": token} | _settings(conversation, title="Better place to work", named_mode="y", comments_enabled=None))
    assert ok.status_code == 302
    db.session.expire_all()
    conversation = db.session.get(Conversation, conversation.id)
    assert conversation.title == "Better place to work" and conversation.named_mode and not conversation.comments_enabled
    assert "Names are shown in this conversation" in client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    cases = [
        ({"title": ""}, "Enter a title"),
        ({"title": "x" * 161}, "160 characters"),
        ({"description": "x" * 5001}, "5,000 characters"),
        ({"opens_at": "31/02/2026"}, "Enter a real date and time"),
        ({"closes_at": "2026-13-45 10:00"}, "Enter a real date and time"),
        ({"opens_at": "2027-01-10 09:00", "closes_at": "2027-01-05 09:00"}, "closing date must be after the opening date"),
        ({"audience_ids": []}, "Choose which organisations can take part"),
        ({"audience_ids": [make_org("Not a partner").id]}, "Choose which organisations can take part"),
    ]
    for change, message in cases:
        response = client.post(f"/facilitate/conversations/{conversation.id}/edit", data={"csrf_token": token} | _settings(conversation, **change))
        assert response.status_code == 400 and message in response.get_data(as_text=True), change
        db.session.expire_all()
        assert db.session.get(Conversation, conversation.id).title == "Better place to work"
    # Voting mode and named mode are fixed once people vote or post.
    client.post(f"/facilitate/conversations/{conversation.id}/open", data={"csrf_token": token})
    voter = as_participant(make_user())
    idea, _ = ideas.post_idea(voter, conversation.questions[0].id, "Longer breaks on night shifts")
    voting.cast_vote(voter, idea.id, "support")
    response = client.post(f"/facilitate/conversations/{conversation.id}/edit", data={"csrf_token": token} | _settings(conversation, voting_mode="agree", named_mode="y"))
    assert response.status_code == 400 and "already voted" in response.get_data(as_text=True)
    response = client.post(f"/facilitate/conversations/{conversation.id}/edit", data={"csrf_token": token} | _settings(conversation, named_mode=None))
    assert response.status_code == 400 and "names cannot be turned on or off" in response.get_data(as_text=True)


def test_open_close_reopen(client, login, make_user, make_conversation):
    conversation = make_conversation(status="draft")
    token = login(make_user("facilitator"))
    assert client.post(f"/facilitate/conversations/{conversation.id}/open", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).status == "open"
    confirm = client.get(f"/facilitate/conversations/{conversation.id}/close").get_data(as_text=True)
    assert "Are you sure you want to close" in confirm
    assert client.post(f"/facilitate/conversations/{conversation.id}/close", data={}).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).status == "open"
    client.post(f"/facilitate/conversations/{conversation.id}/close", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).status == "closed"
    edit = client.post(f"/facilitate/conversations/{conversation.id}/edit", data={"csrf_token": token} | _settings(conversation))
    assert edit.status_code == 400 and "closed conversation cannot be edited" in edit.get_data(as_text=True)
    response = client.post(f"/facilitate/conversations/{conversation.id}/open", data={"csrf_token": token}, follow_redirects=True)
    assert "reopened" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Conversation, conversation.id).status == "open"


def test_questions_add_edit_reorder_and_remove(client, login, make_user, make_conversation, as_participant):
    conversation = make_conversation(status="draft")
    first, second = conversation.questions
    token = login(make_user("facilitator"))
    base = f"/facilitate/conversations/{conversation.id}/questions"
    assert client.post(base, data={"csrf_token": token, "new-text": "What should we stop doing?"}).status_code == 302
    assert client.post(base, data={"csrf_token": token, "new-text": ""}).status_code == 400
    too_long = client.post(base, data={"csrf_token": token, "new-text": "x" * 301})
    assert too_long.status_code == 400 and "300 characters" in too_long.get_data(as_text=True)
    assert client.post(f"{base}/{second.id}", data={"csrf_token": token, f"q{second.id}-text": "What blocks you?"}).status_code == 302
    assert client.post(f"{base}/{second.id}/move", data={"csrf_token": token, "direction": "up"}).status_code == 302
    db.session.expire_all()
    texts = [q.text for q in db.session.get(Conversation, conversation.id).questions]
    assert texts == ["What blocks you?", "What would make work better?", "What should we stop doing?"]
    # A question with ideas cannot be removed; an empty one can.
    client.post(f"/facilitate/conversations/{conversation.id}/open", data={"csrf_token": token})
    ideas.post_idea(as_participant(make_user()), first.id, "Hot food for the night shift")
    refused = client.post(f"{base}/{first.id}/remove", data={"csrf_token": token}, follow_redirects=True)
    assert "already has ideas, so it cannot be removed" in refused.get_data(as_text=True)
    assert db.session.get(Question, first.id) is not None
    assert client.post(f"{base}/{second.id}/remove", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    remaining = db.session.get(Conversation, conversation.id).questions
    assert [q.text for q in remaining] == ["What would make work better?", "What should we stop doing?"]
    assert [q.position for q in remaining] == [0, 1]
    other = make_conversation(title="Another")
    assert client.post(f"{base}/{other.questions[0].id}", data={"csrf_token": token, f"q{other.questions[0].id}-text": "Hijack"}).status_code == 404


def test_overview_shows_suppressed_participation(client, login, make_user, make_conversation, as_participant, org):
    conversation = make_conversation()
    people = [make_user(staff_group="Medical") for _ in range(13)]
    idea, _ = ideas.post_idea(as_participant(people[0]), conversation.questions[0].id, "Staff parking near the wards")
    for person in people:
        voting.cast_vote(as_participant(person), idea.id, "support")
    for person in people[:3]:
        ideas.post_idea(as_participant(make_user(staff_group="Nursing")), conversation.questions[1].id, "Rest areas for every team")
    login(make_user("facilitator"))
    html = client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    assert "Updated hourly; not worked out yet" in html and "about 15" not in html
    refresh_snapshot(conversation.id)
    html = client.get(f"/facilitate/conversations/{conversation.id}").get_data(as_text=True)
    assert "People taking part by organisation" in html and "about 15" in html and "Updated hourly; last updated" in html
    # Medical (13) is shown; Nursing (3) is under k, so Other would be 3 and Medical joins it: only Other remains.
    assert "Medical" not in html.split("People taking part by staff group")[1] and "Other" in html
    assert "Staff parking near the wards" not in html  # figures only, no content or authors


def test_ideas_lab_stages(client, login, make_user, make_conversation, as_participant):
    token = login(make_user("facilitator"))
    _new(client, token, "ideas_lab", "Ideas Lab")
    lab = _latest()
    client.post(f"/facilitate/conversations/{lab.id}/open", data={"csrf_token": token})
    author = as_participant(make_user())
    idea, _ = ideas.post_idea(author, lab.questions[0].id, "A quiet room for breaks")
    other, _ = ideas.post_idea(author, lab.questions[0].id, "Bike storage near the entrance")
    base = f"/facilitate/conversations/{lab.id}"
    assert "Submitted (2)" in client.get(f"{base}/stages").get_data(as_text=True)
    assert client.post(f"{base}/ideas/{idea.id}/stage", data={"csrf_token": token, f"s{idea.id}-stage": "taken_forward"}).status_code == 302
    refused = client.post(f"{base}/ideas/{other.id}/stage", data={"csrf_token": token, f"s{other.id}-stage": "not_taken_forward"})
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    bad = client.post(f"{base}/ideas/{other.id}/stage", data={"csrf_token": token, f"s{other.id}-stage": "launched"})
    assert bad.status_code == 400 and "Choose a stage" in bad.get_data(as_text=True)
    assert client.post(f"{base}/ideas/{other.id}/stage", data={"csrf_token": token, f"s{other.id}-stage": "not_taken_forward", f"s{other.id}-reason": "Fire regulations"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).stage == "taken_forward"
    assert db.session.get(Idea, other.id).stage_reason == "Fire regulations"
    filtered = client.get(f"{base}/stages?stage=taken_forward").get_data(as_text=True)
    assert "A quiet room for breaks" in filtered and "Bike storage" not in filtered
    assert client.post(f"{base}/ideas/nope/stage", data={"csrf_token": token, "snope-stage": "done"}).status_code == 404
    # Staff see the stage and reason, and can filter by it.
    with client.session_transaction() as session:
        session.clear()
    login(make_user())
    page = client.get(f"/questions/{lab.questions[0].id}?stage=not_taken_forward").get_data(as_text=True)
    assert "Bike storage" in page and "Fire regulations" in page and "A quiet room" not in page
    # Stages are only for an Ideas Lab.
    online = make_conversation()
    with client.session_transaction() as session:
        session.clear()
    login(make_user("facilitator"))
    assert client.get(f"/facilitate/conversations/{online.id}/stages", follow_redirects=True).status_code == 409


def _paper(client, token, conversation, **data):
    return client.post(f"/facilitate/conversations/{conversation.id}/paper-notes", data={"csrf_token": token} | data,
                       content_type="multipart/form-data")


def test_paper_notes_preview_then_import(client, login, make_user, make_conversation):
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    notes = ("question,text\n1,More staff on weekend shifts\n"
             f"{conversation.questions[1].text},The lifts are always broken\n2,Call John Smith on 07700 900123 about rotas\n")
    preview = _paper(client, token, conversation, notes=notes, action="preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check the 3 notes" in html and "may identify" in html.lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    done = _paper(client, token, conversation, notes=notes, action="import")
    assert done.status_code == 302
    imported = db.session.scalars(sa.select(Idea)).all()
    assert len(imported) == 3 and {i.source for i in imported} == {"paper"}
    assert len({i.author_tag for i in imported}) == 3
    assert sum(i.flagged_identifying for i in imported) == 1
    assert {i.question_id for i in imported} == {q.id for q in conversation.questions}
    # One note per line under a chosen question, uploaded as a file.
    lines = "Better signage\nMore plants in the canteen\n"
    upload = _paper(client, token, conversation, question_id=conversation.questions[0].id, action="import",
                    file=(io.BytesIO(lines.encode()), "notes.txt"))
    assert upload.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 5


def test_paper_notes_errors_import_nothing(client, login, make_user, make_conversation, monkeypatch):
    from app.services.common import csvfile

    conversation = make_conversation()
    token = login(make_user("facilitator"))
    bad = "question,text\n1,Fine note here\n7,Unknown question\n2,\nwhat?,Also wrong\n1,abc\n"
    response = _paper(client, token, conversation, notes=bad, action="import")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported" in html
    assert "Row 3:" in html and "Row 4:" in html and "Row 5:" in html and "Row 6:" in html and "Row 2:" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    no_question = _paper(client, token, conversation, notes="Just a line\n", action="preview")
    assert no_question.status_code == 400 and "Choose the question" in no_question.get_data(as_text=True)
    empty = _paper(client, token, conversation, notes="", action="preview")
    assert empty.status_code == 400 and "Paste the notes" in empty.get_data(as_text=True)
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 2048)
    big = _paper(client, token, conversation, notes="question,text\n" + "1,long note\n" * 300, action="import")
    assert big.status_code == 400 and "smaller than 2 KB" in big.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0


def test_many_paper_notes_are_checked_and_imported_in_the_background(app, client, login, make_user, make_org,
                                                                       make_conversation):
    """Issue #18: over CHORUS_NOTES_INLINE_MAX notes, the page hands the work to a job and shows its progress."""
    app.config["CHORUS_NOTES_INLINE_MAX"] = 5
    conversation = make_conversation()
    token = login(make_user("facilitator"))
    notes = "question,text\n" + "".join(f"1,Note {n}: lockers for night staff please\n" for n in range(9))
    checked = _paper(client, token, conversation, notes=notes, action="preview")
    assert checked.status_code == 302 and "/paper-notes/imports/" in checked.headers["Location"]
    page = client.get(checked.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "All 9 notes are ready to import" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 0
    progress = client.get(checked.headers["Location"] + "/progress")
    assert progress.json == {"status": "succeeded", "checked": 9, "total": 9, "pending": None}
    done = client.post(checked.headers["Location"] + "/import", data={"csrf_token": token})
    assert done.status_code == 302
    assert "9 paper notes have been added as ideas" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Idea)) == 9
    # Another organisation's facilitator cannot see or use it.
    other = app.test_client()
    other_token = csrf_token(other)
    elsewhere = make_user("facilitator", organisation=make_org("Elsewhere"))
    assert other.post("/auth/sign-in", data={"email": elsewhere.email, "password": PASSWORD,
                                             "csrf_token": other_token}).status_code == 302
    assert other.get(checked.headers["Location"]).status_code == 404
    assert other.get(checked.headers["Location"] + "/progress").status_code == 404
