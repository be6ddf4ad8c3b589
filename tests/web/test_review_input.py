"""Bad input on the web forms and at the edges: oversized bodies, NUL bytes, logs that never name anyone."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.extensions import db
from app.models import Idea
from app.services.accounts import users


def _ideas() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Idea))


def test_oversized_bodies_get_413_as_json_or_a_page(app, client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    user = make_user()
    token = login(user)
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    page = client.post(f"/questions/{question.id}/ideas", data={"body": huge, "csrf_token": token})
    assert page.status_code == 413 and "too large" in page.get_data(as_text=True)
    assert "Content-Security-Policy" in page.headers
    api = client.post(f"/api/v1/questions/{question.id}/ideas", data='{"body": "' + huge + '"}',
                      content_type="application/json", headers={"Authorization": f"Bearer {users.create_api_token(user)}"})
    assert api.status_code == 413 and api.get_json()["error"]["status"] == 413
    assert _ideas() == 0


def test_nul_bytes_in_forms_and_queries_get_a_clear_400(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    token = login(make_user("facilitator"))
    form = client.post(f"/questions/{question.id}/ideas", data={"body": "Better\x00 rota planning", "csrf_token": token})
    assert form.status_code == 400
    api = client.post(f"/api/v1/questions/{question.id}/ideas", json={"body": "Better\x00 rota planning"},
                      headers={"X-CSRFToken": token})
    assert api.status_code == 400 and "NUL" in api.get_json()["error"]["message"]
    assert client.get("/admin/people", query_string={"q": "a\x00b"}).status_code == 400
    assert client.get(f"/api/v1/questions/{question.id}/ideas", query_string={"stage": "\x00"}).status_code == 400
    assert _ideas() == 0


def test_whitespace_and_control_character_ideas_are_refused_with_the_text_kept(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    token = login(make_user())
    for body in ("   \n\t  ", "\u200b\u200b\u200b\u200b\u200b\u200b", "\x07\x08\x1b\x1b\x1b\x7f"):
        response = client.post(f"/questions/{question.id}/ideas", data={"body": body, "csrf_token": token})
        assert response.status_code == 400 and "Enter your idea" in response.get_data(as_text=True)
    assert _ideas() == 0


def test_logs_name_routes_never_people_or_posts(client, make_user, make_conversation, login, caplog) -> None:  # type: ignore[no-untyped-def]
    question = make_conversation().questions[0]
    user = make_user()
    with caplog.at_level(logging.DEBUG):
        token = login(user)
        posted = client.post(f"/questions/{question.id}/ideas", data={"body": "Hot food for night staff", "csrf_token": token})
        idea_id = posted.headers["Location"].rsplit("/", 1)[-1]
        client.get(f"/ideas/{idea_id}")
        client.post(f"/ideas/{idea_id}/vote", data={"choice": "support", "csrf_token": token})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /questions/<int:question_id>/ideas 302" in text
    for secret in (user.email, user.user_key, idea_id, "Hot food", f"/ideas/{idea_id}"):
        assert secret not in text, secret
    assert not any(str(user.id) == getattr(record, "user_id", None) for record in caplog.records)


def _upload(text: bytes) -> dict:
    import io

    return {"file": (io.BytesIO(text), "people.csv")}


def test_csv_uploads_with_nul_bytes_or_utf16_are_refused_clearly(client, make_user, make_conversation, login) -> None:  # type: ignore[no-untyped-def]
    from app.models import User

    admin = make_user("admin")
    token = login(admin)
    code = admin.memberships[0].organisation.code
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    rows = f"email,display name,organisation code,staff group,role\nnul@trust.nhs.uk,Nu\x00l,{code},Nursing,participant\n"
    for data in (rows.encode(), rows.replace("\x00", "").encode("utf-16-le")):
        response = client.post("/admin/people/upload", data={"csrf_token": token} | _upload(data),
                               content_type="multipart/form-data")
        assert response.status_code == 400 and "saved as UTF-8" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before
    conversation = make_conversation()
    notes = f"question,text\n1,Better lockers for night staff\x00\n".encode()
    paper = client.post(f"/facilitate/conversations/{conversation.id}/paper-notes",
                        data={"csrf_token": token, "action": "import", "file": _upload(notes)["file"]},
                        content_type="multipart/form-data")
    assert paper.status_code == 400 and "saved as UTF-8" in paper.get_data(as_text=True)
    assert _ideas() == 0


def test_a_failed_database_write_still_gets_the_friendly_500_page(client, make_user, login, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.models import Organisation

    login(make_user())

    def broken_write(*args, **kwargs):  # type: ignore[no-untyped-def]
        db.session.add(Organisation(name=None, code=None))
        db.session.flush()  # fails: the session now needs a rollback before it can be used again

    monkeypatch.setattr("app.participate.routes.access.visible_conversations", broken_write)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "problem with the service" in html
    assert "Sign out" in html or "sign-out" in html  # the page rendered with its navigation
    assert "Content-Security-Policy" in response.headers
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_error_logs_never_carry_the_values_of_a_failed_statement(client, make_user, login, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    login(make_user())
    words = " ".join(["my", "private", "words"])  # built, so the traceback's source lines do not show it

    def failing_query(*args, **kwargs):  # type: ignore[no-untyped-def]
        db.session.execute(sa.text("SELECT no_such_column FROM idea WHERE body = :body"), {"body": words})

    monkeypatch.setattr("app.participate.routes.access.visible_conversations", failing_query)
    with caplog.at_level(logging.ERROR, logger="chorus.errors"):
        assert client.get("/").status_code == 500
    logged = "\n".join(record.getMessage() + (record.exc_text or "") + repr(record.exc_info) for record in caplog.records)
    assert "no_such_column" in logged  # the statement is logged, to debug it
    assert words not in logged
